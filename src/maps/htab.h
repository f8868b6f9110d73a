/* The hash table shared by HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH
 * and HASH_OF_MAPS.
 *
 * Buckets are singly linked chains ending in a "nulls" marker that names
 * the bucket ((index << 1) | 1). Lookups take no lock and do no atomic
 * read-modify-write; updates and deletes hold the bucket's lock. Elements
 * come from a pool owned by the map and are recycled, never freed, while
 * the map lives, so a reader may be standing on an element that is
 * deleted and reused for another key, maybe in another bucket:
 *  - its chain walk then ends on another bucket's marker: it restarts;
 *  - its key comparison is guarded by the element's sequence count (odd
 *    while the element is refilled, bumped by every reuse), as a seqlock,
 *    so a half-rewritten key never matches.
 * The seqlock needs no fences (ThreadSanitizer cannot see those): the
 * writer stores key and values with release, the reader loads them with
 * acquire, so a reader that saw any new byte then sees the count moved.
 * On x86-64 these are plain moves.
 * A replaced value goes into a new element linked before the old one is
 * unlinked, so a reader sees the old or the new element, never a torn
 * key. Keys and values are read and written with atomics (values also
 * by programs, directly): the map's own copies are data-race free.
 *
 * Element layout: [prefix (LRU node)] struct htab_elem, key padded to 8
 * with zeros, then one value (value_size padded to 8) or, per-CPU, one
 * per possible CPU -- the same layout user space passes per-CPU values in. */
#ifndef BPFVM_MAPS_HTAB_H
#define BPFVM_MAPS_HTAB_H

#include <pthread.h>
#include <string.h>

#include "maps/map_priv.h"

struct htab_elem {
	_Atomic uintptr_t next;		/* element, or nulls marker */
	struct htab_elem *free_next;	/* pool free list, under its lock */
	_Atomic uint32_t seq;		/* odd while the element is refilled */
	_Atomic uint32_t hash;
	uint64_t words[];		/* key, values: __atomic accesses */
};

struct htab;
/* What becomes of an element unlinked by delete (pool, LRU list, inner
 * map reference); called without the bucket lock. */
typedef void (*htab_release_fn)(struct htab *h, struct htab_elem *e);

struct htab_pool;
struct htab_lru;

struct htab {
	struct bpfvm_map map;
	_Atomic uintptr_t *heads;	/* n_buckets chain heads */
	_Atomic uint32_t *locks;	/* lock_mask + 1 bucket locks */
	uint32_t mask;			/* n_buckets - 1 */
	uint32_t lock_mask;
	uint64_t seed;
	uint32_t key_words;		/* key_size in 8-byte words */
	uint32_t val_words;		/* value_size in 8-byte words */
	uint32_t ncopies;		/* values per element: 1 or CPUs */
	bool percpu;			/* user space sees every CPU's value */
	uint32_t prefix;		/* bytes before struct htab_elem */
	size_t elem_size;		/* whole element, prefix included */
	_Atomic uint32_t count;		/* elements in the table (pool) */
	htab_release_fn release;
	struct htab_pool *pool;		/* HASH, PERCPU_HASH, HASH_OF_MAPS */
	struct htab_lru *lru;		/* the LRU types */
};

static inline struct htab *htab_of(const struct bpfvm_map *map)
{
	return (struct htab *)map;
}

/* ---- hashing: a 64-bit mix for keys up to 8 bytes, words otherwise */

static inline uint64_t htab_mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	return x ^ (x >> 32);
}

/* The key's first word, zero-padded when the key is shorter. */
static inline uint64_t htab_key_word0(const void *key, uint32_t key_size)
{
	uint64_t w = 0;

	if (__builtin_expect(key_size == 8, 1))
		memcpy(&w, key, 8);
	else if (key_size == 4)
		memcpy(&w, key, 4);
	else
		memcpy(&w, key, key_size < 8 ? key_size : 8);
	return w;
}

/* Word i of the key as stored (zero-padded after key_size). */
static inline uint64_t htab_key_word(const void *key, uint32_t key_size,
				     uint32_t i)
{
	uint64_t w = 0;
	uint32_t off = i * 8;

	memcpy(&w, (const uint8_t *)key + off,
	       key_size - off < 8 ? key_size - off : 8);
	return w;
}

/* Keys longer than a word, out of line (hash_core.c): the hot path of
 * an 8-byte key stays small. */
uint32_t htab_hash_words(const struct htab *h, const void *key, uint64_t w0);
bool htab_key_eq_words(const struct htab *h, const struct htab_elem *e,
		       const void *key);

static inline uint32_t htab_hash(const struct htab *h, const void *key,
				 uint64_t w0)
{
	if (__builtin_expect(h->key_words == 1, 1))
		return (uint32_t)htab_mix(h->seed ^ w0);
	return htab_hash_words(h, key, w0);
}

/* ---- element fields */

static inline uint64_t *htab_key(const struct htab_elem *e)
{
	return (uint64_t *)e->words;
}

/* Value copy `cpu` (0 unless per-CPU). */
static inline void *htab_value(const struct htab *h,
			       const struct htab_elem *e, unsigned cpu)
{
	return (uint64_t *)e->words + h->key_words +
	       (size_t)cpu * h->val_words;
}

/* one_word: the caller knows the key is at most 8 bytes. */
static inline bool htab_key_eq(const struct htab *h,
			       const struct htab_elem *e, const void *key,
			       uint64_t w0, bool one_word)
{
	if (__atomic_load_n(&htab_key(e)[0], __ATOMIC_ACQUIRE) != w0)
		return false;
	return one_word || h->key_words == 1 || htab_key_eq_words(h, e, key);
}

static inline uintptr_t htab_nulls(uint32_t idx)
{
	return ((uintptr_t)idx << 1) | 1;
}

/* A chain link: an element, or its end -- a nulls marker, or 0 in a head
 * never written since the (calloc'ed, so untouched) table was made, which
 * stands for the head's own marker. */
static inline bool htab_is_elem(uintptr_t p)
{
	return p && !(p & 1);
}

/* A lookup key: its first word and hash, computed once. */
struct htab_key_ref {
	const void *key;
	uint64_t w0;
	uint32_t hash;
};

static inline struct htab_key_ref htab_key_ref(const struct htab *h,
					       const void *key)
{
	struct htab_key_ref r = { key, htab_key_word0(key, h->map.key_size),
				  0 };

	r.hash = htab_hash(h, key, r.w0);
	return r;
}

/* Lock-free lookup (see the top of the file). *seqp, if not NULL, gets
 * the element's sequence count as validated: a reader copying out of the
 * element re-checks it to know the element still held this key. */
static inline struct htab_elem *htab_find_as(const struct htab *h,
					     const struct htab_key_ref *k,
					     uint32_t *seqp, bool one_word)
{
	uint32_t idx = k->hash & h->mask;
	uintptr_t p;

again:
	p = atomic_load_explicit(&h->heads[idx], memory_order_acquire);
	while (htab_is_elem(p)) {
		struct htab_elem *e = (struct htab_elem *)p;
		uint32_t s = atomic_load_explicit(&e->seq,
						  memory_order_acquire);

		if (atomic_load_explicit(&e->hash, memory_order_acquire) ==
			    k->hash &&
		    htab_key_eq(h, e, k->key, k->w0, one_word)) {
			if (s & 1 || atomic_load_explicit(
					     &e->seq, memory_order_relaxed) != s)
				goto again; /* reused under us */
			if (seqp)
				*seqp = s;
			return e;
		}
		p = atomic_load_explicit(&e->next, memory_order_acquire);
	}
	if (p && p != htab_nulls(idx))
		goto again; /* walked into another bucket's chain */
	return NULL;
}

static inline struct htab_elem *htab_find(const struct htab *h,
					  const struct htab_key_ref *k,
					  uint32_t *seqp)
{
	return htab_find_as(h, k, seqp, false);
}

/* Keys of other sizes than 4 and 8 (hash_core.c). */
struct htab_elem *htab_lookup_slow(const struct htab *h, const void *key);

/* What programs' lookups run: for 4- and 8-byte keys a path without
 * calls, so it stays a leaf function. */
static inline struct htab_elem *htab_lookup(const struct htab *h,
					    const void *key)
{
	struct htab_key_ref k = { key, 0, 0 };

	if (__builtin_expect(h->map.key_size == 8, 1))
		memcpy(&k.w0, key, 8);
	else if (h->map.key_size == 4)
		memcpy(&k.w0, key, 4);
	else
		return htab_lookup_slow(h, key);
	k.hash = (uint32_t)htab_mix(h->seed ^ k.w0);
	return htab_find_as(h, &k, NULL, true);
}

/* ---- bucket locks: test-and-test-and-set, yielding when held long */

void htab_lock_slow(_Atomic uint32_t *l);

static inline _Atomic uint32_t *htab_bucket_lock(const struct htab *h,
						 uint32_t hash)
{
	return &h->locks[hash & h->mask & h->lock_mask];
}

static inline void htab_lock(_Atomic uint32_t *l)
{
	if (__builtin_expect(atomic_exchange_explicit(l, 1,
						      memory_order_acquire), 0))
		htab_lock_slow(l);
}

static inline void htab_unlock(_Atomic uint32_t *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* Lock k's bucket and look k up there; the caller unlocks *lock. */
static inline struct htab_elem *htab_find_locked(const struct htab *h,
						 const struct htab_key_ref *k,
						 _Atomic uint32_t **lock)
{
	*lock = htab_bucket_lock(h, k->hash);
	htab_lock(*lock);
	return htab_find(h, k, NULL);
}

/* ---- hash_core.c */

/* Attribute checks shared by the five types (the kernel's
 * htab_map_alloc_check); may round max_entries (BPF_F_NO_COMMON_LRU). */
int htab_check(struct map_attr *a);
/* map_ops alloc of every hash type: `size` bytes (struct htab first,
 * the rest zeroed), buckets, seed, element geometry, then the elements:
 * an LRU for the LRU types, a pool for the others, with the matching
 * release. */
int htab_alloc(const struct map_attr *a, size_t size,
	       struct bpfvm_map **out);
/* map_ops alloc of the types with nothing more than struct htab. */
int htab_map_alloc(const struct map_attr *a, struct bpfvm_map **out);
/* map_ops free: everything htab_alloc made (elements hold nothing). */
void htab_free(struct bpfvm_map *map);

/* A (re)used element gets its key, hash and values between begin and
 * end, which make the sequence count odd and then even again: a reader
 * that found it under an older key, or found it again under the same key
 * while it was being refilled, sees the count move. Then link. */
void htab_elem_begin(struct htab *h, struct htab_elem *e,
		     const struct htab_key_ref *k);
void htab_elem_end(struct htab_elem *e);
/* After copying out of an element found with sequence count s: was it
 * still that element (not reused meanwhile)? */
static inline bool htab_elem_stable(const struct htab_elem *e, uint32_t s)
{
	return atomic_load_explicit(&e->seq, memory_order_relaxed) == s;
}

/* Under the bucket lock of `hash` (e's): link at the head; unlink
 * (false: not in that bucket). */
void htab_link(struct htab *h, struct htab_elem *e, uint32_t hash);
bool htab_unlink(struct htab *h, struct htab_elem *e, uint32_t hash);
/* Lock e's bucket and unlink it if it is still linked (LRU eviction). */
bool htab_unlink_locked(struct htab *h, struct htab_elem *e);

/* The kernel's update flag rules: -EEXIST / -ENOENT / 0. */
int htab_check_flags(const struct htab_elem *old, uint64_t flags);

/* Atomic copies between plain memory and element memory (release stores
 * in, acquire loads out: the seqlock's order); len any. */
void htab_copy_in(void *dst, const void *src, size_t len);
void htab_copy_out(void *dst, const void *src, size_t len);
/* A value into the element: value_size bytes, the bpf_spin_lock word
 * kept (copy_map_value); locked: with that lock held (BPF_F_LOCK). */
void htab_value_store(const struct htab *h, void *dst, const void *src,
		      bool locked);
/* What user space reads of an element: per-CPU, every copy with its
 * padding; else value_size bytes, the lock word as 0 (BPF_F_LOCK: read
 * with the lock held). */
void htab_values_load(const struct htab *h, const struct htab_elem *e,
		      void *dst, uint64_t flags);
/* Per-CPU values in place: every CPU's from a user buffer of
 * round8(value_size) strides (all), else the caller's CPU's. */
void htab_values_write(const struct htab *h, struct htab_elem *e,
		       const void *src, bool all);
/* A new element's values: from `src` on every CPU (all), or `src` on the
 * caller's CPU and zeros elsewhere (programs' updates of per-CPU maps). */
void htab_values_init(const struct htab *h, struct htab_elem *e,
		      const void *src, bool all);

/* The common ops (map_ops entries). */
long htab_delete(struct bpfvm_map *map, const void *key);
int htab_get_next_key(struct bpfvm_map *map, const void *key,
		      void *next_key);
long htab_for_each(struct bpfvm_map *map, map_elem_cb cb, void *ctx,
		   uint64_t flags);
/* map_ops value_access of the four value-holding hash types. */
int htab_value_access(const struct bpfvm_map *map, uint64_t addr,
		      unsigned size, bool write);
/* Programs' lookups of the per-CPU types: the caller's CPU's value, or
 * cpu's (NULL past the last CPU); LRU maps mark the element used. */
void *htab_percpu_lookup(struct bpfvm_map *map, const void *key);
void *htab_percpu_lookup_cpu(struct bpfvm_map *map, const void *key,
			     unsigned cpu);
/* User-space lookup: every value copy, the lock word shown as 0; the
 * copy is retried if the element was reused meanwhile. */
int htab_sys_lookup(struct bpfvm_map *map, const void *key, void *value,
		    uint64_t flags);
int htab_sys_lookup_and_delete(struct bpfvm_map *map, const void *key,
			       void *value, uint64_t flags);

/* ---- element memory: chunks, freed only with the map */

struct htab_chunk {
	struct htab_chunk *next;
	size_t n;			/* elements */
	_Atomic size_t bump;		/* elements handed out so far */
	unsigned char mem[];
};

/* A zeroed chunk of n elements (not yet handed out), or NULL. */
struct htab_chunk *htab_chunk_alloc(const struct htab *h, size_t n);

static inline struct htab_elem *htab_chunk_elem(const struct htab *h,
						struct htab_chunk *c,
						size_t i)
{
	return (struct htab_elem *)(c->mem + i * h->elem_size + h->prefix);
}

/* Checked runs (value_access.h): [addr, addr + size) inside one value of
 * one of the first `used` elements of chunk c: 1 (or -1, a write to a
 * BPF_F_RDONLY_PROG map), else 0. */
int htab_chunk_value_access(const struct htab *h, const struct htab_chunk *c,
			    size_t used, uint64_t addr, unsigned size,
			    bool write);
/* The same over every chunk of the pool (hash_pool.c) or the LRU
 * (hash_lru.c). */
int htab_pool_value_access(const struct htab *h, uint64_t addr,
			   unsigned size, bool write);
int htab_lru_value_access(const struct htab *h, uint64_t addr,
			  unsigned size, bool write);

/* ---- hash_pool.c: elements of the non-LRU types */

/* prealloc: max_entries elements (+ one spare per CPU for replacing a
 * value in a full map) up front; else grown on demand. */
int htab_pool_init(struct htab *h, bool prealloc);
void htab_pool_destroy(struct htab *h);
/* An unused element, or NULL when out of memory. */
struct htab_elem *htab_pool_get(struct htab *h);
void htab_pool_put(struct htab *h, struct htab_elem *e);
/* Room for one more element in the table: 0 or -E2BIG. */
int htab_count_inc(struct htab *h);
void htab_count_dec(struct htab *h);
/* htab_release_fn of HASH and PERCPU_HASH. */
void htab_pool_release(struct htab *h, struct htab_elem *e);

/* ---- hash.c: the kernel's update in place (PERCPU_HASH, HASH_OF_MAPS):
 * an existing element is written where it is, under the bucket lock; a
 * new one comes from the pool. `write` fills either. */
typedef void (*htab_write_fn)(struct htab *h, struct htab_elem *e,
			      bool fresh, void *ctx);
int htab_update_in_place(struct htab *h, const void *key, uint64_t flags,
			 htab_write_fn write, void *ctx);

#endif
