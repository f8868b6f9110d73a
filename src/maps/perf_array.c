/* BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots holding BPF-output perf events
 * (perf_event.h), filled from user space with event ids where Linux takes
 * perf event fds.
 *
 * Programs read a slot without a lock while user space may replace it, so
 * an event taken out of a slot is not released at once (the kernel waits
 * for an RCU grace period): it joins a retired list, released once every
 * CPU slot's count of outputs in flight has been seen at zero after it
 * left its slot. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "maps/perf_event.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

struct perf_active {
	_Alignas(RING_CACHELINE) atomic_uint n;
};

struct perf_array {
	struct bpfvm_map map;
	unsigned ncpu;
	struct perf_active *active;	/* per CPU slot: outputs in flight */
	pthread_mutex_t retire_lock;
	struct perf_event_buf **retired;
	size_t nretired, cap;
	_Atomic(struct perf_event_buf *) slots[];
};

static struct perf_array *perf_array_of(struct bpfvm_map *map)
{
	if (!map || map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return NULL;
	return (struct perf_array *)map;
}

static int perf_array_check(struct map_attr *a)
{
	const uint32_t ok = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
			    BPF_F_PRESERVE_ELEMS;

	if (a->key_size != 4 || a->value_size != 4 || !a->max_entries ||
	    (a->map_flags & ~ok) || a->map_extra)
		return -EINVAL;
	return 0;
}

static int perf_array_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct perf_array *pa;
	unsigned ncpu = bpfvm_num_possible_cpus();

	pa = calloc(1, sizeof(*pa) + (size_t)a->max_entries *
					     sizeof(pa->slots[0]));
	if (!pa)
		return -ENOMEM;
	pa->active = aligned_alloc(RING_CACHELINE, ncpu * sizeof(*pa->active));
	if (!pa->active) {
		free(pa);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < ncpu; i++)
		atomic_init(&pa->active[i].n, 0);
	pa->ncpu = ncpu;
	pthread_mutex_init(&pa->retire_lock, NULL);
	*out = &pa->map;
	return 0;
}

static void perf_array_free(struct bpfvm_map *map)
{
	struct perf_array *pa = (struct perf_array *)map;

	/* No program holds the map any more: nothing is in flight. */
	for (uint32_t i = 0; i < map->max_entries; i++)
		perf_event_put(atomic_load(&pa->slots[i]));
	for (size_t i = 0; i < pa->nretired; i++)
		perf_event_put(pa->retired[i]);
	free(pa->retired);
	pthread_mutex_destroy(&pa->retire_lock);
	free(pa->active);
	free(pa);
}

static bool perf_array_quiet(struct perf_array *pa)
{
	for (unsigned i = 0; i < pa->ncpu; i++) {
		if (atomic_load(&pa->active[i].n))
			return false;
	}
	return true;
}

static bool perf_array_retired_push(struct perf_array *pa,
				    struct perf_event_buf *ev)
{
	if (pa->nretired == pa->cap) {
		size_t cap = pa->cap ? 2 * pa->cap : 8;
		void *n = realloc(pa->retired, cap * sizeof(*pa->retired));

		if (!n)
			return false;
		pa->retired = n;
		pa->cap = cap;
	}
	pa->retired[pa->nretired++] = ev;
	return true;
}

/* ev has left its slot (seq_cst exchange, before this call): an output
 * that still uses it counted itself in `active` before it read the slot. */
static void perf_array_retire(struct perf_array *pa, struct perf_event_buf *ev)
{
	pthread_mutex_lock(&pa->retire_lock);
	if (!perf_array_retired_push(pa, ev)) {
		/* No memory for the list: wait for the outputs instead. */
		while (!perf_array_quiet(pa))
			sched_yield();
		perf_event_put(ev);
	}
	if (pa->nretired && perf_array_quiet(pa)) {
		for (size_t i = 0; i < pa->nretired; i++)
			perf_event_put(pa->retired[i]);
		pa->nretired = 0;
	}
	pthread_mutex_unlock(&pa->retire_lock);
}

static void perf_array_swap(struct perf_array *pa, uint32_t idx,
			    struct perf_event_buf *ev)
{
	struct perf_event_buf *old = atomic_exchange(&pa->slots[idx], ev);

	if (old)
		perf_array_retire(pa, old);
}

long perf_array_output(struct bpfvm_map *map, uint64_t flags,
		       const void *data, uint64_t size)
{
	struct perf_array *pa = perf_array_of(map);
	unsigned cpu = map_cpu_current();
	uint64_t idx = flags & BPF_F_INDEX_MASK;
	struct perf_event_buf *ev;
	long err;

	if (!pa || (flags & ~BPF_F_INDEX_MASK))
		return -EINVAL;
	if (idx == BPF_F_CURRENT_CPU)
		idx = cpu;
	if (idx >= map->max_entries)
		return -E2BIG;
	atomic_fetch_add(&pa->active[cpu].n, 1);
	ev = atomic_load(&pa->slots[idx]);
	if (!ev)
		err = -ENOENT;
	else if (ev->cpu != cpu)
		err = -EOPNOTSUPP; /* the kernel: event not on this CPU */
	else
		err = perf_event_write(ev, data, size);
	atomic_fetch_sub_explicit(&pa->active[cpu].n, 1, memory_order_release);
	return err;
}

int perf_array_install(struct bpfvm_map *map, uint32_t idx,
		       struct perf_event_buf *ev)
{
	struct perf_array *pa = perf_array_of(map);

	if (!pa)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	perf_event_get(ev);
	perf_array_swap(pa, idx, ev);
	return 0;
}

void perf_array_uninstall(struct bpfvm_map *map, uint32_t idx,
			  struct perf_event_buf *ev)
{
	struct perf_array *pa = perf_array_of(map);
	struct perf_event_buf *cur = ev;

	if (pa && idx < map->max_entries &&
	    atomic_compare_exchange_strong(&pa->slots[idx], &cur, NULL))
		perf_array_retire(pa, ev);
}

/* User space, as bpf(2) on a perf event array: lookup is not supported,
 * update takes an event id (the kernel: a perf event fd) with BPF_ANY
 * only, delete empties a slot. */
static int perf_array_sys_lookup(struct bpfvm_map *map, const void *key,
				 void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int perf_array_sys_lookup_and_delete(struct bpfvm_map *map,
					    const void *key, void *value,
					    uint64_t flags)
{
	return perf_array_sys_lookup(map, key, value, flags);
}

static int perf_array_sys_update(struct bpfvm_map *map, const void *key,
				 const void *value, uint64_t flags)
{
	uint32_t idx = *(const uint32_t *)key;
	struct perf_event_buf *ev;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	ev = perf_event_by_id(*(const uint32_t *)value);
	if (!ev)
		return -EBADF;
	perf_array_swap((struct perf_array *)map, idx, ev);
	return 0;
}

static int perf_array_sys_delete(struct bpfvm_map *map, const void *key)
{
	struct perf_array *pa = (struct perf_array *)map;
	uint32_t idx = *(const uint32_t *)key;
	struct perf_event_buf *old;

	if (idx >= map->max_entries)
		return -E2BIG;
	old = atomic_exchange(&pa->slots[idx], NULL);
	if (!old)
		return -ENOENT;
	perf_array_retire(pa, old);
	return 0;
}

static int perf_array_get_next_key(struct bpfvm_map *map, const void *key,
				   void *next_key)
{
	uint32_t idx = key ? *(const uint32_t *)key : UINT32_MAX;

	if (idx >= map->max_entries) {
		*(uint32_t *)next_key = 0;
		return 0;
	}
	if (idx == map->max_entries - 1)
		return -ENOENT;
	*(uint32_t *)next_key = idx + 1;
	return 0;
}

/* The kernel empties the slots when the map file that filled them is
 * closed, unless BPF_F_PRESERVE_ELEMS; bpfvm's handles share one "file",
 * so the last user reference does it. */
static void perf_array_release_uref(struct bpfvm_map *map)
{
	if (map->map_flags & BPF_F_PRESERVE_ELEMS)
		return;
	for (uint32_t i = 0; i < map->max_entries; i++)
		perf_array_swap((struct perf_array *)map, i, NULL);
}

const struct map_ops map_perf_array_ops = {
	.check = perf_array_check,
	.alloc = perf_array_alloc,
	.free = perf_array_free,
	.sys_lookup = perf_array_sys_lookup,
	.sys_update = perf_array_sys_update,
	.sys_delete = perf_array_sys_delete,
	.sys_lookup_and_delete = perf_array_sys_lookup_and_delete,
	.get_next_key = perf_array_get_next_key,
	.release_uref = perf_array_release_uref,
};
