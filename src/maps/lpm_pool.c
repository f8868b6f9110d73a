/* LPM trie nodes: carved from slabs that live as long as the map, and
 * recycled through a FIFO free list, never free()d before the map is
 * (map_priv.h's memory rule; lock-free readers may still walk an
 * unlinked node). */
#include <stdlib.h>
#include <string.h>

#include "maps/lpm_trie.h"
#include "maps/value_access.h"

#define LPM_QUARANTINE 64	/* freed nodes kept unused */
#define LPM_SLAB_BYTES (1u << 20)

static struct lpm_node *lpm_carve(struct lpm_trie *t)
{
	struct lpm_node *n;

	if (!t->fresh_left) {
		size_t want = t->nodes < 16 ? 16 : t->nodes;
		size_t cap = LPM_SLAB_BYTES / t->node_size;
		struct lpm_slab *s;

		if (want > cap)
			want = cap ? cap : 1;
		s = calloc(1, sizeof(*s) + want * t->node_size);
		if (!s)
			return NULL;
		s->next = t->slabs;
		t->slabs = s;
		t->fresh = s->mem;
		t->fresh_left = want;
	}
	n = (struct lpm_node *)t->fresh;
	t->fresh += t->node_size;
	t->fresh_left--;
	t->nodes++;
	atomic_fetch_add_explicit(&atomic_load(&t->slabs)->used, 1,
				  memory_order_release);
	return n;
}

/* Oldest freed node first, and only once LPM_QUARANTINE nodes wait, so
 * a node is reused as late as possible: a program still reading a value
 * it looked up before a delete rarely sees another element's. */
struct lpm_node *lpm_node_get(struct lpm_trie *t)
{
	struct lpm_node *n = t->free_head;

	if (t->free_count <= LPM_QUARANTINE)
		return lpm_carve(t);
	t->free_count--;
	t->free_head = n->next_free;
	if (!t->free_head)
		t->free_tail = NULL;
	lpm_readers_retry(t); /* they may be walking through n */
	return n;
}

void lpm_node_put(struct lpm_trie *t, struct lpm_node *n)
{
	if (!n)
		return;
	n->next_free = NULL;
	t->free_count++;
	if (t->free_tail)
		t->free_tail->next_free = n;
	else
		t->free_head = n;
	t->free_tail = n;
}

/* A node for bits (nwords words) and plen; value NULL: intermediate. */
void lpm_node_init(struct lpm_trie *t, struct lpm_node *n,
		   const uint64_t *bits, uint32_t plen, const void *value)
{
	atomic_store_explicit(&n->child[0], NULL, memory_order_relaxed);
	atomic_store_explicit(&n->child[1], NULL, memory_order_relaxed);
	atomic_store_explicit(&n->plen, plen, memory_order_relaxed);
	atomic_store_explicit(&n->flags, value ? 0 : LPM_IM,
			      memory_order_relaxed);
	for (uint32_t i = 0; i < t->nwords; i++)
		atomic_store_explicit(&n->bits[i], bits[i],
				      memory_order_relaxed);
	if (value)
		memcpy(node_value(t, n), value, t->map.value_size);
}

void lpm_pool_free(struct lpm_trie *t)
{
	while (t->slabs) {
		struct lpm_slab *s = t->slabs;

		t->slabs = s->next;
		free(s);
	}
}

/* Slabs grow with the trie up to LPM_SLAB_BYTES, then one per
 * LPM_SLAB_BYTES: a walk of O(log n) slabs, then O(nodes / 1 MiB). A
 * freed or intermediate node keeps its value bytes (map_priv.h's memory
 * rule: a program may still hold a pointer there), so they stay allowed. */
int lpm_value_access(const struct bpfvm_map *map, uint64_t addr,
		     unsigned size, bool write)
{
	const struct lpm_trie *t = (const struct lpm_trie *)map;
	uint64_t vals = sizeof(struct lpm_node) + (uint64_t)t->nwords * 8;

	for (const struct lpm_slab *s = atomic_load(&t->slabs); s;
	     s = s->next) {
		uint64_t i, off;

		if (!map_pool_slot(addr, (uintptr_t)s->mem,
				   atomic_load_explicit(&s->used,
							memory_order_acquire),
				   t->node_size, &i, &off))
			continue;
		return off < vals ? 0
				  : map_value_answer(map, off - vals, size, write);
	}
	return 0;
}
