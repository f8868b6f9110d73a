/* HASH, PERCPU_HASH and HASH_OF_MAPS: attribute checks, every update flag
 * and errno path, iteration, the per-CPU layout, lookup pointers across
 * delete and reuse, spin-locked values, and concurrent updates, lookups
 * and deletes. */
#include <stdatomic.h>

#include "htab_test.h"

#define HASH BPF_MAP_TYPE_HASH
#define PERCPU BPF_MAP_TYPE_PERCPU_HASH

static int create_opts(enum bpf_map_type t, uint32_t ks, uint32_t vs,
		       uint32_t max, const struct bpfvm_map_opts *o)
{
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(t, ks, vs, max, o, &m);

	bpfvm_map_free(m);
	return err;
}

static void test_create_checks(void)
{
	const uint32_t np = BPF_F_NO_PREALLOC;
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_extra = 1 };

	CHECK_EQ_U64(ht_create_err(HASH, 0, 8, 16, 0), -EINVAL);
	CHECK_EQ_U64(ht_create_err(HASH, 8, 0, 16, 0), -EINVAL);
	CHECK_EQ_U64(ht_create_err(HASH, 8, 8, 0, 0), -EINVAL);
	CHECK_EQ_U64(ht_create_err(HASH, 8, 8, 16, BPF_F_MMAPABLE), -EINVAL);
	CHECK_EQ_U64(ht_create_err(HASH, 8, 8, 16, BPF_F_INNER_MAP), -EINVAL);
	CHECK_EQ_U64(ht_create_err(HASH, 8, 8, 16, BPF_F_NO_COMMON_LRU), -EINVAL);
	CHECK_EQ_U64(ht_create_err(PERCPU, 8, 8, 16, BPF_F_NUMA_NODE), -EINVAL);
	CHECK_EQ_U64(ht_create_err(HASH, 8, 8, 16, BPF_F_NUMA_NODE), 0);
	/* key + value < 4 MiB - 48, as the kernel's kmalloc limit */
	CHECK_EQ_U64(ht_create_err(HASH, (4u << 20) - 48 - 4, 4, 1, np), -E2BIG);
	CHECK_EQ_U64(ht_create_err(HASH, (4u << 20) - 48 - 5, 4, 1, np), 0);
	CHECK_EQ_U64(ht_create_err(PERCPU, 4, 32768, 1, np), 0);
	CHECK_EQ_U64(ht_create_err(PERCPU, 4, 32769, 1, np), -E2BIG);
	CHECK_EQ_U64(ht_create_err(HASH, 4, 4, (1u << 31) + 1, np), -E2BIG);
	CHECK_EQ_U64(ht_create_err(HASH, 4, 4, 16, BPF_F_ZERO_SEED), 0);
	CHECK_EQ_U64(ht_create_err(HASH, 4, 4, 16, np | BPF_F_RDONLY_PROG), 0);
	CHECK_EQ_U64(create_opts(HASH, 4, 4, 16, &o), -EINVAL);
	o.map_extra = 0;
	o.has_spin_lock = true; /* at 0 */
	CHECK_EQ_U64(create_opts(PERCPU, 4, 8, 16, &o), -EOPNOTSUPP);
	CHECK_EQ_U64(create_opts(HASH, 4, 8, 16, &o), 0);
}

static void test_update_flags(void)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 8, 4, 0);
	uint64_t k = 1, v;

	CHECK_EQ_U64(ht_put(m, 1, 10, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_put(m, 1, 11, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(ht_get(m, 1), 10);
	CHECK_EQ_U64(ht_put(m, 2, 20, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(ht_put(m, 1, 12, BPF_EXIST), 0);
	CHECK_EQ_U64(ht_get(m, 1), 12);
	CHECK_EQ_U64(ht_put(m, 1, 13, BPF_ANY), 0);
	CHECK_EQ_U64(ht_get(m, 1), 13);
	CHECK_EQ_U64(ht_put(m, 1, 14, 4), -EINVAL);
	CHECK_EQ_U64(ht_put(m, 1, 14, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(m->ops->update(m, &k, &v, 4), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_delete(m, &(uint64_t){ 2 }), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK(m->ops->lookup(m, &k) == NULL);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	/* a full map refuses new keys but replaces values */
	for (uint64_t i = 1; i <= 4; i++)
		CHECK_EQ_U64(ht_put(m, i, i * 100, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_put(m, 5, 500, BPF_ANY), -E2BIG);
	CHECK_EQ_U64(ht_put(m, 5, 500, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(ht_put(m, 4, 401, BPF_ANY), 0);
	CHECK_EQ_U64(ht_put(m, 4, 402, BPF_EXIST), 0);
	CHECK_EQ_U64(ht_get(m, 4), 402);
	CHECK_EQ_U64(ht_keys(m, NULL, 16), 4);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(ht_put(m, 5, 500, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_get(m, 5), 500);
	/* bad pointers are errors, not crashes */
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_delete(m, NULL), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, NULL), -EFAULT);
	bpfvm_map_free(m);
}

static void test_next_key(void)
{
	struct bpfvm_map *m = ht_new(HASH, 4, 4, 100, 0);
	uint32_t k, first, next, absent = 1000;
	uint64_t keys[128];

	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &absent, &next), -ENOENT);
	for (k = 0; k < 100; k++)
		CHECK_EQ_U64(bpfvm_map_update(m, &k, &k, 0), 0);
	CHECK_EQ_U64(ht_keys(m, keys, 128), 100);
	for (k = 0; k < 100; k++)
		CHECK_EQ_U64(keys[k], k); /* each exactly once */
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &first), 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &absent, &next), 0);
	CHECK_EQ_U64(next, first);
	/* walking while deleting the current key: get_next_key from it
	 * restarts at the first key, which still ends the walk */
	for (k = 0; !bpfvm_map_get_next_key(m, NULL, &next) && k < 200; k++)
		CHECK_EQ_U64(bpfvm_map_delete(m, &next), 0);
	CHECK_EQ_U64(k, 100);
	bpfvm_map_free(m);
}

static void test_lookup_and_delete(void)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 8, 2, 0);
	uint64_t k = 7, v = 0;

	CHECK_EQ_U64(ht_put(m, 7, 70, 0), 0);
	CHECK_EQ_U64(ht_put(m, 8, 80, 0), 0);
	CHECK_EQ_U64(ht_put(m, 9, 90, 0), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 4), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, BPF_F_LOCK),
		     -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v, 70);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(ht_get(m, 7), ~(uint64_t)0);
	CHECK_EQ_U64(ht_put(m, 9, 90, 0), 0); /* room again */
	bpfvm_map_free(m);
}

/* Per-CPU: 12-byte values travel in 16-byte strides, padding included. */
static void fill_percpu(uint8_t *buf, unsigned ncpu, uint8_t seed)
{
	for (unsigned i = 0; i < ncpu * 16; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

static void test_percpu_user(struct bpfvm_map *m, unsigned ncpu)
{
	uint8_t in[16 * 64], out[16 * 64];
	uint32_t k = 1;

	CHECK_EQ_U64(bpfvm_map_user_value_size(m), 16 * ncpu);
	fill_percpu(in, ncpu, 3);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_NOEXIST), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, 0), 0);
	CHECK(memcmp(in, out, 16 * ncpu) == 0);
	for (unsigned c = 0; c < ncpu; c++) {
		uint8_t *p = m->ops->lookup_percpu(m, &k, c);

		CHECK(p && memcmp(p, in + 16 * c, 12) == 0);
	}
	CHECK(m->ops->lookup_percpu(m, &k, ncpu) == NULL);
	fill_percpu(in, ncpu, 9);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_EXIST), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, out, 0), 0);
	CHECK(memcmp(in, out, 16 * ncpu) == 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, 0), -ENOENT);
}

/* Programs write their own CPU's value; a new element is zero elsewhere. */
static void test_percpu_prog(struct bpfvm_map *m, unsigned ncpu)
{
	uint8_t val[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t val2[12] = { 0xee }, out[16 * 64], zero[16] = { 0 };
	unsigned last = ncpu - 1;
	uint32_t k = 2;

	bpfvm_thread_set_cpu(0);
	CHECK_EQ_U64(m->ops->update(m, &k, val, BPF_ANY), 0);
	CHECK(m->ops->lookup(m, &k) == m->ops->lookup_percpu(m, &k, 0));
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, 0), 0);
	CHECK(memcmp(out, val, 12) == 0 && memcmp(out + 12, zero, 4) == 0);
	for (unsigned c = 1; c < ncpu; c++)
		CHECK(memcmp(out + 16 * c, zero, 16) == 0);
	bpfvm_thread_set_cpu(last);
	CHECK_EQ_U64(m->ops->update(m, &k, val2, BPF_EXIST), 0);
	CHECK(memcmp(m->ops->lookup(m, &k), val2, 12) == 0);
	CHECK(memcmp(m->ops->lookup_percpu(m, &k, 0), last ? val : val2, 12) ==
	      0);
	CHECK_EQ_U64(m->ops->update(m, &k, val2, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(m->ops->update(m, &k, val2, BPF_F_LOCK), -EINVAL);
	bpfvm_thread_set_cpu(0);
}

static void test_percpu(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map *m = ht_new(PERCPU, 4, 12, 8, 0);

	CHECK(ncpu >= 1 && ncpu <= 64);
	if (!m || ncpu > 64)
		return;
	test_percpu_user(m, ncpu);
	test_percpu_prog(m, ncpu);
	bpfvm_map_free(m);
}

struct visit {
	uint64_t seen[64];
	long n, stop_at;
	bool delete;
};

static long visit_cb(struct bpfvm_map *m, const void *key, void *value,
		     void *ctx)
{
	struct visit *v = ctx;
	uint64_t k, val;

	memcpy(&k, key, 8);
	memcpy(&val, value, 8);
	CHECK_EQ_U64(val, k * 3);
	if (k < 64)
		v->seen[k]++;
	if (v->delete)
		CHECK_EQ_U64(m->ops->delete(m, key), 0);
	return ++v->n == v->stop_at;
}

static void test_for_each(void)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 8, 64, 0);
	struct visit v = { .stop_at = -1 };

	for (uint64_t i = 0; i < 50; i++)
		CHECK_EQ_U64(ht_put(m, i, i * 3, 0), 0);
	CHECK_EQ_U64(m->ops->for_each(m, visit_cb, &v, 0), 50);
	for (int i = 0; i < 50; i++)
		CHECK_EQ_U64(v.seen[i], 1);
	CHECK_EQ_U64(m->ops->for_each(m, visit_cb, &v, 1), -EINVAL);
	v = (struct visit){ .stop_at = 10 };
	CHECK_EQ_U64(m->ops->for_each(m, visit_cb, &v, 0), 10);
	v = (struct visit){ .stop_at = -1, .delete = true };
	CHECK_EQ_U64(m->ops->for_each(m, visit_cb, &v, 0), 50);
	CHECK_EQ_U64(ht_keys(m, NULL, 64), 0);
	bpfvm_map_free(m);
}

/* A value pointer stays map memory after delete and reuse (ASan would
 * see a freed one), and reuse hands out the element again. */
static void test_pointer_stability(uint32_t flags)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 8, 256, flags);
	uint64_t k = 1, *p, *q;

	CHECK_EQ_U64(ht_put(m, 1, 100, 0), 0);
	p = m->ops->lookup(m, &k);
	CHECK(p && *p == 100);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(ht_put(m, 1, 200, 0), 0);
	q = m->ops->lookup(m, &k);
	CHECK(q && *q == 200);
	CHECK(p == q); /* the freed element came back */
	CHECK_EQ_U64(ht_put(m, 1, 300, 0), 0); /* replace: a new element */
	CHECK_EQ_U64(*(uint64_t *)m->ops->lookup(m, &k), 300);
	for (uint64_t i = 2; i <= 256; i++) /* pool growth moves nothing */
		CHECK_EQ_U64(ht_put(m, i, i, 0), 0);
	CHECK_EQ_U64(__atomic_load_n(p, __ATOMIC_RELAXED) != 0xdead, 1);
	CHECK_EQ_U64(*(uint64_t *)m->ops->lookup(m, &k), 300);
	CHECK_EQ_U64(ht_put(m, 999, 1, 0), -E2BIG);
	CHECK_EQ_U64(ht_keys(m, NULL, 512), 256);
	bpfvm_map_free(m);
}

static void test_spin_lock(void)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .has_spin_lock = true,
				    .spin_lock_off = 4 };
	struct bpfvm_map *m = NULL;
	uint8_t in[16], out[16];
	uint32_t k = 5, *p;

	CHECK_EQ_U64(bpfvm_map_create(HASH, 4, 16, 4, &o, &m), 0);
	if (!m)
		return;
	memset(in, 0xab, sizeof(in));
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_F_LOCK | BPF_EXIST),
		     -ENOENT);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_F_LOCK), 0);
	p = m->ops->lookup(m, &k);
	CHECK(p && p[1] == 0); /* the lock word is not copied in */
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_F_LOCK | BPF_NOEXIST),
		     -EEXIST);
	in[0] = 0x11;
	CHECK_EQ_U64(bpfvm_map_update(m, &k, in, BPF_F_LOCK | BPF_EXIST), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, BPF_F_LOCK), 0);
	CHECK(out[0] == 0x11 && out[8] == 0xab && out[15] == 0xab);
	CHECK(out[4] == 0 && out[7] == 0); /* user space sees it as 0 */
	map_spin_lock(&p[1]); /* a program holding it: plain lookups work */
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, out, 0), 0);
	CHECK(out[4] == 0);
	map_spin_unlock(&p[1]);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, out, BPF_F_LOCK), 0);
	CHECK(out[0] == 0x11 && out[4] == 0);
	bpfvm_map_free(m);
}

/* Keys of every size: distinct keys that differ in their last byte only. */
static void test_key_sizes(void)
{
	static const uint32_t sizes[] = { 1, 3, 4, 7, 8, 12, 16, 33, 64 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		uint32_t ks = sizes[s], n = ks == 1 ? 200 : 300;
		struct bpfvm_map *m = ht_new(HASH, ks, 5, n, 0);
		uint8_t key[64] = { 0 }, val[5], next[64];
		uint32_t walked = 0;

		for (uint32_t i = 0; m && i < n; i++) {
			memset(key, 0, ks);
			key[ks - 1] = (uint8_t)i;
			if (ks > 1)
				key[0] = (uint8_t)(i >> 8);
			memcpy(val, &i, 4);
			val[4] = (uint8_t)ks;
			CHECK_EQ_U64(bpfvm_map_update(m, key, val, 0), 0);
		}
		for (const void *prev = NULL;
		     m && !bpfvm_map_get_next_key(m, prev, next); prev = key) {
			memcpy(key, next, ks);
			walked++;
			CHECK_EQ_U64(bpfvm_map_lookup(m, key, val, 0), 0);
			CHECK_EQ_U64(val[4], ks);
		}
		CHECK_EQ_U64(walked, n);
		bpfvm_map_free(m);
	}
}

static void test_no_prealloc(void)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 8, 1000, BPF_F_NO_PREALLOC);

	for (uint64_t i = 0; i < 1000; i++)
		CHECK_EQ_U64(ht_put(m, i, i, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_put(m, 1000, 0, 0), -E2BIG);
	for (uint64_t i = 0; i < 1000; i += 2)
		CHECK_EQ_U64(bpfvm_map_delete(m, &i), 0);
	for (uint64_t i = 0; i < 500; i++)
		CHECK_EQ_U64(ht_put(m, 5000 + i, i, BPF_NOEXIST), 0);
	CHECK_EQ_U64(ht_put(m, 1000, 0, 0), -E2BIG);
	CHECK_EQ_U64(ht_keys(m, NULL, 2000), 1000);
	CHECK_EQ_U64(ht_get(m, 999), 999);
	CHECK_EQ_U64(ht_get(m, 5499), 499);
	bpfvm_map_free(m);
}

/* ---- HASH_OF_MAPS */

static struct bpfvm_map *hom_new(struct bpfvm_map *inner, uint32_t vs,
				 int *err)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .inner_map = inner };
	struct bpfvm_map *m = NULL;

	*err = bpfvm_map_create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, vs, 2, &o, &m);
	return m;
}

static void test_hom_create(struct bpfvm_map *inner)
{
	struct bpfvm_map *m;
	int err;

	m = hom_new(NULL, 4, &err);
	CHECK_EQ_U64(err, -EINVAL);
	m = hom_new(inner, 8, &err);
	CHECK_EQ_U64(err, -EINVAL);
	m = hom_new(inner, 4, &err);
	CHECK_EQ_U64(err, 0);
	if (m) { /* no map-in-map inside map-in-map */
		bpfvm_map_free(hom_new(m, 4, &err));
		CHECK_EQ_U64(err, -EINVAL);
	}
	bpfvm_map_free(m);
}

static void test_hom_ops(struct bpfvm_map *m, struct bpfvm_map *inner)
{
	struct bpfvm_map *misfit = ht_new(HASH, 4, 16, 4, 0);
	uint32_t id = bpfvm_map_id(inner), bad = 0x7fffffff, k = 1, v = 0;
	uint32_t mid = bpfvm_map_id(misfit);

	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id, BPF_ANY), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id, 4), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &bad, 0), -EBADF);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &mid, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v, id);
	CHECK(m->ops->lookup(m, &k) == inner);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_update(m, &(uint32_t){ 2 }, &id, 0), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, &(uint32_t){ 3 }, &id, 0), -E2BIG);
	CHECK_EQ_U64(ht_keys(m, NULL, 8), 2);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	CHECK(m->ops->lookup(m, &k) == NULL);
	bpfvm_map_free(misfit);
}

/* The outer map holds its own reference to each inner map. */
static void test_hom_refs(struct bpfvm_map *m)
{
	struct bpfvm_map *in2 = ht_new(HASH, 4, 8, 4, 0), *got;
	uint32_t id2 = bpfvm_map_id(in2), k = 7;

	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id2, 0), 0);
	bpfvm_map_free(in2);
	got = bpfvm_map_get_by_id(id2);
	CHECK(got == in2);
	bpfvm_map_free(got);
	bpfvm_map_free(m);
	CHECK(bpfvm_map_get_by_id(id2) == NULL);
}

static void test_hash_of_maps(void)
{
	struct bpfvm_map *inner = ht_new(HASH, 4, 8, 4, 0), *m;
	int err;

	test_hom_create(inner);
	m = hom_new(inner, 4, &err);
	if (m) {
		test_hom_ops(m, inner);
		test_hom_refs(m);
	}
	bpfvm_map_free(inner);
}

/* ---- concurrency: writers own disjoint keys and know what must be in
 * the map; readers check keys nobody touches are always found, and that
 * any value read belongs to its key. */

#define MT_WRITERS 3
#define MT_KEYS 512
#define MT_STABLE 256
#define MT_OPS 400000
#define MT_MAX 1100

struct mt_arg {
	struct bpfvm_map *m;
	unsigned id;
	atomic_bool *stop;
	long errors, ops;
	uint8_t present[MT_KEYS];
};

static uint64_t mt_key(unsigned t, unsigned i)
{
	return ((uint64_t)t << 32) | i;
}

/* One operation on an owned key; false when the map disagrees. */
static bool mt_step(struct mt_arg *a, unsigned i, uint64_t r)
{
	uint64_t k = mt_key(a->id, i), v[2] = { k, r }, out[2];
	int err;

	if (!a->present[i]) {
		err = bpfvm_map_update(a->m, &k, v, BPF_NOEXIST);
		a->present[i] = !err;
		return !err || err == -E2BIG;
	}
	switch (r % 4) {
	case 0:
		a->present[i] = 0;
		return !bpfvm_map_delete(a->m, &k);
	case 1:
		a->present[i] = 0;
		return !bpfvm_map_lookup_and_delete(a->m, &k, out, 0) &&
		       out[0] == k;
	case 2:
		return !bpfvm_map_update(a->m, &k, v, BPF_EXIST);
	default:
		return !a->m->ops->update(a->m, &k, v, BPF_ANY);
	}
}

static void *mt_writer(void *p)
{
	struct mt_arg *a = p;
	uint64_t s = a->id * 7919 + 1;

	for (long n = 0; n < MT_OPS; n++) {
		uint64_t r = ht_rand(&s);

		if (!mt_step(a, (unsigned)(r >> 40) % MT_KEYS, r))
			a->errors++;
	}
	return NULL;
}

static void *mt_reader(void *p)
{
	struct mt_arg *a = p;
	uint64_t s = 12345, v[2];

	while (!atomic_load(a->stop)) {
		uint64_t r = ht_rand(&s), k = mt_key(MT_WRITERS, r % MT_STABLE);
		uint64_t *pv = a->m->ops->lookup(a->m, &k);

		a->errors += !pv || __atomic_load_n(pv, __ATOMIC_RELAXED) != k;
		a->errors += bpfvm_map_lookup(a->m, &k, v, 0) || v[0] != k;
		k = mt_key((r >> 32) % MT_WRITERS, (r >> 8) % MT_KEYS);
		if (!bpfvm_map_lookup(a->m, &k, v, 0))
			a->errors += v[0] != k;
		a->ops++;
	}
	return NULL;
}

static void mt_check_final(struct bpfvm_map *m, struct mt_arg *w)
{
	long want = MT_STABLE;
	uint64_t v[2];

	for (unsigned t = 0; t < MT_WRITERS; t++)
		for (unsigned i = 0; i < MT_KEYS; i++) {
			uint64_t k = mt_key(t, i);
			int err = bpfvm_map_lookup(m, &k, v, 0);

			want += w[t].present[i];
			CHECK_EQ_U64(err, w[t].present[i] ? 0 : -ENOENT);
		}
	CHECK_EQ_U64(ht_keys(m, NULL, 4096), want);
	CHECK(want <= MT_MAX);
}

static void test_threads(void)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 16, MT_MAX, 0);
	static struct mt_arg w[MT_WRITERS + 1];
	atomic_bool stop = false;
	pthread_t rt;

	for (unsigned i = 0; m && i < MT_STABLE; i++) {
		uint64_t k = mt_key(MT_WRITERS, i), v[2] = { k, 0 };

		CHECK_EQ_U64(bpfvm_map_update(m, &k, v, 0), 0);
	}
	for (unsigned t = 0; t <= MT_WRITERS; t++)
		w[t] = (struct mt_arg){ .m = m, .id = t, .stop = &stop };
	if (!m)
		return;
	pthread_create(&rt, NULL, mt_reader, &w[MT_WRITERS]);
	ht_run(MT_WRITERS, mt_writer, w, sizeof(*w));
	atomic_store(&stop, true);
	pthread_join(rt, NULL);
	for (unsigned t = 0; t <= MT_WRITERS; t++)
		CHECK_EQ_U64(w[t].errors, 0);
	CHECK(w[MT_WRITERS].ops > 0);
	mt_check_final(m, w);
	bpfvm_map_free(m);
}

/* A value replaced over and over is read whole from user space: the
 * copy is retried when the element was reused under it. */
struct tear_arg {
	struct bpfvm_map *m;
	atomic_bool *stop;
	long torn, reads;
};

static void *tear_writer(void *p)
{
	struct tear_arg *a = p;
	uint64_t k = 42;

	for (uint64_t g = 1; g <= 200000; g++) {
		uint64_t v[4] = { g, g, g, g };

		bpfvm_map_update(a->m, &k, v, BPF_ANY);
	}
	atomic_store(a->stop, true);
	return NULL;
}

static void *tear_reader(void *p)
{
	struct tear_arg *a = p;
	uint64_t k = 42, v[4];

	while (!atomic_load(a->stop)) {
		if (bpfvm_map_lookup(a->m, &k, v, 0))
			continue;
		a->torn += v[0] != v[1] || v[1] != v[2] || v[2] != v[3];
		a->reads++;
	}
	return NULL;
}

static void test_no_torn_reads(void)
{
	struct bpfvm_map *m = ht_new(HASH, 8, 32, 4, 0);
	atomic_bool stop = false;
	struct tear_arg a = { m, &stop, 0, 0 };
	pthread_t r;

	if (!m)
		return;
	pthread_create(&r, NULL, tear_reader, &a);
	tear_writer(&a);
	pthread_join(r, NULL);
	CHECK_EQ_U64(a.torn, 0);
	bpfvm_map_free(m);
}

/* Per-CPU counters bumped through program-side pointers, one thread per
 * CPU slot: user space sees each CPU's sum. */
#define PC_KEYS 64
#define PC_ROUNDS 20000

static void *pc_thread(void *p)
{
	struct bpfvm_map *m = *(struct bpfvm_map **)p;
	unsigned cpu = (unsigned)(uintptr_t)((void **)p)[1];
	uint64_t zero = 0;

	bpfvm_thread_set_cpu(cpu);
	for (uint32_t n = 0; n < PC_ROUNDS; n++) {
		uint32_t k = n % PC_KEYS;
		uint64_t *v = m->ops->lookup(m, &k);

		if (!v) {
			m->ops->update(m, &k, &zero, BPF_NOEXIST);
			v = m->ops->lookup(m, &k);
		}
		if (v)
			__atomic_fetch_add(v, cpu + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_percpu_threads(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	unsigned n = ncpu < 8 ? ncpu : 8;
	struct bpfvm_map *m = ht_new(PERCPU, 4, 8, PC_KEYS, 0);
	void *args[8][2];
	uint64_t sums[8] = { 0 }, *v = calloc(ncpu, 8);

	for (unsigned c = 0; c < n; c++) {
		args[c][0] = m;
		args[c][1] = (void *)(uintptr_t)c;
	}
	if (m && v)
		ht_run(n, pc_thread, args, sizeof(args[0]));
	for (uint32_t k = 0; m && v && k < PC_KEYS; k++) {
		CHECK_EQ_U64(bpfvm_map_lookup(m, &k, v, 0), 0);
		for (unsigned c = 0; c < n; c++)
			sums[c] += v[c];
	}
	for (unsigned c = 0; c < n; c++)
		CHECK_EQ_U64(sums[c], (uint64_t)PC_ROUNDS * (c + 1));
	free(v);
	bpfvm_map_free(m);
}

int main(void)
{
	test_create_checks();
	test_update_flags();
	test_next_key();
	test_lookup_and_delete();
	test_percpu();
	test_for_each();
	test_pointer_stability(0);
	test_pointer_stability(BPF_F_NO_PREALLOC);
	test_spin_lock();
	test_key_sizes();
	test_no_prealloc();
	test_hash_of_maps();
	test_threads();
	test_no_torn_reads();
	test_percpu_threads();
	return check_report();
}
