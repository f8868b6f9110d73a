/* ALU and ALU64: every operation, K and X, 32 and 64 bits, on edge values.
 * Expected values come from host C arithmetic (ref64/ref32) and, for the
 * cases where the kernel's rules matter, from constants worked by hand. */
#include "check.h"
#include "insn_build.h"

#define SIGNED 1 /* off for sdiv/smod */

/* r0 = a; r1 = b; r0 <op>= (r1 or imm b); exit */
static uint64_t alu(int is64, uint8_t op, int reg, int16_t off, uint64_t a,
		    uint64_t b)
{
	uint8_t cls = is64 ? BPF_ALU64 : BPF_ALU;
	struct bpf_insn p[] = {
		LD_IMM64(0, a),
		LD_IMM64(1, b),
		reg ? INSN(cls | op | BPF_X, 0, 1, off, 0)
		    : INSN(cls | op | BPF_K, 0, 0, off, (int32_t)b),
		EXIT(),
	};
	uint64_t r0 = 0xdeadbeef;
	int err = run_insns(p, ARRAY_LEN(p), NULL, 0, &r0);

	CHECK(err == 0);
	return r0;
}

static uint64_t ref64(uint8_t op, int sgn, uint64_t a, uint64_t b)
{
	int64_t sa = (int64_t)a, sb = (int64_t)b;

	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_MOV: return b;
	case BPF_LSH: return a << (b % 64);
	case BPF_RSH: return a >> (b % 64);
	case BPF_ARSH: return sa < 0 ? ~(~a >> (b % 64)) : a >> (b % 64);
	case BPF_DIV:
		if (b == 0) return 0;
		if (!sgn) return a / b;
		if (sa == INT64_MIN && sb == -1) return a;
		return (uint64_t)(sa / sb);
	case BPF_MOD:
		if (b == 0) return a;
		if (!sgn) return a % b;
		if (sb == -1) return 0;
		return (uint64_t)(sa % sb);
	}
	return 0;
}

static uint64_t ref32(uint8_t op, int sgn, uint32_t a, uint32_t b)
{
	int32_t sa = (int32_t)a, sb = (int32_t)b;
	uint32_t r = 0;

	switch (op) {
	case BPF_ADD: r = a + b; break;
	case BPF_SUB: r = a - b; break;
	case BPF_MUL: r = (uint32_t)((uint64_t)a * b); break;
	case BPF_OR: r = a | b; break;
	case BPF_AND: r = a & b; break;
	case BPF_XOR: r = a ^ b; break;
	case BPF_MOV: r = b; break;
	case BPF_LSH: r = a << (b % 32); break;
	case BPF_RSH: r = a >> (b % 32); break;
	case BPF_ARSH: r = sa < 0 ? ~(~a >> (b % 32)) : a >> (b % 32); break;
	case BPF_DIV:
		if (b == 0) r = 0;
		else if (!sgn) r = a / b;
		else if (sa == INT32_MIN && sb == -1) r = a;
		else r = (uint32_t)(sa / sb);
		break;
	case BPF_MOD:
		if (b == 0) r = a;
		else if (!sgn) r = a % b;
		else if (sb == -1) r = 0;
		else r = (uint32_t)(sa % sb);
		break;
	}
	return r; /* zero-extended */
}

static const uint64_t edges[] = {
	0, 1, 2, 7, 31, 32, 63, 64, 65, UINT64_MAX, UINT64_MAX - 6,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000005,
	(uint64_t)INT64_MIN, INT64_MAX, 0x123456789abcdef0,
	(uint64_t)(int64_t)INT32_MIN,
};

static void test_all_binops(void)
{
	static const struct { uint8_t op; int sgn; } ops[] = {
		{ BPF_ADD, 0 }, { BPF_SUB, 0 }, { BPF_MUL, 0 },
		{ BPF_DIV, 0 }, { BPF_DIV, 1 }, { BPF_MOD, 0 },
		{ BPF_MOD, 1 }, { BPF_OR, 0 }, { BPF_AND, 0 },
		{ BPF_LSH, 0 }, { BPF_RSH, 0 }, { BPF_ARSH, 0 },
		{ BPF_XOR, 0 }, { BPF_MOV, 0 },
	};

	for (size_t o = 0; o < ARRAY_LEN(ops); o++) {
		uint8_t op = ops[o].op;
		int sgn = ops[o].sgn;

		for (size_t i = 0; i < ARRAY_LEN(edges); i++) {
			for (size_t j = 0; j < ARRAY_LEN(edges); j++) {
				uint64_t a = edges[i], b = edges[j];
				uint64_t bk = (uint64_t)(int64_t)(int32_t)b;

				CHECK_EQ_U64(alu(1, op, 1, sgn, a, b),
					     ref64(op, sgn, a, b));
				CHECK_EQ_U64(alu(1, op, 0, sgn, a, b),
					     ref64(op, sgn, a, bk));
				CHECK_EQ_U64(alu(0, op, 1, sgn, a, b),
					     ref32(op, sgn, a, b));
				CHECK_EQ_U64(alu(0, op, 0, sgn, a, b),
					     ref32(op, sgn, a, b));
			}
		}
	}
}

/* The kernel's rules, worked by hand. */
static void test_hand_cases(void)
{
	const uint64_t min64 = 0x8000000000000000ull;

	/* division and modulo by zero */
	CHECK_EQ_U64(alu(1, BPF_DIV, 1, 0, 42, 0), 0);
	CHECK_EQ_U64(alu(1, BPF_DIV, 0, 0, 42, 0), 0);
	CHECK_EQ_U64(alu(1, BPF_MOD, 1, 0, 42, 0), 42);
	CHECK_EQ_U64(alu(0, BPF_DIV, 1, 0, 0x100000005, 0), 0);
	CHECK_EQ_U64(alu(0, BPF_MOD, 1, 0, 0x100000005, 0), 5);
	CHECK_EQ_U64(alu(0, BPF_MOD, 0, 0, 0xffffffff00000009, 0), 9);
	CHECK_EQ_U64(alu(1, BPF_DIV, 1, SIGNED, -5, 0), 0);
	CHECK_EQ_U64(alu(1, BPF_MOD, 1, SIGNED, -5, 0), (uint64_t)-5);
	CHECK_EQ_U64(alu(0, BPF_MOD, 1, SIGNED, -5, 0), 0xfffffffb);
	/* 32-bit divisor: only the low half counts (div32-high-divisor) */
	CHECK_EQ_U64(alu(0, BPF_DIV, 1, 0, 12, 0x100000003), 4);
	/* INT_MIN / -1 and INT_MIN % -1: no trap */
	CHECK_EQ_U64(alu(1, BPF_DIV, 1, SIGNED, min64, -1), min64);
	CHECK_EQ_U64(alu(1, BPF_DIV, 0, SIGNED, min64, -1), min64);
	CHECK_EQ_U64(alu(1, BPF_MOD, 1, SIGNED, min64, -1), 0);
	CHECK_EQ_U64(alu(0, BPF_DIV, 1, SIGNED, 0x80000000, -1), 0x80000000);
	CHECK_EQ_U64(alu(0, BPF_DIV, 0, SIGNED, 0x80000000, -1), 0x80000000);
	CHECK_EQ_U64(alu(0, BPF_MOD, 0, SIGNED, 0x80000000, -1), 0);
	/* signed division truncates toward zero; modulo takes dst's sign */
	CHECK_EQ_U64(alu(1, BPF_DIV, 0, SIGNED, -7, 2), (uint64_t)-3);
	CHECK_EQ_U64(alu(1, BPF_MOD, 0, SIGNED, -7, 2), (uint64_t)-1);
	CHECK_EQ_U64(alu(1, BPF_MOD, 0, SIGNED, 7, -2), 1);
	CHECK_EQ_U64(alu(0, BPF_MOD, 0, SIGNED, -7, 2), 0xffffffff);
	/* unsigned 64-bit div by a negative imm divides by 2^64 - n */
	CHECK_EQ_U64(alu(1, BPF_DIV, 0, 0, UINT64_MAX, -1), 1);
	CHECK_EQ_U64(alu(1, BPF_DIV, 0, 0, 12, -1), 0);
	/* 32-bit imm used as is: 0xffffffff / 0xffffffff */
	CHECK_EQ_U64(alu(0, BPF_DIV, 0, 0, 0xffffffff, -1), 1);
	/* shifts mask their count (via register) */
	CHECK_EQ_U64(alu(1, BPF_LSH, 1, 0, 1, 0), 1);
	CHECK_EQ_U64(alu(1, BPF_LSH, 1, 0, 1, 63), min64);
	CHECK_EQ_U64(alu(1, BPF_LSH, 1, 0, 1, 64), 1);
	CHECK_EQ_U64(alu(1, BPF_RSH, 1, 0, min64, 65), 0x4000000000000000);
	CHECK_EQ_U64(alu(0, BPF_LSH, 1, 0, 1, 31), 0x80000000);
	CHECK_EQ_U64(alu(0, BPF_LSH, 1, 0, 1, 32), 1);
	CHECK_EQ_U64(alu(0, BPF_RSH, 1, 0, 0x1f0000000, 32), 0xf0000000);
	CHECK_EQ_U64(alu(1, BPF_ARSH, 1, 0, min64, 63), UINT64_MAX);
	CHECK_EQ_U64(alu(1, BPF_ARSH, 1, 0, min64, 64), min64);
	CHECK_EQ_U64(alu(0, BPF_ARSH, 1, 0, 0x80000000, 31), 0xffffffff);
	CHECK_EQ_U64(alu(0, BPF_ARSH, 1, 0, 0xf, 32), 0xf);
	CHECK_EQ_U64(alu(0, BPF_ARSH, 0, 0, 0xfffffffff0000000, 4), 0xff000000);
	/* 32-bit results are zero-extended; 64-bit imm is sign-extended */
	CHECK_EQ_U64(alu(0, BPF_ADD, 0, 0, 0xffffffffffffffff, 1), 0);
	CHECK_EQ_U64(alu(0, BPF_MOV, 0, 0, 0x1234, -1), 0xffffffff);
	CHECK_EQ_U64(alu(1, BPF_MOV, 0, 0, 0x1234, -1), UINT64_MAX);
	CHECK_EQ_U64(alu(1, BPF_ADD, 0, 0, 1, -2), UINT64_MAX);
	CHECK_EQ_U64(alu(0, BPF_MUL, 1, 0, 0x80000000, -1), 0x80000000);
	CHECK_EQ_U64(alu(1, BPF_MUL, 1, 0, min64, -1), min64);
	CHECK_EQ_U64(alu(1, BPF_AND, 0, 0, 0xffffffffffff0f0f, -256),
		     0xffffffffffff0f00);
	CHECK_EQ_U64(alu(0, BPF_OR, 0, 0, 0xaaaaaaaa00000000, 5), 5);
}

/* r0 = v; <one insn on r0 (or r1 -> r0)>; exit */
static uint64_t unary(struct bpf_insn insn, uint64_t v)
{
	struct bpf_insn p[] = { LD_IMM64(0, v), LD_IMM64(1, v), insn, EXIT() };
	uint64_t r0 = 0;

	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	return r0;
}

static void test_neg_movsx(void)
{
	const uint64_t v = 0x1234567880c0f0ffull;

	CHECK_EQ_U64(unary(ALU64_IMM(BPF_NEG, 0, 0), 1), UINT64_MAX);
	CHECK_EQ_U64(unary(ALU64_IMM(BPF_NEG, 0, 0), 0x8000000000000000),
		     0x8000000000000000);
	CHECK_EQ_U64(unary(ALU32_IMM(BPF_NEG, 0, 0), 1), 0xffffffff);
	CHECK_EQ_U64(unary(ALU32_IMM(BPF_NEG, 0, 0), 0x180000000), 0x80000000);
	CHECK_EQ_U64(unary(ALU32_IMM(BPF_NEG, 0, 0), 0x100000000), 0);
	CHECK_EQ_U64(unary(MOVSX64(0, 1, 8), v), 0xffffffffffffffff);
	CHECK_EQ_U64(unary(MOVSX64(0, 1, 16), v), 0xfffffffffffff0ff);
	CHECK_EQ_U64(unary(MOVSX64(0, 1, 32), v), 0xffffffff80c0f0ff);
	CHECK_EQ_U64(unary(MOVSX64(0, 1, 8), 0x17f), 0x7f);
	CHECK_EQ_U64(unary(MOVSX64(0, 1, 32), 0xff7fffffff), 0x7fffffff);
	CHECK_EQ_U64(unary(MOVSX32(0, 1, 8), v), 0xffffffff);
	CHECK_EQ_U64(unary(MOVSX32(0, 1, 16), v), 0xfffff0ff);
	CHECK_EQ_U64(unary(MOVSX32(0, 1, 16), 0x7123), 0x7123);
	CHECK_EQ_U64(unary(INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 0, 0), v),
		     0x80c0f0ff);
}

static void test_endian(void)
{
	const uint64_t v = 0x0123456789abcdefull;

	/* to-LE on a little-endian host: truncate */
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU, BPF_TO_LE, 0, 16), v), 0xcdef);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU, BPF_TO_LE, 0, 32), v), 0x89abcdef);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU, BPF_TO_LE, 0, 64), v), v);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU, BPF_TO_BE, 0, 16), v), 0xefcd);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU, BPF_TO_BE, 0, 32), v), 0xefcdab89);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU, BPF_TO_BE, 0, 64), v),
		     0xefcdab8967452301);
	/* ALU64 END: unconditional bswap */
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU64, BPF_K, 0, 16), v), 0xefcd);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU64, BPF_K, 0, 32), v), 0xefcdab89);
	CHECK_EQ_U64(unary(ENDIAN(BPF_ALU64, BPF_K, 0, 64), v),
		     0xefcdab8967452301);
}

static void test_lddw_and_regs(void)
{
	struct bpf_insn p[] = {
		LD_IMM64(3, 0xfedcba9876543210), MOV64_REG(0, 3), EXIT(),
	};
	uint64_t r0 = 0;
	char mem[3];

	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 0xfedcba9876543210);
	/* r1 = mem, r2 = len at entry; 0, 0 without memory */
	struct bpf_insn q[] = { MOV64_REG(0, 1), ALU64_REG(BPF_ADD, 0, 2),
				EXIT() };
	CHECK(run_insns(q, ARRAY_LEN(q), mem, sizeof(mem), &r0) == 0);
	CHECK_EQ_U64(r0, (uintptr_t)mem + 3);
	CHECK(run_insns(q, ARRAY_LEN(q), NULL, 100, &r0) == 0);
	CHECK_EQ_U64(r0, 0);
}

int main(void)
{
	test_all_binops();
	test_hand_cases();
	test_neg_movsx();
	test_endian();
	test_lddw_and_regs();
	return check_report();
}
