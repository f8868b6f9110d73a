/* BPF_MAP_TYPE_DEVMAP_HASH: devices under any u32 key (usually the
 * ifindex itself), at most max_entries of them, for bpf_redirect_map.
 * Values as DEVMAP's (devmap.c): ifindex, and a program id with 8-byte
 * values; ifindex 0 is refused (-EINVAL), BPF_NOEXIST on a present key is
 * -EEXIST, a new key in a full map -E2BIG, deleting an absent key
 * -ENOENT. BPF_EXIST on an absent key inserts it, as in the kernel.
 *
 * get_next_key walks keys in the kernel's order: max_entries rounded up
 * to a power of two buckets, a key in bucket key & mask, and within a
 * bucket the most recently written key first (the kernel puts new and
 * replacing elements at the head of the chain; here every write stamps
 * its element and the walk orders a bucket by the stamps).
 *
 * Readers (programs' lookups, map_redirect_lookup) take no lock. Each
 * chain ends in a marker naming its bucket ((bucket << 1) | 1). Elements
 * are recycled inside the map, never freed while it lives, so a reader
 * may stand on an element that is deleted and reused for another key,
 * maybe in another bucket: it then ends on another bucket's marker and
 * starts again. Key and ifindex share one 64-bit word, read with one
 * load, so a key that matches comes with its own ifindex. Writers hold
 * the map's lock. A present key's value is replaced in its element (one
 * store of that word) rather than by a new element at the head, so a
 * reader walking the chain never misses a key that stays in the map. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "maps/array.h"
#include "maps/redirect_priv.h"
#include "maps/value_access.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "devmap_hash.c: the value is the high half of kv (little-endian)"
#endif

struct dmh_elem {
	_Atomic uintptr_t next;		/* element, or a bucket's marker */
	_Atomic uint64_t kv;		/* key | ifindex << 32 */
	_Atomic uint32_t prog_id;	/* right after the ifindex: programs
					 * read struct bpf_devmap_val there */
	struct bpfvm_prog *prog;	/* under the lock */
	uint64_t stamp;			/* last write, under the lock */
	struct dmh_elem *free_next;	/* under the lock */
};

_Static_assert(offsetof(struct dmh_elem, prog_id) ==
		       offsetof(struct dmh_elem, kv) + 8,
	       "bpf_devmap_val is the high half of kv and prog_id");

struct dmh_chunk {
	struct dmh_chunk *next;
	struct dmh_elem elems[];
};

struct devmap_hash {
	struct bpfvm_map map;
	uint32_t lock;			/* writers (map_spin_lock) */
	uint32_t mask;			/* buckets - 1 */
	uint32_t items;			/* under the lock */
	uint64_t stamp;			/* writes so far, under the lock */
	_Atomic uintptr_t *heads;
	struct dmh_elem *free;		/* recycled elements, under the lock */
	struct dmh_chunk *chunks;	/* element memory, freed with the map */
};

/* Elements come 64 to a chunk, as the map fills. */
#define DMH_CHUNK 64u

static struct devmap_hash *dmh_of(struct bpfvm_map *map)
{
	return (struct devmap_hash *)map;
}

static uintptr_t dmh_marker(uint32_t bucket)
{
	return ((uintptr_t)bucket << 1) | 1;
}

static uint32_t dmh_key(uint64_t kv)
{
	return (uint32_t)kv;
}

static int dmh_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct devmap_hash *h = calloc(1, sizeof(*h));
	uint64_t n = 1;

	if (!h)
		return -ENOMEM;
	while (n < a->max_entries)
		n <<= 1;
	h->mask = (uint32_t)(n - 1);
	/* zeroed, untouched: a 0 head stands for its own bucket's marker */
	h->heads = calloc(n, sizeof(*h->heads));
	if (!h->heads) {
		free(h);
		return -ENOMEM;
	}
	*out = &h->map;
	return 0;
}

static struct dmh_elem *dmh_elem_at(uintptr_t p)
{
	return (!p || (p & 1)) ? NULL : (struct dmh_elem *)p;
}

/* Every element ever handed out lives in a chunk; recycled ones hold no
 * program. */
static void dmh_free(struct bpfvm_map *map)
{
	struct devmap_hash *h = dmh_of(map);

	while (h->chunks) {
		struct dmh_chunk *c = h->chunks;

		h->chunks = c->next;
		for (uint32_t i = 0; i < DMH_CHUNK; i++)
			redirect_prog_put(c->elems[i].prog);
		free(c);
	}
	free(h->heads);
	free(h);
}

/* Lock-free lookup; *kv gets the element's word as matched. */
static struct dmh_elem *dmh_find(struct devmap_hash *h, uint32_t key,
				 uint64_t *kv)
{
	uint32_t b = key & h->mask;
	struct dmh_elem *e;
	uintptr_t p;

again:
	p = atomic_load_explicit(&h->heads[b], memory_order_acquire);
	while ((e = dmh_elem_at(p))) {
		uint64_t w = atomic_load_explicit(&e->kv, memory_order_acquire);

		if (dmh_key(w) == key) {
			*kv = w;
			return e;
		}
		p = atomic_load_explicit(&e->next, memory_order_acquire);
	}
	if (p && p != dmh_marker(b))
		goto again; /* walked into another bucket: reused under us */
	return NULL;
}

static void *dmh_lookup(struct bpfvm_map *map, const void *key)
{
	uint64_t kv;
	struct dmh_elem *e = dmh_find(dmh_of(map), array_index(key), &kv);

	return e ? (uint8_t *)&e->kv + 4 : NULL;
}

int devmap_hash_redirect(struct bpfvm_map *map, uint32_t key,
			 struct bpfvm_redirect *out)
{
	uint64_t kv;

	if (!dmh_find(dmh_of(map), key, &kv))
		return -ENOENT;
	*out = (struct bpfvm_redirect){ BPFVM_REDIRECT_DEV,
					(uint32_t)(kv >> 32), 0 };
	return 0;
}

/* ---- writers: the lock held */

static struct dmh_elem *dmh_get_elem(struct devmap_hash *h)
{
	struct dmh_elem *e = h->free;
	struct dmh_chunk *c;

	if (e) {
		h->free = e->free_next;
		return e;
	}
	c = calloc(1, sizeof(*c) + DMH_CHUNK * sizeof(struct dmh_elem));
	if (!c)
		return NULL;
	c->next = h->chunks;
	h->chunks = c;
	for (uint32_t i = 1; i < DMH_CHUNK; i++) {
		c->elems[i].free_next = h->free;
		h->free = &c->elems[i];
	}
	return &c->elems[0];
}

static void dmh_put_elem(struct devmap_hash *h, struct dmh_elem *e)
{
	e->prog = NULL;
	e->free_next = h->free;
	h->free = e;
}

static void dmh_unlink(struct devmap_hash *h, struct dmh_elem *e,
		       uint32_t key)
{
	_Atomic uintptr_t *link = &h->heads[key & h->mask];

	while (atomic_load_explicit(link, memory_order_relaxed) !=
	       (uintptr_t)e)
		link = &dmh_elem_at(atomic_load_explicit(
					    link, memory_order_relaxed))->next;
	atomic_store_explicit(link, atomic_load(&e->next),
			      memory_order_release);
}

/* Write e's value (the key's word in one store) and stamp it. */
static void dmh_write(struct devmap_hash *h, struct dmh_elem *e, uint32_t key,
		      uint32_t ifindex, struct bpfvm_prog *prog)
{
	e->prog = prog;
	e->stamp = ++h->stamp;
	atomic_store_explicit(&e->kv, key | (uint64_t)ifindex << 32,
			      memory_order_release);
	atomic_store_explicit(&e->prog_id, redirect_prog_id(prog),
			      memory_order_release);
}

/* Publish a written element at the head of its bucket. */
static void dmh_link(struct devmap_hash *h, struct dmh_elem *e, uint32_t key)
{
	uint32_t b = key & h->mask;
	_Atomic uintptr_t *head = &h->heads[b];
	uintptr_t first = atomic_load_explicit(head, memory_order_relaxed);

	/* an element's next is never 0: a reader that stood on it while it
	 * moved to another bucket must end on that bucket's marker */
	atomic_store_explicit(&e->next, first ? first : dmh_marker(b),
			      memory_order_release);
	atomic_store_explicit(head, (uintptr_t)e, memory_order_release);
}

/* The kernel's order: flags and ifindex, then (locked) NOEXIST, the
 * value's target, room. *old_prog: the reference to drop afterwards. */
static int dmh_update_locked(struct devmap_hash *h, uint32_t key,
			     const struct devmap_val_in *v, uint64_t flags,
			     struct bpfvm_prog **old_prog)
{
	struct dmh_elem *old, *e;
	struct bpfvm_prog *prog;
	uint64_t kv;
	int err;

	old = dmh_find(h, key, &kv);
	if (old && flags == BPF_NOEXIST)
		return -EEXIST;
	err = devmap_val_target(v, &prog);
	if (err)
		return err;
	if (old) {
		*old_prog = old->prog;
		dmh_write(h, old, key, v->ifindex, prog);
		return 0;
	}
	e = h->items < h->map.max_entries ? dmh_get_elem(h) : NULL;
	if (!e) {
		*old_prog = prog;
		return h->items < h->map.max_entries ? -ENOMEM : -E2BIG;
	}
	dmh_write(h, e, key, v->ifindex, prog);
	dmh_link(h, e, key);
	h->items++;
	return 0;
}

static int dmh_sys_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	struct devmap_val_in v = devmap_val_read(map, value);
	struct devmap_hash *h = dmh_of(map);
	struct bpfvm_prog *drop = NULL;
	int err;

	if (flags > BPF_EXIST || !v.ifindex)
		return -EINVAL;
	map_spin_lock(&h->lock);
	err = dmh_update_locked(h, array_index(key), &v, flags, &drop);
	map_spin_unlock(&h->lock);
	redirect_prog_put(drop);
	return err;
}

static int dmh_sys_delete(struct bpfvm_map *map, const void *key)
{
	struct devmap_hash *h = dmh_of(map);
	uint32_t k = array_index(key);
	struct bpfvm_prog *drop = NULL;
	struct dmh_elem *e;
	uint64_t kv;

	map_spin_lock(&h->lock);
	e = dmh_find(h, k, &kv);
	if (e) {
		dmh_unlink(h, e, k);
		drop = e->prog;
		dmh_put_elem(h, e);
		h->items--;
	}
	map_spin_unlock(&h->lock);
	redirect_prog_put(drop);
	return e ? 0 : -ENOENT;
}

static int dmh_sys_lookup(struct bpfvm_map *map, const void *key,
			  void *value, uint64_t flags)
{
	struct devmap_hash *h = dmh_of(map);
	uint32_t val[2];
	struct dmh_elem *e;
	uint64_t kv;

	(void)flags;
	map_spin_lock(&h->lock);
	e = dmh_find(h, array_index(key), &kv);
	if (e) {
		val[0] = (uint32_t)(kv >> 32);
		val[1] = atomic_load(&e->prog_id);
	}
	map_spin_unlock(&h->lock);
	if (!e)
		return -ENOENT;
	__builtin_memcpy(value, val, map->value_size);
	return 0;
}

/* The element of bucket b written last before `before` (UINT64_MAX: the
 * last one written), or NULL: the kernel's chain order. */
static struct dmh_elem *dmh_newest(struct devmap_hash *h, uint64_t b,
				   uint64_t before)
{
	struct dmh_elem *e = dmh_elem_at(atomic_load(&h->heads[b])), *best = NULL;

	for (; e; e = dmh_elem_at(atomic_load(&e->next)))
		if (e->stamp < before && (!best || e->stamp > best->stamp))
			best = e;
	return best;
}

/* The kernel's walk: the element after key in its bucket, else the first
 * element of a later bucket; an absent (or NULL) key starts over. */
static int dmh_get_next_key(struct bpfvm_map *map, const void *key,
			    void *next_key)
{
	struct devmap_hash *h = dmh_of(map);
	struct dmh_elem *e = NULL;
	uint64_t b = 0, kv;
	int err = -ENOENT;

	map_spin_lock(&h->lock);
	if (key)
		e = dmh_find(h, array_index(key), &kv);
	if (e) {
		b = dmh_key(kv) & h->mask;
		e = dmh_newest(h, b++, e->stamp);
	}
	for (; !e && b <= h->mask; b++)
		e = dmh_newest(h, b, UINT64_MAX);
	if (e) {
		uint32_t next = dmh_key(atomic_load(&e->kv));

		__builtin_memcpy(next_key, &next, 4);
		err = 0;
	}
	map_spin_unlock(&h->lock);
	return err;
}

/* Checked runs: value_size bytes from an element's ifindex (what
 * dmh_lookup gives), read-only; the chunks walked under the lock:
 * O(elements / DMH_CHUNK). */
static int dmh_value_access(const struct bpfvm_map *map, uint64_t addr,
			    unsigned size, bool write)
{
	struct devmap_hash *h = dmh_of((struct bpfvm_map *)map);
	const uint64_t val = offsetof(struct dmh_elem, kv) + 4;
	int r = 0;

	map_spin_lock(&h->lock);
	for (const struct dmh_chunk *c = h->chunks; c; c = c->next) {
		uint64_t i, off;

		if (!map_pool_slot(addr, (uintptr_t)c->elems, DMH_CHUNK,
				   sizeof(struct dmh_elem), &i, &off))
			continue;
		if (off >= val)
			r = map_value_answer(map, off - val, size, write);
		break;
	}
	map_spin_unlock(&h->lock);
	return r && write ? -1 : r;
}

const struct map_ops map_devmap_hash_ops = {
	.check = devmap_check_attr,
	.alloc = dmh_alloc,
	.free = dmh_free,
	.lookup = dmh_lookup,
	.sys_lookup = dmh_sys_lookup,
	.sys_update = dmh_sys_update,
	.sys_delete = dmh_sys_delete,
	.get_next_key = dmh_get_next_key,
	.value_access = dmh_value_access,
};
