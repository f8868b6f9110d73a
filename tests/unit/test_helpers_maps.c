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

/* Without a verifier a program may hand a map helper anything as its
 * map. Checked runs accept only maps the run's programs use: a bogus
 * pointer (unmapped: a dereference would crash) or a live map the
 * program does not use ends the run with -EINVAL and a message naming
 * the helper, in both engines, for every helper taking a map. */
struct map_call {
	uint32_t id;
	int reg;		/* the map argument */
	const char *name;
};

static const struct map_call map_calls[] = {
	{ BPF_FUNC_map_lookup_elem, 1, "bpf_map_lookup_elem" },
	{ BPF_FUNC_map_update_elem, 1, "bpf_map_update_elem" },
	{ BPF_FUNC_map_delete_elem, 1, "bpf_map_delete_elem" },
	{ BPF_FUNC_map_push_elem, 1, "bpf_map_push_elem" },
	{ BPF_FUNC_map_pop_elem, 1, "bpf_map_pop_elem" },
	{ BPF_FUNC_map_peek_elem, 1, "bpf_map_peek_elem" },
	{ BPF_FUNC_map_lookup_percpu_elem, 1, "bpf_map_lookup_percpu_elem" },
	{ BPF_FUNC_ringbuf_output, 1, "bpf_ringbuf_output" },
	{ BPF_FUNC_ringbuf_reserve, 1, "bpf_ringbuf_reserve" },
	{ BPF_FUNC_ringbuf_query, 1, "bpf_ringbuf_query" },
	{ BPF_FUNC_perf_event_output, 2, "bpf_perf_event_output" },
	{ BPF_FUNC_for_each_map_elem, 1, "bpf_for_each_map_elem" },
};

/* r0 = 77 after the call, unless the run ends there. used: a map the
 * program names (lddw by id), so it has one. */
static int run_map_call(const struct map_call *c, uint64_t map,
			uint32_t used, enum bpfvm_engine engine,
			uint32_t flags, uint64_t *r0, char *msg, size_t size)
{
	const struct bpf_insn prog[] = {
		ST_IMM(BPF_DW, 10, -8, 0),
		ST_IMM(BPF_DW, 10, -16, 0),
		LD_IMM64_RAW(0, BPF_PSEUDO_MAP_FD, used, 0),
		MOV64_REG(1, 10),
		ALU64_IMM(BPF_ADD, 1, -16),
		MOV64_REG(2, 1),
		MOV64_REG(3, 1),
		MOV64_IMM(4, 0),
		MOV64_IMM(5, 8),
		LD_IMM64(c->reg, map),
		CALL_HELPER(c->id),
		MOV64_IMM(0, 77),
		EXIT(),
	};
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = engine,
				     .flags = flags, .err_buf = msg,
				     .err_size = size };

	msg[0] = '\0';
	return run_insns_env(prog, ARRAY_LEN(prog), NULL, NULL, 0, r0, &ro,
			     NULL, 0);
}

static void test_checked_map_arg(void)
{
	static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP,
						     BPFVM_ENGINE_JIT };
	struct bpfvm_map *used = NULL, *other = NULL;
	char msg[256];

	if (bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, NULL, &used) ||
	    bpfvm_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, NULL, &other))
		goto out;
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		for (size_t i = 0; i < ARRAY_LEN(map_calls); i++) {
			const struct map_call *c = &map_calls[i];
			const uint64_t bad[] = { 0x1000, P(other) };
			uint32_t uid = bpfvm_map_id(used);

			for (size_t b = 0; b < ARRAY_LEN(bad); b++) {
				uint64_t r0 = 0;
				int err = run_map_call(c, bad[b], uid,
						       engines[e],
						       BPFVM_RUN_F_CHECKED,
						       &r0, msg, sizeof(msg));

				CHECK_EQ_U64(err, -EINVAL);
				CHECK(strstr(msg, c->name) != NULL);
				CHECK(strstr(msg, "is not a map this program "
					      "uses") != NULL);
			}
		}
	}
	/* the map the program uses passes the check */
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		uint64_t r0 = 0;

		CHECK_EQ_U64(run_map_call(&map_calls[0], P(used),
					  bpfvm_map_id(used), engines[e],
					  BPFVM_RUN_F_CHECKED, &r0, msg,
					  sizeof(msg)), 0);
		CHECK_EQ_U64(r0, 77);
		/* unchecked runs trust the value (here a live map) */
		CHECK_EQ_U64(run_map_call(&map_calls[0], P(other),
					  bpfvm_map_id(used), engines[e], 0,
					  &r0, msg, sizeof(msg)), 0);
		CHECK_EQ_U64(r0, 77);
	}
out:
	bpfvm_map_free(used);
	bpfvm_map_free(other);
}

int main(void)
{
	test_pass_through();
	test_readonly_and_missing();
	test_real_maps();
	test_program();
	test_checked_map_arg();
	return check_report();
}
