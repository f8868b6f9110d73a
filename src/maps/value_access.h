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

/* Copies of a value side by side `stride` bytes apart from offset lo of
 * a slot (per-CPU values): is [off, off + size) inside one of the ncopies
 * values of value_size bytes? */
static inline bool map_copies_in(uint64_t off, unsigned size, uint64_t lo,
				 uint64_t ncopies, uint64_t stride,
				 uint32_t value_size)
{
	uint64_t copy, in;

	return off >= lo &&
	       map_pool_slot(off, (uintptr_t)lo, ncopies, stride, &copy, &in) &&
	       map_range_in(in, size, 0, value_size);
}

/* map_ops.value_access's answer for an access inside a value: refused
 * (-1) for a write when programs may only read the map. */
static inline int map_value_verdict(const struct bpfvm_map *map, bool write)
{
	return write && (map->map_flags & BPF_F_RDONLY_PROG) ? -1 : 1;
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
