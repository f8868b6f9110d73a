/* The LPM trie's lookup table: for each value of a key's first `stride`
 * bits, where a lookup stands after the trie's nodes shorter than that
 * (they depend on those bits only): the node to go on from and the
 * longest element matched so far. A lookup of a key at least stride bits
 * long starts there instead of at the root, skipping the dense top of a
 * big trie (10k random IPv4 prefixes: ~12 nodes a lookup become ~3).
 *
 * Writers keep it exact: after changing a slot whose owner is shorter
 * than stride bits (or the root), they rewrite the entries under that
 * slot's prefix, announced through reuse_seq so a reader that read a
 * half-written entry retries. Created once the trie has LPM_TABLE_MIN
 * elements; kept (never shrunk) until the map goes. */
#include <stdlib.h>

#include "maps/lpm_trie.h"

static void table_set(struct lpm_entry *e, size_t count,
		      struct lpm_node *start, struct lpm_node *best)
{
	for (size_t i = 0; i < count; i++) {
		atomic_store_explicit(&e[i].start, start,
				      memory_order_relaxed);
		atomic_store_explicit(&e[i].best, best, memory_order_relaxed);
	}
}

/* The entries [lo, lo + 2^(stride - len)), whose walks all reach n (or
 * end, n NULL) having matched best: n's own entries go on into its
 * children; the others end at n's mismatch. n is at least len bits. */
static void table_fill(struct lpm_trie *t, struct lpm_entry *tab,
		       struct lpm_node *n, struct lpm_node *best, uint32_t lo,
		       uint32_t len)
{
	uint32_t size = 1u << (t->stride - len), sub, sub_lo, plen;

	if (!n || (plen = node_plen(n)) >= t->stride) {
		table_set(tab + lo, size, n, best);
		return;
	}
	sub = 1u << (t->stride - plen);
	sub_lo = lpm_top_bits(node_word(n, 0), t->stride) & ~(sub - 1);
	if (sub_lo < lo || sub_lo >= lo + size) {
		table_set(tab + lo, size, NULL, best);
		return;
	}
	table_set(tab + lo, sub_lo - lo, NULL, best);
	table_set(tab + sub_lo + sub, lo + size - sub_lo - sub, NULL, best);
	if (!node_im(n))
		best = n;
	table_fill(t, tab, ld(&n->child[0]), best, sub_lo, plen + 1);
	table_fill(t, tab, ld(&n->child[1]), best, sub_lo + sub / 2,
		   plen + 1);
}

void lpm_table_create(struct lpm_trie *t)
{
	struct lpm_entry *tab;

	if (atomic_load_explicit(&t->table, memory_order_relaxed))
		return;
	tab = calloc((size_t)1 << t->stride, sizeof(*tab));
	if (!tab)
		return; /* lookups walk from the root, as before */
	table_fill(t, tab, ld(&t->root), NULL, 0, 0);
	atomic_store_explicit(&t->table, tab, memory_order_release);
}

/* t->path[depth] changed; t->path[0..depth] are the slots k's descent
 * took, so the slot's prefix is k's first (owner's length + 1) bits and
 * the longest element above it is among the owners on the way. */
void lpm_table_refresh(struct lpm_trie *t, uint32_t depth,
		       const struct lpm_key *k)
{
	struct lpm_entry *tab = atomic_load_explicit(&t->table,
						     memory_order_relaxed);
	struct lpm_node *best = NULL;
	uint32_t len = 0;

	if (!tab)
		return;
	for (uint32_t i = 0; i < depth; i++) {
		struct lpm_node *o = ld(t->path[i]);

		if (node_plen(o) >= t->stride)
			return; /* below the table's horizon */
		if (!node_im(o))
			best = o;
		len = node_plen(o) + 1;
	}
	lpm_readers_retry(t);
	table_fill(t, tab, ld(t->path[depth]), best,
		   lpm_top_bits(k->w[0], t->stride) &
			   ~((1u << (t->stride - len)) - 1),
		   len);
}
