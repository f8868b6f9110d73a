/* Callbacks: bpf_loop and bpf_for_each_map_elem in every engine
 * configuration (results, early stop, argument errors, nesting, the call
 * depth limit, budget and checked mode inside callbacks, bpfvm_run_stop
 * from a callback, a callback that is not a function). */
#include "prog_map_test.h"

#define LOOP CALL_HELPER(BPF_FUNC_loop)
#define FOR_EACH CALL_HELPER(BPF_FUNC_for_each_map_elem)
#define ID_STOP 1000

static struct bpfvm_env *env;

static uint64_t stop_helper(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			    uint64_t e, struct bpfvm_run *run)
{
	(void)b, (void)c, (void)d, (void)e;
	bpfvm_run_stop(run, a);
	return 0;
}

struct case_ {
	struct bpfvm_prog *prog, *blind;
};

static struct case_ mk(const struct bpf_insn *p, size_t cnt)
{
	struct case_ c = {
		mk_prog_env(p, cnt, env, NULL, 0, 0),
		mk_prog_env(p, cnt, env, NULL, 0, BPFVM_PROG_F_JIT_BLIND),
	};
	return c;
}

static void drop(struct case_ c)
{
	bpfvm_prog_free(c.prog);
	bpfvm_prog_free(c.blind);
}

/* Every configuration gives err and r0 (and, when counted, the same
 * instruction count as the first counted one). */
static void expect_all(struct case_ c, int err, uint64_t r0, uint64_t budget,
		       const char *msg, int line)
{
	uint64_t counted = 0;

	for (size_t k = 0; c.prog && c.blind && k < NCFG; k++) {
		const struct cfg *cf = &cfgs[k];
		struct outcome o;

		if (cf->direct && (err || budget))
			continue; /* no errors, no budget there */
		o = run_cfg(c.prog, c.blind, cf, NULL, 0, budget);
		if (o.err != err || (!err && o.r0 != r0) ||
		    (msg && !strstr(o.msg, msg)))
			fprintf(stderr, "line %d %s: err %d r0 %#llx msg %s\n",
				line, cf->name, o.err,
				(unsigned long long)o.r0, o.msg);
		CHECK(o.err == err);
		CHECK(err || o.r0 == r0);
		CHECK(!msg || strstr(o.msg, msg));
		if (!budget && !(cf->flags & BPFVM_RUN_F_COUNT))
			continue;
		if (!counted)
			counted = o.executed;
		CHECK_EQ_U64(o.executed, counted);
	}
}

/* Checked runs end with -EFAULT and a message with both texts; the
 * others are not checked (nothing to assert). */
static void expect_fault(struct case_ c, const char *a, const char *b)
{
	for (size_t k = 0; c.prog && k < NCFG; k++) {
		struct outcome o;

		if (!(cfgs[k].flags & BPFVM_RUN_F_CHECKED))
			continue;
		o = run_cfg(c.prog, c.blind, &cfgs[k], NULL, 0, 0);
		CHECK(o.err == -EFAULT);
		CHECK(strstr(o.msg, a) && strstr(o.msg, b));
	}
}

/* sum = 0; n = bpf_loop(N, cb, &sum, 0); r0 = n * 1000000 + sum.
 * cb(i, ctx): *ctx += i; return i == stop. */
static void loop_prog(struct bpf_insn *p, int32_t nr, int32_t stop,
		      int32_t flags)
{
	struct bpf_insn q[] = {
		ST_IMM(BPF_DW, 10, -8, 0), MOV64_IMM(1, nr), LD_FUNC(2, 9),
		MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8),
		MOV64_IMM(4, flags), LOOP,
		ALU64_IMM(BPF_MUL, 0, 1000000), LDX(BPF_DW, 1, 10, -8),
		ALU64_REG(BPF_ADD, 0, 1), EXIT(),
		/* cb: 12 */
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0),
		JMP_IMM(BPF_JNE, 1, stop, 1), MOV64_IMM(0, 1), EXIT(),
	};

	memcpy(p, q, sizeof(q));
}

static void test_loop(void)
{
	struct bpf_insn p[19];
	struct case_ c;

	loop_prog(p, 10, -1, 0);
	c = mk(p, 19);
	expect_all(c, 0, 10 * 1000000 + 45, 0, NULL, __LINE__);
	drop(c);
	loop_prog(p, 10, 5, 0); /* stops after i = 5: 6 iterations */
	c = mk(p, 19);
	expect_all(c, 0, 6 * 1000000 + 15, 0, NULL, __LINE__);
	drop(c);
	loop_prog(p, 0, -1, 0);
	c = mk(p, 19);
	expect_all(c, 0, 0, 0, NULL, __LINE__);
	drop(c);
	loop_prog(p, (1 << 23) + 1, -1, 0);
	c = mk(p, 19);
	expect_all(c, 0, (uint64_t)-E2BIG * 1000000, 0, NULL, __LINE__);
	drop(c);
	loop_prog(p, 3, -1, 1);
	c = mk(p, 19);
	expect_all(c, 0, (uint64_t)-EINVAL * 1000000, 0, NULL, __LINE__);
	drop(c);
	/* a budget inside the callback ends the run at the same insn */
	loop_prog(p, 1000, -1, 0);
	c = mk(p, 19);
	expect_all(c, -ETIME, 0, 500, "instruction budget of 500", __LINE__);
	drop(c);
}

/* Nested: the outer callback runs bpf_loop(3, inner); each level is a
 * frame. depth levels of nesting: r0 = 3^depth (leaf calls counted in
 * a stack slot of main). */
static void test_nesting(void)
{
	/* main: *(fp-8) = 0; loop(3, cb, fp-8); r0 = *(fp-8).
	 * cb (10): loop(3, cb2, ctx). cb2 (18): *ctx += 1. */
	struct bpf_insn two[] = {
		ST_IMM(BPF_DW, 10, -8, 0), MOV64_IMM(1, 3), LD_FUNC(2, 7),
		MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0),
		LOOP, LDX(BPF_DW, 0, 10, -8), EXIT(),
		/* 10 */ MOV64_REG(3, 2), MOV64_IMM(1, 3), LD_FUNC(2, 5),
		MOV64_IMM(4, 0), LOOP, MOV64_IMM(0, 0), EXIT(),
		/* 18 */ LDX(BPF_DW, 1, 2, 0), ALU64_IMM(BPF_ADD, 1, 1),
		STX(BPF_DW, 2, 1, 0), MOV64_IMM(0, 0), EXIT(),
	};
	/* deep: cb calls itself through bpf_loop(1, cb, ctx): depth grows
	 * until the 8-frame limit ends the run. */
	struct bpf_insn deep[] = {
		MOV64_IMM(1, 1), LD_FUNC(2, 5), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), LOOP, EXIT(), MOV64_IMM(0, 0),
		/* 8 */ MOV64_IMM(1, 1), LD_FUNC(2, -2), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), LOOP, MOV64_IMM(0, 0), EXIT(),
	};
	struct case_ c = mk(two, ARRAY_LEN(two));

	expect_all(c, 0, 9, 0, NULL, __LINE__);
	drop(c);
	c = mk(deep, ARRAY_LEN(deep));
	expect_all(c, -EOVERFLOW, 0, 0, "insn 13: call depth 9 exceeds 8",
		   __LINE__);
	drop(c);
}

/* A callback's errors and stops end the whole run. */
static void test_errors(void)
{
	/* cb stores past the callback ctx (NULL + 8): checked runs fault */
	struct bpf_insn stray[] = {
		MOV64_IMM(1, 2), LD_FUNC(2, 5), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), LOOP, EXIT(), MOV64_IMM(0, 0),
		/* 8 */ ST_IMM(BPF_DW, 10, -520, 1), MOV64_IMM(0, 0), EXIT(),
	};
	/* cb: bpfvm_run_stop(77) on the second iteration */
	struct bpf_insn stop[] = {
		MOV64_IMM(1, 5), LD_FUNC(2, 6), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), LOOP, MOV64_IMM(0, 1), EXIT(),
		/* 8 */ MOV64_IMM(0, 0), JMP_IMM(BPF_JNE, 1, 1, 2),
		MOV64_IMM(1, 77), CALL_HELPER(ID_STOP), EXIT(),
	};
	/* a callback that is not a function of the program */
	struct bpf_insn not_fn[] = {
		MOV64_IMM(1, 2), MOV64_IMM(2, 4), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), LOOP, EXIT(),
	};
	struct case_ c = mk(stray, ARRAY_LEN(stray));

	expect_fault(c, "insn 8: 8-byte store to", "");
	drop(c);
	c = mk(stop, ARRAY_LEN(stop));
	expect_all(c, 0, 77, 0, NULL, __LINE__);
	drop(c);
	c = mk(not_fn, ARRAY_LEN(not_fn));
	expect_all(c, -EINVAL, 0, 0, "insn 4: callback 0x4 is not a function",
		   __LINE__);
	drop(c);
}

/* for_each over an ARRAY of 4 u64 values v[i] = i + 1:
 * cb(map, key, value, ctx): *ctx += *value * 10 + *key; *value += 100;
 * return *key == stop. r0 = visited * 1000000 + sum. */
static void for_each_prog(struct bpf_insn *p, uint32_t id, int32_t stop)
{
	struct bpf_insn q[] = {
		ST_IMM(BPF_DW, 10, -8, 0), LD_MAP(1, id), LD_FUNC(2, 9),
		MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0),
		FOR_EACH, ALU64_IMM(BPF_MUL, 0, 1000000),
		LDX(BPF_DW, 1, 10, -8), ALU64_REG(BPF_ADD, 0, 1), EXIT(),
		/* cb: 13 */
		LDX(BPF_DW, 5, 3, 0), ALU64_IMM(BPF_MUL, 5, 10),
		LDX(BPF_W, 0, 2, 0), ALU64_REG(BPF_ADD, 5, 0),
		LDX(BPF_DW, 1, 4, 0), ALU64_REG(BPF_ADD, 1, 5),
		STX(BPF_DW, 4, 1, 0), LDX(BPF_DW, 5, 3, 0),
		ALU64_IMM(BPF_ADD, 5, 100), STX(BPF_DW, 3, 5, 0),
		MOV64_REG(1, 0), MOV64_IMM(0, 0),
		JMP_IMM(BPF_JNE, 1, stop, 1), MOV64_IMM(0, 1), EXIT(),
	};

	memcpy(p, q, sizeof(q));
}

static void fill(struct bpfvm_map *m)
{
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t v = i + 1;

		bpfvm_map_update(m, &i, &v, BPF_ANY);
	}
}

static void test_for_each(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	struct bpfvm_map *ro = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4,
				      BPF_F_RDONLY_PROG);
	struct bpf_insn p[28];
	uint64_t v;
	uint32_t k = 3;
	struct case_ c;

	for_each_prog(p, bpfvm_map_id(m), -1);
	c = mk(p, 28);
	for (size_t i = 0; c.prog && i < NCFG; i++) {
		struct outcome o;

		fill(m);
		o = run_cfg(c.prog, c.blind, &cfgs[i], NULL, 0, 0);
		CHECK(o.err == 0);
		/* values 1..4: 10 * 10 + (0+1+2+3) */
		CHECK_EQ_U64(o.r0, 4 * 1000000 + 106);
		CHECK(bpfvm_map_lookup(m, &k, &v, 0) == 0 && v == 104);
	}
	drop(c);
	for_each_prog(p, bpfvm_map_id(m), 1); /* stops after key 1 */
	c = mk(p, 28);
	for (size_t i = 0; c.prog && i < NCFG; i++) {
		struct outcome o;

		fill(m);
		o = run_cfg(c.prog, c.blind, &cfgs[i], NULL, 0, 0);
		CHECK(o.err == 0);
		CHECK_EQ_U64(o.r0, 2 * 1000000 + 10 * 3 + 1);
	}
	drop(c);
	/* RDONLY_PROG values: checked runs refuse the callback's store */
	for_each_prog(p, bpfvm_map_id(ro), -1);
	c = mk(p, 28);
	expect_fault(c, "insn 22: 8-byte store to", "read-only region");
	drop(c);
	bpfvm_map_free(m);
	bpfvm_map_free(ro);
}

int main(void)
{
	CHECK(bpfvm_env_create(&env) == 0);
	CHECK(bpfvm_helper_register(env, ID_STOP, "stop", stop_helper) == 0);
	test_loop();
	test_nesting();
	test_errors();
	test_for_each();
	bpfvm_env_free(env);
	return check_report();
}
