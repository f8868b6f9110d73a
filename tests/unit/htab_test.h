/* Shared by the hash map unit tests (test_map_hash.c, test_map_lru.c):
 * map creation, 8-byte key/value shorthands, key counting by iteration,
 * and a thread runner. Program-side operations go through map->ops, as
 * the helpers call them. */
#ifndef BPFVM_TESTS_HTAB_TEST_H
#define BPFVM_TESTS_HTAB_TEST_H

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/map.h>

#include "check.h"
#include "maps/map_priv.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static inline int ht_create(enum bpf_map_type t, uint32_t ks, uint32_t vs,
			    uint32_t max, uint32_t flags,
			    struct bpfvm_map **out)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags };

	*out = NULL;
	return bpfvm_map_create(t, ks, vs, max, &o, out);
}

/* Only the create's result (the map, if any, is freed). */
static inline int ht_create_err(enum bpf_map_type t, uint32_t ks,
				uint32_t vs, uint32_t max, uint32_t flags)
{
	struct bpfvm_map *m;
	int err = ht_create(t, ks, vs, max, flags, &m);

	bpfvm_map_free(m);
	return err;
}

/* A map that must create; NULL (and a failed check) otherwise. */
static inline struct bpfvm_map *ht_new(enum bpf_map_type t, uint32_t ks,
				       uint32_t vs, uint32_t max,
				       uint32_t flags)
{
	struct bpfvm_map *m;
	int err = ht_create(t, ks, vs, max, flags, &m);

	CHECK_EQ_U64(err, 0);
	return err ? NULL : m;
}

/* 8-byte keys and values from user space. */
static inline int ht_put(struct bpfvm_map *m, uint64_t k, uint64_t v,
			 uint64_t flags)
{
	return bpfvm_map_update(m, &k, &v, flags);
}

/* The value, or ~0 when absent. */
static inline uint64_t ht_get(struct bpfvm_map *m, uint64_t k)
{
	uint64_t v;

	return bpfvm_map_lookup(m, &k, &v, 0) ? ~(uint64_t)0 : v;
}

static inline int ht_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keys (key_size <= 8, zero-extended) by a get_next_key walk, sorted;
 * returns how many, or -1 when one came twice. keys may be NULL. */
static inline long ht_keys(struct bpfvm_map *m, uint64_t *keys, long cap)
{
	uint64_t cur = 0, next = 0, *all = calloc((size_t)cap + 1, 8);
	long n = 0;

	while (all && n <= cap &&
	       !bpfvm_map_get_next_key(m, n ? &cur : NULL, &next)) {
		all[n++] = next;
		cur = next;
		next = 0;
	}
	qsort(all, (size_t)n, 8, ht_cmp_u64);
	for (long i = 1; i < n; i++)
		if (all[i] == all[i - 1])
			n = -1;
	if (keys && n > 0)
		memcpy(keys, all, (size_t)n * 8);
	free(all);
	return n;
}

typedef void *(*ht_thread_fn)(void *);

/* Runs fn(arg + i * size) on n threads and joins them. */
static inline void ht_run(unsigned n, ht_thread_fn fn, void *arg,
			  size_t size)
{
	pthread_t t[16];

	for (unsigned i = 0; i < n && i < 16; i++)
		pthread_create(&t[i], NULL, fn, (char *)arg + i * size);
	for (unsigned i = 0; i < n && i < 16; i++)
		pthread_join(t[i], NULL);
}

/* xorshift64*: per-thread random numbers. */
static inline uint64_t ht_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

#endif
