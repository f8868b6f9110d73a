/* Load-time validation: one case per rejection reason, each checking the
 * error code and that the message names the right instruction. */
#include <stdlib.h>

#include "check.h"
#include "insn_build.h"

static char log_buf[512];

static int create(const struct bpf_insn *p, size_t cnt, struct bpfvm_env *env)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .env = env,
				     .log_buf = log_buf,
				     .log_size = sizeof(log_buf) };
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_create(p, cnt, &o, &prog);

	bpfvm_prog_free(prog);
	return err;
}

/* The log starts with `prefix` and mentions `phrase`. */
#define REJECTS(prog, err_, prefix, phrase)                                 \
	do {                                                                \
		log_buf[0] = '\0';                                          \
		CHECK(create(prog, ARRAY_LEN(prog), NULL) == (err_));       \
		CHECK(strncmp(log_buf, prefix, strlen(prefix)) == 0);       \
		CHECK(strstr(log_buf, phrase) != NULL);                     \
		if (!strstr(log_buf, phrase))                               \
			fprintf(stderr, "  log: %s\n", log_buf);           \
	} while (0)

static void test_size(void)
{
	struct bpf_insn one[] = { EXIT() };
	struct bpf_insn *big = calloc(BPFVM_MAX_INSNS + 1, sizeof(*big));

	CHECK(create(one, 0, NULL) == -EINVAL);
	CHECK(strstr(log_buf, "empty program") != NULL);
	CHECK(big != NULL);
	for (size_t i = 0; big && i <= BPFVM_MAX_INSNS; i++)
		big[i] = EXIT();
	CHECK(create(big, BPFVM_MAX_INSNS + 1, NULL) == -E2BIG);
	CHECK(strstr(log_buf, "1000001") != NULL);
	CHECK(create(big, BPFVM_MAX_INSNS, NULL) == 0);
	free(big);
	log_buf[0] = 'x';
	CHECK(create(one, 1, NULL) == 0);
	CHECK_STREQ(log_buf, "");
}

static void test_encoding(void)
{
	struct bpf_insn bad_op[] = { MOV64_IMM(0, 0), INSN(0xff, 0, 0, 0, 0),
				     EXIT() };
	struct bpf_insn bad_reg[] = { MOV64_IMM(0, 0), MOV64_IMM(11, 0),
				      EXIT() };

	REJECTS(bad_op, -EINVAL, "insn 1: ", "");
	REJECTS(bad_reg, -EINVAL, "insn 1: ", "r11");
}

static void test_r10(void)
{
	struct bpf_insn alu[] = { MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 10, 8),
				  EXIT() };
	struct bpf_insn ldx[] = { MOV64_IMM(0, 0), MOV64_IMM(0, 0),
				  LDX(BPF_DW, 10, 1, 0), EXIT() };
	struct bpf_insn lddw[] = { LD_IMM64(10, 1), EXIT() };
	struct bpf_insn fetch[] = {
		MOV64_IMM(0, 0),
		ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, 1, 10, 0), EXIT(),
	};
	struct bpf_insn xchg[] = {
		MOV64_IMM(0, 0), ATOMIC(BPF_W, BPF_XCHG, 1, 10, 0), EXIT(),
	};
	/* a non-fetching atomic only reads r10: fine */
	struct bpf_insn ok[] = {
		MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
		ST_IMM(BPF_DW, 1, 0, 0), ATOMIC(BPF_DW, BPF_ADD, 1, 10, 0),
		MOV64_IMM(0, 0), EXIT(),
	};

	REJECTS(alu, -EINVAL, "insn 1: ", "r10");
	REJECTS(ldx, -EINVAL, "insn 2: ", "r10");
	REJECTS(lddw, -EINVAL, "insn 0: ", "r10");
	REJECTS(fetch, -EINVAL, "insn 1: ", "r10");
	REJECTS(xchg, -EINVAL, "insn 1: ", "r10");
	CHECK(create(ok, ARRAY_LEN(ok), NULL) == 0);
}

static void test_jumps(void)
{
	struct bpf_insn fwd[] = { MOV64_IMM(0, 0), JA(2), EXIT() };
	struct bpf_insn back[] = { MOV64_IMM(0, 0),
				   JMP_IMM(BPF_JEQ, 0, 0, -3), EXIT() };
	struct bpf_insn cond32[] = { MOV64_IMM(0, 0),
				     JMP32_REG(BPF_JSGT, 0, 1, 5), EXIT() };
	struct bpf_insn gotol[] = { MOV64_IMM(0, 0), GOTOL(1000), EXIT() };
	struct bpf_insn mid[] = { JA(1), LD_IMM64(0, 5), EXIT() };

	REJECTS(fwd, -EINVAL, "insn 1: ", "jump out of range");
	REJECTS(back, -EINVAL, "insn 1: ", "jump out of range");
	REJECTS(cond32, -EINVAL, "insn 1: ", "jump out of range");
	REJECTS(gotol, -EINVAL, "insn 1: ", "jump out of range");
	REJECTS(mid, -EINVAL, "insn 0: ", "middle of the lddw at insn 1");
}

static void test_lddw(void)
{
	struct bpf_insn trunc[] = { MOV64_IMM(0, 0), EXIT(),
				    INSN(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0,
					 1) };
	struct bpf_insn func_oob[] = { LD_FUNC(1, 3), MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn func_mid[] = { LD_FUNC(1, 2), LD_IMM64(2, 0),
				       MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn map_fd[] = { LD_IMM64_RAW(1, BPF_PSEUDO_MAP_FD, 3, 0),
				     MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn map_val[] = {
		MOV64_IMM(0, 0), LD_IMM64_RAW(1, BPF_PSEUDO_MAP_VALUE, 3, 0),
		EXIT() };
	struct bpf_insn map_idx[] = {
		MOV64_IMM(0, 0), LD_IMM64_RAW(1, 5 /* MAP_IDX */, 3, 0), EXIT() };
	struct bpf_insn map_idxv[] = {
		MOV64_IMM(0, 0), LD_IMM64_RAW(1, 6, 3, 0), EXIT() };
	struct bpf_insn btf[] = { MOV64_IMM(0, 0),
				  LD_IMM64_RAW(1, BPF_PSEUDO_BTF_ID, 3, 0),
				  EXIT() };

	REJECTS(trunc, -EINVAL, "insn 2: ", "lddw");
	REJECTS(func_oob, -EINVAL, "insn 0: ", "function address out of range");
	REJECTS(func_mid, -EINVAL, "insn 0: ", "middle of the lddw at insn 2");
	/* maps: tests/unit/test_prog_maps.c has the rest */
	REJECTS(map_fd, -EBADF, "insn 0: ", "map id 3, which does not exist");
	REJECTS(map_val, -EBADF, "insn 1: ", "map id 3, which does not exist");
	REJECTS(map_idx, -EPROTO, "insn 1: ", "no maps were given");
	REJECTS(map_idxv, -EPROTO, "insn 1: ", "no maps were given");
	REJECTS(btf, -EINVAL, "insn 1: ", "no BTF is available");
}

static void test_calls(void)
{
	struct bpf_insn helper[] = { MOV64_IMM(0, 0), CALL_HELPER(7777),
				     EXIT() };
	struct bpf_insn kfunc[] = {
		MOV64_IMM(0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 5),
		EXIT() };
	struct bpf_insn local_oob[] = { MOV64_IMM(0, 0), CALL_LOCAL(-3),
					EXIT() };
	struct bpf_insn local_mid[] = { CALL_LOCAL(2), EXIT(), LD_IMM64(0, 1),
					EXIT() };
	struct bpf_insn ok[] = { CALL_HELPER(7777), EXIT() };
	struct bpfvm_env *env;

	REJECTS(helper, -EINVAL, "insn 1: ", "unknown helper 7777");
	REJECTS(kfunc, -EINVAL, "insn 1: ", "kfunc calls are not supported");
	REJECTS(local_oob, -EINVAL, "insn 1: ", "call out of range");
	REJECTS(local_mid, -EINVAL, "insn 0: ", "middle of the lddw at insn 2");
	/* the same helper call passes once the env has it */
	CHECK(bpfvm_env_create(&env) == 0);
	CHECK(create(ok, ARRAY_LEN(ok), env) == -EINVAL);
	CHECK(bpfvm_helper_register(env, 7777, "h",
				    (bpfvm_helper_fn)(uintptr_t)1) == 0);
	CHECK(create(ok, ARRAY_LEN(ok), env) == 0);
	bpfvm_env_free(env);
}

static void test_end(void)
{
	struct bpf_insn no_exit[] = { MOV64_IMM(0, 0) };
	struct bpf_insn cond_last[] = { MOV64_IMM(0, 0), EXIT(),
					JMP_IMM(BPF_JEQ, 0, 0, -2) };
	struct bpf_insn call_last[] = { MOV64_IMM(0, 0), JA(1), EXIT(),
					CALL_LOCAL(-2) };
	struct bpf_insn lddw_last[] = { JA(2), EXIT(), EXIT(), LD_IMM64(0, 1) };
	struct bpf_insn ja_last[] = { MOV64_IMM(0, 0), JA(1), EXIT(), JA(-2) };

	REJECTS(no_exit, -EINVAL, "insn 0: ", "falls off");
	REJECTS(cond_last, -EINVAL, "insn 2: ", "falls off");
	REJECTS(call_last, -EINVAL, "insn 3: ", "falls off");
	REJECTS(lddw_last, -EINVAL, "insn 4: ", "falls off");
	CHECK(create(ja_last, ARRAY_LEN(ja_last), NULL) == 0);
}

static void test_copy_and_accessors(void)
{
	struct bpf_insn p[] = { MOV64_IMM(0, 7), EXIT() };
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .name = "seven" };
	struct bpfvm_prog *prog;
	uint64_t r0 = 0;

	CHECK(bpfvm_prog_create(p, 2, &o, &prog) == 0);
	p[0] = MOV64_IMM(0, 8); /* the program keeps its own copy */
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, NULL) == 0);
	CHECK_EQ_U64(r0, 7);
	CHECK_EQ_U64(bpfvm_prog_insn_cnt(prog), 2);
	CHECK_EQ_U64(bpfvm_prog_insns(prog)[0].imm, 7);
	CHECK_STREQ(bpfvm_prog_name(prog), "seven");
	CHECK(bpfvm_prog_env(prog) != NULL);
	struct bpfvm_run_opts ro = { .sz = sizeof(ro),
				     .engine = BPFVM_ENGINE_JIT };
	r0 = 0;
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, &ro) == 0);
	CHECK_EQ_U64(r0, 7);
	ro.engine = (enum bpfvm_engine)7;
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, &ro) == -EOPNOTSUPP);
	bpfvm_prog_free(prog);
	/* small opts structs (older callers) are fine */
	struct bpfvm_prog_opts small = { .sz = offsetof(struct bpfvm_prog_opts,
							name) };
	CHECK(bpfvm_prog_create(p, 2, &small, &prog) == 0);
	bpfvm_prog_free(prog);
	CHECK(bpfvm_prog_create(p, 2, NULL, &prog) == 0);
	bpfvm_prog_free(prog);
}

int main(void)
{
	test_size();
	test_encoding();
	test_r10();
	test_jumps();
	test_lddw();
	test_calls();
	test_end();
	test_copy_and_accessors();
	return check_report();
}
