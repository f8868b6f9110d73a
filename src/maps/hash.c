/* BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH on the shared table
 * (htab.h). HASH replaces a value by linking a new element before
 * unlinking the old one (BPF_F_LOCK: in place, under the value's lock);
 * PERCPU_HASH writes values in place under the bucket lock, as the kernel
 * does. A full map refuses new keys with -E2BIG. */
#include <errno.h>

#include "maps/htab.h"

static void *hash_lookup(struct bpfvm_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_lookup(h, key);

	return e ? htab_value(h, e, 0) : NULL;
}

/* Under the bucket lock: a new element for k, replacing old (if any). */
static int hash_insert(struct htab *h, const struct htab_key_ref *k,
		       const void *value, struct htab_elem *old)
{
	struct htab_elem *e;

	if (!old && htab_count_inc(h))
		return -E2BIG;
	e = htab_pool_get(h);
	if (!e) {
		if (!old)
			htab_count_dec(h);
		return -ENOMEM;
	}
	htab_elem_begin(h, e, k);
	htab_value_store(h, htab_value(h, e, 0), value, false);
	htab_elem_end(e);
	htab_link(h, e, k->hash); /* before the old one goes: no gap */
	if (old)
		htab_unlink(h, old, k->hash);
	return 0;
}

/* BPF_F_LOCK on an existing element: in place, without the bucket lock
 * (1: not found, take the slow path). */
static int hash_update_locked_fast(struct htab *h,
				   const struct htab_key_ref *k,
				   const void *value, uint64_t flags)
{
	struct htab_elem *e = htab_find(h, k, NULL);
	int err = htab_check_flags(e, flags);

	if (err)
		return err;
	if (!e)
		return 1;
	htab_value_store(h, htab_value(h, e, 0), value, true);
	return 0;
}

static long hash_update(struct bpfvm_map *map, const void *key,
			const void *value, uint64_t flags)
{
	struct htab *h = htab_of(map);
	struct htab_key_ref k;
	_Atomic uint32_t *lock;
	struct htab_elem *old;
	int err;

	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST ||
	    ((flags & BPF_F_LOCK) && map->spin_lock_off < 0))
		return -EINVAL;
	if (!key || !value)
		return -EFAULT;
	k = htab_key_ref(h, key);
	if ((flags & BPF_F_LOCK) &&
	    (err = hash_update_locked_fast(h, &k, value, flags)) <= 0)
		return err;
	old = htab_find_locked(h, &k, &lock);
	err = htab_check_flags(old, flags);
	if (!err && old && (flags & BPF_F_LOCK))
		htab_value_store(h, htab_value(h, old, 0), value, true);
	else if (!err)
		err = hash_insert(h, &k, value, old);
	htab_unlock(lock);
	if (!err && old && !(flags & BPF_F_LOCK))
		htab_pool_put(h, old); /* replaced: the count stays */
	return err;
}

int htab_update_in_place(struct htab *h, const void *key, uint64_t flags,
			 htab_write_fn write, void *ctx)
{
	struct htab_key_ref k;
	_Atomic uint32_t *lock;
	struct htab_elem *e;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (!key)
		return -EFAULT;
	k = htab_key_ref(h, key);
	e = htab_find_locked(h, &k, &lock);
	err = htab_check_flags(e, flags);
	if (!err && e) {
		write(h, e, false, ctx);
	} else if (!err && !(err = htab_count_inc(h))) {
		e = htab_pool_get(h);
		if (e) {
			htab_elem_begin(h, e, &k);
			write(h, e, true, ctx);
			htab_elem_end(e);
			htab_link(h, e, k.hash);
		} else {
			htab_count_dec(h);
			err = -ENOMEM;
		}
	}
	htab_unlock(lock);
	return err;
}

/* ---- PERCPU_HASH */

struct percpu_write {
	const void *value;
	bool all;		/* user space: every CPU's value */
};

static void percpu_write(struct htab *h, struct htab_elem *e, bool fresh,
			 void *ctx)
{
	const struct percpu_write *w = ctx;

	if (fresh)
		htab_values_init(h, e, w->value, w->all);
	else
		htab_values_write(h, e, w->value, w->all);
}

static long percpu_update_as(struct bpfvm_map *map, const void *key,
			     const void *value, uint64_t flags, bool all)
{
	struct percpu_write w = { value, all };

	if (!value)
		return -EFAULT;
	return htab_update_in_place(htab_of(map), key, flags, percpu_write,
				    &w);
}

static long percpu_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	return percpu_update_as(map, key, value, flags, false);
}

static int percpu_sys_update(struct bpfvm_map *map, const void *key,
			     const void *value, uint64_t flags)
{
	return (int)percpu_update_as(map, key, value, flags, true);
}

const struct map_ops map_hash_ops = {
	.check = htab_check,
	.alloc = htab_map_alloc,
	.free = htab_free,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.sys_lookup = htab_sys_lookup,
	.sys_lookup_and_delete = htab_sys_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_access = htab_value_access,
};

const struct map_ops map_percpu_hash_ops = {
	.check = htab_check,
	.alloc = htab_map_alloc,
	.free = htab_free,
	.lookup = htab_percpu_lookup,
	.update = percpu_update,
	.delete = htab_delete,
	.lookup_percpu = htab_percpu_lookup_cpu,
	.for_each = htab_for_each,
	.sys_lookup = htab_sys_lookup,
	.sys_update = percpu_sys_update,
	.sys_lookup_and_delete = htab_sys_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.value_access = htab_value_access,
};
