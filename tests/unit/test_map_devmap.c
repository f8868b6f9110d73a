/* BPF_MAP_TYPE_DEVMAP: create attributes, update flags and values
 * (ifindex 0 empties a slot, bpf_prog.fd names an XDP program for
 * devmaps), delete, get_next_key, lookups from user space and from a
 * program, map_redirect_lookup, and lock-free reads while another thread
 * rewrites the slots. No kernel needed. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <bpfvm/map.h>
#include <bpfvm/prog.h>

#include "check.h"
#include "insn_build.h"
#include "maps/redirect_map.h"
#include "redirect_map_test.h"

#define ENOTSUPP 524

struct devval {
	uint32_t ifindex;
	uint32_t prog;
};

static int create(uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags,
		  struct bpfvm_map **m)
{
	return rmt_create(BPF_MAP_TYPE_DEVMAP, ks, vs, n, flags, m);
}

static struct bpfvm_map *mk(uint32_t vs, uint32_t n)
{
	struct bpfvm_map *m;

	CHECK_EQ_U64(create(4, vs, n, 0, &m), 0);
	return m;
}

static int upd(struct bpfvm_map *m, uint32_t k, uint32_t ifindex,
	       int32_t fd, uint64_t flags)
{
	struct devval v = { ifindex, (uint32_t)fd };

	return bpfvm_map_update(m, &k, &v, flags);
}

static void test_create(void)
{
	struct bpfvm_map *m;
	uint32_t bad_flags[] = { BPF_F_NO_PREALLOC, BPF_F_MMAPABLE,
				 BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
				 BPF_F_INNER_MAP, BPF_F_NO_COMMON_LRU };

	CHECK_EQ_U64(create(4, 4, 0, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(8, 4, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 0, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 12, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 16, 4, 0, &m), -EINVAL);
	for (unsigned i = 0; i < ARRAY_LEN(bad_flags); i++)
		CHECK_EQ_U64(create(4, 4, 4, bad_flags[i], &m), -EINVAL);
	for (uint32_t vs = 4; vs <= 8; vs += 4) {
		CHECK_EQ_U64(create(4, vs, 4, 0, &m), 0);
		/* the kernel marks devmaps read-only for programs */
		CHECK_EQ_U64(bpfvm_map_flags(m), BPF_F_RDONLY_PROG);
		bpfvm_map_free(m);
	}
	CHECK_EQ_U64(create(4, 4, 4, BPF_F_RDONLY, &m), 0);
	CHECK_EQ_U64(upd(m, 0, 1, 0, 0), -EPERM);
	bpfvm_map_free(m);
	CHECK_EQ_U64(create(4, 4, 4, BPF_F_WRONLY, &m), 0);
	CHECK_EQ_U64(upd(m, 0, 1, 0, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &(uint32_t){ 0 }, &(uint32_t){ 0 },
				      0),
		     -EPERM);
	bpfvm_map_free(m);
}

static void test_update_lookup(void)
{
	struct bpfvm_map *m = mk(8, 4);
	struct devval v;
	uint32_t k = 1;

	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(upd(m, 1, 7, 0, BPF_ANY), 0);
	memset(&v, 0xaa, sizeof(v));
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.ifindex, 7);
	CHECK_EQ_U64(v.prog, 0);
	/* every slot exists: NOEXIST refused, EXIST fine on an empty one */
	CHECK_EQ_U64(upd(m, 1, 8, 0, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(upd(m, 2, 8, 0, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(upd(m, 2, 8, 0, BPF_EXIST), 0);
	CHECK_EQ_U64(upd(m, 2, 9, 0, 4), -EINVAL);
	CHECK_EQ_U64(upd(m, 2, 9, 0, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(upd(m, 4, 9, 0, 0), -E2BIG);
	CHECK_EQ_U64(upd(m, UINT32_MAX, 9, 0, 0), -E2BIG);
	/* flags are checked before the key, the key before NOEXIST */
	CHECK_EQ_U64(upd(m, 4, 9, 0, 3), -EINVAL);
	CHECK_EQ_U64(upd(m, 4, 9, 0, BPF_NOEXIST), -E2BIG);
	/* no device can have a negative ifindex */
	CHECK_EQ_U64(upd(m, 2, (uint32_t)INT_MAX + 1, 0, 0), -EINVAL);
	CHECK_EQ_U64(upd(m, 2, INT_MAX, 0, 0), 0);
	/* ifindex 0 empties the slot; with a program it is refused */
	CHECK_EQ_U64(upd(m, 2, 0, 5, 0), -EINVAL);
	CHECK_EQ_U64(upd(m, 2, 0, 0, 0), 0);
	k = 2;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(upd(m, 2, 0, -1, 0), 0);
	/* a negative fd names no program */
	CHECK_EQ_U64(upd(m, 2, 3, -5, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.ifindex, 3);
	CHECK_EQ_U64(v.prog, 0);
	k = 9;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, BPF_F_LOCK), -EINVAL);
	/* no lookup_and_delete, no batches: the kernel has neither */
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -ENOTSUPP);
	bpfvm_map_free(m);

	/* 4-byte values: ifindex alone */
	m = mk(4, 2);
	k = 0;
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &(uint32_t){ 11 }, 0), 0);
	v.ifindex = 0;
	v.prog = 0x55555555;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.ifindex, 11);
	CHECK_EQ_U64(v.prog, 0x55555555); /* 4 bytes written, no more */
	bpfvm_map_free(m);
}

static void test_delete_next_key(void)
{
	struct bpfvm_map *m = mk(4, 3);
	uint32_t k, next;

	k = 0;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0); /* empty slot: fine */
	CHECK_EQ_U64(upd(m, 0, 5, 0, 0), 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &next, 0), -ENOENT);
	k = 3;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EINVAL);
	k = UINT32_MAX;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EINVAL);
	rmt_check_array_order(m, 3);
	k = 77;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 0);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	CHECK_EQ_U64(upd(m, 1, 5, 0, 0), -EPERM);
	k = 1;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EPERM);
	bpfvm_map_free(m);
}

static void test_prog_values(void)
{
	struct bpfvm_prog *dev = rmt_xdp_prog(BPF_XDP_DEVMAP);
	struct bpfvm_prog *plain = rmt_xdp_prog(BPF_XDP);
	struct bpfvm_map *m = mk(8, 2);
	uint32_t id, k = 0;
	struct devval v;

	if (!dev || !plain)
		return;
	id = bpfvm_prog_id(dev);
	CHECK_EQ_U64(upd(m, 0, 4, (int32_t)bpfvm_prog_id(plain), 0), -EINVAL);
	CHECK_EQ_U64(upd(m, 0, 4, 0x7ffffff0, 0), -EINVAL); /* no such id */
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(upd(m, 0, 4, (int32_t)id, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.ifindex, 4);
	CHECK_EQ_U64(v.prog, id);
	/* the slot keeps the program alive after its creator let go */
	bpfvm_prog_free(dev);
	dev = bpfvm_prog_get_by_id(id);
	CHECK(dev != NULL);
	bpfvm_prog_free(dev);
	/* replacing the value drops it */
	CHECK_EQ_U64(upd(m, 0, 4, 0, 0), 0);
	CHECK(bpfvm_prog_get_by_id(id) == NULL);
	/* and so does freeing the map */
	dev = rmt_xdp_prog(BPF_XDP_DEVMAP);
	id = bpfvm_prog_id(dev);
	CHECK_EQ_U64(upd(m, 1, 4, (int32_t)id, 0), 0);
	bpfvm_prog_free(dev);
	bpfvm_map_free(m);
	CHECK(bpfvm_prog_get_by_id(id) == NULL);
	bpfvm_prog_free(plain);
}

static void test_redirect_lookup(void)
{
	struct bpfvm_map *m = mk(8, 4), *arr = NULL;
	struct bpfvm_redirect r = { 0 };

	CHECK_EQ_U64(map_redirect_lookup(m, 1, &r), -ENOENT);
	CHECK_EQ_U64(upd(m, 1, 42, 0, 0), 0);
	CHECK_EQ_U64(map_redirect_lookup(m, 1, &r), 0);
	CHECK_EQ_U64(r.kind, BPFVM_REDIRECT_DEV);
	CHECK_EQ_U64(r.index, 42);
	CHECK_EQ_U64(map_redirect_lookup(m, 4, &r), -ENOENT);
	CHECK_EQ_U64(map_redirect_lookup(m, UINT32_MAX, &r), -ENOENT);
	CHECK_EQ_U64(map_redirect_lookup(NULL, 1, &r), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, NULL, &arr),
		     0);
	CHECK_EQ_U64(map_redirect_lookup(arr, 1, &r), -EINVAL);
	bpfvm_map_free(arr);
	bpfvm_map_free(m);
}

static void test_program_side(void)
{
	struct bpfvm_map *m = mk(8, 4);

	CHECK_EQ_U64(upd(m, 2, 17, 0, 0), 0);
	CHECK_EQ_U64(rmt_prog_run(m, 2, 0, false), 17);
	CHECK_EQ_U64(rmt_prog_run(m, 2, 4, false), 0); /* bpf_prog.id */
	CHECK_EQ_U64(rmt_prog_run(m, 1, 0, false), 0xffff);
	CHECK_EQ_U64(rmt_prog_run(m, 4, 0, false), 0xffff);
	/* read-only for programs (the kernel's verifier refuses the call) */
	CHECK_EQ_U64((int64_t)rmt_prog_run(m, 2, 0, true), -EPERM);
	bpfvm_map_free(m);
}

/* Readers see a slot's old or new value, never anything else, while a
 * writer flips it; map_redirect_lookup takes no lock. */
static void *reader(void *arg)
{
	struct rmt_race *r = arg;

	while (!atomic_load(&r->stop)) {
		struct bpfvm_redirect out;
		int err = map_redirect_lookup(r->m, 0, &out);

		if (err == 0 && out.index != 100 && out.index != 200)
			atomic_fetch_add(&r->bad, 1);
		else if (err && err != -ENOENT)
			atomic_fetch_add(&r->bad, 1);
		atomic_fetch_add(&r->seen, 1);
	}
	return NULL;
}

static void flip(struct bpfvm_map *m, uint32_t i)
{
	uint32_t k = 0;

	if (i % 3 == 2)
		bpfvm_map_delete(m, &k);
	else
		upd(m, 0, i & 1 ? 100 : 200, 0, 0);
}

static void test_concurrent_reads(void)
{
	struct rmt_race r = { .m = mk(8, 1) };

	rmt_race_run(&r, 1, reader, flip, 50000000, 200000, 20000);
}

int main(void)
{
	test_create();
	test_update_lookup();
	test_delete_next_key();
	test_prog_values();
	test_redirect_lookup();
	test_program_side();
	test_concurrent_reads();
	return check_report();
}
