/* isa_insn_check: which encodings are valid, and the reasons it gives. */
#include "check.h"

#include "isa/isa.h"

#define I(c, d, s, o, i)                                                    \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),     \
			    .off = (o), .imm = (i) })

/* NULL want: the instruction must be valid. */
static void expect2(struct bpf_insn a, struct bpf_insn b, size_t cnt,
		    const char *want)
{
	struct bpf_insn p[2] = { a, b };
	const char *why = "unset";
	bool ok = isa_insn_check(p, cnt, 0, &why);

	if (!want) {
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  %02x rejected: %s\n", a.code, why);
		return;
	}
	CHECK(!ok);
	CHECK_STREQ(why, want);
}

#define OK(c, d, s, o, i) expect2(I(c, d, s, o, i), I(0, 0, 0, 0, 0), 1, NULL)
#define BAD(c, d, s, o, i, why)                                             \
	expect2(I(c, d, s, o, i), I(0, 0, 0, 0, 0), 1, why)

static void test_alu(void)
{
	OK(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0);
	OK(BPF_ALU | BPF_MOV | BPF_K, 9, 0, 0, -1);
	OK(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, 3);
	OK(BPF_ALU | BPF_MOD | BPF_X, 0, 1, 1, 0);
	OK(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 32, 0);
	OK(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 64);
	OK(BPF_ALU64 | BPF_END | BPF_K, 0, 0, 0, 16);
	/* shift ranges and division by zero are the validator's call */
	OK(BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, 64);
	BAD(BPF_ALU64 | 0xe0, 0, 0, 0, 0, "unknown ALU64 operation 0xe0");
	BAD(BPF_ALU | 0xf0 | BPF_X, 0, 0, 0, 0, "unknown ALU operation 0xf0");
	BAD(BPF_ALU64 | BPF_ADD | BPF_X, 11, 1, 0, 0,
	    "invalid dst register r11");
	BAD(BPF_ALU64 | BPF_ADD | BPF_X, 1, 15, 0, 0,
	    "invalid src register r15");
	BAD(BPF_ALU64 | BPF_ADD | BPF_K, 1, 2, 0, 0,
	    "unused src register field must be 0");
	BAD(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 5,
	    "ALU operation on a register needs imm=0");
	BAD(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 1, 0,
	    "off=1 (signed) is only for div and mod");
	BAD(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 2, 0,
	    "ALU operation needs off=0 (or 1 for sdiv/smod)");
	BAD(BPF_ALU64 | BPF_NEG, 0, 1, 0, 0,
	    "unused src register field must be 0");
	BAD(BPF_ALU64 | BPF_NEG, 0, 0, 0, 1, "neg needs imm=0 and off=0");
	BAD(BPF_ALU64 | BPF_NEG | BPF_X, 0, 0, 0, 0,
	    "neg needs source bit BPF_K");
	BAD(BPF_ALU | BPF_END, 0, 0, 0, 8,
	    "byte swap width (imm) must be 16, 32 or 64");
	BAD(BPF_ALU64 | BPF_END | BPF_X, 0, 0, 0, 16,
	    "bswap (ALU64 END) needs source bit BPF_K");
	BAD(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0,
	    "movsx (32-bit) off must be 0, 8 or 16");
	BAD(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 1, 0,
	    "movsx off must be 0, 8, 16 or 32");
	BAD(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 8, 1,
	    "mov with an immediate needs off=0");
	BAD(BPF_ALU64 | BPF_MOV | BPF_K, 10, 0, 0, 1, "r10 is read-only");
}

static void test_jmp(void)
{
	OK(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, -1, 5);
	OK(BPF_JMP32 | BPF_JSLE | BPF_X, 10, 10, 3, 0);
	OK(BPF_JMP32 | BPF_JA, 0, 0, 0, 70000);
	OK(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 2, 99);
	OK(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0);
	BAD(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0, 5,
	    "jump needs src=0 for BPF_K");
	BAD(BPF_JMP | BPF_JEQ | BPF_X, 1, 2, 0, 5,
	    "jump needs imm=0 for BPF_X");
	BAD(BPF_JMP | 0xe0, 0, 0, 0, 0, "unknown JMP operation 0xe0");
	BAD(BPF_JMP32 | 0xf0, 0, 0, 0, 0, "unknown JMP32 operation 0xf0");
	BAD(BPF_JMP | BPF_JA, 1, 0, 0, 0, "unused dst register field must be 0");
	BAD(BPF_JMP | BPF_JA, 0, 0, 1, 1, "goto needs imm=0");
	BAD(BPF_JMP32 | BPF_JA, 0, 0, 1, 1,
	    "gotol needs off=0 (target is in imm)");
	BAD(BPF_JMP | BPF_EXIT, 0, 1, 0, 0,
	    "unused src register field must be 0");
	BAD(BPF_JMP | BPF_EXIT, 0, 0, 0, 1, "exit needs imm=0 and off=0");
	BAD(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0, "exit is not a JMP32 operation");
	BAD(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1, "call is not a JMP32 operation");
	BAD(BPF_JMP | BPF_CALL, 0, 3, 0, 1,
	    "call src must be 0 (helper), 1 (local) or 2 (kfunc)");
	BAD(BPF_JMP | BPF_CALL, 0, 0, 1, 1, "call needs off=0");
	BAD(BPF_JMP | BPF_CALL, 1, 0, 0, 1, "call needs dst=0");
	BAD(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 1,
	    "callx needs imm=0 and off=0");
}

static void test_mem(void)
{
	OK(BPF_LDX | BPF_MEMSX | BPF_W, 0, 10, -4, 0);
	OK(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, -1);
	OK(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -4, BPF_CMPXCHG);
	OK(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_AND | BPF_FETCH);
	BAD(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 1, 0, 0,
	    "sign-extending load (MEMSX) has no DW size");
	BAD(BPF_LDX | BPF_ABS | BPF_W, 0, 1, 0, 0,
	    "LDX mode must be MEM or MEMSX");
	BAD(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 0, 1, "load needs imm=0");
	BAD(BPF_LDX | BPF_MEM | BPF_W, 10, 1, 0, 0, "r10 is read-only");
	BAD(BPF_ST | BPF_MEM | BPF_W, 1, 1, 0, 0,
	    "unused src register field must be 0");
	BAD(BPF_ST | BPF_ATOMIC | BPF_W, 1, 0, 0, 0, "ST mode must be MEM");
	BAD(BPF_STX | BPF_MEM | BPF_W, 1, 2, 0, 3,
	    "store from a register needs imm=0");
	BAD(BPF_STX | BPF_MEMSX | BPF_W, 1, 2, 0, 0,
	    "STX mode must be MEM or ATOMIC");
	BAD(BPF_STX | BPF_ATOMIC | BPF_H, 1, 2, 0, BPF_ADD,
	    "atomic operations need size W or DW");
	BAD(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_SUB,
	    "unknown atomic operation (imm)");
	BAD(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0xe0,
	    "unknown atomic operation (imm)");
	BAD(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 12,
	    "LD_ABS/LD_IND need a packet program type");
	BAD(BPF_LD | BPF_IND | BPF_DW, 0, 1, 0, 12,
	    "LD_ABS/LD_IND have no DW size");
	BAD(BPF_LD | BPF_ABS | BPF_W, 0, 1, 0, 12, "LD_ABS needs src=0");
	BAD(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 0,
	    "LD with mode IMM needs size DW (lddw)");
	BAD(BPF_LD | BPF_MEM | BPF_W, 0, 0, 0, 0,
	    "unknown LD mode (only IMM, ABS, IND)");
}

static void test_legacy_flag(void)
{
	struct bpf_insn p[1] = { I(BPF_LD | BPF_IND | BPF_H, 0, 3, 0, 4) };
	const char *why;

	CHECK(isa_insn_check_flags(p, 1, 0, ISA_CHECK_LEGACY_LD, &why));
	CHECK(why == NULL);
	p[0].dst_reg = 1;
	CHECK(!isa_insn_check_flags(p, 1, 0, ISA_CHECK_LEGACY_LD, &why));
	CHECK_STREQ(why, "LD_ABS/LD_IND need dst=0 and off=0");
	CHECK(!isa_insn_check(p, 1, 5, &why));
	CHECK_STREQ(why, "instruction index out of range");
}

#define LDDW(d, s, o, lo) I(BPF_LD | BPF_DW | BPF_IMM, d, s, o, lo)

static void test_lddw(void)
{
	for (uint8_t src = 0; src <= 6; src++)
		expect2(LDDW(1, src, 0, 3), I(0, 0, 0, 0, 0), 2, NULL);
	expect2(LDDW(1, 2, 0, 3), I(0, 0, 0, 0, 8), 2, NULL);
	expect2(LDDW(1, 3, 0, 3), I(0, 0, 0, 0, 8), 2, NULL);
	expect2(LDDW(1, 0, 0, 3), I(0, 0, 0, 0, 0), 1,
		"lddw needs a second instruction slot");
	expect2(LDDW(1, 7, 0, 3), I(0, 0, 0, 0, 0), 2,
		"lddw src (pseudo type) must be 0..6");
	expect2(LDDW(10, 0, 0, 3), I(0, 0, 0, 0, 0), 2, "r10 is read-only");
	expect2(LDDW(12, 0, 0, 3), I(0, 0, 0, 0, 0), 2,
		"invalid dst register r12");
	expect2(LDDW(1, 0, 1, 3), I(0, 0, 0, 0, 0), 2, "lddw needs off=0");
	expect2(LDDW(1, 0, 0, 3), I(0x18, 0, 0, 0, 0), 2,
		"lddw second slot needs code, registers and off 0");
	expect2(LDDW(1, 0, 0, 3), I(0, 1, 0, 0, 0), 2,
		"lddw second slot needs code, registers and off 0");
	expect2(LDDW(1, 1, 0, 3), I(0, 0, 0, 0, 1), 2,
		"lddw of a map or function reference needs second imm=0");
	expect2(LDDW(1, 5, 0, 3), I(0, 0, 0, 0, 1), 2,
		"lddw of a map or function reference needs second imm=0");
}

int main(void)
{
	test_alu();
	test_jmp();
	test_mem();
	test_legacy_flag();
	test_lddw();
	return check_report();
}
