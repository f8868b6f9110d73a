/* Inner map templates and their compatibility rule (map_in_map.h). */
#include <errno.h>
#include <string.h>

#include "maps/map_in_map.h"
#include "maps/value_access.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static bool map_is_map_in_map(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

int map_in_map_check(struct map_attr *a, int (*outer_check)(struct map_attr *))
{
	const struct bpfvm_map *tmpl = a->inner_map;
	int err;

	if (a->value_size != 4 ||
	    (a->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)))
		return -EINVAL;
	err = outer_check(a);
	if (err)
		return err;
	if (!tmpl || map_is_map_in_map(tmpl->type))
		return -EINVAL;
	if (tmpl->type == BPF_MAP_TYPE_PROG_ARRAY)
		return -ENOTSUPP;
	return 0;
}

void map_inner_meta_init(struct map_inner_meta *meta,
			 const struct bpfvm_map *tmpl)
{
	meta->type = tmpl->type;
	meta->key_size = tmpl->key_size;
	meta->value_size = tmpl->value_size;
	meta->map_flags = tmpl->map_flags;
	meta->max_entries = tmpl->max_entries;
	meta->spin_lock_off = tmpl->spin_lock_off;
}

static bool map_inner_fits(const struct map_inner_meta *m,
			   const struct bpfvm_map *map)
{
	if (m->type != map->type || m->key_size != map->key_size ||
	    m->value_size != map->value_size ||
	    m->map_flags != map->map_flags ||
	    m->spin_lock_off != map->spin_lock_off)
		return false;
	/* Arrays fix their size, unless BPF_F_INNER_MAP (the kernel of
	 * 6.18 holds per-CPU arrays to it too); XSKMAP always does. */
	if (((m->type == BPF_MAP_TYPE_ARRAY ||
	      m->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	     !(m->map_flags & BPF_F_INNER_MAP)) ||
	    m->type == BPF_MAP_TYPE_XSKMAP)
		return m->max_entries == map->max_entries;
	return true;
}

int map_inner_get(const struct map_inner_meta *meta, const void *value,
		  struct bpfvm_map **out)
{
	struct bpfvm_map *map;
	uint32_t id;

	memcpy(&id, value, 4);
	map = map_get_by_id(id); /* a slot's reference: not a user's */
	if (!map)
		return -EBADF;
	if (!map_inner_fits(meta, map)) {
		map_put(map);
		return -EINVAL;
	}
	*out = map;
	return 0;
}

int map_inner_walk(const struct bpfvm_map *outer, map_inner_fn fn, void *ctx)
{
	switch (outer->type) {
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return aom_walk(outer, fn, ctx);
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return hom_walk(outer, fn, ctx);
	default:
		return 0;
	}
}

struct inner_access {
	uint64_t addr;
	unsigned size;
	bool write;
};

static int inner_access(const struct bpfvm_map *inner, void *ctx)
{
	const struct inner_access *a = ctx;

	return map_value_access(inner, a->addr, a->size, a->write);
}

/* O(inner maps) per access: each asked in O(1) or O(log n). */
int map_in_map_value_access(const struct bpfvm_map *outer, uint64_t addr,
			    unsigned size, bool write)
{
	struct inner_access a = { addr, size, write };

	return map_inner_walk(outer, inner_access, &a);
}
