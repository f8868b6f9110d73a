/* The map_*_elem helpers: they pass their arguments to the map's ops
 * unchanged (a recording fake map), refuse writes to BPF_F_RDONLY_PROG
 * maps with -EPERM, answer ops a type lacks with -EINVAL / NULL, bound the
 * CPU of lookup_percpu_elem; and on real maps, called directly and from a
 * program (maps referenced by address in an lddw). */
#include <errno.h>
#include <string.h>

#include <bpfvm/bpfvm.h>
#include "check.h"
#include "hlp_call.h"
#include "insn_build.h"
#include "maps/map_priv.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

/* The fake: records the last call. */
static struct {
	const char *op;
	const void *key, *value;
	uint64_t flags;
	unsigned cpu;
} last;
static uint64_t slot = 1234;

static void *fake_lookup(struct bpfvm_map *m, const void *key)
{
	(void)m;
	last.op = "lookup";
	last.key = key;
	return &slot;
}

static long fake_update(struct bpfvm_map *m, const void *key,
			const void *value, uint64_t flags)
{
	(void)m;
	last.op = "update";
	last.key = key;
	last.value = value;
	last.flags = flags;
	return -17;
}

static long fake_delete(struct bpfvm_map *m, const void *key)
{
	(void)m;
	last.op = "delete";
	last.key = key;
	return -2;
}

static long fake_push(struct bpfvm_map *m, const void *value, uint64_t flags)
{
	(void)m;
	last.op = "push";
	last.value = value;
	last.flags = flags;
	return -7;
}

static long fake_pop(struct bpfvm_map *m, void *value)
{
	(void)m;
	last.op = "pop";
	last.value = value;
	return 3;
}

static long fake_peek(struct bpfvm_map *m, void *value)
{
	(void)m;
	last.op = "peek";
	last.value = value;
	return 4;
}

static void *fake_percpu(struct bpfvm_map *m, const void *key, unsigned cpu)
{
	(void)m;
	last.op = "percpu";
	last.key = key;
	last.cpu = cpu;
	return &slot;
}

static const struct map_ops fake_ops = {
	.lookup = fake_lookup, .update = fake_update, .delete = fake_delete,
	.push = fake_push, .pop = fake_pop, .peek = fake_peek,
	.lookup_percpu = fake_percpu,
};
static const struct map_ops empty_ops;

static void test_pass_through(void)
{
	struct bpfvm_map m = { .ops = &fake_ops };
	int key = 1, value = 2;

	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_elem, P(&m), P(&key), 0, 0, 0),
		     P(&slot));
	CHECK(last.key == &key && !strcmp(last.op, "lookup"));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_update_elem, P(&m), P(&key),
			   P(&value), 5, 0), ERR(-17));
	CHECK(last.key == &key && last.value == &value && last.flags == 5);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_delete_elem, P(&m), P(&key), 0, 0, 0),
		     ERR(-2));
	CHECK(!strcmp(last.op, "delete"));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_push_elem, P(&m), P(&value), 2, 0, 0),
		     ERR(-7));
	CHECK(last.value == &value && last.flags == 2);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_pop_elem, P(&m), P(&value), 0, 0, 0),
		     3);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_peek_elem, P(&m), P(&value), 0, 0, 0),
		     4);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_percpu_elem, P(&m), P(&key),
			   bpfvm_num_possible_cpus() - 1, 0, 0), P(&slot));
	CHECK(last.cpu == bpfvm_num_possible_cpus() - 1);
	/* cpu is a u32, and must be a possible CPU */
	last.op = "none";
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_percpu_elem, P(&m), P(&key),
			   bpfvm_num_possible_cpus(), 0, 0), 0);
	CHECK(!strcmp(last.op, "none"));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_percpu_elem, P(&m), P(&key),
			   1ull << 32, 0, 0), P(&slot));
	CHECK(last.cpu == 0);
}

static void test_readonly_and_missing(void)
{
	struct bpfvm_map ro = { .ops = &fake_ops,
				.map_flags = BPF_F_RDONLY_PROG };
	struct bpfvm_map none = { .ops = &empty_ops };
	int key = 0, value = 0;

	last.op = "none";
	CHECK_EQ_U64(hcall(BPF_FUNC_map_update_elem, P(&ro), P(&key),
			   P(&value), 0, 0), ERR(-EPERM));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_delete_elem, P(&ro), P(&key), 0, 0, 0),
		     ERR(-EPERM));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_push_elem, P(&ro), P(&value), 0, 0, 0),
		     ERR(-EPERM));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_pop_elem, P(&ro), P(&value), 0, 0, 0),
		     ERR(-EPERM));
	CHECK(!strcmp(last.op, "none"));
	/* reading stays allowed */
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_elem, P(&ro), P(&key), 0, 0, 0),
		     P(&slot));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_peek_elem, P(&ro), P(&value), 0, 0, 0),
		     4);
	/* ops the type lacks */
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_elem, P(&none), P(&key), 0, 0,
			   0), 0);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_update_elem, P(&none), P(&key),
			   P(&value), 0, 0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_delete_elem, P(&none), P(&key), 0, 0,
			   0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_push_elem, P(&none), P(&value), 0, 0,
			   0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_pop_elem, P(&none), P(&value), 0, 0,
			   0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_peek_elem, P(&none), P(&value), 0, 0,
			   0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_percpu_elem, P(&none), P(&key),
			   0, 0, 0), 0);
	/* no map at all */
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_elem, 0, P(&key), 0, 0, 0), 0);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_update_elem, 0, P(&key), P(&value), 0,
			   0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_peek_elem, 0, P(&value), 0, 0, 0),
		     ERR(-EINVAL));
}

static void test_real_maps(void)
{
	struct bpfvm_map *arr = NULL, *q = NULL;
	uint32_t key = 1;
	uint64_t v = 99, out = 0, *p;

	CHECK(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, NULL, &arr) == 0);
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_QUEUE, 0, 8, 2, NULL, &q) == 0);
	if (!arr || !q)
		goto out;
	CHECK_EQ_U64(hcall(BPF_FUNC_map_update_elem, P(arr), P(&key), P(&v),
			   BPF_ANY, 0), 0);
	p = (uint64_t *)(uintptr_t)hcall(BPF_FUNC_map_lookup_elem, P(arr),
					 P(&key), 0, 0, 0);
	CHECK(p && *p == 99);
	key = 2;
	CHECK_EQ_U64(hcall(BPF_FUNC_map_lookup_elem, P(arr), P(&key), 0, 0, 0),
		     0);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_update_elem, P(arr), P(&key), P(&v),
			   BPF_ANY, 0), ERR(-E2BIG));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_delete_elem, P(arr), P(&key), 0, 0, 0),
		     ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_map_push_elem, P(q), P(&v), 0, 0, 0), 0);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_peek_elem, P(q), P(&out), 0, 0, 0), 0);
	CHECK_EQ_U64(out, 99);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_pop_elem, P(q), P(&out), 0, 0, 0), 0);
	CHECK_EQ_U64(hcall(BPF_FUNC_map_pop_elem, P(q), P(&out), 0, 0, 0),
		     ERR(-ENOENT));
out:
	bpfvm_map_free(arr);
	bpfvm_map_free(q);
}

/* A program bumps element 0 of an array through the pointer lookup gave
 * (the map by address, as hprog's bpfvm variant does). */
static void test_program(void)
{
	struct bpfvm_map *arr = NULL;
	uint32_t key = 0;
	uint64_t value = 0, r0 = 0;

	if (bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, NULL, &arr))
		return;
	{
		const struct bpf_insn prog[] = {
			ST_IMM(BPF_W, 10, -4, 0),
			LD_IMM64(1, (uintptr_t)arr),
			MOV64_REG(2, 10),
			ALU64_IMM(BPF_ADD, 2, -4),
			CALL_HELPER(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, 0, 0, 4),
			LDX(BPF_DW, 1, 0, 0),
			ALU64_IMM(BPF_ADD, 1, 5),
			STX(BPF_DW, 0, 1, 0),
			MOV64_REG(0, 1),
			EXIT(),
		};
		struct bpfvm_run_opts ro = { .sz = sizeof(ro) };

		CHECK(run_insns_env(prog, ARRAY_LEN(prog), NULL, NULL, 0, &r0,
				    &ro, NULL, 0) == 0);
		CHECK_EQ_U64(r0, 5);
		ro.engine = BPFVM_ENGINE_JIT;
		if (run_insns_env(prog, ARRAY_LEN(prog), NULL, NULL, 0, &r0,
				  &ro, NULL, 0) == 0)
			CHECK_EQ_U64(r0, 10);
	}
	CHECK(bpfvm_map_lookup(arr, &key, &value, 0) == 0);
	CHECK(value == 5 || value == 10);
	bpfvm_map_free(arr);
}

int main(void)
{
	test_pass_through();
	test_readonly_and_missing();
	test_real_maps();
	test_program();
	return check_report();
}
