/* BPF_MAP_TYPE_DEVMAP_HASH: create attributes, update flags (NOEXIST on
 * a present key, EXIST inserting, fullness), ifindex 0 refused, delete,
 * get_next_key in the kernel's order (bucket key & mask, newest first),
 * lookups from user space and programs, map_redirect_lookup, element
 * recycling, and lock-free lookups while another thread churns keys
 * through the same buckets. No kernel needed. */
#include <errno.h>
#include <string.h>

#include <bpfvm/map.h>
#include <bpfvm/prog.h>

#include "check.h"
#include "insn_build.h"
#include "maps/redirect_map.h"
#include "redirect_map_test.h"

struct devval {
	uint32_t ifindex;
	uint32_t prog;
};

static int create(uint32_t vs, uint32_t n, uint32_t flags,
		  struct bpfvm_map **m)
{
	return rmt_create(BPF_MAP_TYPE_DEVMAP_HASH, 4, vs, n, flags, m);
}

static struct bpfvm_map *mk(uint32_t vs, uint32_t n)
{
	struct bpfvm_map *m;

	CHECK_EQ_U64(create(vs, n, 0, &m), 0);
	return m;
}

static int upd(struct bpfvm_map *m, uint32_t k, uint32_t ifindex,
	       uint64_t flags)
{
	struct devval v = { ifindex, 0 };

	return bpfvm_map_update(m, &k, &v, flags);
}

static int del(struct bpfvm_map *m, uint32_t k)
{
	return bpfvm_map_delete(m, &k);
}

static int64_t get(struct bpfvm_map *m, uint32_t k)
{
	struct devval v;
	int err = bpfvm_map_lookup(m, &k, &v, 0);

	return err ? (int64_t)err : (int64_t)v.ifindex;
}

static void test_create(void)
{
	struct bpfvm_map *m;

	CHECK_EQ_U64(create(4, 0, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(6, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, BPF_F_NO_PREALLOC, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, BPF_F_RDONLY_PROG, &m), -EINVAL);
	CHECK_EQ_U64(create(4, (1u << 31) + 1, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, UINT32_MAX, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(8, 5, BPF_F_NUMA_NODE, &m), 0);
	CHECK_EQ_U64(bpfvm_map_flags(m), BPF_F_NUMA_NODE | BPF_F_RDONLY_PROG);
	bpfvm_map_free(m);
}

static void test_update_delete(void)
{
	struct bpfvm_map *m = mk(8, 3);

	CHECK_EQ_U64(get(m, 10), -ENOENT);
	CHECK_EQ_U64(upd(m, 10, 0, 0), -EINVAL);
	CHECK_EQ_U64(upd(m, 10, 1, 4), -EINVAL);
	CHECK_EQ_U64(upd(m, 10, 1, 3), -EINVAL);
	CHECK_EQ_U64(upd(m, 10, 1, BPF_NOEXIST), 0);
	CHECK_EQ_U64(upd(m, 10, 2, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(get(m, 10), 1);
	CHECK_EQ_U64(upd(m, 10, 2, BPF_EXIST), 0);
	CHECK_EQ_U64(get(m, 10), 2);
	/* as the kernel: EXIST on an absent key inserts it */
	CHECK_EQ_U64(upd(m, 20, 3, BPF_EXIST), 0);
	CHECK_EQ_U64(upd(m, UINT32_MAX, 4, BPF_ANY), 0);
	CHECK_EQ_U64(upd(m, 30, 5, BPF_ANY), -E2BIG);
	/* replacing in a full map is fine */
	CHECK_EQ_U64(upd(m, 20, 6, BPF_ANY), 0);
	CHECK_EQ_U64(get(m, 20), 6);
	CHECK_EQ_U64(upd(m, 10, (uint32_t)1 << 31, BPF_ANY), -EINVAL);
	CHECK_EQ_U64(get(m, 10), 2);
	CHECK_EQ_U64(del(m, 30), -ENOENT);
	CHECK_EQ_U64(del(m, 10), 0);
	CHECK_EQ_U64(del(m, 10), -ENOENT);
	CHECK_EQ_U64(get(m, 10), -ENOENT);
	CHECK_EQ_U64(upd(m, 30, 5, BPF_ANY), 0);
	CHECK_EQ_U64(get(m, 30), 5);
	CHECK_EQ_U64(get(m, UINT32_MAX), 4);
	/* churn: elements are recycled, the count stays right */
	for (uint32_t i = 0; i < 1000; i++) {
		CHECK_EQ_U64(del(m, 30 + i), 0);
		CHECK_EQ_U64(upd(m, 31 + i, i + 1, BPF_NOEXIST), 0);
		CHECK_EQ_U64(upd(m, 5000 + i, 1, BPF_ANY), -E2BIG);
	}
	CHECK_EQ_U64(get(m, 1030), 1000);
	bpfvm_map_free(m);
}

/* Keys in the kernel's order: 4 buckets (max_entries 3 rounds up to 4),
 * bucket by bucket, the newest first within one. */
static void test_next_key_order(void)
{
	struct bpfvm_map *m = mk(4, 3);
	uint32_t k, next;

	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), -ENOENT);
	CHECK_EQ_U64(upd(m, 6, 1, 0), 0);	/* bucket 2 */
	CHECK_EQ_U64(upd(m, 1, 1, 0), 0);	/* bucket 1 */
	CHECK_EQ_U64(upd(m, 2, 1, 0), 0);	/* bucket 2, before 6 */
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ_U64(next, 1);
	k = 1;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 2);
	k = 2;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 6);
	k = 6;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), -ENOENT);
	k = 99; /* absent: the first key */
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 1);
	/* a replaced key moves to the head of its bucket */
	CHECK_EQ_U64(upd(m, 6, 2, 0), 0);
	k = 1;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 6);
	k = 6;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 2);
	bpfvm_map_free(m);
}

static void test_lookups(void)
{
	struct bpfvm_map *m = mk(8, 8);
	struct bpfvm_redirect r;

	CHECK_EQ_U64(map_redirect_lookup(m, 77, &r), -ENOENT);
	CHECK_EQ_U64(upd(m, 77, 9, 0), 0);
	CHECK_EQ_U64(map_redirect_lookup(m, 77, &r), 0);
	CHECK_EQ_U64(r.kind, BPFVM_REDIRECT_DEV);
	CHECK_EQ_U64(r.index, 9);
	CHECK_EQ_U64(map_redirect_lookup(m, 78, &r), -ENOENT);
	/* a program reads struct bpf_devmap_val in place */
	{
		uint32_t id = bpfvm_map_id(m);
		struct bpf_insn prog[] = {
			ST_IMM(BPF_W, 10, -4, 77),
			LD_IMM64_RAW(1, BPF_PSEUDO_MAP_FD, (int32_t)id, 0),
			MOV64_REG(2, 10),
			ALU64_IMM(BPF_ADD, 2, -4),
			CALL_HELPER(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, 0, 0, 3),
			LDX(BPF_W, 1, 0, 0),
			LDX(BPF_W, 0, 0, 4),
			ALU64_IMM(BPF_LSH, 0, 16),
			ALU64_REG(BPF_ADD, 0, 1),
			EXIT(),
		};
		struct bpfvm_prog *pr = NULL;
		uint64_t r0 = 0;

		CHECK_EQ_U64(bpfvm_prog_create(prog, ARRAY_LEN(prog), NULL,
					       &pr),
			     0);
		CHECK_EQ_U64(bpfvm_prog_run(pr, NULL, 0, &r0, NULL), 0);
		CHECK_EQ_U64(r0, 9); /* ifindex 9, program id 0 */
		bpfvm_prog_free(pr);
	}
	bpfvm_map_free(m);
}

/* One writer churns keys through few buckets (delete, re-insert,
 * replace: elements recycled across buckets); readers must always find
 * the keys that stay, with their own ifindex, and never a wrong one. */
static void *reader(void *arg)
{
	struct rmt_race *r = arg;

	while (!atomic_load(&r->stop)) {
		for (uint32_t i = 0; i < 8; i++) {
			uint32_t k = i < 4 ? i : i + 4;
			struct bpfvm_redirect out;
			int err = map_redirect_lookup(r->m, k, &out);

			/* keys 0..3 always present with ifindex 100 + k;
			 * 8..11 (the same buckets) come and go, ifindex
			 * 200 + k or 300 + k */
			if (k < 4 ? err || out.index != 100 + k
				  : !err && out.index != 200 + k &&
					    out.index != 300 + k)
				atomic_fetch_add(&r->bad, 1);
		}
		atomic_fetch_add(&r->seen, 1);
	}
	return NULL;
}

/* Keys 8..11 come and go, 0..3 are replaced by themselves. */
static void churn(struct bpfvm_map *m, uint32_t i)
{
	uint32_t k = 8 + i % 4;

	upd(m, k, (i & 4 ? 200 : 300) + k, 0);
	upd(m, i % 4, 100 + i % 4, 0); /* replace: same value */
	if (i % 3 == 0)
		del(m, k);
}

static void test_concurrent_reads(void)
{
	struct rmt_race r = { .m = mk(4, 8) }; /* 8 buckets: 2 keys share one */

	for (uint32_t k = 0; k < 4; k++)
		CHECK_EQ_U64(upd(r.m, k, 100 + k, 0), 0);
	rmt_race_run(&r, 2, reader, churn, 20000000, 100000, 2000);
}

int main(void)
{
	test_create();
	test_update_delete();
	test_next_key_order();
	test_lookups();
	test_concurrent_reads();
	return check_report();
}
