/* Run modes: checked (bounds on stack, memory and host regions), counting
 * and the instruction budget. */
#include <stdio.h>

#include "check.h"
#include "insn_build.h"

static char err[256];

static int run_opts(const struct bpf_insn *p, size_t cnt, void *mem,
		    size_t len, uint64_t *r0, struct bpfvm_run_opts *ro)
{
	err[0] = '\0';
	ro->err_buf = err;
	ro->err_size = sizeof(err);
	return run_insns_env(p, cnt, NULL, mem, len, r0, ro, NULL, 0);
}

static int run_checked(const struct bpf_insn *p, size_t cnt, void *mem,
		       size_t len, uint64_t *r0,
		       const struct bpfvm_region *regions, size_t nregions)
{
	struct bpfvm_run_opts ro = { .sz = sizeof(ro),
				     .flags = BPFVM_RUN_F_CHECKED,
				     .regions = regions,
				     .region_cnt = nregions };

	return run_opts(p, cnt, mem, len, r0, &ro);
}

static void test_legit(void)
{
	uint8_t mem[16] = { 0 };
	uint64_t ro_word = 5, rw_word = 6, r0 = 0;
	struct bpfvm_region regions[] = {
		{ &ro_word, sizeof(ro_word), 0 },
		{ &rw_word, sizeof(rw_word), 1 },
	};
	struct bpf_insn p[] = {
		ST_IMM(BPF_DW, 10, -512, 1),	/* frame bottom */
		ST_IMM(BPF_B, 10, -1, 2),	/* frame top */
		ST_IMM(BPF_DW, 1, 8, 3),	/* last word of mem */
		LDX(BPF_B, 0, 1, 15),
		LD_IMM64(3, (uintptr_t)&ro_word),
		LDX(BPF_DW, 4, 3, 0),		/* read-only region: read */
		LD_IMM64(5, (uintptr_t)&rw_word),
		ATOMIC(BPF_DW, BPF_ADD, 5, 4, 0), /* writable region */
		MOV64_REG(1, 10),
		CALL_LOCAL(2),
		LDX(BPF_DW, 0, 10, -16),
		EXIT(),
		ST_IMM(BPF_DW, 1, -16, 77),	/* callee: caller's frame */
		ST_IMM(BPF_DW, 10, -512, 1),	/* and its own */
		EXIT(),
	};

	CHECK(run_checked(p, ARRAY_LEN(p), mem, sizeof(mem), &r0, regions,
			  2) == 0);
	CHECK_STREQ(err, "");
	CHECK_EQ_U64(r0, 77);
	CHECK_EQ_U64(rw_word, 11);
	CHECK_EQ_U64(mem[8], 3);
}

/* One bad access as insn 1; returns the run's error and checks the text. */
static void expect_fault(struct bpf_insn bad, void *mem, size_t len,
			 const struct bpfvm_region *regions, size_t n,
			 const char *what, const char *why)
{
	struct bpf_insn p[] = { MOV64_IMM(0, 0), bad, EXIT() };
	uint64_t r0 = 0;
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "insn 1: %s 0x", what);
	CHECK(run_checked(p, ARRAY_LEN(p), mem, len, &r0, regions, n) ==
	      -EFAULT);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(strstr(err, why) != NULL);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, why))
		fprintf(stderr, "  err: %s\n", err);
}

static void test_faults(void)
{
	uint8_t mem[16] = { 0 };
	uint64_t word = 0;
	struct bpfvm_region ro = { &word, sizeof(word), 0 };
	const char *outside = "is outside the stack, the input memory, the "
			      "host's regions and the map values the program "
			      "may reach";

	expect_fault(ST_IMM(BPF_DW, 10, -520, 1), NULL, 0, NULL, 0,
		     "8-byte store to", outside);
	expect_fault(ST_IMM(BPF_DW, 10, -516, 1), NULL, 0, NULL, 0,
		     "8-byte store to", outside);	/* straddles */
	expect_fault(STX(BPF_B, 10, 1, 0), NULL, 0, NULL, 0,
		     "1-byte store to", outside);	/* above the top */
	expect_fault(LDX(BPF_W, 0, 1, 13), mem, sizeof(mem), NULL, 0,
		     "4-byte load from", outside);
	expect_fault(LDX(BPF_H, 0, 1, -1), mem, sizeof(mem), NULL, 0,
		     "2-byte load from", outside);
	expect_fault(LDX(BPF_DW, 0, 1, 0), NULL, 0, NULL, 0,
		     "8-byte load from", outside);	/* r1 = 0 */
	expect_fault(ATOMIC(BPF_W, BPF_ADD, 1, 0, 16), mem, sizeof(mem),
		     NULL, 0, "4-byte atomic access to", outside);
	expect_fault(ATOMIC(BPF_DW, BPF_ADD, 1, 0, 4), mem, sizeof(mem),
		     NULL, 0, "8-byte atomic access to", "misaligned");
	/* a read-only region: loads pass, stores and atomics fault */
	struct bpf_insn p[] = {
		LD_IMM64(1, (uintptr_t)&word), LDX(BPF_DW, 0, 1, 0),
		ST_IMM(BPF_W, 1, 4, 1), EXIT(),
	};
	uint64_t r0;
	CHECK(run_checked(p, ARRAY_LEN(p), NULL, 0, &r0, &ro, 1) == -EFAULT);
	CHECK(strncmp(err, "insn 3: 4-byte store to 0x", 26) == 0);
	CHECK(strstr(err, "read-only") != NULL);
	CHECK_EQ_U64(word, 0);
	/* a callee may not touch the frame below its own */
	struct bpf_insn q[] = {
		CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 0),
		ST_IMM(BPF_DW, 10, -520, 1), EXIT(),
	};
	CHECK(run_checked(q, ARRAY_LEN(q), NULL, 0, &r0, NULL, 0) == -EFAULT);
	CHECK(strncmp(err, "insn 3: 8-byte store to", 23) == 0);
}

static void test_budget(void)
{
	/* 2 + 3 * 10 + 1 = 33 executed instructions */
	struct bpf_insn p[] = {
		MOV64_IMM(0, 0), MOV64_IMM(1, 10),
		ALU64_IMM(BPF_ADD, 0, 2), ALU64_IMM(BPF_SUB, 1, 1),
		JMP_IMM(BPF_JNE, 1, 0, -3), EXIT(),
	};
	struct bpfvm_run_opts ro = { .sz = sizeof(ro),
				     .flags = BPFVM_RUN_F_COUNT };
	uint64_t r0 = 0;

	CHECK(run_opts(p, ARRAY_LEN(p), NULL, 0, &r0, &ro) == 0);
	CHECK_EQ_U64(ro.insn_executed, 33);
	CHECK_EQ_U64(r0, 20);
	ro = (struct bpfvm_run_opts){ .sz = sizeof(ro), .insn_budget = 33 };
	CHECK(run_opts(p, ARRAY_LEN(p), NULL, 0, &r0, &ro) == 0);
	CHECK_EQ_U64(ro.insn_executed, 33);
	ro.insn_budget = 32;
	CHECK(run_opts(p, ARRAY_LEN(p), NULL, 0, &r0, &ro) == -ETIME);
	CHECK_STREQ(err, "insn 5: instruction budget of 32 exceeded");
	CHECK_EQ_U64(ro.insn_executed, 32);
	ro.insn_budget = 1;
	CHECK(run_opts(p, ARRAY_LEN(p), NULL, 0, &r0, &ro) == -ETIME);
	CHECK_STREQ(err, "insn 1: instruction budget of 1 exceeded");
	/* checked and counted together; lddw counts once */
	struct bpf_insn q[] = { LD_IMM64(0, 9), EXIT() };
	ro = (struct bpfvm_run_opts){ .sz = sizeof(ro), .insn_budget = 2,
				      .flags = BPFVM_RUN_F_CHECKED };
	CHECK(run_opts(q, ARRAY_LEN(q), NULL, 0, &r0, &ro) == 0);
	CHECK_EQ_U64(ro.insn_executed, 2);
	ro.insn_budget = 1;
	CHECK(run_opts(q, ARRAY_LEN(q), NULL, 0, &r0, &ro) == -ETIME);
	/* a stopping helper and calls count too: call + exit in callee */
	struct bpf_insn c[] = { CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 4),
				EXIT() };
	ro = (struct bpfvm_run_opts){ .sz = sizeof(ro), .insn_budget = 4 };
	CHECK(run_opts(c, ARRAY_LEN(c), NULL, 0, &r0, &ro) == 0);
	CHECK_EQ_U64(r0, 4);
	ro.insn_budget = 3;
	CHECK(run_opts(c, ARRAY_LEN(c), NULL, 0, &r0, &ro) == -ETIME);
	CHECK_STREQ(err, "insn 1: instruction budget of 3 exceeded");
}

int main(void)
{
	test_legit();
	test_faults();
	test_budget();
	return check_report();
}
