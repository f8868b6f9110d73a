/* Elements of HASH, PERCPU_HASH and HASH_OF_MAPS: chunks handed out by a
 * bump index, then recycled through free lists, one per CPU slot (as the
 * kernel's pcpu_freelist). Nothing goes back to malloc before the map is
 * destroyed, so a value pointer a program holds stays map memory.
 *
 * Fullness is a count of elements in the table, not the pool's size: an
 * update replacing a value takes a second element before it frees the
 * first, and a momentarily empty pool just grows (the kernel keeps one
 * spare element per CPU for that). */
#include <errno.h>
#include <stdlib.h>

#include "maps/htab.h"

struct htab_free_list {
	_Atomic uint32_t lock;
	_Atomic(struct htab_elem *) head;	/* written under lock */
} __attribute__((aligned(64)));

struct htab_pool {
	struct htab_free_list *lists;
	unsigned nlists;
	_Atomic(struct htab_chunk *) cur;	/* the chunk being bumped */
	pthread_mutex_t grow_lock;
	/* all of them (written under grow_lock; checked runs read it) */
	_Atomic(struct htab_chunk *) chunks;
	size_t total;				/* their elements (grow_lock) */
	size_t quota;				/* max_entries + spares */
};

/* Growing on demand (BPF_F_NO_PREALLOC): double, from this many. */
#define HTAB_POOL_MIN_GROW 16u

static struct htab_elem *htab_free_pop(struct htab_free_list *l)
{
	struct htab_elem *e;

	if (!atomic_load_explicit(&l->head, memory_order_relaxed))
		return NULL;
	htab_lock(&l->lock);
	e = atomic_load_explicit(&l->head, memory_order_relaxed);
	if (e)
		atomic_store_explicit(&l->head, e->free_next,
				      memory_order_relaxed);
	htab_unlock(&l->lock);
	return e;
}

static struct htab_elem *htab_chunk_take(struct htab *h, struct htab_chunk *c)
{
	size_t i;

	if (!c)
		return NULL;
	i = atomic_fetch_add_explicit(&c->bump, 1, memory_order_relaxed);
	return i < c->n ? htab_chunk_elem(h, c, i) : NULL;
}

/* Adds a chunk of n elements and makes it the one to bump; grow_lock. */
static int htab_pool_add(struct htab *h, size_t n)
{
	struct htab_pool *p = h->pool;
	struct htab_chunk *c = htab_chunk_alloc(h, n);

	if (!c)
		return -ENOMEM;
	c->n = n;
	c->next = p->chunks;
	p->chunks = c;
	p->total += n;
	atomic_store_explicit(&p->cur, c, memory_order_release);
	return 0;
}

static size_t htab_pool_grow_size(const struct htab_pool *p)
{
	size_t n = p->total > HTAB_POOL_MIN_GROW ? p->total : HTAB_POOL_MIN_GROW;

	if (p->total >= p->quota) /* only concurrent replacements get here */
		return HTAB_POOL_MIN_GROW;
	return n < p->quota - p->total ? n : p->quota - p->total;
}

static struct htab_elem *htab_pool_grow(struct htab *h)
{
	struct htab_pool *p = h->pool;
	struct htab_elem *e;

	pthread_mutex_lock(&p->grow_lock);
	e = htab_chunk_take(h, atomic_load(&p->cur)); /* grown meanwhile? */
	if (!e && !htab_pool_add(h, htab_pool_grow_size(p)))
		e = htab_chunk_take(h, atomic_load(&p->cur));
	pthread_mutex_unlock(&p->grow_lock);
	return e;
}

struct htab_elem *htab_pool_get(struct htab *h)
{
	struct htab_pool *p = h->pool;
	unsigned me = map_cpu_current() % p->nlists;
	struct htab_elem *e = htab_free_pop(&p->lists[me]);

	if (!e)
		e = htab_chunk_take(h, atomic_load_explicit(
					       &p->cur, memory_order_acquire));
	for (unsigned i = 1; !e && i < p->nlists; i++)
		e = htab_free_pop(&p->lists[(me + i) % p->nlists]);
	return e ? e : htab_pool_grow(h);
}

void htab_pool_put(struct htab *h, struct htab_elem *e)
{
	struct htab_pool *p = h->pool;
	struct htab_free_list *l = &p->lists[map_cpu_current() % p->nlists];

	htab_lock(&l->lock);
	e->free_next = atomic_load_explicit(&l->head, memory_order_relaxed);
	atomic_store_explicit(&l->head, e, memory_order_relaxed);
	htab_unlock(&l->lock);
}

int htab_pool_init(struct htab *h, bool prealloc)
{
	struct htab_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	h->pool = p;
	p->nlists = bpfvm_num_possible_cpus();
	p->quota = (size_t)h->map.max_entries + p->nlists;
	pthread_mutex_init(&p->grow_lock, NULL);
	p->lists = aligned_alloc(64, p->nlists * sizeof(*p->lists));
	if (!p->lists)
		return -ENOMEM;
	for (unsigned i = 0; i < p->nlists; i++) {
		atomic_init(&p->lists[i].lock, 0);
		atomic_init(&p->lists[i].head, NULL);
	}
	return prealloc ? htab_pool_add(h, p->quota) : 0;
}

void htab_pool_destroy(struct htab *h)
{
	struct htab_pool *p = h->pool;
	struct htab_chunk *c;

	if (!p)
		return;
	while ((c = p->chunks)) {
		p->chunks = c->next;
		free(c);
	}
	pthread_mutex_destroy(&p->grow_lock);
	free(p->lists);
	free(p);
	h->pool = NULL;
}

int htab_count_inc(struct htab *h)
{
	uint32_t n = atomic_load_explicit(&h->count, memory_order_relaxed);

	do {
		if (n >= h->map.max_entries)
			return -E2BIG;
	} while (!atomic_compare_exchange_weak_explicit(
		&h->count, &n, n + 1, memory_order_relaxed,
		memory_order_relaxed));
	return 0;
}

void htab_count_dec(struct htab *h)
{
	atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
}

void htab_pool_release(struct htab *h, struct htab_elem *e)
{
	htab_count_dec(h);
	htab_pool_put(h, e);
}

/* Chunks double as the pool grows: O(log n) of them. Elements not yet
 * handed out (past bump) hold no value. */
int htab_pool_value_access(const struct htab *h, uint64_t addr,
			   unsigned size, bool write)
{
	for (const struct htab_chunk *c = atomic_load(&h->pool->chunks); c;
	     c = c->next) {
		int r = htab_chunk_value_access(
			h, c, atomic_load_explicit(&c->bump,
						   memory_order_relaxed),
			addr, size, write);

		if (r)
			return r;
	}
	return 0;
}
