/* The LPM trie's internals, shared by lpm_trie.c (the map operations),
 * lpm_pool.c (node memory) and lpm_table.c (the lookup table over the
 * trie's top). See lpm_trie.c for the design. */
#ifndef BPFVM_MAPS_LPM_TRIE_H
#define BPFVM_MAPS_LPM_TRIE_H

#include <stdbool.h>
#include <stdint.h>

#include "maps/map_priv.h"

#define LPM_DATA_MAX 256u
#define LPM_WORDS_MAX (LPM_DATA_MAX / 8)
#define LPM_IM 1u		/* intermediate node: no value */

typedef struct lpm_node *_Atomic lpm_slot;

struct lpm_node {
	lpm_slot child[2];
	_Atomic uint32_t plen;
	_Atomic uint32_t flags;
	struct lpm_node *next_free;	/* free list (writers only) */
	/* The key data as 64-bit words, bit 0 = the most significant bit
	 * of data[0], zero-padded; then the value (8-aligned). */
	_Atomic uint64_t bits[];
};

/* Where a lookup of a key at least `stride` bits long stands once past
 * the trie's nodes shorter than stride bits: the node to go on from and
 * the longest element matched so far. */
struct lpm_entry {
	lpm_slot start;
	lpm_slot best;
};

struct lpm_slab {
	struct lpm_slab *next;
	_Atomic size_t used;	/* nodes carved (checked runs read it) */
	_Alignas(16) uint8_t mem[];
};

struct lpm_trie {
	struct bpfvm_map map;
	lpm_slot root;
	/* Bumped before a writer rewrites memory readers may be walking (a
	 * reused node, table entries); readers that see it move retry. */
	_Atomic uint32_t reuse_seq;
	uint32_t lock;
	uint32_t data_size;
	uint32_t max_plen;
	uint32_t nwords;
	uint32_t stride;		/* table index bits */
	_Atomic(struct lpm_entry *) table; /* 2^stride entries, or NULL */
	size_t node_size;
	uint64_t n_entries;
	struct lpm_node *free_head, *free_tail;
	size_t free_count;
	_Atomic(struct lpm_slab *) slabs; /* checked runs read it */
	uint8_t *fresh;			/* unused part of the newest slab */
	size_t fresh_left;		/* nodes there */
	size_t nodes;			/* nodes carved so far */
	lpm_slot **path;		/* writers' descent: max_plen + 2 slots */
};

/* A key turned into words, once per operation. */
struct lpm_key {
	uint32_t plen;
	uint64_t w[LPM_WORDS_MAX];
};

static inline struct lpm_node *ld(lpm_slot *s)
{
	return atomic_load_explicit(s, memory_order_acquire);
}

static inline void publish(lpm_slot *s, struct lpm_node *n)
{
	atomic_store_explicit(s, n, memory_order_release);
}

static inline uint32_t node_plen(struct lpm_node *n)
{
	return atomic_load_explicit(&n->plen, memory_order_relaxed);
}

static inline bool node_im(struct lpm_node *n)
{
	return atomic_load_explicit(&n->flags, memory_order_relaxed) & LPM_IM;
}

static inline uint64_t node_word(struct lpm_node *n, uint32_t i)
{
	return atomic_load_explicit(&n->bits[i], memory_order_relaxed);
}

static inline void *node_value(const struct lpm_trie *t, struct lpm_node *n)
{
	return (uint8_t *)n + sizeof(*n) + (size_t)t->nwords * 8;
}

static inline unsigned word_bit(uint64_t w, uint32_t i)
{
	return (unsigned)(w >> (63 - i % 64)) & 1;
}

static inline unsigned key_bit(const struct lpm_key *k, uint32_t i)
{
	return word_bit(k->w[i / 64], i);
}

/* How many leading bits of the node's data the key shares, at most
 * limit. */
static inline uint32_t lpm_match(struct lpm_node *n, const struct lpm_key *k,
				 uint32_t limit)
{
	for (uint32_t i = 0; i * 64 < limit; i++) {
		uint64_t d = node_word(n, i) ^ k->w[i];

		if (d) {
			uint32_t m = i * 64 + (uint32_t)__builtin_clzll(d);

			return m < limit ? m : limit;
		}
	}
	return limit;
}

/* Before rewriting what readers may be walking (see reuse_seq). */
static inline void lpm_readers_retry(struct lpm_trie *t)
{
	atomic_fetch_add_explicit(&t->reuse_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

/* lpm_pool.c (writers, lock held). */
struct lpm_node *lpm_node_get(struct lpm_trie *t);
void lpm_node_put(struct lpm_trie *t, struct lpm_node *n);
void lpm_node_init(struct lpm_trie *t, struct lpm_node *n,
		   const uint64_t *bits, uint32_t plen, const void *value);
void lpm_pool_free(struct lpm_trie *t);
/* map_ops value_access: a carved node's value (no lock). */
int lpm_value_access(const struct bpfvm_map *map, uint64_t addr,
		     unsigned size, bool write);

/* The table's index: the first `stride` bits. */
static inline uint32_t lpm_top_bits(uint64_t w0, uint32_t stride)
{
	return (uint32_t)(w0 >> (64 - stride));
}

/* Where a lookup of k begins (see lpm_table.c): the table's entry for a
 * key of at least stride bits, else the root. Inline: every lookup. */
static inline void lpm_table_start(struct lpm_trie *t,
				   const struct lpm_key *k,
				   struct lpm_node **n, struct lpm_node **found)
{
	struct lpm_entry *tab = atomic_load_explicit(&t->table,
						     memory_order_acquire);

	if (tab && k->plen >= t->stride) {
		struct lpm_entry *e = &tab[lpm_top_bits(k->w[0], t->stride)];

		*n = ld(&e->start);
		*found = ld(&e->best);
	} else {
		*n = ld(&t->root);
		*found = NULL;
	}
}

/* lpm_table.c. */
void lpm_table_create(struct lpm_trie *t);
void lpm_table_refresh(struct lpm_trie *t, uint32_t depth,
		       const struct lpm_key *k);

#endif
