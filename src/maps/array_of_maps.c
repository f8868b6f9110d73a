/* BPF_MAP_TYPE_ARRAY_OF_MAPS: max_entries slots, each empty or holding a
 * reference to an inner map that fits the template. Programs look up the
 * inner map itself (NULL for an empty slot); user space stores map ids
 * (update = set, BPF_ANY only; delete = clear) and reads ids back.
 *
 * Slots change by atomic exchange; the replaced map's reference is
 * dropped after a grace period (map_rcu.h), since a program may still be
 * using the pointer it looked up. */
#include <errno.h>
#include <stdlib.h>

#include "maps/array.h"
#include "maps/map_in_map.h"
#include "maps/map_rcu.h"

struct array_of_maps {
	struct bpfvm_map map;
	struct map_inner_meta meta;
	struct map_retire_list retired;
	_Atomic(struct bpfvm_map *) slots[];
};

static struct array_of_maps *aom_of(struct bpfvm_map *map)
{
	return (struct array_of_maps *)map;
}

static int aom_check(struct map_attr *a)
{
	return map_in_map_check(a, array_check);
}

static int aom_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct array_of_maps *m;

	m = calloc(1, sizeof(*m) + (size_t)a->max_entries * sizeof(m->slots[0]));
	if (!m)
		return -ENOMEM;
	map_inner_meta_init(&m->meta, a->inner_map);
	map_retire_init(&m->retired);
	*out = &m->map;
	return 0;
}

static void aom_free(struct bpfvm_map *map)
{
	struct array_of_maps *m = aom_of(map);

	map_retire_drain(&m->retired);
	for (uint32_t i = 0; i < map->max_entries; i++)
		map_put(atomic_load(&m->slots[i]));
	free(m);
}

static _Atomic(struct bpfvm_map *) *aom_slot(struct bpfvm_map *map,
					     const void *key)
{
	uint32_t i = array_index(key);

	return i < map->max_entries ? &aom_of(map)->slots[i] : NULL;
}

static void *aom_lookup(struct bpfvm_map *map, const void *key)
{
	_Atomic(struct bpfvm_map *) *slot = aom_slot(map, key);

	return slot ? atomic_load_explicit(slot, memory_order_acquire) : NULL;
}

/* The id of the inner map; read inside a read section, so a concurrent
 * swap cannot free the map under us. */
static int aom_sys_lookup(struct bpfvm_map *map, const void *key, void *value,
			  uint64_t flags)
{
	struct bpfvm_map *inner;
	uint32_t id = 0;

	(void)flags;
	map_rcu_read_lock();
	inner = aom_lookup(map, key);
	if (inner)
		id = inner->id;
	map_rcu_read_unlock();
	if (!inner)
		return -ENOENT;
	__builtin_memcpy(value, &id, 4);
	return 0;
}

/* false when the slot was empty */
static bool aom_replace(struct bpfvm_map *map,
			_Atomic(struct bpfvm_map *) *slot,
			struct bpfvm_map *inner)
{
	struct bpfvm_map *old = atomic_exchange(slot, inner);

	if (old)
		map_retire(&aom_of(map)->retired, old);
	return old != NULL;
}

static int aom_sys_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	_Atomic(struct bpfvm_map *) *slot;
	struct bpfvm_map *inner;
	int err;

	if (flags != BPF_ANY)
		return -EINVAL;
	slot = aom_slot(map, key);
	if (!slot)
		return -E2BIG;
	err = map_inner_get(&aom_of(map)->meta, value, &inner);
	if (err)
		return err;
	aom_replace(map, slot, inner);
	return 0;
}

static int aom_sys_delete(struct bpfvm_map *map, const void *key)
{
	_Atomic(struct bpfvm_map *) *slot = aom_slot(map, key);

	if (!slot)
		return -E2BIG;
	return aom_replace(map, slot, NULL) ? 0 : -ENOENT;
}

/* The slots in order; the run's read section keeps their maps alive. */
int aom_walk(const struct bpfvm_map *outer, map_inner_fn fn, void *ctx)
{
	struct array_of_maps *m = aom_of((struct bpfvm_map *)outer);
	int r = 0;

	for (uint32_t i = 0; !r && i < outer->max_entries; i++) {
		struct bpfvm_map *inner =
			atomic_load_explicit(&m->slots[i], memory_order_acquire);

		if (inner)
			r = fn(inner, ctx);
	}
	return r;
}

const struct map_ops map_array_of_maps_ops = {
	.check = aom_check,
	.alloc = aom_alloc,
	.free = aom_free,
	.lookup = aom_lookup,
	.sys_lookup = aom_sys_lookup,
	.sys_update = aom_sys_update,
	.sys_delete = aom_sys_delete,
	.get_next_key = array_get_next_key,
	.value_access = map_in_map_value_access,
};
