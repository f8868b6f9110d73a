/* BPF_MAP_TYPE_DEVMAP: an array of devices by ifindex, the target of
 * bpf_redirect_map in XDP programs. Values are the kernel's struct
 * bpf_devmap_val: 4 bytes (ifindex) or 8 (ifindex, bpf_prog.fd on write
 * / bpf_prog.id on read). A slot is one word (redirect_priv.h): programs
 * and map_redirect_lookup read it without a lock.
 *
 * bpfvm has no network devices: every ifindex from 1 to INT_MAX is
 * accepted and names an output port of whoever runs the program (the
 * kernel refuses an ifindex with no device behind it, -EINVAL). As in
 * the kernel, ifindex 0 empties the slot, and update refuses BPF_NOEXIST
 * (-EEXIST: every slot exists); delete of an empty slot succeeds. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "maps/array.h"
#include "maps/redirect_priv.h"

/* The kernel's DEV_CREATE_FLAG_MASK. */
#define DEV_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

int devmap_check_attr(struct map_attr *a)
{
	if (!a->max_entries || a->key_size != 4 ||
	    (a->value_size != 4 && a->value_size != 8) ||
	    (a->map_flags & ~DEV_FLAGS))
		return -EINVAL;
	/* hash buckets are max_entries rounded up to a power of two */
	if (a->type == BPF_MAP_TYPE_DEVMAP_HASH && a->max_entries > 1u << 31)
		return -EINVAL;
	/* programs' lookups point into the map: read-only for them */
	a->map_flags |= BPF_F_RDONLY_PROG;
	return 0;
}

struct devmap_val_in devmap_val_read(const struct bpfvm_map *map,
				     const void *value)
{
	struct devmap_val_in v = { 0, 0 };

	memcpy(&v.ifindex, value, 4);
	if (map->value_size == 8)
		memcpy(&v.prog_fd, (const uint8_t *)value + 4, 4);
	return v;
}

int devmap_val_target(const struct devmap_val_in *v, struct bpfvm_prog **prog)
{
	*prog = NULL;
	if (v->ifindex > INT_MAX) /* ifindexes are positive ints */
		return -EINVAL;
	return redirect_prog_get(v->prog_fd, BPF_XDP_DEVMAP, prog);
}

static int devmap_sys_update(struct bpfvm_map *map, const void *key,
			     const void *value, uint64_t flags)
{
	struct devmap_val_in v = devmap_val_read(map, value);
	uint32_t i = array_index(key);
	struct bpfvm_prog *prog = NULL;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (i >= map->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST;
	if (!v.ifindex) {
		if (v.prog_fd > 0) /* a program needs a device */
			return -EINVAL;
	} else {
		err = devmap_val_target(&v, &prog);
		if (err)
			return err;
	}
	slot_array_store(slot_array_of(map), i,
			 v.ifindex | (uint64_t)redirect_prog_id(prog) << 32,
			 prog);
	return 0;
}

int devmap_redirect(struct bpfvm_map *map, uint32_t key,
		    struct bpfvm_redirect *out)
{
	uint32_t ifindex;

	if (key >= map->max_entries)
		return -ENOENT;
	ifindex = (uint32_t)slot_array_word(slot_array_of(map), key);
	if (!ifindex)
		return -ENOENT;
	*out = (struct bpfvm_redirect){ BPFVM_REDIRECT_DEV, ifindex, 0 };
	return 0;
}

/* Programs may only look up (the kernel's verifier allows nothing else
 * on a DEVMAP but bpf_redirect_map). */
const struct map_ops map_devmap_ops = {
	.check = devmap_check_attr,
	.alloc = slot_array_alloc,
	.free = slot_array_free,
	.lookup = slot_array_lookup,
	.sys_lookup = slot_array_sys_lookup,
	.sys_update = devmap_sys_update,
	.sys_delete = slot_array_sys_delete,
	.get_next_key = array_get_next_key,
	.value_access = slot_array_value_access,
};
