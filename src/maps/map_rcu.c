/* Epoch-based grace periods (see map_rcu.h). A reader publishes the
 * global epoch it saw when its outermost read section began (0: not in
 * one). A retired map is tagged with the epoch the retirement started; it
 * may go once every reader is outside a section or began in that epoch or
 * later, since such a reader began after the map was unpublished. */
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>

#include "maps/map_rcu.h"

struct map_rcu_reader {
	_Atomic uint64_t epoch;		/* 0: quiescent */
	unsigned nest;			/* owner thread only */
	atomic_bool taken;		/* a live thread owns this record */
	struct map_rcu_reader *next;	/* never removed: records are reused */
};

struct map_retired {
	struct map_retired *next;
	struct bpfvm_map *map;
	uint64_t epoch;
};

static _Atomic(struct map_rcu_reader *) readers;
static _Atomic uint64_t global_epoch = 1;
static atomic_bool rcu_used;
static atomic_bool rcu_blind;	/* a reader could not register: keep all */
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static _Thread_local struct map_rcu_reader *self;

static void reader_release(void *p)
{
	struct map_rcu_reader *r = p;

	r->nest = 0;
	atomic_store(&r->epoch, 0);
	atomic_store(&r->taken, false);
}

static void exit_key_init(void)
{
	pthread_key_create(&exit_key, reader_release);
}

/* A free record from the list, or a new one; NULL when out of memory. */
static struct map_rcu_reader *reader_claim(void)
{
	struct map_rcu_reader *r;

	for (r = atomic_load(&readers); r; r = r->next) {
		bool no = false;

		if (atomic_compare_exchange_strong(&r->taken, &no, true))
			return r;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	atomic_init(&r->taken, true);
	r->next = atomic_load(&readers);
	while (!atomic_compare_exchange_weak(&readers, &r->next, r))
		;
	return r;
}

static struct map_rcu_reader *reader_self(void)
{
	if (__builtin_expect(!self, 0)) {
		pthread_once(&exit_once, exit_key_init);
		self = reader_claim();
		if (self)
			pthread_setspecific(exit_key, self);
		atomic_store(&rcu_used, true);
	}
	return self;
}

void map_rcu_read_lock(void)
{
	struct map_rcu_reader *r = reader_self();

	if (!r) { /* out of memory: unseen readers, so release nothing */
		atomic_store(&rcu_blind, true);
		return;
	}
	if (r->nest++ == 0) {
		atomic_store_explicit(&r->epoch,
				      atomic_load_explicit(&global_epoch,
							   memory_order_relaxed),
				      memory_order_relaxed);
		/* published before any pointer of the section is read */
		atomic_thread_fence(memory_order_seq_cst);
	}
}

void map_rcu_read_unlock(void)
{
	struct map_rcu_reader *r = self;

	if (r && r->nest && --r->nest == 0)
		atomic_store_explicit(&r->epoch, 0, memory_order_release);
}

/* The oldest epoch a running section began in (UINT64_MAX: none). */
static uint64_t oldest_reader(void)
{
	uint64_t min = UINT64_MAX;

	atomic_thread_fence(memory_order_seq_cst);
	for (struct map_rcu_reader *r = atomic_load(&readers); r; r = r->next) {
		uint64_t e = atomic_load(&r->epoch);

		if (e && e < min)
			min = e;
	}
	return min;
}

void map_retire_init(struct map_retire_list *l)
{
	pthread_mutex_init(&l->lock, NULL);
	l->head = NULL;
}

/* Release what no reader can still hold; lock held. */
static void retire_reclaim(struct map_retire_list *l)
{
	struct map_retired **pp = &l->head, *e;
	uint64_t min;

	if (!atomic_load(&rcu_used) || atomic_load(&rcu_blind) || !l->head)
		return;
	min = oldest_reader();
	while ((e = *pp)) {
		if (e->epoch <= min) {
			*pp = e->next;
			map_put(e->map);
			free(e);
		} else {
			pp = &e->next;
		}
	}
}

void map_retire(struct map_retire_list *l, struct bpfvm_map *map)
{
	struct map_retired *e = malloc(sizeof(*e));
	uint64_t epoch = atomic_fetch_add(&global_epoch, 1) + 1;

	if (!e) { /* no memory to defer: wait out the readers instead */
		bool known = atomic_load(&rcu_used) && !atomic_load(&rcu_blind);

		while (known && oldest_reader() < epoch)
			sched_yield();
		if (known)
			map_put(map);
		/* else: leaked, as no reader can be proven gone */
		return;
	}
	e->map = map;
	e->epoch = epoch;
	pthread_mutex_lock(&l->lock);
	e->next = l->head;
	l->head = e;
	retire_reclaim(l);
	pthread_mutex_unlock(&l->lock);
}

void map_retire_drain(struct map_retire_list *l)
{
	struct map_retired *e;

	pthread_mutex_lock(&l->lock);
	while ((e = l->head)) {
		l->head = e->next;
		map_put(e->map);
		free(e);
	}
	pthread_mutex_unlock(&l->lock);
	pthread_mutex_destroy(&l->lock);
}
