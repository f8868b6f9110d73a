/* Jumps: every condition, JMP and JMP32, K and X, signed and unsigned, on
 * boundary values; goto (off), gotol (imm), backward jumps. */
#include "check.h"
#include "insn_build.h"

/* 1 if `if r1 <op> (r2 | imm) goto` is taken, else 0. */
static uint64_t taken(uint8_t cls, uint8_t op, int reg, uint64_t a, uint64_t b)
{
	struct bpf_insn p[] = {
		LD_IMM64(1, a),
		LD_IMM64(2, b),
		MOV64_IMM(0, 1),
		reg ? INSN(cls | op | BPF_X, 1, 2, 1, 0)
		    : INSN(cls | op | BPF_K, 1, 0, 1, (int32_t)b),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	uint64_t r0 = 7;

	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	return r0;
}

static int ref(uint8_t op, int is32, uint64_t a, uint64_t b)
{
	uint64_t ua = is32 ? (uint32_t)a : a, ub = is32 ? (uint32_t)b : b;
	int64_t sa = is32 ? (int32_t)a : (int64_t)a;
	int64_t sb = is32 ? (int32_t)b : (int64_t)b;

	switch (op) {
	case BPF_JEQ: return ua == ub;
	case BPF_JNE: return ua != ub;
	case BPF_JGT: return ua > ub;
	case BPF_JGE: return ua >= ub;
	case BPF_JLT: return ua < ub;
	case BPF_JLE: return ua <= ub;
	case BPF_JSET: return (ua & ub) != 0;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	}
	return -1;
}

static void test_conditions(void)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE,
				       BPF_JLT, BPF_JLE, BPF_JSET, BPF_JSGT,
				       BPF_JSGE, BPF_JSLT, BPF_JSLE };
	static const uint64_t v[] = {
		0, 1, 2, UINT64_MAX, UINT64_MAX - 1, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000, 0x1ffffffff, INT64_MAX,
		(uint64_t)INT64_MIN, (uint64_t)(int64_t)INT32_MIN,
		0xffffffff00000001,
	};

	for (size_t o = 0; o < ARRAY_LEN(ops); o++) {
		for (size_t i = 0; i < ARRAY_LEN(v); i++) {
			for (size_t j = 0; j < ARRAY_LEN(v); j++) {
				uint64_t a = v[i], b = v[j];
				/* K: the 64-bit compare sees imm sign-extended */
				uint64_t bk = (uint64_t)(int64_t)(int32_t)b;

				CHECK_EQ_U64(taken(BPF_JMP, ops[o], 1, a, b),
					     ref(ops[o], 0, a, b));
				CHECK_EQ_U64(taken(BPF_JMP, ops[o], 0, a, b),
					     ref(ops[o], 0, a, bk));
				CHECK_EQ_U64(taken(BPF_JMP32, ops[o], 1, a, b),
					     ref(ops[o], 1, a, b));
				CHECK_EQ_U64(taken(BPF_JMP32, ops[o], 0, a, b),
					     ref(ops[o], 1, a, b));
			}
		}
	}
}

/* Worked by hand. */
static void test_boundaries(void)
{
	/* unsigned: -1 is the largest; signed: the smallest */
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JGT, 1, UINT64_MAX, 0), 1);
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JSGT, 1, UINT64_MAX, 0), 0);
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JSLT, 1, 0x8000000000000000, 0), 1);
	/* imm -1 sign-extends for JMP: equal to UINT64_MAX */
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JEQ, 0, UINT64_MAX, 0xffffffff), 1);
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JEQ, 0, 0xffffffff, 0xffffffff), 0);
	/* JMP32 only sees the low half */
	CHECK_EQ_U64(taken(BPF_JMP32, BPF_JEQ, 0, 0x5ffffffff, 0xffffffff), 1);
	CHECK_EQ_U64(taken(BPF_JMP32, BPF_JSLT, 1, 0x80000000, 0x7fffffff), 1);
	CHECK_EQ_U64(taken(BPF_JMP32, BPF_JGT, 1, 0x80000000, 0x7fffffff), 1);
	CHECK_EQ_U64(taken(BPF_JMP32, BPF_JSGE, 1, 0x100000000, 0xffffffff), 1);
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JSGE, 1, 0x100000000, 0xffffffff), 1);
	CHECK_EQ_U64(taken(BPF_JMP32, BPF_JSET, 1, 0x100000000, 0x100000000), 0);
	CHECK_EQ_U64(taken(BPF_JMP, BPF_JSET, 1, 0x100000000, 0x100000000), 1);
}

static void test_goto(void)
{
	uint64_t r0 = 0;
	/* forward goto skips, gotol (imm) skips, backward loop sums 1..10 */
	struct bpf_insn p[] = {
		MOV64_IMM(0, 0),
		MOV64_IMM(1, 10),
		JA(1),
		MOV64_IMM(0, 1000),	/* skipped */
		GOTOL(1),
		MOV64_IMM(0, 2000),	/* skipped */
		ALU64_REG(BPF_ADD, 0, 1),	/* loop: */
		ALU64_IMM(BPF_SUB, 1, 1),
		JMP_IMM(BPF_JNE, 1, 0, -3),
		JA(0),
		EXIT(),
	};

	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 55);

	/* exit-not-last: the last insn is a goto back to an exit */
	struct bpf_insn q[] = {
		MOV64_IMM(0, 3), JA(1), EXIT(), MOV64_IMM(0, 4), JA(-3),
	};
	CHECK(run_insns(q, ARRAY_LEN(q), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 4);
	/* a jump landing on an lddw */
	struct bpf_insn r[] = {
		JA(2), LD_IMM64(0, 1), LD_IMM64(0, 0x500000002), EXIT(),
	};
	CHECK(run_insns(r, ARRAY_LEN(r), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 0x500000002);
}

int main(void)
{
	test_conditions();
	test_boundaries();
	test_goto();
	return check_report();
}
