/* The map core through the public API, no kernel needed: create checks,
 * names, ids and references, freeze, read-only / write-only maps, batch
 * operations, NULL pointers, per-CPU slots. Arrays serve as the example
 * type. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>

#include "check.h"

#define ENOTSUPP 524

static struct bpfvm_map *mk(enum bpf_map_type t, uint32_t vs, uint32_t n,
			    uint32_t flags)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags };
	struct bpfvm_map *m = NULL;

	CHECK_EQ_U64(bpfvm_map_create(t, 4, vs, n, &o, &m), 0);
	return m;
}

static int create_rc(enum bpf_map_type t, uint32_t ks, uint32_t vs,
		     uint32_t n, const struct bpfvm_map_opts *o)
{
	struct bpfvm_map *m = NULL;
	int rc = bpfvm_map_create(t, ks, vs, n, o, &m);

	bpfvm_map_free(m);
	return rc;
}

static void test_create_checks(void)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_map_opts o = { .sz = sizeof(o) };

	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, NULL, NULL),
		     -EINVAL);
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_UNSPEC, 4, 8, 1, NULL), -EINVAL);
	CHECK_EQ_U64(create_rc((enum bpf_map_type)999, 4, 8, 1, NULL), -EINVAL);
	CHECK_EQ_U64(create_rc((enum bpf_map_type)-1, 4, 8, 1, NULL), -EINVAL);
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, NULL), 0);
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 3, 8, 1, NULL), -EINVAL);
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 0, 1, NULL), -EINVAL);
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 0, NULL), -EINVAL);
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 0x80000000u, 1, NULL),
		     -E2BIG);
	o.map_flags = BPF_F_RDONLY | BPF_F_WRONLY;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), -EINVAL);
	o.map_flags = BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), -EINVAL);
	o.map_flags = BPF_F_NO_PREALLOC;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), -EINVAL);
	o.map_flags = 0;
	o.map_extra = 3;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), -EINVAL);
	o.map_extra = 0;
	o.numa_node = 5; /* ignored without BPF_F_NUMA_NODE */
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), 0);
	o.map_flags = BPF_F_NUMA_NODE;
	o.numa_node = 4096;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), -EINVAL);
	o.numa_node = 0;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), 0);
	o.map_flags = 0;
	o.has_spin_lock = true;
	o.spin_lock_off = 6; /* lock past the value's end */
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o), -EINVAL);
	o.spin_lock_off = 0;
	CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, &o),
		     -EOPNOTSUPP);
	CHECK(m == NULL);
}

/* An opts struct from an older, shorter API: fields past sz are unset. */
static void test_opts_size(void)
{
	struct bpfvm_map_opts o = { .sz = offsetof(struct bpfvm_map_opts,
						   has_spin_lock),
				    .map_flags = BPF_F_RDONLY_PROG };
	struct bpfvm_map *m = NULL;

	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, &o, &m), 0);
	CHECK_EQ_U64(bpfvm_map_flags(m), BPF_F_RDONLY_PROG);
	/* no lock: BPF_F_LOCK refused */
	CHECK_EQ_U64(bpfvm_map_update(m, &(uint32_t){ 0 }, &(uint64_t){ 1 },
				      BPF_F_LOCK), -EINVAL);
	bpfvm_map_free(m);
	o.sz = offsetof(struct bpfvm_map_opts, map_flags);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, &o, &m), 0);
	CHECK_EQ_U64(bpfvm_map_flags(m), 0);
	bpfvm_map_free(m);
}

/* A full opts left zeroed past what the caller set declares no lock
 * (spin_lock_off 0 alone is not a lock at 0): BPF_F_LOCK refused, freeze
 * allowed, any map type. With has_spin_lock the offset counts, 0 too. */
static void test_opts_no_lock(void)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o) };
	struct bpfvm_map *m = NULL;

	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, &o, &m), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, &(uint32_t){ 0 }, &(uint64_t){ 1 },
				      BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	bpfvm_map_free(m);
	m = NULL;
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, &o,
				      &m), 0);
	bpfvm_map_free(m);
	m = NULL;
	o.has_spin_lock = true;
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, &o, &m), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, &(uint32_t){ 0 }, &(uint64_t){ 1 },
				      BPF_F_LOCK), 0);
	CHECK_EQ_U64(bpfvm_map_freeze(m), -ENOTSUPP);
	bpfvm_map_free(m);
	m = NULL;
	o.spin_lock_off = 0x80000000u; /* past any value */
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, &o, &m),
		     -EINVAL);
	CHECK(m == NULL);
}

static void test_names(void)
{
	static const char *const ok[] = { "a", "abc_1.X", "123456789012345" };
	static const char *const bad[] = { "a-b", "a b", "1234567890123456",
					   "é" };
	struct bpfvm_map_opts o = { .sz = sizeof(o) };
	struct bpfvm_map *m;

	for (unsigned i = 0; i < 3; i++) {
		o.name = ok[i];
		m = NULL;
		CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o,
					      &m), 0);
		if (m)
			CHECK_STREQ(bpfvm_map_name(m), ok[i]);
		bpfvm_map_free(m);
	}
	for (unsigned i = 0; i < 4; i++) {
		o.name = bad[i];
		CHECK_EQ_U64(create_rc(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o),
			     -EINVAL);
	}
	m = mk(BPF_MAP_TYPE_ARRAY, 8, 1, 0);
	CHECK_STREQ(bpfvm_map_name(m), "");
	bpfvm_map_free(m);
}

static void test_ids_refs(void)
{
	struct bpfvm_map *a = mk(BPF_MAP_TYPE_ARRAY, 8, 3, BPF_F_RDONLY_PROG);
	struct bpfvm_map *b = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 8, 5, 0);
	uint32_t ida = bpfvm_map_id(a), idb = bpfvm_map_id(b);
	struct bpfvm_map *again;
	uint64_t v = 42;

	CHECK(ida != 0 && idb != 0 && ida != idb);
	CHECK(bpfvm_map_get_by_id(0) == NULL);
	CHECK(bpfvm_map_get_by_id(0xfffffff0u) == NULL);
	CHECK_EQ_U64(bpfvm_map_type(a), BPF_MAP_TYPE_ARRAY);
	CHECK_EQ_U64(bpfvm_map_key_size(a), 4);
	CHECK_EQ_U64(bpfvm_map_value_size(a), 8);
	CHECK_EQ_U64(bpfvm_map_max_entries(a), 3);
	CHECK_EQ_U64(bpfvm_map_flags(a), BPF_F_RDONLY_PROG);
	again = bpfvm_map_get_by_id(ida);
	CHECK(again == a);
	/* the first reference goes; the map lives on through the second */
	bpfvm_map_free(a);
	CHECK_EQ_U64(bpfvm_map_update(again, &(uint32_t){ 2 }, &v, 0), 0);
	v = 0;
	CHECK_EQ_U64(bpfvm_map_lookup(again, &(uint32_t){ 2 }, &v, 0), 0);
	CHECK_EQ_U64(v, 42);
	bpfvm_map_free(again);
	CHECK(bpfvm_map_get_by_id(ida) == NULL);
	bpfvm_map_free(b);
	CHECK(bpfvm_map_get_by_id(idb) == NULL);
	bpfvm_map_free(NULL);
}

static void test_freeze(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 8, 4, 0);
	struct bpfvm_map_opts lo = { .sz = sizeof(lo), .has_spin_lock = true };
	struct bpfvm_map *locked = NULL;
	uint32_t k = 1, keys[2] = { 0, 1 }, n;
	uint64_t v = 7, vals[2] = { 1, 2 };

	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, 0), 0);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	CHECK_EQ_U64(bpfvm_map_freeze(m), -EPERM);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, 0), -EPERM);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -EPERM);
	n = 2;
	CHECK_EQ_U64(bpfvm_map_update_batch(m, keys, vals, &n, NULL), -EPERM);
	CHECK_EQ_U64(n, 2); /* untouched by the permission error */
	v = 0;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v, 7);
	bpfvm_map_free(m);
	m = mk(BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_RDONLY);
	CHECK_EQ_U64(bpfvm_map_freeze(m), -EPERM);
	bpfvm_map_free(m);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, &lo,
				      &locked), 0);
	CHECK_EQ_U64(bpfvm_map_freeze(locked), -ENOTSUPP);
	bpfvm_map_free(locked);
}

static void test_rdonly_wronly(void)
{
	struct bpfvm_map *ro = mk(BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_RDONLY);
	struct bpfvm_map *wo = mk(BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_WRONLY);
	struct bpfvm_map *rop = mk(BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_RDONLY_PROG);
	uint32_t k = 0, next, keys[4], n = 4, out;
	uint64_t v = 5, vals[4];

	CHECK_EQ_U64(bpfvm_map_update(ro, &k, &v, 0), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup(ro, &k, &v, 0), 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(ro, NULL, &next), 0);
	CHECK_EQ_U64(bpfvm_map_update(wo, &k, &v, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(wo, &k, &v, 0), -EPERM);
	CHECK_EQ_U64(bpfvm_map_get_next_key(wo, NULL, &next), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup_batch(wo, NULL, &out, keys, vals, &n,
					    NULL), -EPERM);
	/* unknown lookup flags come before the permission check */
	CHECK_EQ_U64(bpfvm_map_lookup(wo, &k, &v, 8), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(rop, &k, &v, 0), 0);
	bpfvm_map_free(ro);
	bpfvm_map_free(wo);
	bpfvm_map_free(rop);
}

static void test_null_pointers(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 8, 4, 0);
	uint32_t k = 0;
	uint64_t v = 0;

	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, NULL, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, NULL, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_delete(m, NULL), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, &v, 0), -EFAULT);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 1), -EINVAL);
	bpfvm_map_free(m);
}

static void test_batch(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 8, 5, 0);
	struct bpfvm_map_batch_opts bo = { .sz = sizeof(bo) };
	uint32_t keys[8] = { 0, 1, 2, 3, 4, 5 }, out = 99, in, n, got[8];
	uint64_t vals[8] = { 10, 11, 12, 13, 14, 15 }, rv[8];

	n = 6; /* the 6th key is past the end: E2BIG after 5 */
	CHECK_EQ_U64(bpfvm_map_update_batch(m, keys, vals, &n, &bo), -E2BIG);
	CHECK_EQ_U64(n, 5);
	n = 0;
	CHECK_EQ_U64(bpfvm_map_update_batch(m, keys, vals, &n, &bo), 0);
	CHECK_EQ_U64(n, 0);
	n = 3;
	CHECK_EQ_U64(bpfvm_map_lookup_batch(m, NULL, &out, got, rv, &n, &bo),
		     0);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(out, 2);
	CHECK(got[0] == 0 && got[2] == 2 && rv[0] == 10 && rv[2] == 12);
	in = out;
	n = 3;
	CHECK_EQ_U64(bpfvm_map_lookup_batch(m, &in, &out, got, rv, &n, &bo),
		     -ENOENT);
	CHECK_EQ_U64(n, 2);
	CHECK(got[0] == 3 && got[1] == 4 && rv[1] == 14);
	CHECK_EQ_U64(out, 4);
	bo.elem_flags = 1;
	n = 3;
	CHECK_EQ_U64(bpfvm_map_lookup_batch(m, NULL, &out, got, rv, &n, &bo),
		     -EINVAL);
	CHECK_EQ_U64(n, 3);
	bo.elem_flags = 0;
	bo.flags = 1;
	CHECK_EQ_U64(bpfvm_map_lookup_batch(m, NULL, &out, got, rv, &n, &bo),
		     -EINVAL);
	bo.flags = 0;
	CHECK_EQ_U64(bpfvm_map_delete_batch(m, keys, &n, &bo), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete_batch(m, NULL, &out, got, rv,
						       &n, &bo), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_lookup_batch(m, NULL, &out, got, rv, NULL, &bo),
		     -EINVAL);
	bpfvm_map_free(m);
}

struct cpu_probe {
	unsigned cpu;
	int set_rc;
	unsigned want;
};

static void *cpu_thread(void *arg)
{
	struct cpu_probe *p = arg;

	p->set_rc = bpfvm_thread_set_cpu(p->want);
	p->cpu = bpfvm_thread_cpu();
	return NULL;
}

static void test_cpus(void)
{
	unsigned n = bpfvm_num_possible_cpus();
	struct cpu_probe p[2] = { { .want = 0 }, { .want = n - 1 } };
	pthread_t t[2];
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 12, 2, 0);

	CHECK(n >= 1);
	CHECK(bpfvm_thread_cpu() < n);
	CHECK_EQ_U64(bpfvm_thread_set_cpu(n), -EINVAL);
	CHECK_EQ_U64(bpfvm_thread_set_cpu(n - 1), 0);
	CHECK_EQ_U64(bpfvm_thread_cpu(), n - 1);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, cpu_thread, &p[i]);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ_U64(p[i].set_rc, 0);
		CHECK_EQ_U64(p[i].cpu, p[i].want);
	}
	CHECK_EQ_U64(bpfvm_map_user_value_size(m), (size_t)16 * n);
	bpfvm_map_free(m);
	m = mk(BPF_MAP_TYPE_ARRAY, 12, 2, 0);
	CHECK_EQ_U64(bpfvm_map_user_value_size(m), 12);
	bpfvm_map_free(m);
}

int main(void)
{
	test_create_checks();
	test_opts_size();
	test_opts_no_lock();
	test_names();
	test_ids_refs();
	test_freeze();
	test_rdonly_wronly();
	test_null_pointers();
	test_batch();
	test_cpus();
	return check_report();
}
