/* The array maps' layout. The JIT inlines plain ARRAY lookups
 * (index < max_entries ? values + index * elem_size : NULL) as the kernel
 * does, so map, elem_size and values keep their meaning for ARRAY.
 *
 * PERCPU_ARRAY: values holds one copy of the whole array per CPU slot,
 * cpu_stride bytes apart (a multiple of 64, so two CPUs never share a
 * cache line): element i on cpu c is values + c * cpu_stride +
 * i * elem_size. ARRAY_OF_MAPS uses its own struct (array_of_maps.c). */
#ifndef BPFVM_MAPS_ARRAY_H
#define BPFVM_MAPS_ARRAY_H

#include "maps/map_priv.h"

struct array_map {
	struct bpfvm_map map;
	uint32_t elem_size;	/* value_size rounded up to 8 */
	uint8_t *values;	/* max_entries * elem_size bytes, zeroed */
	size_t cpu_stride;	/* PERCPU_ARRAY only */
	size_t alloc_size;	/* bytes at values (munmap for MMAPABLE) */
};

/* Shared by the three array types (array.c). */
int array_check(struct map_attr *attr);
int array_get_next_key(struct bpfvm_map *map, const void *key,
		       void *next_key);
/* Arrays cannot delete: -EINVAL. */
long array_delete(struct bpfvm_map *map, const void *key);
/* Every element through ops->lookup (per-CPU: the caller's slot). */
long array_for_each(struct bpfvm_map *map, map_elem_cb cb, void *ctx,
		    uint64_t flags);
/* Zeroed storage of `size` bytes: page-aligned when mmapable. */
void *array_storage_alloc(size_t size, bool mmapable);
void array_storage_free(void *p, size_t size, bool mmapable);

static inline uint32_t array_index(const void *key)
{
	uint32_t i;

	__builtin_memcpy(&i, key, 4);
	return i;
}

#endif
