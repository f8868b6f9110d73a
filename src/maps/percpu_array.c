/* BPF_MAP_TYPE_PERCPU_ARRAY: an ARRAY per CPU slot. Programs see their
 * thread's slot (map_cpu_current); user space reads and writes every
 * slot, round_up(value_size, 8) bytes each, padding included as the
 * kernel copies it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/array.h"
#include "maps/value_access.h"

#define CACHE_LINE 64u

static int percpu_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct array_map *arr = calloc(1, sizeof(*arr));
	size_t ncpu = bpfvm_num_possible_cpus(), one;

	if (!arr)
		return -ENOMEM;
	arr->elem_size = (uint32_t)map_round8(a->value_size);
	one = (size_t)a->max_entries * arr->elem_size;
	arr->cpu_stride = (one + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
	if (__builtin_mul_overflow(arr->cpu_stride, ncpu, &arr->alloc_size) ||
	    !(arr->values = array_storage_alloc(arr->alloc_size, false))) {
		free(arr);
		return -ENOMEM;
	}
	*out = &arr->map;
	return 0;
}

static void percpu_free(struct bpfvm_map *map)
{
	struct array_map *arr = (struct array_map *)map;

	array_storage_free(arr->values, arr->alloc_size, false);
	free(arr);
}

static void *percpu_elem(struct array_map *arr, uint32_t i, unsigned cpu)
{
	return arr->values + cpu * arr->cpu_stride + (size_t)i * arr->elem_size;
}

static void *percpu_lookup_percpu(struct bpfvm_map *map, const void *key,
				  unsigned cpu)
{
	uint32_t i = array_index(key);

	if (cpu >= bpfvm_num_possible_cpus() || i >= map->max_entries)
		return NULL;
	return percpu_elem((struct array_map *)map, i, cpu);
}

static void *percpu_lookup(struct bpfvm_map *map, const void *key)
{
	return percpu_lookup_percpu(map, key, map_cpu_current());
}

/* Index and flag checks of both update paths; BPF_F_LOCK never applies
 * (no lock in per-CPU values). `prog`: the helper's rule, which lets
 * BPF_F_LOCK through to the lock check; user space refuses it as an
 * unknown flag. */
static long percpu_update_check(struct bpfvm_map *map, const void *key,
				uint64_t flags, bool prog)
{
	uint64_t known = prog ? flags & ~(uint64_t)BPF_F_LOCK : flags;

	if (known > BPF_EXIST)
		return -EINVAL;
	if (array_index(key) >= map->max_entries)
		return -E2BIG;
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if (flags & BPF_F_LOCK)
		return -EINVAL;
	return 0;
}

static long percpu_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	long err = percpu_update_check(map, key, flags, true);

	if (!err)
		memcpy(percpu_lookup(map, key), value, map->value_size);
	return err;
}

static int percpu_sys_lookup(struct bpfvm_map *map, const void *key,
			     void *value, uint64_t flags)
{
	struct array_map *arr = (struct array_map *)map;
	unsigned ncpu = bpfvm_num_possible_cpus();
	uint32_t i = array_index(key);

	(void)flags; /* only BPF_F_LOCK gets here, refused by map_sys */
	if (i >= map->max_entries)
		return -ENOENT;
	for (unsigned cpu = 0; cpu < ncpu; cpu++)
		memcpy((uint8_t *)value + (size_t)cpu * arr->elem_size,
		       percpu_elem(arr, i, cpu), arr->elem_size);
	return 0;
}

static int percpu_sys_update(struct bpfvm_map *map, const void *key,
			     const void *value, uint64_t flags)
{
	struct array_map *arr = (struct array_map *)map;
	unsigned ncpu = bpfvm_num_possible_cpus();
	long err = percpu_update_check(map, key, flags, false);

	if (err)
		return (int)err;
	for (unsigned cpu = 0; cpu < ncpu; cpu++)
		memcpy(percpu_elem(arr, array_index(key), cpu),
		       (const uint8_t *)value + (size_t)cpu * arr->elem_size,
		       arr->elem_size);
	return 0;
}

/* Checked runs: one element's value on any CPU (bpf_map_lookup_percpu_elem
 * reaches the others). */
static int percpu_value_access(const struct bpfvm_map *map, uint64_t addr,
			       unsigned size, bool write)
{
	const struct array_map *arr = (const struct array_map *)map;
	uint64_t cpu, off;

	if (!map_pool_slot(addr, (uintptr_t)arr->values,
			   bpfvm_num_possible_cpus(), arr->cpu_stride, &cpu,
			   &off))
		return 0;
	return map_copies_answer(map, off, size, 0, map->max_entries,
				 arr->elem_size, write);
}

const struct map_ops map_percpu_array_ops = {
	.check = array_check,
	.alloc = percpu_alloc,
	.free = percpu_free,
	.lookup = percpu_lookup,
	.update = percpu_update,
	.delete = array_delete,
	.lookup_percpu = percpu_lookup_percpu,
	.for_each = array_for_each,
	.sys_lookup = percpu_sys_lookup,
	.sys_update = percpu_sys_update,
	.get_next_key = array_get_next_key,
	.value_access = percpu_value_access,
};
