/* The hash table's skeleton (htab.h): attribute checks, buckets and their
 * locks, the seed, element keys and chain linking. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "maps/htab_lru.h"
#include "maps/value_access.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's "operation not supported" */
#endif

/* The map flags the kernel's hash types accept (HTAB_CREATE_FLAG_MASK). */
#define HTAB_FLAGS                                                          \
	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE |        \
	 BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG |                  \
	 BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)
/* The kernel refuses key_size + value_size >= KMALLOC_MAX_SIZE (4 MiB on
 * x86-64) - sizeof(struct htab_elem) (48), so user space can copy any
 * element; per-CPU values are bound by PCPU_MIN_UNIT_SIZE. */
#define HTAB_KMALLOC_MAX (4u << 20)
#define HTAB_KERNEL_ELEM 48u
#define HTAB_PCPU_UNIT (32u << 10)
/* Bucket locks are striped beyond this many buckets. */
#define HTAB_MAX_LOCKS 4096u

static bool htab_type_lru(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool htab_type_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* BPF_F_NO_COMMON_LRU: every CPU's list gets the same share, so
 * max_entries becomes a multiple of the CPU count (down if up overflows). */
static uint32_t htab_lru_round(uint32_t max_entries)
{
	uint64_t n = bpfvm_num_possible_cpus();
	uint64_t up = (max_entries + n - 1) / n * n;

	return up <= UINT32_MAX ? (uint32_t)up : (uint32_t)(max_entries / n * n);
}

int htab_check(struct map_attr *a)
{
	bool lru = htab_type_lru(a->type), percpu = htab_type_percpu(a->type);
	bool percpu_lru = a->map_flags & BPF_F_NO_COMMON_LRU;

	if ((a->map_flags & ~HTAB_FLAGS) || (!lru && percpu_lru))
		return -EINVAL;
	if (lru && (a->map_flags & BPF_F_NO_PREALLOC))
		return -ENOTSUPP;
	if ((a->map_flags & BPF_F_NUMA_NODE) && (percpu || percpu_lru))
		return -EINVAL;
	if (!a->max_entries || !a->key_size || !a->value_size)
		return -EINVAL;
	if ((uint64_t)a->key_size + a->value_size >=
		    HTAB_KMALLOC_MAX - HTAB_KERNEL_ELEM ||
	    (percpu && map_round8(a->value_size) > HTAB_PCPU_UNIT))
		return -E2BIG;
	if (percpu_lru)
		a->max_entries = htab_lru_round(a->max_entries);
	if (a->max_entries > 1u << 31)
		return -E2BIG;
	return 0;
}

uint32_t htab_hash_words(const struct htab *h, const void *key, uint64_t w0)
{
	uint64_t x = h->seed ^ w0;

	for (uint32_t i = 1; i < h->key_words; i++) {
		x = (x ^ htab_key_word(key, h->map.key_size, i)) *
		    0x9e3779b97f4a7c15ull;
		x ^= x >> 29;
	}
	return (uint32_t)htab_mix(x);
}

/* Words 1.. of the key (word 0 matched already). */
bool htab_key_eq_words(const struct htab *h, const struct htab_elem *e,
		       const void *key)
{
	const uint64_t *k = htab_key(e);

	for (uint32_t i = 1; i < h->key_words; i++)
		if (__atomic_load_n(&k[i], __ATOMIC_ACQUIRE) !=
		    htab_key_word(key, h->map.key_size, i))
			return false;
	return true;
}

struct htab_elem *htab_lookup_slow(const struct htab *h, const void *key)
{
	struct htab_key_ref k = htab_key_ref(h, key);

	return htab_find(h, &k, NULL);
}

static uint64_t htab_random_seed(const void *salt)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return htab_mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
			(uintptr_t)salt);
}

static uint32_t htab_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Buckets, locks, seed and element geometry; `prefix` bytes go before
 * each element. */
static int htab_init(struct htab *h, const struct map_attr *a,
		     uint32_t prefix)
{
	uint32_t n = htab_pow2(a->max_entries);
	uint32_t nlocks = n < HTAB_MAX_LOCKS ? n : HTAB_MAX_LOCKS;

	/* map.c fills the header after alloc; the geometry needs it now */
	h->map.type = a->type;
	h->map.key_size = a->key_size;
	h->map.value_size = a->value_size;
	h->map.max_entries = a->max_entries;
	h->map.map_flags = a->map_flags;
	h->map.spin_lock_off = a->spin_lock_off;
	h->mask = n - 1;
	h->lock_mask = nlocks - 1;
	h->seed = (a->map_flags & BPF_F_ZERO_SEED) ? 0 : htab_random_seed(h);
	h->key_words = (a->key_size + 7) / 8;
	h->val_words = (a->value_size + 7) / 8;
	h->percpu = htab_type_percpu(a->type);
	h->ncopies = h->percpu ? bpfvm_num_possible_cpus() : 1;
	h->prefix = prefix;
	h->elem_size = prefix + sizeof(struct htab_elem) +
		       8 * ((size_t)h->key_words +
			    (size_t)h->ncopies * h->val_words);
	/* zero heads are empty chains: a huge table costs nothing untouched */
	h->heads = calloc(n, sizeof(*h->heads));
	h->locks = calloc(nlocks, sizeof(*h->locks));
	return h->heads && h->locks ? 0 : -ENOMEM;
}

int htab_alloc(const struct map_attr *a, size_t size, struct bpfvm_map **out)
{
	bool lru = htab_type_lru(a->type);
	struct htab *h = calloc(1, size);
	int err;

	if (!h)
		return -ENOMEM;
	err = htab_init(h, a, lru ? sizeof(struct htab_lru_node) : 0);
	if (!err && lru)
		err = htab_lru_init(h, a->map_flags & BPF_F_NO_COMMON_LRU);
	else if (!err)
		err = htab_pool_init(h, !(a->map_flags & BPF_F_NO_PREALLOC));
	if (err) {
		htab_free(&h->map);
		return err;
	}
	h->release = lru ? htab_lru_push_free : htab_pool_release;
	*out = &h->map;
	return 0;
}

int htab_map_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	return htab_alloc(a, sizeof(struct htab), out);
}

void htab_free(struct bpfvm_map *map)
{
	struct htab *h = htab_of(map);

	htab_pool_destroy(h);
	htab_lru_destroy(h);
	free(h->heads);
	free(h->locks);
	free(h);
}

struct htab_chunk *htab_chunk_alloc(const struct htab *h, size_t n)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, h->elem_size, &bytes) ||
	    __builtin_add_overflow(bytes, sizeof(struct htab_chunk), &bytes))
		return NULL;
	return calloc(1, bytes); /* zero: every seq even, every lock free */
}

int htab_chunk_value_access(const struct htab *h, const struct htab_chunk *c,
			    size_t used, uint64_t addr, unsigned size,
			    bool write)
{
	size_t vals = h->prefix + sizeof(struct htab_elem) +
		      8 * (size_t)h->key_words;
	uint64_t i, off;

	if (!map_pool_slot(addr, (uintptr_t)c->mem, used < c->n ? used : c->n,
			   h->elem_size, &i, &off))
		return 0;
	return map_copies_answer(&h->map, off, size, vals, h->ncopies,
				 8 * (size_t)h->val_words, write);
}

static inline void htab_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

void htab_lock_slow(_Atomic uint32_t *l)
{
	unsigned spins = 0;

	do {
		while (atomic_load_explicit(l, memory_order_relaxed)) {
			if (++spins < 128)
				htab_cpu_relax();
			else
				sched_yield(); /* the holder may be off-CPU */
		}
	} while (atomic_exchange_explicit(l, 1, memory_order_acquire));
}

/* The writer side of the seqlock on the element's contents: key and
 * values are release stores after the odd count, so a reader that copied
 * any of them sees the count changed. */
void htab_elem_begin(struct htab *h, struct htab_elem *e,
		     const struct htab_key_ref *k)
{
	uint32_t s = atomic_load_explicit(&e->seq, memory_order_relaxed);
	uint64_t *key = htab_key(e);

	atomic_store_explicit(&e->seq, s + 1, memory_order_relaxed);
	atomic_store_explicit(&e->hash, k->hash, memory_order_release);
	__atomic_store_n(&key[0], k->w0, __ATOMIC_RELEASE);
	for (uint32_t i = 1; i < h->key_words; i++)
		__atomic_store_n(&key[i],
				 htab_key_word(k->key, h->map.key_size, i),
				 __ATOMIC_RELEASE);
}

void htab_elem_end(struct htab_elem *e)
{
	atomic_store_explicit(
		&e->seq,
		atomic_load_explicit(&e->seq, memory_order_relaxed) + 1,
		memory_order_release);
}

void htab_link(struct htab *h, struct htab_elem *e, uint32_t hash)
{
	_Atomic uintptr_t *head = &h->heads[hash & h->mask];
	uintptr_t next = atomic_load_explicit(head, memory_order_relaxed);

	atomic_store_explicit(&e->next, next ? next : htab_nulls(hash & h->mask),
			      memory_order_release);
	atomic_store_explicit(head, (uintptr_t)e, memory_order_release);
}

/* e's own next stays as it was: a reader standing on e walks on. */
bool htab_unlink(struct htab *h, struct htab_elem *e, uint32_t hash)
{
	_Atomic uintptr_t *link = &h->heads[hash & h->mask];
	uintptr_t p;

	while (htab_is_elem(p = atomic_load_explicit(link,
						     memory_order_relaxed))) {
		if (p == (uintptr_t)e) {
			atomic_store_explicit(
				link,
				atomic_load_explicit(&e->next,
						     memory_order_relaxed),
				memory_order_release);
			return true;
		}
		link = &((struct htab_elem *)p)->next;
	}
	return false;
}

/* e may be in flight (being rekeyed): then its hash names a bucket it is
 * not in, and it is left alone. */
bool htab_unlink_locked(struct htab *h, struct htab_elem *e)
{
	uint32_t hash = atomic_load_explicit(&e->hash, memory_order_relaxed);
	_Atomic uint32_t *lock = htab_bucket_lock(h, hash);
	bool done;

	htab_lock(lock);
	done = htab_unlink(h, e, hash);
	htab_unlock(lock);
	return done;
}

int htab_check_flags(const struct htab_elem *old, uint64_t flags)
{
	uint64_t f = flags & ~(uint64_t)BPF_F_LOCK;

	if (old && f == BPF_NOEXIST)
		return -EEXIST;
	if (!old && f == BPF_EXIST)
		return -ENOENT;
	return 0;
}
