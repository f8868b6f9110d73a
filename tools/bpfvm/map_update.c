/* Map entries set from the command line (map_update.h). */
#include "cli.h"
#include "map_update.h"

#include <bpfvm/map.h>
#include <bpfvm/object.h>
#include <stdlib.h>
#include <string.h>

/* Per-CPU maps take one value per CPU: the one given, on every CPU. */
static uint8_t *user_value(struct bpfvm_map *map, const uint8_t *v,
			   size_t len)
{
	size_t size = bpfvm_map_user_value_size(map), stride;
	unsigned ncpu;
	uint8_t *buf;

	buf = calloc(1, size ? size : 1);
	if (buf && size == len)
		return memcpy(buf, v, len);
	ncpu = bpfvm_num_possible_cpus();
	stride = size / ncpu;
	for (unsigned c = 0; buf && c < ncpu; c++)
		memcpy(buf + c * stride, v, len);
	return buf;
}

static int apply_one(struct bpfvm_object *obj, const struct map_update *u)
{
	struct bpfvm_obj_map *om = bpfvm_object_find_map(obj, u->name);
	struct bpfvm_map *map = om ? bpfvm_obj_map_map(om) : NULL;
	uint8_t *key = NULL, *value = NULL, *uv = NULL;
	size_t klen, vlen;
	int err = -1;

	if (!map) {
		cli_err("--map-update: the object has no map '%s'", u->name);
		return -1;
	}
	if (cli_parse_hex(u->key, "--map-update key", &key, &klen) ||
	    cli_parse_hex(u->value, "--map-update value", &value, &vlen))
		goto out;
	if (klen != bpfvm_map_key_size(map) ||
	    vlen != bpfvm_map_value_size(map)) {
		cli_err("--map-update %s: key %zu and value %zu bytes given, "
			"the map's are %u and %u", u->name, klen, vlen,
			bpfvm_map_key_size(map), bpfvm_map_value_size(map));
		goto out;
	}
	uv = user_value(map, value, vlen);
	if (!uv) {
		cli_err("out of memory");
		goto out;
	}
	err = bpfvm_map_update(map, key, uv, BPF_ANY);
	if (err)
		cli_err("--map-update %s: %s", u->name, strerror(-err));
	err = err ? -1 : 0;
out:
	free(key);
	free(value);
	free(uv);
	return err;
}

int map_update_apply(struct bpfvm_object *obj, const struct map_updates *u)
{
	for (int i = 0; i < u->cnt; i++)
		if (apply_one(obj, &u->u[i]))
			return -1;
	return 0;
}

int map_update_arg(int argc, char **argv, int *i, struct map_updates *u)
{
	if (strcmp(argv[*i], "--map-update"))
		return 0;
	if (*i + 3 >= argc) {
		cli_err("--map-update needs NAME KEY VALUE");
		return -1;
	}
	if (u->cnt == MAP_UPDATES_MAX) {
		cli_err("--map-update: at most %d", MAP_UPDATES_MAX);
		return -1;
	}
	u->u[u->cnt++] = (struct map_update){
		.name = argv[*i + 1], .key = argv[*i + 2],
		.value = argv[*i + 3],
	};
	*i += 3;
	return 1;
}
