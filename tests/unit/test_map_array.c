/* The array types' semantics, program side (the ops helpers call) and
 * user side: ARRAY layout (what the JIT inlines), update flags, iteration,
 * for_each, mmap, global data, spin locks, per-CPU slots and values,
 * ARRAY_OF_MAPS slots, templates and references. No kernel needed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>

#include "check.h"
#include "maps/array.h"
#include "maps/map_rcu.h"

#define ENOTSUPP 524

static struct bpfvm_map *mk(enum bpf_map_type t, uint32_t vs, uint32_t n,
			    uint32_t flags, int32_t lock_off,
			    struct bpfvm_map *inner)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags,
				    .has_spin_lock = lock_off >= 0,
				    .spin_lock_off =
					    lock_off >= 0 ? (uint32_t)lock_off : 0,
				    .inner_map = inner };
	struct bpfvm_map *m = NULL;

	CHECK_EQ_U64(bpfvm_map_create(t, 4, vs, n, &o, &m), 0);
	return m;
}

static uint32_t *key(uint32_t k)
{
	static uint32_t slot;

	slot = k;
	return &slot;
}

static void test_layout_and_flags(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 12, 5, 0, -1, NULL);
	struct array_map *a = (struct array_map *)m;
	uint8_t v[12], out[12];

	CHECK_EQ_U64(a->elem_size, 16);
	CHECK(m->ops->lookup(m, key(3)) == a->values + 3 * 16);
	CHECK(m->ops->lookup(m, key(5)) == NULL);
	CHECK(m->ops->lookup(m, key(UINT32_MAX)) == NULL);
	memset(v, 0x5a, sizeof(v));
	CHECK_EQ_U64(m->ops->update(m, key(4), v, BPF_ANY), 0);
	CHECK(!memcmp(a->values + 4 * 16, v, 12));
	CHECK_EQ_U64(m->ops->update(m, key(4), v, BPF_EXIST), 0);
	CHECK_EQ_U64(m->ops->update(m, key(4), v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(m->ops->update(m, key(5), v, BPF_NOEXIST), -E2BIG);
	CHECK_EQ_U64(m->ops->update(m, key(1), v, 3), -EINVAL);
	CHECK_EQ_U64(m->ops->update(m, key(1), v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(m->ops->delete(m, key(1)), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_delete(m, key(1)), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(4), out, 0), 0);
	CHECK(!memcmp(out, v, 12));
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(9), out, 0), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_update(m, key(9), v, 0), -E2BIG);
	CHECK(bpfvm_map_mmap(m) == NULL);
	bpfvm_map_free(m);
}

static void test_next_key(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, 3, 0, -1, NULL);
	uint32_t next = 77;

	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ_U64(next, 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, key(0), &next), 0);
	CHECK_EQ_U64(next, 1);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, key(2), &next), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, key(3), &next), 0);
	CHECK_EQ_U64(next, 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, key(UINT32_MAX), &next), 0);
	CHECK_EQ_U64(next, 0);
	bpfvm_map_free(m);
}

struct walk {
	uint32_t seen, stop_at;
	uint64_t sum;
};

static long walk_cb(struct bpfvm_map *map, const void *k, void *value,
		    void *ctx)
{
	struct walk *w = ctx;
	uint32_t i;

	(void)map;
	memcpy(&i, k, 4);
	w->seen++;
	w->sum += *(uint64_t *)value;
	return i == w->stop_at;
}

static void test_for_each(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 8, 6, 0, -1, NULL);
	struct walk w = { .stop_at = 99 };

	for (uint32_t i = 0; i < 6; i++)
		bpfvm_map_update(m, key(i), &(uint64_t){ i * 10 }, 0);
	CHECK_EQ_U64(m->ops->for_each(m, walk_cb, &w, 0), 6);
	CHECK_EQ_U64(w.seen, 6);
	CHECK_EQ_U64(w.sum, 150);
	w = (struct walk){ .stop_at = 2 };
	CHECK_EQ_U64(m->ops->for_each(m, walk_cb, &w, 0), 3);
	CHECK_EQ_U64(w.sum, 30);
	CHECK_EQ_U64(m->ops->for_each(m, walk_cb, &w, 1), -EINVAL);
	bpfvm_map_free(m);
}

static void test_mmap_and_global_data(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 12, 300, BPF_F_MMAPABLE,
				 -1, NULL);
	struct bpfvm_map *g = mk(BPF_MAP_TYPE_ARRAY, 20, 1, 0, -1, NULL);
	struct bpfvm_map *two = mk(BPF_MAP_TYPE_ARRAY, 20, 2, 0, -1, NULL);
	uint8_t *p = bpfvm_map_mmap(m);
	uint64_t addr = 0, v[2] = { 0 };

	CHECK(p != NULL && ((uintptr_t)p & 4095) == 0);
	if (p) {
		memcpy(p + 299 * 16, &(uint64_t){ 0x1234 }, 8);
		CHECK_EQ_U64(bpfvm_map_lookup(m, key(299), v, 0), 0);
		CHECK_EQ_U64(v[0], 0x1234);
	}
	CHECK_EQ_U64(g->ops->direct_value_addr(g, 0, &addr), 0);
	CHECK(addr == (uintptr_t)g->ops->lookup(g, key(0)));
	CHECK_EQ_U64(g->ops->direct_value_addr(g, 19, &addr), 0);
	CHECK(addr == (uintptr_t)g->ops->lookup(g, key(0)) + 19);
	CHECK_EQ_U64(g->ops->direct_value_addr(g, 20, &addr), -EINVAL);
	CHECK_EQ_U64(two->ops->direct_value_addr(two, 0, &addr), -ENOTSUPP);
	bpfvm_map_free(m);
	bpfvm_map_free(g);
	bpfvm_map_free(two);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1,
				      &(struct bpfvm_map_opts){
					      .sz = sizeof(struct bpfvm_map_opts),
					      .map_flags = BPF_F_MMAPABLE },
				      &m), -EINVAL);
}

/* A lock word at offset 4 of a 16-byte value. */
static void test_spin_lock(void)
{
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_ARRAY, 16, 2, 0, 4, NULL);
	uint32_t *slot = m->ops->lookup(m, key(1));
	uint32_t in[4] = { 1, 0xdead, 3, 4 }, out[4];

	CHECK_EQ_U64(bpfvm_map_update(m, key(1), in, BPF_F_LOCK), 0);
	CHECK(slot[0] == 1 && slot[1] == 0 && slot[2] == 3 && slot[3] == 4);
	CHECK_EQ_U64(bpfvm_map_update(m, key(1), in, BPF_F_LOCK | BPF_NOEXIST),
		     -EEXIST);
	slot[1] = 1; /* "held" by a program: a plain lookup copies as is */
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(1), out, 0), 0);
	CHECK(out[0] == 1 && out[2] == 3);
	slot[1] = 0;
	memset(out, 0xff, sizeof(out));
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(1), out, BPF_F_LOCK), 0);
	CHECK(out[0] == 1 && out[1] == 0 && out[3] == 4);
	CHECK_EQ_U64(m->ops->update(m, key(0), in, BPF_F_LOCK), 0);
	bpfvm_map_free(m);
}

static void test_percpu(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map *m = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 12, 3, 0, -1, NULL);
	size_t usz = bpfvm_map_user_value_size(m);
	uint8_t *all = malloc(usz), *back = malloc(usz);
	uint64_t v[2] = { 0xabcdef, 0 };

	CHECK_EQ_U64(usz, 16 * ncpu);
	for (size_t i = 0; i < usz; i++)
		all[i] = (uint8_t)i; /* padding bytes too: the kernel keeps them */
	CHECK_EQ_U64(bpfvm_map_update(m, key(2), all, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(2), back, 0), 0);
	CHECK(!memcmp(all, back, usz));
	CHECK_EQ_U64(bpfvm_map_update(m, key(2), all, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(bpfvm_map_update(m, key(2), all, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, key(3), all, 0), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(3), back, 0), -ENOENT);
	for (unsigned c = 0; c < ncpu; c++) {
		uint8_t *p = m->ops->lookup_percpu(m, key(2), c);

		CHECK(p && !memcmp(p, all + 16 * c, 12));
	}
	CHECK(m->ops->lookup_percpu(m, key(2), ncpu) == NULL);
	CHECK(m->ops->lookup_percpu(m, key(3), 0) == NULL);
	/* program side: the thread's own slot */
	CHECK_EQ_U64(bpfvm_thread_set_cpu(ncpu - 1), 0);
	CHECK(m->ops->lookup(m, key(1)) ==
	      m->ops->lookup_percpu(m, key(1), ncpu - 1));
	CHECK_EQ_U64(m->ops->update(m, key(1), v, BPF_ANY), 0);
	CHECK_EQ_U64(m->ops->update(m, key(1), v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(m->ops->update(m, key(1), v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(bpfvm_map_lookup(m, key(1), back, 0), 0);
	CHECK_EQ_U64(*(uint64_t *)(back + 16 * (ncpu - 1)), 0xabcdef);
	if (ncpu > 1)
		CHECK_EQ_U64(*(uint64_t *)back, 0);
	CHECK_EQ_U64(m->ops->delete(m, key(1)), -EINVAL);
	free(all);
	free(back);
	bpfvm_map_free(m);
}

static void test_aom_create(struct bpfvm_map *tmpl)
{
	struct bpfvm_map *m = NULL, *outer;
	struct bpfvm_map_opts o = { .sz = sizeof(o) };

	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &o,
				      &m), -EINVAL); /* no template */
	o.inner_map = tmpl;
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 2, &o,
				      &m), -EINVAL);
	o.map_flags = BPF_F_RDONLY_PROG;
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &o,
				      &m), -EINVAL);
	o.map_flags = BPF_F_MMAPABLE;
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &o,
				      &m), -EINVAL);
	o.map_flags = 0;
	outer = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 2, 0, -1, tmpl);
	o.inner_map = outer; /* one level only */
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &o,
				      &m), -EINVAL);
	CHECK(m == NULL);
	bpfvm_map_free(outer);
}

static void test_aom_slots(void)
{
	struct bpfvm_map *tmpl = mk(BPF_MAP_TYPE_ARRAY, 8, 4, 0, -1, NULL);
	struct bpfvm_map *fit = mk(BPF_MAP_TYPE_ARRAY, 8, 4, 0, -1, NULL);
	struct bpfvm_map *bigger = mk(BPF_MAP_TYPE_ARRAY, 8, 5, 0, -1, NULL);
	struct bpfvm_map *flagged = mk(BPF_MAP_TYPE_ARRAY, 8, 4,
				       BPF_F_RDONLY_PROG, -1, NULL);
	struct bpfvm_map *outer = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 3, 0, -1,
				     tmpl);
	uint32_t id = bpfvm_map_id(fit), out = 0;

	test_aom_create(tmpl);
	bpfvm_map_free(tmpl); /* the template may go after create */
	CHECK_EQ_U64(bpfvm_map_user_value_size(outer), 4);
	CHECK(outer->ops->lookup(outer, key(0)) == NULL);
	CHECK_EQ_U64(bpfvm_map_lookup(outer, key(0), &out, 0), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_update(outer, key(0), &id, 0), 0);
	CHECK(outer->ops->lookup(outer, key(0)) == fit);
	CHECK_EQ_U64(bpfvm_map_lookup(outer, key(0), &out, 0), 0);
	CHECK_EQ_U64(out, id);
	CHECK_EQ_U64(bpfvm_map_update(outer, key(1), &id, BPF_NOEXIST),
		     -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(outer, key(3), &id, 0), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_update(outer, key(1), &(uint32_t){ 0 }, 0),
		     -EBADF);
	id = bpfvm_map_id(bigger);
	CHECK_EQ_U64(bpfvm_map_update(outer, key(1), &id, 0), -EINVAL);
	id = bpfvm_map_id(flagged);
	CHECK_EQ_U64(bpfvm_map_update(outer, key(1), &id, 0), -EINVAL);
	id = bpfvm_map_id(outer); /* never inside itself */
	CHECK_EQ_U64(bpfvm_map_update(outer, key(1), &id, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_delete(outer, key(3)), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_delete(outer, key(1)), -ENOENT);
	/* the slot's reference keeps the inner map alive */
	id = bpfvm_map_id(fit);
	bpfvm_map_free(fit);
	fit = bpfvm_map_get_by_id(id);
	CHECK(fit != NULL);
	bpfvm_map_free(fit);
	CHECK_EQ_U64(bpfvm_map_delete(outer, key(0)), 0);
	CHECK_EQ_U64(bpfvm_map_delete(outer, key(0)), -ENOENT);
	bpfvm_map_free(bigger);
	bpfvm_map_free(flagged);
	bpfvm_map_free(outer);
	CHECK(bpfvm_map_get_by_id(id) == NULL);
}

/* BPF_F_INNER_MAP templates let inner arrays differ in size; other types
 * never compare max_entries. */
static void test_aom_inner_map_flag(void)
{
	struct bpfvm_map *tmpl = mk(BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_INNER_MAP,
				    -1, NULL);
	struct bpfvm_map *big = mk(BPF_MAP_TYPE_ARRAY, 8, 40, BPF_F_INNER_MAP,
				   -1, NULL);
	struct bpfvm_map *plain = mk(BPF_MAP_TYPE_ARRAY, 8, 40, 0, -1, NULL);
	struct bpfvm_map *ptmpl = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 8, 4, 0, -1,
				     NULL);
	struct bpfvm_map *pbig = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 8, 9, 0, -1,
				    NULL);
	struct bpfvm_map *o1 = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 1, 0, -1, tmpl);
	struct bpfvm_map *o2 = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 1, 0, -1,
				  ptmpl);
	uint32_t id = bpfvm_map_id(big);

	CHECK_EQ_U64(bpfvm_map_update(o1, key(0), &id, 0), 0);
	id = bpfvm_map_id(plain); /* flags differ */
	CHECK_EQ_U64(bpfvm_map_update(o1, key(0), &id, 0), -EINVAL);
	id = bpfvm_map_id(pbig); /* per-CPU arrays keep their size too */
	CHECK_EQ_U64(bpfvm_map_update(o2, key(0), &id, 0), -EINVAL);
	bpfvm_map_free(o1);
	bpfvm_map_free(o2);
	bpfvm_map_free(tmpl);
	bpfvm_map_free(big);
	bpfvm_map_free(plain);
	bpfvm_map_free(ptmpl);
	bpfvm_map_free(pbig);
}

/* A replaced inner map outlives every read section that began before the
 * swap, and goes once they are over (and the next retirement runs). */
static void test_aom_grace(void)
{
	struct bpfvm_map *tmpl = mk(BPF_MAP_TYPE_ARRAY, 8, 2, 0, -1, NULL);
	struct bpfvm_map *outer = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 1, 0, -1,
				     tmpl);
	struct bpfvm_map *a = mk(BPF_MAP_TYPE_ARRAY, 8, 2, 0, -1, NULL);
	struct bpfvm_map *b = mk(BPF_MAP_TYPE_ARRAY, 8, 2, 0, -1, NULL);
	struct bpfvm_map *c = mk(BPF_MAP_TYPE_ARRAY, 8, 2, 0, -1, NULL);
	uint32_t ida = bpfvm_map_id(a), idb = bpfvm_map_id(b);
	uint32_t idc = bpfvm_map_id(c);
	struct bpfvm_map *seen, *again;

	bpfvm_map_update(outer, key(0), &ida, 0);
	bpfvm_map_free(a);
	map_rcu_read_lock();
	seen = outer->ops->lookup(outer, key(0));
	CHECK(seen != NULL);
	bpfvm_map_update(outer, key(0), &idb, 0); /* retires a */
	bpfvm_map_free(b);
	/* still usable: the section began before the swap */
	CHECK(seen->ops->lookup(seen, key(1)) != NULL);
	again = bpfvm_map_get_by_id(ida);
	CHECK(again == seen);
	bpfvm_map_free(again);
	map_rcu_read_unlock();
	bpfvm_map_update(outer, key(0), &idc, 0); /* reclaims a, retires b */
	bpfvm_map_free(c);
	CHECK(bpfvm_map_get_by_id(ida) == NULL);
	bpfvm_map_free(outer);
	CHECK(bpfvm_map_get_by_id(idb) == NULL);
	CHECK(bpfvm_map_get_by_id(idc) == NULL);
	bpfvm_map_free(tmpl);
}

static void test_aom_batch(void)
{
	struct bpfvm_map *tmpl = mk(BPF_MAP_TYPE_ARRAY, 8, 2, 0, -1, NULL);
	struct bpfvm_map *outer = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 0, -1,
				     tmpl);
	uint32_t id = bpfvm_map_id(tmpl), keys[4], vals[4], out = 9, n = 4;

	bpfvm_map_update(outer, key(2), &id, 0);
	/* empty slots are skipped; out_batch is the last index visited */
	CHECK_EQ_U64(bpfvm_map_lookup_batch(outer, NULL, &out, keys, vals, &n,
					    NULL), -ENOENT);
	CHECK_EQ_U64(n, 1);
	CHECK(keys[0] == 2 && vals[0] == id);
	CHECK_EQ_U64(out, 3);
	bpfvm_map_free(outer);
	bpfvm_map_free(tmpl);
}

int main(void)
{
	test_layout_and_flags();
	test_next_key();
	test_for_each();
	test_mmap_and_global_data();
	test_spin_lock();
	test_percpu();
	test_aom_slots();
	test_aom_inner_map_flag();
	test_aom_grace();
	test_aom_batch();
	return check_report();
}
