/* BPF_MAP_TYPE_XSKMAP: an array of AF_XDP sockets by receive queue, the
 * target of bpf_redirect_map in XDP programs. User space writes a socket
 * (4-byte value) and cannot read slots back (-EOPNOTSUPP, as the
 * kernel); programs' lookups find whether a queue has a socket.
 *
 * bpfvm has no AF_XDP sockets: any value from 1 to INT_MAX is accepted
 * as a socket id (where the kernel wants the fd of an AF_XDP socket:
 * -EBADF for no fd, -ENOTSOCK / -EOPNOTSUPP for another kind); a
 * redirect sends the frame to the runner's output port for that queue.
 * A program's lookup gets a pointer to the slot's socket id where the
 * kernel gives its struct xdp_sock. Update flags are checked against the
 * slot as in the kernel: writing the socket a slot already holds always
 * succeeds, else BPF_NOEXIST on a full slot is -EEXIST and BPF_EXIST on
 * an empty one -ENOENT. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "maps/array.h"
#include "maps/redirect_priv.h"

#define XSK_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

static int xskmap_check(struct map_attr *a)
{
	if (!a->max_entries || a->key_size != 4 || a->value_size != 4 ||
	    (a->map_flags & ~XSK_FLAGS))
		return -EINVAL;
	return 0;
}

static int xskmap_sys_lookup(struct bpfvm_map *map, const void *key,
			     void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -EOPNOTSUPP;
}

/* Checked and stored under the lock: the flags depend on the slot. */
static int xskmap_sys_update(struct bpfvm_map *map, const void *key,
			     const void *value, uint64_t flags)
{
	struct slot_array *sa = slot_array_of(map);
	uint32_t i = array_index(key), sock, old;
	int err = 0;

	memcpy(&sock, value, 4);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (i >= map->max_entries)
		return -E2BIG;
	if (!sock || sock > INT_MAX)
		return -EBADF;
	map_spin_lock(&sa->lock);
	old = (uint32_t)atomic_load_explicit(&sa->slots[i],
					     memory_order_relaxed);
	if (old != sock && old && flags == BPF_NOEXIST)
		err = -EEXIST;
	else if (old != sock && !old && flags == BPF_EXIST)
		err = -ENOENT;
	else
		atomic_store_explicit(&sa->slots[i], sock,
				      memory_order_release);
	map_spin_unlock(&sa->lock);
	return err;
}

int xskmap_redirect(struct bpfvm_map *map, uint32_t key,
		    struct bpfvm_redirect *out)
{
	if (key >= map->max_entries ||
	    !(uint32_t)slot_array_word(slot_array_of(map), key))
		return -ENOENT;
	*out = (struct bpfvm_redirect){ BPFVM_REDIRECT_XSK, key, 0 };
	return 0;
}

const struct map_ops map_xskmap_ops = {
	.check = xskmap_check,
	.alloc = slot_array_alloc,
	.free = slot_array_free,
	.lookup = slot_array_lookup,
	.sys_lookup = xskmap_sys_lookup,
	.sys_update = xskmap_sys_update,
	.sys_delete = slot_array_sys_delete,
	.get_next_key = array_get_next_key,
	.value_access = slot_array_value_access,
};
