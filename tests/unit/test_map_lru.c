/* LRU_HASH and LRU_PERCPU_HASH: attribute checks, the eviction order
 * (CLOCK: programs' lookups set a reference bit, user-space lookups do
 * not), updates into a full map, per-CPU lists (BPF_F_NO_COMMON_LRU),
 * per-CPU values, and concurrent updates / lookups / deletes. */
#include <stdatomic.h>

#include "htab_test.h"

#define LRU BPF_MAP_TYPE_LRU_HASH
#define LRU_PCPU BPF_MAP_TYPE_LRU_PERCPU_HASH

static void test_create(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map_opts o = { .sz = sizeof(o), .has_spin_lock = true };
	struct bpfvm_map *m = NULL;

	CHECK_EQ_U64(ht_create_err(LRU, 8, 8, 16, BPF_F_NO_PREALLOC),
		     -ENOTSUPP);
	CHECK_EQ_U64(ht_create_err(LRU_PCPU, 8, 8, 16, BPF_F_NO_PREALLOC),
		     -ENOTSUPP);
	CHECK_EQ_U64(ht_create_err(LRU, 0, 8, 16, 0), -EINVAL);
	CHECK_EQ_U64(ht_create_err(LRU, 8, 8, 0, 0), -EINVAL);
	CHECK_EQ_U64(ht_create_err(LRU, 8, 8, 16, BPF_F_MMAPABLE), -EINVAL);
	CHECK_EQ_U64(ht_create_err(LRU, 8, 8, 16, BPF_F_NUMA_NODE), 0);
	CHECK_EQ_U64(ht_create_err(LRU, 8, 8, 16,
				   BPF_F_NUMA_NODE | BPF_F_NO_COMMON_LRU),
		     -EINVAL);
	CHECK_EQ_U64(ht_create_err(LRU_PCPU, 8, 8, 16, BPF_F_NUMA_NODE),
		     -EINVAL);
	CHECK_EQ_U64(ht_create_err(LRU_PCPU, 8, 32769, 16, 0), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_create(LRU, 4, 8, 16, &o, &m), -EOPNOTSUPP);
	/* per-CPU lists: max_entries becomes a multiple of the CPUs */
	m = ht_new(LRU, 8, 8, 5, BPF_F_NO_COMMON_LRU);
	CHECK_EQ_U64(m ? bpfvm_map_max_entries(m) : 0,
		     (5 + ncpu - 1) / ncpu * ncpu);
	bpfvm_map_free(m);
}

static bool present(struct bpfvm_map *m, uint64_t k)
{
	return ht_get(m, k) != ~(uint64_t)0;
}

/* Insert 0..7 into 8 slots, then watch who goes. */
static void test_evict_order(void)
{
	struct bpfvm_map *m = ht_new(LRU, 8, 8, 8, 0);
	uint64_t k = 2, v;

	for (uint64_t i = 0; i < 8; i++)
		CHECK_EQ_U64(ht_put(m, i, i, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_keys(m, NULL, 64), 8);
	CHECK_EQ_U64(ht_put(m, 8, 8, BPF_NOEXIST), 0); /* full: evicts */
	CHECK(!present(m, 0) && present(m, 1) && present(m, 8));
	CHECK_EQ_U64(ht_get(m, 1), 1); /* user space does not mark */
	CHECK_EQ_U64(ht_put(m, 9, 9, 0), 0);
	CHECK(!present(m, 1));
	v = *(uint64_t *)m->ops->lookup(m, &k); /* a program does */
	CHECK_EQ_U64(v, 2);
	CHECK_EQ_U64(ht_put(m, 10, 10, 0), 0);
	CHECK(present(m, 2) && !present(m, 3));
	CHECK_EQ_U64(ht_keys(m, NULL, 64), 8);
	bpfvm_map_free(m);
}

/* Keys a program looked up survive a wave of new keys. */
static void test_keeps_used(void)
{
	struct bpfvm_map *m = ht_new(LRU, 8, 8, 100, 0);
	uint64_t k;

	for (k = 0; k < 100; k++)
		CHECK_EQ_U64(ht_put(m, k, k, 0), 0);
	for (k = 0; k < 30; k++)
		CHECK(m->ops->lookup(m, &k) != NULL);
	for (k = 100; k < 150; k++)
		CHECK_EQ_U64(ht_put(m, k, k, 0), 0);
	for (k = 0; k < 150; k++)
		CHECK_EQ_U64(present(m, k), k < 30 || k >= 80);
	CHECK_EQ_U64(ht_keys(m, NULL, 256), 100);
	bpfvm_map_free(m);
}

static void test_flags(void)
{
	struct bpfvm_map *m = ht_new(LRU, 8, 8, 4, 0);
	uint64_t k = 3, v;

	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ_U64(ht_put(m, i, i, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_put(m, 3, 33, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(ht_put(m, 9, 9, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(ht_put(m, 3, 3, 4), -EINVAL);
	CHECK_EQ_U64(ht_put(m, 3, 3, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(m->ops->update(m, &k, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(ht_put(m, 3, 34, BPF_EXIST), 0);
	CHECK_EQ_U64(ht_get(m, 3), 34);
	CHECK(ht_keys(m, NULL, 16) <= 4);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v, 34);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_delete(m, &(uint64_t){ 2 }), 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &(uint64_t){ 77 }, &v), 0);
	bpfvm_map_free(m);
}

/* The element is taken (evicting) before the key is looked up, as in
 * the kernel: replacing a value in a full map costs the oldest key. */
static void test_full_replace(void)
{
	struct bpfvm_map *m = ht_new(LRU, 8, 8, 4, 0);

	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ_U64(ht_put(m, i, i, 0), 0);
	CHECK_EQ_U64(ht_put(m, 3, 30, BPF_ANY), 0);
	CHECK_EQ_U64(ht_get(m, 3), 30);
	CHECK(!present(m, 0));
	CHECK_EQ_U64(ht_keys(m, NULL, 16), 3);
	bpfvm_map_free(m);
}

static void test_percpu_values(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map *m = ht_new(LRU_PCPU, 4, 8, 4, 0);
	uint64_t *in = calloc(ncpu, 8), *out = calloc(ncpu, 8), one = 1;
	uint32_t k = 1;

	for (unsigned c = 0; c < ncpu; c++)
		in[c] = 100 + c;
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, 0), 0);
	CHECK(memcmp(in, out, ncpu * 8) == 0);
	CHECK_EQ_U64(*(uint64_t *)m->ops->lookup_percpu(m, &k, ncpu - 1),
		     100 + ncpu - 1);
	CHECK(m->ops->lookup_percpu(m, &k, ncpu) == NULL);
	bpfvm_thread_set_cpu(0);
	CHECK_EQ_U64(m->ops->update(m, &k, &one, BPF_EXIST), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, 0), 0);
	CHECK_EQ_U64(out[0], 1);
	CHECK_EQ_U64(out[ncpu - 1], ncpu > 1 ? 100 + ncpu - 1 : 1);
	for (uint32_t i = 2; i <= 4; i++)
		CHECK_EQ_U64(bpfvm_map_update(m, &i, in, 0), 0);
	/* BPF_EXIST writes in place: no element taken, nothing evicted */
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_EXIST), 0);
	CHECK_EQ_U64(ht_keys(m, NULL, 16), 4);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_ANY), 0);
	CHECK_EQ_U64(ht_keys(m, NULL, 16), 3);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, out, 0), 0);
	CHECK(memcmp(in, out, ncpu * 8) == 0);
	free(in);
	free(out);
	bpfvm_map_free(m);
}

/* BPF_F_NO_COMMON_LRU: a thread fills only its own CPU's share. */
struct share_arg {
	struct bpfvm_map *m;
	unsigned cpu;
	uint64_t base;
};

static void *share_thread(void *p)
{
	struct share_arg *a = p;
	uint32_t max = bpfvm_map_max_entries(a->m);

	bpfvm_thread_set_cpu(a->cpu);
	for (uint64_t i = 0; i < max; i++)
		CHECK_EQ_U64(ht_put(a->m, a->base + i, i, 0), 0);
	return NULL;
}

static void test_percpu_lists(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct share_arg a = { ht_new(LRU, 8, 8, 4 * ncpu,
				      BPF_F_NO_COMMON_LRU), 0, 0 };

	if (!a.m)
		return;
	ht_run(1, share_thread, &a, 0);
	CHECK_EQ_U64(ht_keys(a.m, NULL, 1024), 4);
	CHECK(present(a.m, 4 * ncpu - 1));
	CHECK_EQ_U64(present(a.m, 0), ncpu == 1);
	if (ncpu > 1) {
		a = (struct share_arg){ a.m, 1, 1000 };
		ht_run(1, share_thread, &a, 0);
		CHECK_EQ_U64(ht_keys(a.m, NULL, 1024), 8);
	}
	bpfvm_map_free(a.m);
}

/* ---- concurrency: updates into a full map always succeed, a value read
 * belongs to its key, and the map never holds more than max_entries. */

#define MT_THREADS 3
#define MT_MAX 256
#define MT_OPS 200000

struct mt_arg {
	struct bpfvm_map *m;
	unsigned id;
	long errors;
};

static long mt_step(struct bpfvm_map *m, uint64_t r)
{
	uint64_t k = (r >> 16) % (4 * MT_MAX), v[2] = { k, r }, *p;

	switch (r % 8) {
	case 0: /* may be absent: either answer is right */
		bpfvm_map_delete(m, &k);
		return 0;
	case 1:
	case 2:
		return bpfvm_map_update(m, &k, v, BPF_ANY) != 0;
	case 3:
		return m->ops->update(m, &k, v, BPF_ANY) != 0;
	case 4: /* marks it; the element may be reused right after */
		p = m->ops->lookup(m, &k);
		return p && __atomic_load_n(p, __ATOMIC_RELAXED) >= 4 * MT_MAX;
	default:
		return !bpfvm_map_lookup(m, &k, v, 0) && v[0] != k;
	}
}

static void *mt_thread(void *p)
{
	struct mt_arg *a = p;
	uint64_t s = a->id * 104729 + 7;

	bpfvm_thread_set_cpu(a->id % bpfvm_num_possible_cpus());
	for (long n = 0; n < MT_OPS; n++)
		a->errors += mt_step(a->m, ht_rand(&s));
	return NULL;
}

static void test_threads(uint32_t flags)
{
	struct bpfvm_map *m = ht_new(LRU, 8, 16, MT_MAX, flags);
	struct mt_arg a[MT_THREADS];
	uint64_t keys[MT_MAX * 2], v[2];
	long n;

	if (!m)
		return;
	for (unsigned t = 0; t < MT_THREADS; t++)
		a[t] = (struct mt_arg){ m, t, 0 };
	ht_run(MT_THREADS, mt_thread, a, sizeof(*a));
	for (unsigned t = 0; t < MT_THREADS; t++)
		CHECK_EQ_U64(a[t].errors, 0);
	n = ht_keys(m, keys, MT_MAX * 2);
	CHECK(n > 0 && n <= MT_MAX);
	for (long i = 0; i < n; i++)
		CHECK(!bpfvm_map_lookup(m, &keys[i], v, 0) && v[0] == keys[i]);
	bpfvm_map_free(m);
}

int main(void)
{
	test_create();
	test_evict_order();
	test_keeps_used();
	test_flags();
	test_full_replace();
	test_percpu_values();
	test_percpu_lists();
	test_threads(0);
	test_threads(BPF_F_NO_COMMON_LRU);
	return check_report();
}
