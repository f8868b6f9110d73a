/* Rows for the hash maps' program-side lookup: map->ops->lookup, what the
 * bpf_map_lookup_elem helper calls, in a loop over a filled map of 8-byte
 * keys (hits, in insertion order or shuffled; misses). No kernel column
 * here: a kernel program's lookups are timed through BPF_PROG_TEST_RUN by
 * the program-side rows. */
#include <errno.h>
#include <stdlib.h>

#include <bpfvm/map.h>

#include "bench_maps.h"
#include "../../src/maps/map_priv.h" /* map->ops (the helpers' calls) */

/* The keys to look up, in the order the row walks them. */
struct hash_walk {
	uint64_t *keys;
	uint32_t n;
};

static uint64_t walk_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* A map of `type` holding keys 0..n-1; the walk visits them in order,
 * shuffled, or (miss) keys n..2n-1 that are not there. */
static int hash_setup(struct map_bench_ctx *c, int type, uint32_t n,
		      bool shuffle, bool miss)
{
	struct hash_walk *w = calloc(1, sizeof(*w));
	uint64_t s = 88172645463325252ull;
	int err;

	c->kernel = false;
	c->priv = w;
	if (!w || !(w->keys = malloc((size_t)n * 8)))
		return -ENOMEM;
	w->n = n;
	err = map_bench_pair(c, type, 8, 8, n, n);
	for (uint32_t i = 0; i < n; i++)
		w->keys[i] = i + (miss ? n : 0);
	for (uint32_t i = n - 1; shuffle && i > 0; i--) {
		uint32_t j = (uint32_t)(walk_rand(&s) % (i + 1));
		uint64_t t = w->keys[i];

		w->keys[i] = w->keys[j];
		w->keys[j] = t;
	}
	return err;
}

static void hash_teardown(struct map_bench_ctx *c)
{
	struct hash_walk *w = c->priv;

	if (w)
		free(w->keys);
	map_bench_pair_free(c);
}

static int vm_prog_lookup(struct map_bench_ctx *c, uint64_t n)
{
	struct hash_walk *w = c->priv;
	struct bpfvm_map *m = c->vm;
	uintptr_t sink = 0;

	for (uint64_t i = 0, j = 0; i < n; i++) {
		sink += (uintptr_t)m->ops->lookup(m, &w->keys[j]);
		j = j + 1 == w->n ? 0 : j + 1;
	}
	__asm__ __volatile__("" : : "r"(sink));
	return 0;
}

#define ROW_SETUP(name, type, n, shuffle, miss)                               \
	static int name(struct map_bench_ctx *c)                              \
	{                                                                     \
		return hash_setup(c, type, n, shuffle, miss);                 \
	}

ROW_SETUP(hash_10k, BPF_MAP_TYPE_HASH, 10000, false, false)
ROW_SETUP(hash_10k_shuffled, BPF_MAP_TYPE_HASH, 10000, true, false)
ROW_SETUP(hash_10k_miss, BPF_MAP_TYPE_HASH, 10000, false, true)
ROW_SETUP(hash_100k, BPF_MAP_TYPE_HASH, 100000, false, false)
ROW_SETUP(hash_100k_shuffled, BPF_MAP_TYPE_HASH, 100000, true, false)
ROW_SETUP(lru_10k, BPF_MAP_TYPE_LRU_HASH, 10000, false, false)
ROW_SETUP(percpu_10k, BPF_MAP_TYPE_PERCPU_HASH, 10000, false, false)

const struct map_bench_row map_bench_hash_rows[] = {
	{ "hash prog lookup (8B key, 10k)", hash_10k, vm_prog_lookup, NULL,
	  hash_teardown },
	{ "hash prog lookup (10k, shuffled)", hash_10k_shuffled,
	  vm_prog_lookup, NULL, hash_teardown },
	{ "hash prog lookup (10k, misses)", hash_10k_miss, vm_prog_lookup,
	  NULL, hash_teardown },
	{ "hash prog lookup (8B key, 100k)", hash_100k, vm_prog_lookup, NULL,
	  hash_teardown },
	{ "hash prog lookup (100k, shuffled)", hash_100k_shuffled,
	  vm_prog_lookup, NULL, hash_teardown },
	{ "lru hash prog lookup (10k)", lru_10k, vm_prog_lookup, NULL,
	  hash_teardown },
	{ "percpu hash prog lookup (10k)", percpu_10k, vm_prog_lookup, NULL,
	  hash_teardown },
	{ NULL, NULL, NULL, NULL, NULL },
};
