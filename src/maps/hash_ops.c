/* The map_ops entries every hash type shares: delete, get_next_key,
 * for_each and the user-space lookups. */
#include <errno.h>

#include "maps/htab_lru.h"

/* Unlink key's element, copying its values out first if value is not
 * NULL; then release it. */
static int htab_remove(struct bpfvm_map *map, const void *key, void *value,
		       uint64_t flags)
{
	struct htab *h = htab_of(map);
	struct htab_key_ref k;
	_Atomic uint32_t *lock;
	struct htab_elem *e;

	if (!key)
		return -EFAULT;
	k = htab_key_ref(h, key);
	e = htab_find_locked(h, &k, &lock);
	if (e && value)
		htab_values_load(h, e, value, flags);
	if (e)
		htab_unlink(h, e, k.hash);
	htab_unlock(lock);
	if (!e)
		return -ENOENT;
	h->release(h, e);
	return 0;
}

long htab_delete(struct bpfvm_map *map, const void *key)
{
	return htab_remove(map, key, NULL, 0);
}

/* The first element's key from bucket idx on. Each bucket is read under
 * its lock, so the element cannot be reused while its key is copied. */
static int htab_first_from(struct htab *h, uint64_t idx, void *next_key)
{
	for (; idx <= h->mask; idx++) {
		_Atomic uint32_t *lock = &h->locks[idx & h->lock_mask];
		uintptr_t p;

		if (!htab_is_elem(atomic_load_explicit(&h->heads[idx],
						       memory_order_relaxed)))
			continue;
		htab_lock(lock);
		p = atomic_load_explicit(&h->heads[idx], memory_order_relaxed);
		if (htab_is_elem(p))
			htab_copy_out(next_key, htab_key((struct htab_elem *)p),
				      h->map.key_size);
		htab_unlock(lock);
		if (htab_is_elem(p))
			return 0;
	}
	return -ENOENT;
}

/* The kernel's order: the rest of key's chain, then the next buckets; an
 * absent key (or NULL) starts over at the first bucket. */
int htab_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct htab *h = htab_of(map);
	struct htab_key_ref k;
	_Atomic uint32_t *lock;
	struct htab_elem *e;
	uintptr_t p = 1;

	if (!next_key)
		return -EFAULT;
	if (!key)
		return htab_first_from(h, 0, next_key);
	k = htab_key_ref(h, key);
	e = htab_find_locked(h, &k, &lock);
	if (e)
		p = atomic_load_explicit(&e->next, memory_order_relaxed);
	if (htab_is_elem(p))
		htab_copy_out(next_key, htab_key((struct htab_elem *)p),
			      map->key_size);
	htab_unlock(lock);
	if (!e)
		return htab_first_from(h, 0, next_key);
	if (htab_is_elem(p))
		return 0;
	return htab_first_from(h, (uint64_t)(k.hash & h->mask) + 1, next_key);
}

/* Lock-free, as the kernel's walk under RCU: the callback may update or
 * delete (the next element is read before it runs). Per-CPU maps pass
 * the caller's CPU's value. */
long htab_for_each(struct bpfvm_map *map, map_elem_cb cb, void *ctx,
		   uint64_t flags)
{
	struct htab *h = htab_of(map);
	unsigned cpu = h->ncopies > 1 ? map_cpu_current() : 0;
	long n = 0;

	if (flags)
		return -EINVAL;
	for (uint64_t idx = 0; idx <= h->mask; idx++) {
		uintptr_t p = atomic_load_explicit(&h->heads[idx],
						   memory_order_acquire);

		while (htab_is_elem(p)) {
			struct htab_elem *e = (struct htab_elem *)p;

			p = atomic_load_explicit(&e->next,
						 memory_order_acquire);
			n++;
			if (cb(map, htab_key(e), htab_value(h, e, cpu), ctx))
				return n;
		}
	}
	return n;
}

void *htab_percpu_lookup_cpu(struct bpfvm_map *map, const void *key,
			     unsigned cpu)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e;

	if (cpu >= h->ncopies)
		return NULL;
	e = htab_lookup(h, key);
	if (e && h->lru)
		htab_lru_mark(e);
	return e ? htab_value(h, e, cpu) : NULL;
}

void *htab_percpu_lookup(struct bpfvm_map *map, const void *key)
{
	return htab_percpu_lookup_cpu(map, key, map_cpu_current());
}

int htab_sys_lookup(struct bpfvm_map *map, const void *key, void *value,
		    uint64_t flags)
{
	struct htab *h = htab_of(map);
	struct htab_key_ref k;
	struct htab_elem *e;
	uint32_t s;

	if (!key || !value)
		return -EFAULT;
	k = htab_key_ref(h, key);
	do {
		e = htab_find(h, &k, &s);
		if (!e)
			return -ENOENT;
		htab_values_load(h, e, value, flags);
	} while (!htab_elem_stable(e, s));
	return 0;
}

int htab_sys_lookup_and_delete(struct bpfvm_map *map, const void *key,
			       void *value, uint64_t flags)
{
	if ((flags & ~(uint64_t)BPF_F_LOCK) ||
	    ((flags & BPF_F_LOCK) && map->spin_lock_off < 0))
		return -EINVAL;
	if (!value)
		return -EFAULT;
	return htab_remove(map, key, value, flags);
}

int htab_value_access(const struct bpfvm_map *map, uint64_t addr,
		      unsigned size, bool write)
{
	const struct htab *h = htab_of(map);

	return h->lru ? htab_lru_value_access(h, addr, size, write)
		      : htab_pool_value_access(h, addr, size, write);
}
