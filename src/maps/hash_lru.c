/* The LRU lists of the LRU hash types (htab_lru.h): CLOCK eviction over
 * preallocated elements. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "maps/htab_lru.h"

_Static_assert(sizeof(struct htab_lru_node) % 8 == 0,
	       "elements stay 8-aligned behind their LRU node");

struct htab_lru_list {
	_Atomic uint32_t lock;
	uint32_t ninuse;
	struct htab_lru_node *head, *tail;	/* in use, most recent first */
	struct htab_lru_node *free;
	size_t bump, end;	/* chunk elements not handed out yet */
} __attribute__((aligned(64)));

struct htab_lru {
	struct htab_chunk *chunk;
	unsigned nlists;
	struct htab_lru_list lists[];
};

/* Updates racing for the last elements of a list wait this many times
 * for one of them to finish before giving up with -ENOMEM. */
#define HTAB_LRU_TRIES 64

static struct htab_elem *lru_elem(struct htab_lru_node *n)
{
	return (struct htab_elem *)(n + 1);
}

static void lru_del(struct htab_lru_list *l, struct htab_lru_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	l->ninuse--;
}

static void lru_add_head(struct htab_lru_list *l, struct htab_lru_node *n)
{
	n->prev = NULL;
	n->next = l->head;
	if (l->head)
		l->head->prev = n;
	else
		l->tail = n;
	l->head = n;
	l->ninuse++;
}

static struct htab_lru_node *lru_take_free(struct htab *h,
					   struct htab_lru_list *l)
{
	struct htab_lru_node *n = l->free;

	if (n) {
		l->free = n->next;
		return n;
	}
	if (l->bump == l->end)
		return NULL;
	n = htab_lru_node(htab_chunk_elem(h, h->lru->chunk, l->bump++));
	n->owner = (uint32_t)(l - h->lru->lists);
	return n;
}

/* Second chance from the oldest end; two rounds clear every bit. An
 * element not in its bucket is in flight (being keyed, or deleted and on
 * its way back here): it goes round again. */
static struct htab_lru_node *lru_evict(struct htab *h,
				       struct htab_lru_list *l)
{
	for (uint64_t i = 2 * (uint64_t)l->ninuse; i && l->tail; i--) {
		struct htab_lru_node *n = l->tail;

		lru_del(l, n);
		if (atomic_load_explicit(&n->ref, memory_order_relaxed))
			atomic_store_explicit(&n->ref, 0, memory_order_relaxed);
		else if (htab_unlink_locked(h, lru_elem(n)))
			return n;
		lru_add_head(l, n);
	}
	return NULL;
}

struct htab_elem *htab_lru_pop(struct htab *h)
{
	struct htab_lru *lru = h->lru;
	struct htab_lru_list *l =
		&lru->lists[lru->nlists > 1 ? map_cpu_current() % lru->nlists
					    : 0];

	for (unsigned tries = 0; tries < HTAB_LRU_TRIES; tries++) {
		struct htab_lru_node *n;

		htab_lock(&l->lock);
		n = lru_take_free(h, l);
		if (!n)
			n = lru_evict(h, l);
		if (n) {
			atomic_store_explicit(&n->ref, 0, memory_order_relaxed);
			lru_add_head(l, n);
		}
		htab_unlock(&l->lock);
		if (n)
			return lru_elem(n);
		sched_yield();
	}
	return NULL;
}

void htab_lru_push_free(struct htab *h, struct htab_elem *e)
{
	struct htab_lru_node *n = htab_lru_node(e);
	struct htab_lru_list *l = &h->lru->lists[n->owner];

	htab_lock(&l->lock);
	lru_del(l, n);
	n->next = l->free;
	l->free = n;
	htab_unlock(&l->lock);
}

int htab_lru_init(struct htab *h, bool percpu_lists)
{
	unsigned nlists = percpu_lists ? bpfvm_num_possible_cpus() : 1;
	size_t per = h->map.max_entries / nlists;
	size_t bytes = sizeof(struct htab_lru) +
		       nlists * sizeof(struct htab_lru_list);
	struct htab_lru *lru = aligned_alloc(64, (bytes + 63) & ~(size_t)63);

	if (!lru)
		return -ENOMEM;
	memset(lru, 0, bytes);
	h->lru = lru;
	lru->nlists = nlists;
	lru->chunk = htab_chunk_alloc(h, h->map.max_entries);
	if (!lru->chunk)
		return -ENOMEM;
	lru->chunk->n = h->map.max_entries;
	for (unsigned i = 0; i < nlists; i++) {
		lru->lists[i].bump = i * per;
		lru->lists[i].end = (i + 1) * per;
	}
	return 0;
}

void htab_lru_destroy(struct htab *h)
{
	if (!h->lru)
		return;
	free(h->lru->chunk);
	free(h->lru);
	h->lru = NULL;
}

/* One chunk of max_entries elements, handed out per list. */
int htab_lru_value_access(const struct htab *h, uint64_t addr,
			  unsigned size, bool write)
{
	return htab_chunk_value_access(h, h->lru->chunk, h->lru->chunk->n,
				       addr, size, write);
}
