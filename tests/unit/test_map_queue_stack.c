/* BPF_MAP_TYPE_QUEUE / STACK: attribute errors, FIFO and LIFO order across
 * ring wrap-around (against a model), full maps (-E2BIG, BPF_EXIST drops
 * the oldest), flags, empty maps, the keyed operations the kernel
 * refuses, and concurrent pushers and poppers losing nothing. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "maps/map_priv.h"

static int create(enum bpf_map_type type, uint32_t key_size,
		  uint32_t value_size, uint32_t max, uint32_t flags,
		  uint64_t extra, int32_t lock_off, struct bpfvm_map **out)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags,
				    .map_extra = extra,
				    .has_spin_lock = lock_off >= 0,
				    .spin_lock_off =
					    lock_off >= 0 ? (uint32_t)lock_off : 0 };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(type, key_size, value_size, max, &o, &m);

	if (out)
		*out = m;
	else
		bpfvm_map_free(m);
	return err;
}

static void test_create(enum bpf_map_type t)
{
	CHECK_EQ_U64(create(t, 0, 4, 1, 0, 0, -1, NULL), 0);
	CHECK_EQ_U64(create(t, 4, 4, 1, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(t, 0, 0, 1, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(t, 0, 4, 0, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(t, 0, 4, 1, BPF_F_NO_PREALLOC, 0, -1, NULL),
		     -EINVAL);
	CHECK_EQ_U64(create(t, 0, 4, 1, BPF_F_ZERO_SEED, 0, -1, NULL),
		     -EINVAL);
	CHECK_EQ_U64(create(t, 0, 4, 1, BPF_F_RDONLY_PROG, 0, -1, NULL), 0);
	CHECK_EQ_U64(create(t, 0, 4, 1, 0, 1, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(t, 0, 4u << 20, 1, 0, 0, -1, NULL), 0);
	CHECK_EQ_U64(create(t, 0, (4u << 20) + 1, 1, 0, 0, -1, NULL), -E2BIG);
	CHECK_EQ_U64(create(t, 4, (4u << 20) + 1, 1, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ_U64(create(t, 0, 8, 1, 0, 0, 0, NULL), -EOPNOTSUPP);
}

/* A model ring: FIFO pops at lo, LIFO at hi - 1. */
struct model {
	uint64_t v[4096];
	size_t lo, hi;
};

static void model_push(struct model *md, uint64_t v, size_t max, bool force)
{
	if (md->hi - md->lo == max) {
		if (!force)
			return;
		md->lo++;
	}
	md->v[md->hi++ % 4096] = v;
}

/* Random pushes (some with BPF_EXIST), pops and peeks against the model,
 * many times around the ring. */
static void test_order(enum bpf_map_type t, uint32_t max)
{
	bool lifo = t == BPF_MAP_TYPE_STACK;
	static struct model md;
	struct bpfvm_map *m;
	uint64_t s = 42;

	if (create(t, 0, 8, max, 0, 0, -1, &m))
		return;
	md.lo = md.hi = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t v = 0x1111, c, want;
		bool empty = md.hi == md.lo, full = md.hi - md.lo == max;
		int err;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		c = s >> 60;
		if (c < 8) {
			uint64_t flags = c == 0 ? BPF_EXIST : BPF_ANY;
			uint64_t pv = (uint64_t)i;

			err = bpfvm_map_update(m, NULL, &pv, flags);
			CHECK_EQ_U64(err, full && !flags ? -E2BIG : 0);
			model_push(&md, (uint64_t)i, max, flags);
			continue;
		}
		want = empty ? 0 : md.v[(lifo ? md.hi - 1 : md.lo) % 4096];
		if (c < 13)
			err = bpfvm_map_lookup_and_delete(m, NULL, &v, 0);
		else
			err = bpfvm_map_lookup(m, NULL, &v, 0);
		CHECK_EQ_U64(err, empty ? -ENOENT : 0);
		if (!empty)
			CHECK_EQ_U64(v, want);
		if (!empty && c < 13 && lifo)
			md.hi--;
		else if (!empty && c < 13)
			md.lo++;
	}
	bpfvm_map_free(m);
}

/* Fill, overflow with BPF_EXIST, drain: exact sequences. */
static void test_full(enum bpf_map_type t)
{
	bool lifo = t == BPF_MAP_TYPE_STACK;
	struct bpfvm_map *m;
	uint32_t v;

	if (create(t, 0, 4, 3, 0, 0, -1, &m))
		return;
	for (v = 1; v <= 3; v++)
		CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, 0), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_ANY), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_EXIST), 0); /* 2 3 4 */
	v = 5;
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, BPF_EXIST), 0); /* 3 4 5 */
	for (uint32_t i = 0; i < 3; i++) {
		CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, &v, 0), 0);
		CHECK_EQ_U64(v, lifo ? 5 - i : 3 + i);
	}
	/* user side: bpf(2) copies a value out only on success */
	v = 99;
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, &v, 0), -ENOENT);
	CHECK_EQ_U64(v, 99);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), -ENOENT);
	CHECK_EQ_U64(v, 99);
	/* program side: an empty pop zeroes the value, as the kernel */
	v = 99;
	CHECK_EQ_U64(m->ops->pop(m, &v), -ENOENT);
	CHECK_EQ_U64(v, 0);
	v = 99;
	CHECK_EQ_U64(m->ops->peek(m, &v), -ENOENT);
	CHECK_EQ_U64(v, 0);
	CHECK_EQ_U64(m->ops->push(m, &v, BPF_ANY), 0);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, &v, BPF_F_LOCK),
		     -EINVAL);
	/* what the kernel refuses for these maps */
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &v), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &v, &v), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_delete(m, NULL), -EINVAL);
	CHECK(m->ops->lookup(m, &v) == NULL);
	CHECK_EQ_U64(m->ops->update(m, &v, &v, 0), -EINVAL);
	CHECK_EQ_U64(m->ops->delete(m, &v), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, &v, 0), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, &v, 0), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, &v, 0), 0);
	bpfvm_map_free(m);
}

/* ---- concurrency: 2 pushers, 2 poppers; every value popped once ---- */

#define PER_PUSHER 20000

static struct bpfvm_map *conc;
static atomic_int pushed_done;
static uint8_t seen[2 * PER_PUSHER];

static void *pusher(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg;

	for (uint32_t i = 0; i < PER_PUSHER; i++) {
		uint32_t v = base + i;

		while (conc->ops->push(conc, &v, BPF_ANY) == -E2BIG)
			;
	}
	atomic_fetch_add(&pushed_done, 1);
	return NULL;
}

static void *popper(void *arg)
{
	long *bad = arg;

	for (;;) {
		/* read before the pop: empty after both finished is the end */
		bool done = atomic_load(&pushed_done) == 2;
		uint32_t v;

		if (conc->ops->pop(conc, &v) == 0) {
			if (v >= 2 * PER_PUSHER ||
			    __atomic_fetch_add(&seen[v], 1, __ATOMIC_RELAXED))
				(*bad)++;
		} else if (done) {
			return NULL;
		}
	}
}

static void test_concurrent(enum bpf_map_type t)
{
	pthread_t th[4];
	long bad[2] = { 0, 0 };
	int missing = 0;

	if (create(t, 0, 4, 64, 0, 0, -1, &conc))
		return;
	memset(seen, 0, sizeof(seen));
	atomic_store(&pushed_done, 0);
	pthread_create(&th[0], NULL, pusher, (void *)0);
	pthread_create(&th[1], NULL, pusher, (void *)(uintptr_t)PER_PUSHER);
	pthread_create(&th[2], NULL, popper, &bad[0]);
	pthread_create(&th[3], NULL, popper, &bad[1]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2 * PER_PUSHER; i++)
		missing += seen[i] != 1;
	CHECK_EQ_U64(bad[0] + bad[1], 0);
	CHECK_EQ_U64(missing, 0);
	bpfvm_map_free(conc);
}

int main(void)
{
	static const enum bpf_map_type types[] = { BPF_MAP_TYPE_QUEUE,
						   BPF_MAP_TYPE_STACK };

	for (int i = 0; i < 2; i++) {
		test_create(types[i]);
		test_full(types[i]);
		test_order(types[i], 1);
		test_order(types[i], 5);
		test_order(types[i], 100);
		test_concurrent(types[i]);
	}
	return check_report();
}
