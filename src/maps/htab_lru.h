/* The LRU of LRU_HASH and LRU_PERCPU_HASH: every element is preallocated
 * and belongs to one list -- the map's only list, or with
 * BPF_F_NO_COMMON_LRU one per CPU slot, each with max_entries / CPUs
 * elements (an update takes from its own CPU's list, as the kernel's).
 *
 * Policy: CLOCK (second chance), an approximation of LRU as the kernel's
 * active/inactive lists are. A list keeps its elements in use most recent
 * first; an update takes a free element, else evicts: it scans from the
 * oldest end, moving elements whose reference bit is set to the front
 * (clearing the bit) and evicting the first one without it. Lookups by
 * programs set the bit (a plain store, no lock); user-space lookups and
 * iteration do not, as in the kernel. So with a full map an update always
 * succeeds, and elements looked up since they last came around survive
 * the next eviction scans.
 *
 * Locks: list lock, then bucket lock (eviction); the table never takes a
 * list lock while holding a bucket lock. */
#ifndef BPFVM_MAPS_HTAB_LRU_H
#define BPFVM_MAPS_HTAB_LRU_H

#include "maps/htab.h"

/* In front of each element (struct htab's prefix). */
struct htab_lru_node {
	struct htab_lru_node *prev, *next;	/* list lock */
	uint32_t owner;				/* list index */
	_Atomic uint8_t ref;			/* used since last scan */
};

static inline struct htab_lru_node *htab_lru_node(const struct htab_elem *e)
{
	return (struct htab_lru_node *)((uint8_t *)e -
					sizeof(struct htab_lru_node));
}

/* Mark as used: a load and, the first time, a store. */
static inline void htab_lru_mark(const struct htab_elem *e)
{
	_Atomic uint8_t *ref = &htab_lru_node(e)->ref;

	if (!atomic_load_explicit(ref, memory_order_relaxed))
		atomic_store_explicit(ref, 1, memory_order_relaxed);
}

/* percpu_lists: BPF_F_NO_COMMON_LRU. */
int htab_lru_init(struct htab *h, bool percpu_lists);
void htab_lru_destroy(struct htab *h);
/* An element for a new key (the caller keys it and links it, or gives it
 * back with htab_lru_push_free); evicts when the list has none free.
 * NULL only when every element is in flight in other updates. */
struct htab_elem *htab_lru_pop(struct htab *h);
/* htab_release_fn: back to its list's free elements. */
void htab_lru_push_free(struct htab *h, struct htab_elem *e);

#endif
