/* BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: the shared
 * table (htab.h) over the LRU lists (htab_lru.h). An update takes an
 * element from the LRU first -- evicting if need be -- and only then looks
 * for the key, as the kernel does: an update never fails for want of
 * room, and may evict even when it then fails or finds the key. */
#include <errno.h>

#include "maps/htab_lru.h"

/* A program's lookup marks the element used. */
static void *lru_lookup(struct bpfvm_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_lookup(h, key);

	if (!e)
		return NULL;
	htab_lru_mark(e);
	return htab_value(h, e, 0);
}

/* What both updates check first (no BPF_F_LOCK: no lock in LRU values). */
static int lru_update_args(const struct htab *h, const void *key,
			   const void *value, uint64_t flags,
			   struct htab_key_ref *k)
{
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (!key || !value)
		return -EFAULT;
	*k = htab_key_ref(h, key);
	return 0;
}

static long lru_update(struct bpfvm_map *map, const void *key,
		       const void *value, uint64_t flags)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e, *old;
	struct htab_key_ref k;
	_Atomic uint32_t *lock;
	int err = lru_update_args(h, key, value, flags, &k);

	if (err)
		return err;
	e = htab_lru_pop(h);
	if (!e)
		return -ENOMEM;
	htab_elem_begin(h, e, &k);
	htab_value_store(h, htab_value(h, e, 0), value, false);
	htab_elem_end(e);
	old = htab_find_locked(h, &k, &lock);
	err = htab_check_flags(old, flags);
	if (!err) {
		htab_link(h, e, k.hash);
		if (old) { /* a replaced value counts as used */
			htab_lru_mark(e);
			htab_unlink(h, old, k.hash);
		}
	}
	htab_unlock(lock);
	if (err || old)
		htab_lru_push_free(h, err ? e : old);
	return err;
}

/* ---- LRU_PERCPU_HASH: existing elements are written in place */

static long lru_percpu_update_common(struct htab *h, const void *key,
				     const void *value, uint64_t flags,
				     bool all)
{
	struct htab_elem *e = NULL, *old;
	struct htab_key_ref k;
	_Atomic uint32_t *lock;
	int err = lru_update_args(h, key, value, flags, &k);

	if (err)
		return err;
	if (flags != BPF_EXIST && !(e = htab_lru_pop(h)))
		return -ENOMEM;
	old = htab_find_locked(h, &k, &lock);
	err = htab_check_flags(old, flags);
	if (!err && old) {
		htab_lru_mark(old);
		htab_values_write(h, old, value, all);
	} else if (!err) {
		htab_elem_begin(h, e, &k);
		htab_values_init(h, e, value, all);
		htab_elem_end(e);
		htab_link(h, e, k.hash);
		e = NULL;
	}
	htab_unlock(lock);
	if (e)
		htab_lru_push_free(h, e);
	return err;
}

static long lru_percpu_update(struct bpfvm_map *map, const void *key,
			      const void *value, uint64_t flags)
{
	return lru_percpu_update_common(htab_of(map), key, value, flags, false);
}

static int lru_percpu_sys_update(struct bpfvm_map *map, const void *key,
				 const void *value, uint64_t flags)
{
	return (int)lru_percpu_update_common(htab_of(map), key, value, flags,
					     true);
}

const struct map_ops map_lru_hash_ops = {
	.check = htab_check,
	.alloc = htab_map_alloc,
	.free = htab_free,
	.lookup = lru_lookup,
	.update = lru_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.sys_lookup = htab_sys_lookup,
	.sys_lookup_and_delete = htab_sys_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_access = htab_value_access,
};

const struct map_ops map_lru_percpu_hash_ops = {
	.check = htab_check,
	.alloc = htab_map_alloc,
	.free = htab_free,
	.lookup = htab_percpu_lookup,
	.update = lru_percpu_update,
	.delete = htab_delete,
	.lookup_percpu = htab_percpu_lookup_cpu,
	.for_each = htab_for_each,
	.sys_lookup = htab_sys_lookup,
	.sys_update = lru_percpu_sys_update,
	.sys_lookup_and_delete = htab_sys_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_access = htab_value_access,
};
