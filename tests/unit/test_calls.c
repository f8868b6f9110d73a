/* Calls: helpers (args, result, bpfvm_run_stop, bpfvm_run_user), the
 * helper table, bpf-to-bpf calls (frames, r6-r9, depth limit), callx. */
#include "test_helpers.h"
#include "check.h"
#include "insn_build.h"

#define ID_SUM 100
#define ID_STOP 101
#define ID_USER 40000

static uint64_t stop(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		     uint64_t e, struct bpfvm_run *run)
{
	(void)b, (void)c, (void)d, (void)e;
	bpfvm_run_stop(run, a + 1);
	return 5;
}

static uint64_t user(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		     uint64_t e, struct bpfvm_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	return *(uint64_t *)bpfvm_run_user(run);
}

static struct bpfvm_env *env;

static int run_env(const struct bpf_insn *p, size_t cnt, void *mem,
		   size_t len, uint64_t *r0, char *log, size_t log_size)
{
	return run_insns_env(p, cnt, env, mem, len, r0, NULL, log, log_size);
}

static void test_env(void)
{
	struct bpfvm_env *e;

	CHECK(bpfvm_env_create(&e) == 0);
	CHECK(bpfvm_helper_find(e, 1) != NULL); /* map_lookup_elem is built in */
	CHECK(bpfvm_helper_find(e, 30000) == NULL);
	CHECK(bpfvm_helper_register(e, 0, "x", test_helper_sum5) == -EINVAL);
	CHECK(bpfvm_helper_register(e, BPFVM_HELPER_ID_MAX + 1, "x",
				    test_helper_sum5) == -EINVAL);
	CHECK(bpfvm_helper_register(e, 5, "x", NULL) == -EINVAL);
	CHECK(bpfvm_helper_register(e, BPFVM_HELPER_ID_MAX, "last",
				    test_helper_sum5) == 0);
	CHECK(bpfvm_helper_find(e, BPFVM_HELPER_ID_MAX) == test_helper_sum5);
	CHECK_STREQ(bpfvm_helper_name(e, BPFVM_HELPER_ID_MAX), "last");
	/* unregistered: the Linux name, else NULL */
	CHECK_STREQ(bpfvm_helper_name(e, 1), "bpf_map_lookup_elem");
	CHECK(bpfvm_helper_name(e, 30000) == NULL);
	/* registered without a name */
	CHECK(bpfvm_helper_register(e, 30000, NULL, stop) == 0);
	CHECK_STREQ(bpfvm_helper_name(e, 30000), "helper#30000");
	CHECK(bpfvm_helper_register(e, 6, NULL, stop) == 0);
	CHECK_STREQ(bpfvm_helper_name(e, 6), "bpf_trace_printk");
	/* replace */
	CHECK(bpfvm_helper_register(e, 30000, "again", test_helper_sum5) == 0);
	CHECK(bpfvm_helper_find(e, 30000) == test_helper_sum5);
	CHECK_STREQ(bpfvm_helper_name(e, 30000), "again");
	bpfvm_env_free(e);
}

static void test_helpers(void)
{
	uint64_t r0 = 0, val = 0xabc;
	struct bpf_insn p[] = {
		MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3),
		MOV64_IMM(4, 4), MOV64_IMM(5, 5), CALL_HELPER(ID_SUM), EXIT(),
	};

	CHECK(run_env(p, ARRAY_LEN(p), NULL, 0, &r0, NULL, 0) == 0);
	CHECK_EQ_U64(r0, 54321);

	/* stop: r0 = the value given; nothing after the call runs */
	uint8_t mem[1] = { 9 };
	struct bpf_insn q[] = {
		MOV64_REG(6, 1), MOV64_IMM(1, 41), CALL_HELPER(ID_STOP),
		ST_IMM(BPF_B, 6, 0, 1), MOV64_IMM(0, 3), EXIT(),
	};
	CHECK(run_env(q, ARRAY_LEN(q), mem, 1, &r0, NULL, 0) == 0);
	CHECK_EQ_U64(r0, 42);
	CHECK_EQ_U64(mem[0], 9);

	struct bpf_insn u[] = { CALL_HELPER(ID_USER), EXIT() };
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .user = &val };
	CHECK(run_insns_env(u, 2, env, NULL, 0, &r0, &ro, NULL, 0) == 0);
	CHECK_EQ_U64(r0, 0xabc);
}

/* main: r1 = n; call f; exit.  f(n) = n == 0 ? 0 : f(n - 1) + 1 */
static int recurse(int32_t n, uint64_t *r0, char *log, size_t size)
{
	struct bpf_insn p[] = {
		MOV64_IMM(1, n),
		CALL_LOCAL(1),
		EXIT(),
		MOV64_IMM(0, 0),		/* 3: f */
		JMP_IMM(BPF_JEQ, 1, 0, 3),
		ALU64_IMM(BPF_SUB, 1, 1),
		CALL_LOCAL(-4),			/* 6 */
		ALU64_IMM(BPF_ADD, 0, 1),
		EXIT(),
	};

	return run_insns_env(p, ARRAY_LEN(p), NULL, NULL, 0, r0, NULL, log,
			     size);
}

static void test_local_calls(void)
{
	char log[256] = "";
	uint64_t r0 = 0;

	/* n = 6: main + f(6..0) = 8 frames */
	CHECK(recurse(6, &r0, log, sizeof(log)) == 0);
	CHECK_EQ_U64(r0, 6);
	CHECK(recurse(7, &r0, log, sizeof(log)) == -EOVERFLOW);
	CHECK_STREQ(log, "insn 6: call depth 9 exceeds 8");

	/* r1-r5 in, r0 out, r6-r9 preserved although the callee sets them */
	struct bpf_insn p[] = {
		MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8),
		MOV64_IMM(9, 9), MOV64_IMM(1, 1), MOV64_IMM(5, 5),
		CALL_LOCAL(6),
		ALU64_IMM(BPF_MUL, 0, 10000),	/* 7 */
		ALU64_REG(BPF_ADD, 0, 6), ALU64_REG(BPF_ADD, 0, 7),
		ALU64_REG(BPF_ADD, 0, 8), ALU64_REG(BPF_ADD, 0, 9),
		EXIT(),
		MOV64_REG(0, 1),		/* 13: callee */
		ALU64_REG(BPF_ADD, 0, 5),
		MOV64_IMM(6, 100), MOV64_IMM(7, 100), MOV64_IMM(8, 100),
		MOV64_IMM(9, 100),
		EXIT(),
	};
	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 60000 + 30);

	/* each call gets a fresh frame below the caller's; the callee can
	 * read the caller's frame through a pointer */
	struct bpf_insn s[] = {
		ST_IMM(BPF_DW, 10, -8, 111),
		MOV64_REG(1, 10),
		CALL_LOCAL(7),
		LDX(BPF_DW, 3, 10, -8),		/* still 111 */
		LDX(BPF_DW, 4, 10, -16),	/* the callee wrote 111 */
		ALU64_REG(BPF_ADD, 3, 4),
		ALU64_REG(BPF_SUB, 0, 10),	/* callee r10 - caller r10 */
		ALU64_REG(BPF_SUB, 3, 0),	/* 222 + 512 */
		MOV64_REG(0, 3),
		EXIT(),
		ST_IMM(BPF_DW, 10, -8, 222),	/* 10: callee's own slot */
		LDX(BPF_DW, 4, 1, -8),		/* the caller's 111 */
		STX(BPF_DW, 1, 4, -16),
		MOV64_REG(0, 10),
		EXIT(),
	};
	CHECK(run_insns(s, ARRAY_LEN(s), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 222 + 512);
}
static void test_callx(void)
{
	char log[256] = "";
	uint64_t r0 = 0;
	/* a function address from lddw src=4, then callx */
	struct bpf_insn p[] = {
		LD_FUNC(3, 5),			/* f: 0 + 1 + 5 = 6 */
		MOV64_IMM(1, 20),
		CALLX(3),
		ALU64_IMM(BPF_ADD, 0, 1),
		EXIT(),
		MOV64_REG(0, 1),		/* 6: f */
		ALU64_IMM(BPF_MUL, 0, 2),
		EXIT(),
	};
	CHECK(run_env(p, ARRAY_LEN(p), NULL, 0, &r0, log, sizeof(log)) == 0);
	CHECK_EQ_U64(r0, 41);

	/* a helper id in the register (conformance callx.data) */
	struct bpf_insn h[] = {
		MOV64_IMM(1, 3), MOV64_IMM(2, 0), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), MOV64_IMM(5, 0), MOV64_IMM(6, ID_SUM),
		CALLX(6), EXIT(),
	};
	CHECK(run_env(h, ARRAY_LEN(h), NULL, 0, &r0, log, sizeof(log)) == 0);
	CHECK_EQ_U64(r0, 3);

	/* neither: -EINVAL naming the value */
	h[5] = MOV64_IMM(6, 12345);
	CHECK(run_env(h, ARRAY_LEN(h), NULL, 0, &r0, log, sizeof(log)) ==
	      -EINVAL);
	CHECK(strstr(log, "insn 6: callx to 0x3039") == log);
}

int main(void)
{
	test_env();
	CHECK(bpfvm_env_create(&env) == 0);
	CHECK(bpfvm_helper_register(env, ID_SUM, "sum5", test_helper_sum5) == 0);
	CHECK(bpfvm_helper_register(env, ID_STOP, "stop", stop) == 0);
	CHECK(bpfvm_helper_register(env, ID_USER, NULL, user) == 0);
	test_helpers();
	test_local_calls();
	test_callx();
	bpfvm_env_free(env);
	return check_report();
}
