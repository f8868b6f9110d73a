/* BPF_MAP_TYPE_HASH_OF_MAPS: a hash whose values are references to inner
 * maps fitting the template (map_in_map.h). User space stores and reads
 * map ids (4 bytes); programs look up the inner map itself. A replaced or
 * deleted inner map's reference goes after a grace period (map_rcu.h),
 * since a program may still be using the pointer it looked up. */
#include <errno.h>

#include "maps/htab.h"
#include "maps/map_in_map.h"
#include "maps/map_rcu.h"

struct hash_of_maps {
	struct htab h;
	struct map_inner_meta meta;
	struct map_retire_list retired;
};

static struct hash_of_maps *hom_of(struct htab *h)
{
	return (struct hash_of_maps *)h;
}

/* The inner map pointer lives in the element's value word. */
static _Atomic(struct bpfvm_map *) *hom_slot(const struct htab *h,
					     const struct htab_elem *e)
{
	return (_Atomic(struct bpfvm_map *) *)htab_value(h, e, 0);
}

/* The kernel takes BPF_F_RDONLY_PROG / WRONLY_PROG on hash-of-maps (not
 * on array-of-maps), so the shared map-in-map checks see them cleared. */
static int hom_check(struct map_attr *a)
{
	struct map_attr shared = *a;

	shared.map_flags &= ~(uint32_t)(BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
	return map_in_map_check(&shared, htab_check);
}

static void hom_release(struct htab *h, struct htab_elem *e)
{
	map_retire(&hom_of(h)->retired, atomic_load(hom_slot(h, e)));
	htab_pool_release(h, e);
}

static long hom_put_inner(struct bpfvm_map *map, const void *key,
			  void *value, void *ctx)
{
	(void)key;
	(void)ctx;
	(void)map;
	map_put(atomic_load((_Atomic(struct bpfvm_map *) *)value));
	return 0;
}

static void hom_free(struct bpfvm_map *map)
{
	struct hash_of_maps *m = hom_of(htab_of(map));

	htab_for_each(map, hom_put_inner, NULL, 0);
	map_retire_drain(&m->retired);
	htab_free(map);
}

static int hom_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	int err = htab_alloc(a, sizeof(struct hash_of_maps), out);
	struct hash_of_maps *m;

	if (err)
		return err;
	m = hom_of(htab_of(*out));
	map_inner_meta_init(&m->meta, a->inner_map);
	map_retire_init(&m->retired);
	m->h.release = hom_release;
	return 0;
}

static void *hom_lookup(struct bpfvm_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_lookup(h, key);

	return e ? atomic_load_explicit(hom_slot(h, e), memory_order_acquire)
		 : NULL;
}

/* The inner map's id, read in a read section: a concurrent replace
 * cannot free the map under us. */
static int hom_sys_lookup(struct bpfvm_map *map, const void *key,
			  void *value, uint64_t flags)
{
	struct htab *h = htab_of(map);
	struct htab_key_ref k;
	struct htab_elem *e;
	uint32_t s, id = 0;

	(void)flags;
	if (!key || !value)
		return -EFAULT;
	k = htab_key_ref(h, key);
	map_rcu_read_lock();
	do {
		e = htab_find(h, &k, &s);
		if (e)
			id = atomic_load(hom_slot(h, e))->id;
	} while (e && !htab_elem_stable(e, s));
	map_rcu_read_unlock();
	if (!e)
		return -ENOENT;
	__builtin_memcpy(value, &id, 4);
	return 0;
}

struct hom_write {
	struct bpfvm_map *inner;	/* in: the new reference */
	struct bpfvm_map *old;		/* out: the one it replaced */
};

static void hom_write(struct htab *h, struct htab_elem *e, bool fresh,
		      void *ctx)
{
	struct hom_write *w = ctx;

	if (fresh)
		atomic_store_explicit(hom_slot(h, e), w->inner,
				      memory_order_release);
	else
		w->old = atomic_exchange(hom_slot(h, e), w->inner);
}

static int hom_sys_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	struct hom_write w = { NULL, NULL };
	int err;

	if (flags & BPF_F_LOCK) /* no bpf_spin_lock in a map id */
		return -EINVAL;
	if (!key || !value)
		return -EFAULT;
	err = map_inner_get(&hom_of(htab_of(map))->meta, value, &w.inner);
	if (err)
		return err;
	err = htab_update_in_place(htab_of(map), key, flags, hom_write, &w);
	if (err)
		map_put(w.inner);
	if (w.old)
		map_retire(&hom_of(htab_of(map))->retired, w.old);
	return err;
}

/* Every element's inner map (htab_for_each: lock-free). */
struct hom_walk_ctx {
	map_inner_fn fn;
	void *ctx;
	int r;
};

static long hom_walk_one(struct bpfvm_map *map, const void *key, void *value,
			 void *ctx)
{
	struct hom_walk_ctx *w = ctx;
	struct bpfvm_map *inner =
		atomic_load((_Atomic(struct bpfvm_map *) *)value);

	(void)map, (void)key;
	w->r = inner ? w->fn(inner, w->ctx) : 0;
	return w->r != 0;
}

int hom_walk(const struct bpfvm_map *outer, map_inner_fn fn, void *ctx)
{
	struct hom_walk_ctx w = { fn, ctx, 0 };

	htab_for_each((struct bpfvm_map *)outer, hom_walk_one, &w, 0);
	return w.r;
}

/* Programs may only look up (the verifier's rule); user space has the
 * rest. No for_each and no lookup_and_delete, as in the kernel. */
const struct map_ops map_hash_of_maps_ops = {
	.check = hom_check,
	.alloc = hom_alloc,
	.free = hom_free,
	.lookup = hom_lookup,
	.delete = htab_delete,
	.sys_lookup = hom_sys_lookup,
	.sys_update = hom_sys_update,
	.get_next_key = htab_get_next_key,
	.value_access = map_in_map_value_access,
};
