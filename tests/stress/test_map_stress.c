/* Concurrency stress for maps: worker threads act as programs (the ops
 * helpers call: lookup, atomic adds through value pointers, updates and
 * deletes), one thread acts as user space (copies out, writes its own
 * keys, batch reads, map-in-map slot swaps with fresh inner maps, id
 * lookups), all at once. Afterwards every counter must hold exactly the
 * increments made: no lost updates, per-CPU slots summing up, and the
 * inner maps of a map-in-map counting every increment programs made
 * while their slot was swapped under them.
 *
 * Usage: test_map_stress [iterations per worker] (default 1000000; the
 * TSan build runs it with fewer). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>

#include "maps/map_priv.h"
#include "maps/map_rcu.h"

#define WORKERS 4
#define NKEYS 64	/* counter keys, touched by programs only */
#define NUKEYS 16	/* keys user space overwrites */
#define NINNER 3	/* persistent inner maps */
#define CHURN 32	/* hash keys inserted and deleted */

static atomic_int failures;

#define EXPECT(cond, ...)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                         \
			fprintf(stderr, "\n");                                \
			atomic_fetch_add(&failures, 1);                       \
		}                                                             \
	} while (0)

struct maps {
	struct bpfvm_map *array, *percpu, *outer, *hash, *phash;
	struct bpfvm_map *inner[NINNER];
};

struct worker {
	struct maps *m;
	unsigned id, cpu;
	uint64_t iters;
	uint64_t array[NKEYS], percpu[NKEYS], hash[NKEYS], inner_hits;
	uint64_t seed;
};

static atomic_bool stop_user;
static uint64_t user_rounds;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct bpfvm_map *make(enum bpf_map_type t, uint32_t ks, uint32_t vs,
			      uint32_t n, struct bpfvm_map *inner)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .inner_map = inner };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(t, ks, vs, n, &o, &m);

	return err ? NULL : m;
}

static void add(void *value)
{
	if (value)
		__atomic_fetch_add((uint64_t *)value, 1, __ATOMIC_RELAXED);
}

/* One program-like step on each map. */
static void worker_step(struct worker *w)
{
	struct maps *m = w->m;
	uint64_t r = rnd(&w->seed);
	uint32_t k = (uint32_t)(r % NKEYS), slot = (uint32_t)(r >> 32) % 2;
	uint64_t ck = NKEYS + (r >> 40) % CHURN, val[2] = { ck, r };
	struct bpfvm_map *inner;

	add(m->array->ops->lookup(m->array, &k));
	w->array[k]++;
	add(m->percpu->ops->lookup(m->percpu, &k));
	w->percpu[k]++;
	map_rcu_read_lock();
	inner = m->outer->ops->lookup(m->outer, &slot);
	if (inner) {
		add(inner->ops->lookup(inner, &(uint32_t){ 0 }));
		w->inner_hits += slot == 0;
	}
	map_rcu_read_unlock();
	if (!m->hash)
		return;
	uint64_t hk = k;
	void *hv = m->hash->ops->lookup(m->hash, &hk);

	EXPECT(hv != NULL, "counter key %u missing from the hash", k);
	add(hv);
	w->hash[k]++;
	if (r & 1)
		m->hash->ops->update(m->hash, &ck, val, BPF_ANY);
	else
		m->hash->ops->delete(m->hash, &ck);
	if (m->phash)
		add(m->phash->ops->lookup(m->phash, &hk));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	bpfvm_thread_set_cpu(w->cpu);
	for (uint64_t i = 0; i < w->iters; i++)
		worker_step(w);
	return NULL;
}

/* Slot 0 cycles through the persistent inner maps; slot 1 gets a fresh
 * map each time, whose only reference is the slot's. */
static void user_swap(struct maps *m, uint64_t *seed, uint32_t *last_id)
{
	uint32_t s0 = 0, s1 = 1, id;
	struct bpfvm_map *fresh, *got;

	id = bpfvm_map_id(m->inner[rnd(seed) % NINNER]);
	EXPECT(bpfvm_map_update(m->outer, &s0, &id, BPF_ANY) == 0,
	       "slot 0 update");
	fresh = make(BPF_MAP_TYPE_ARRAY, 4, 8, 4, NULL);
	if (!fresh)
		return;
	id = bpfvm_map_id(fresh);
	EXPECT(bpfvm_map_update(m->outer, &s1, &id, BPF_ANY) == 0,
	       "slot 1 update");
	bpfvm_map_free(fresh);
	if (rnd(seed) % 4 == 0)
		bpfvm_map_delete(m->outer, &s1);
	got = bpfvm_map_get_by_id(*last_id); /* may be gone: fine */
	bpfvm_map_free(got);
	*last_id = id;
}

static void user_reads(struct maps *m, uint64_t *seed, uint64_t *prev_sum)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	uint32_t k = (uint32_t)(rnd(seed) % NKEYS), keys[NKEYS], out, n;
	uint64_t v[2], *pc = calloc(ncpu, 8), sum = 0, vals[NKEYS * 2];

	if (!pc)
		return;
	bpfvm_map_lookup(m->array, &k, v, 0);
	if (bpfvm_map_lookup(m->percpu, &k, pc, 0) == 0) {
		for (unsigned c = 0; c < ncpu; c++)
			sum += pc[c];
		EXPECT(sum >= prev_sum[k], "per-CPU sum of %u went back", k);
		prev_sum[k] = sum;
	}
	n = NKEYS;
	bpfvm_map_lookup_batch(m->array, NULL, &out, keys, vals, &n, NULL);
	bpfvm_map_lookup(m->outer, &(uint32_t){ 0 }, &out, 0);
	free(pc);
}

static void *user_main(void *arg)
{
	struct maps *m = arg;
	uint64_t seed = 0x1234567, prev_sum[NKEYS] = { 0 }, v[2];
	uint32_t last_id = 0;

	while (!atomic_load(&stop_user)) {
		uint32_t k = NKEYS + (uint32_t)(rnd(&seed) % NUKEYS);

		v[0] = v[1] = seed;
		EXPECT(bpfvm_map_update(m->array, &k, v, BPF_ANY) == 0,
		       "user update");
		user_reads(m, &seed, prev_sum);
		user_swap(m, &seed, &last_id);
		if (m->hash) {
			uint64_t hk = NKEYS + rnd(&seed) % CHURN;

			bpfvm_map_lookup(m->hash, &hk, v, 0);
		}
		user_rounds++;
	}
	return NULL;
}

static int setup(struct maps *m)
{
	uint64_t zero[2] = { 0 };

	m->array = make(BPF_MAP_TYPE_ARRAY, 4, 16, NKEYS + NUKEYS, NULL);
	m->percpu = make(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, NKEYS, NULL);
	for (int i = 0; i < NINNER; i++)
		m->inner[i] = make(BPF_MAP_TYPE_ARRAY, 4, 8, 4, NULL);
	m->outer = make(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, m->inner[0]);
	/* hash types join when they exist */
	m->hash = make(BPF_MAP_TYPE_HASH, 8, 16, NKEYS + CHURN, NULL);
	m->phash = make(BPF_MAP_TYPE_PERCPU_HASH, 8, 8, NKEYS, NULL);
	if (!m->array || !m->percpu || !m->outer || !m->inner[NINNER - 1])
		return -1;
	for (uint64_t k = 0; m->hash && k < NKEYS; k++)
		if (m->hash->ops->update(m->hash, &k, zero, BPF_NOEXIST))
			return -1;
	for (uint64_t k = 0; m->phash && k < NKEYS; k++)
		if (m->phash->ops->update(m->phash, &k, zero, BPF_NOEXIST))
			return -1;
	uint32_t id = bpfvm_map_id(m->inner[0]);

	return bpfvm_map_update(m->outer, &(uint32_t){ 0 }, &id, 0);
}

static uint64_t percpu_sum(struct bpfvm_map *map, const void *key)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	uint64_t sum = 0;

	for (unsigned c = 0; c < ncpu; c++)
		sum += *(uint64_t *)map->ops->lookup_percpu(map, key, c);
	return sum;
}

static void verify(struct maps *m, struct worker *w)
{
	uint64_t inner_total = 0, hits = 0;

	for (uint32_t k = 0; k < NKEYS; k++) {
		uint64_t a = 0, p = 0, h = 0, hk = k;

		for (int i = 0; i < WORKERS; i++) {
			a += w[i].array[k];
			p += w[i].percpu[k];
			h += w[i].hash[k];
		}
		EXPECT(*(uint64_t *)m->array->ops->lookup(m->array, &k) == a,
		       "array key %u lost updates", k);
		EXPECT(percpu_sum(m->percpu, &k) == p,
		       "per-CPU key %u lost updates", k);
		if (m->hash)
			EXPECT(*(uint64_t *)m->hash->ops->lookup(m->hash, &hk) ==
				       h, "hash key %u lost updates", k);
		if (m->phash)
			EXPECT(percpu_sum(m->phash, &hk) == h,
			       "per-CPU hash key %u lost updates", k);
	}
	for (int i = 0; i < NINNER; i++)
		inner_total += *(uint64_t *)m->inner[i]->ops->lookup(
			m->inner[i], &(uint32_t){ 0 });
	for (int i = 0; i < WORKERS; i++)
		hits += w[i].inner_hits;
	EXPECT(inner_total == hits, "inner maps: %llu increments, %llu hits",
	       (unsigned long long)inner_total, (unsigned long long)hits);
}

/* Each CPU slot holds exactly what the workers on it added. */
static void verify_slots(struct maps *m, struct worker *w)
{
	unsigned ncpu = bpfvm_num_possible_cpus();

	for (uint32_t k = 0; k < NKEYS; k++)
		for (unsigned c = 0; c < ncpu; c++) {
			uint64_t want = 0;

			for (int i = 0; i < WORKERS; i++)
				if (w[i].cpu == c)
					want += w[i].percpu[k];
			EXPECT(*(uint64_t *)m->percpu->ops->lookup_percpu(
				       m->percpu, &k, c) == want,
			       "key %u cpu %u", k, c);
		}
}

static void teardown(struct maps *m)
{
	bpfvm_map_free(m->array);
	bpfvm_map_free(m->percpu);
	bpfvm_map_free(m->outer);
	bpfvm_map_free(m->hash);
	bpfvm_map_free(m->phash);
	for (int i = 0; i < NINNER; i++)
		bpfvm_map_free(m->inner[i]);
}

int main(int argc, char **argv)
{
	uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
	static struct worker w[WORKERS];
	struct maps m = { 0 };
	pthread_t t[WORKERS], user;

	if (setup(&m)) {
		fprintf(stderr, "FAIL: setting up the maps\n");
		return 1;
	}
	for (unsigned i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .m = &m, .id = i, .iters = iters,
					.cpu = i % bpfvm_num_possible_cpus(),
					.seed = 0x9e3779b97f4a7c15ull * (i + 1) };
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	pthread_create(&user, NULL, user_main, &m);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	atomic_store(&stop_user, true);
	pthread_join(user, NULL);
	verify(&m, w);
	verify_slots(&m, w);
	teardown(&m);
	printf("%llu program steps on %d threads, %llu user-space rounds "
	       "(%s), %d failures\n", (unsigned long long)iters * WORKERS,
	       WORKERS, (unsigned long long)user_rounds,
	       m.hash ? "array, per-CPU, map-in-map, hash" :
			"array, per-CPU, map-in-map", atomic_load(&failures));
	return atomic_load(&failures) ? 1 : 0;
}
