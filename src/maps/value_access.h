/* Checked runs (BPFVM_RUN_F_CHECKED): the arithmetic each map type's
 * map_ops.value_access shares. A type's storage is one or more pools of
 * equal slots (elements, nodes, per-CPU copies); an access is allowed
 * when it lies inside ONE value of one slot -- not in the slot's key or
 * bookkeeping, not across two values, not in the padding past
 * value_size. Divisions only: O(1) per pool. */
#ifndef BPFVM_MAPS_VALUE_ACCESS_H
#define BPFVM_MAPS_VALUE_ACCESS_H

#include "maps/map_priv.h"

/* The slot of the pool [base, base + cnt * stride) addr falls in, and
 * addr's offset inside it; false outside the pool. */
static inline bool map_pool_slot(uint64_t addr, uintptr_t base, uint64_t cnt,
				 uint64_t stride, uint64_t *idx, uint64_t *off)
{
	uint64_t rel = addr - base;

	if (addr < base || !stride || rel / stride >= cnt)
		return false;
	*idx = rel / stride;
	*off = rel % stride;
	return true;
}

/* Does [off, off + size) lie inside [lo, lo + len)? Overflow-safe. */
static inline bool map_range_in(uint64_t off, unsigned size, uint64_t lo,
				uint64_t len)
{
	return off >= lo && len >= size && off - lo <= len - size;
}

/* [in, in + size) of a value: 1 allowed; -1 a write where programs may
 * only read (BPF_F_RDONLY_PROG); 0 outside value_size, or touching the
 * value's bpf_spin_lock, which programs reach through the helpers only
 * (the kernel's verifier refuses direct access to it). */
static inline int map_value_answer(const struct bpfvm_map *map, uint64_t in,
				   unsigned size, bool write)
{
	uint64_t lock = (uint64_t)map->spin_lock_off;

	if (!map_range_in(in, size, 0, map->value_size))
		return 0;
	if (map->spin_lock_off >= 0 && in < lock + 4 && in + size > lock)
		return 0;
	return write && (map->map_flags & BPF_F_RDONLY_PROG) ? -1 : 1;
}

/* Copies of a value side by side `stride` bytes apart from offset lo of
 * a slot (elements of an array, per-CPU values): map_value_answer for
 * [off, off + size) of the slot inside one of the ncopies values. */
static inline int map_copies_answer(const struct bpfvm_map *map,
				    uint64_t off, unsigned size, uint64_t lo,
				    uint64_t ncopies, uint64_t stride,
				    bool write)
{
	uint64_t copy, in;

	if (off < lo ||
	    !map_pool_slot(off, (uintptr_t)lo, ncopies, stride, &copy, &in))
		return 0;
	return map_value_answer(map, in, size, write);
}

/* Ask map (NULL: an empty slot) through its ops; 0 without the entry. */
static inline int map_value_access(const struct bpfvm_map *map,
				   uint64_t addr, unsigned size, bool write)
{
	if (!map || !map->ops->value_access)
		return 0;
	return map->ops->value_access(map, addr, size, write);
}

#endif
