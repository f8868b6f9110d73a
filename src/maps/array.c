/* BPF_MAP_TYPE_ARRAY: max_entries preallocated, zeroed values of
 * round_up(value_size, 8) bytes, indexed by a u32 key; no deletion.
 * Also the checks and iteration the other array types share. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "maps/array.h"
#include "maps/value_access.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* Flags an array type may carry (the kernel's ARRAY_CREATE_FLAG_MASK
 * without BPF_F_PRESERVE_ELEMS, which only perf event arrays take). */
#define ARRAY_FLAGS                                                          \
	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY |    \
	 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_INNER_MAP)
/* A per-CPU value must fit the kernel's per-CPU allocation unit. */
#define PCPU_MIN_UNIT_SIZE (32u << 10)

int array_check(struct map_attr *a)
{
	bool percpu = a->type == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (!a->max_entries || a->key_size != 4 || !a->value_size ||
	    (a->map_flags & ~ARRAY_FLAGS) ||
	    (percpu && (a->map_flags & BPF_F_NUMA_NODE) &&
	     a->numa_node != MAP_NUMA_NO_NODE))
		return -EINVAL;
	if (a->type != BPF_MAP_TYPE_ARRAY &&
	    (a->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)))
		return -EINVAL;
	if (a->value_size > INT_MAX)
		return -E2BIG;
	if (percpu && map_round8(a->value_size) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

void *array_storage_alloc(size_t size, bool mmapable)
{
	void *p;

	if (!mmapable)
		return calloc(1, size ? size : 1);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void array_storage_free(void *p, size_t size, bool mmapable)
{
	if (mmapable && p)
		munmap(p, size);
	else
		free(p);
}

static size_t page_round(size_t n)
{
	size_t page = 4096;

	return (n + page - 1) & ~(page - 1);
}

static int array_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct array_map *arr = calloc(1, sizeof(*arr));
	bool mm = a->map_flags & BPF_F_MMAPABLE;

	if (!arr)
		return -ENOMEM;
	arr->elem_size = (uint32_t)map_round8(a->value_size);
	arr->alloc_size = (size_t)a->max_entries * arr->elem_size;
	if (mm)
		arr->alloc_size = page_round(arr->alloc_size);
	arr->values = array_storage_alloc(arr->alloc_size, mm);
	if (!arr->values) {
		free(arr);
		return -ENOMEM;
	}
	*out = &arr->map;
	return 0;
}

static void array_free(struct bpfvm_map *map)
{
	struct array_map *arr = (struct array_map *)map;

	array_storage_free(arr->values, arr->alloc_size,
			   map->map_flags & BPF_F_MMAPABLE);
	free(arr);
}

static void *array_lookup(struct bpfvm_map *map, const void *key)
{
	struct array_map *arr = (struct array_map *)map;
	uint32_t i = array_index(key);

	if (i >= map->max_entries)
		return NULL;
	return arr->values + (size_t)i * arr->elem_size;
}

/* The kernel's order: unknown flags, index, NOEXIST (every element
 * exists), then BPF_F_LOCK without a lock. */
static long array_update(struct bpfvm_map *map, const void *key,
			 const void *value, uint64_t flags)
{
	struct array_map *arr = (struct array_map *)map;
	uint32_t i = array_index(key);
	uint8_t *dst;

	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if (i >= map->max_entries)
		return -E2BIG;
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	dst = arr->values + (size_t)i * arr->elem_size;
	if (flags & BPF_F_LOCK)
		map_value_copy_locked(map, dst, value, true);
	else
		map_value_copy(map, dst, value);
	return 0;
}

long array_delete(struct bpfvm_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EINVAL;
}

int array_get_next_key(struct bpfvm_map *map, const void *key,
		       void *next_key)
{
	uint32_t i = key ? array_index(key) : UINT32_MAX;
	uint32_t next;

	if (i >= map->max_entries)
		next = 0;
	else if (i == map->max_entries - 1)
		return -ENOENT;
	else
		next = i + 1;
	memcpy(next_key, &next, 4);
	return 0;
}

/* The callback gets a pointer to a copy of the key (the kernel passes its
 * own stack slot); counting includes the element that stopped the walk. */
long array_for_each(struct bpfvm_map *map, map_elem_cb cb, void *ctx,
		    uint64_t flags)
{
	long n = 0;

	if (flags)
		return -EINVAL;
	for (uint32_t i = 0; i < map->max_entries; i++) {
		uint32_t key = i;

		n++;
		if (cb(map, &key, map->ops->lookup(map, &key), ctx))
			break;
	}
	return n;
}

static void *array_mmap(struct bpfvm_map *map)
{
	struct array_map *arr = (struct array_map *)map;

	return (map->map_flags & BPF_F_MMAPABLE) ? arr->values : NULL;
}

/* Global data: only single-element arrays (the kernel's -ENOTSUPP for
 * others), and only offsets inside the value. */
static int array_direct_value_addr(const struct bpfvm_map *map, uint32_t off,
				   uint64_t *addr)
{
	const struct array_map *arr = (const struct array_map *)map;

	if (map->max_entries != 1)
		return -ENOTSUPP;
	if (off >= map->value_size)
		return -EINVAL;
	*addr = (uint64_t)(uintptr_t)(arr->values + off);
	return 0;
}

/* Checked runs: one element's value_size bytes (value_access.h). */
static int array_value_access(const struct bpfvm_map *map, uint64_t addr,
			      unsigned size, bool write)
{
	const struct array_map *arr = (const struct array_map *)map;
	uint64_t i, off;

	if (!map_pool_slot(addr, (uintptr_t)arr->values, map->max_entries,
			   arr->elem_size, &i, &off))
		return 0;
	return map_value_answer(map, off, size, write);
}

const struct map_ops map_array_ops = {
	.check = array_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.for_each = array_for_each,
	.get_next_key = array_get_next_key,
	.mmap = array_mmap,
	.direct_value_addr = array_direct_value_addr,
	.value_access = array_value_access,
};
