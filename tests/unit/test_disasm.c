/* The disassembler prints the exact kernel / llvm-objdump forms. */
#include "check.h"

#include <bpfvm/isa.h>
#include <errno.h>

#include "isa/isa.h" /* BPF_MEMSX on older headers */

#define I(c, d, s, o, i)                                                    \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),     \
			    .off = (o), .imm = (i) })

static char buf[128];

/* Format a one- or two-slot program and return the text (or the reason). */
static const char *fmt2(struct bpf_insn a, struct bpf_insn b, int want)
{
	struct bpf_insn p[2] = { a, b };
	int ret = bpfvm_insn_format(p, 2, 0, buf, sizeof(buf), NULL);

	CHECK(ret == want);
	return buf;
}

#define FMT(c, d, s, o, i) fmt2(I(c, d, s, o, i), I(0, 0, 0, 0, 0), 1)
#define FMT_LDDW(d, s, lo, hi)                                              \
	fmt2(I(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, lo), I(0, 0, 0, 0, hi), 2)

static void test_alu(void)
{
	CHECK_STREQ(FMT(BPF_ALU | BPF_ADD | BPF_X, 0, 1, 0, 0), "w0 += w1");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -7), "r3 += -7");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 7), "r1 = 7");
	CHECK_STREQ(FMT(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 0, 0), "w1 = w2");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0), "r0 = -r0");
	CHECK_STREQ(FMT(BPF_ALU | BPF_NEG, 4, 0, 0, 0), "w4 = -w4");
	CHECK_STREQ(FMT(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 8, 0), "w0 = (s8)w1");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 16, 0),
		    "r0 = (s16)r1");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 32, 0),
		    "r0 = (s32)r1");
	CHECK_STREQ(FMT(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16),
		    "r0 = be16 r0");
	CHECK_STREQ(FMT(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 32),
		    "r0 = le32 r0");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_END | BPF_K, 0, 0, 0, 64),
		    "r0 = bswap64 r0");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, 3), "r0 s/= 3");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_MOD | BPF_X, 0, 1, 1, 0), "r0 s%= r1");
	CHECK_STREQ(FMT(BPF_ALU | BPF_MOD | BPF_X, 0, 1, 0, 0), "w0 %= w1");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_ARSH | BPF_K, 0, 0, 0, 3),
		    "r0 s>>= 3");
	CHECK_STREQ(FMT(BPF_ALU64 | BPF_LSH | BPF_X, 9, 8, 0, 0), "r9 <<= r8");
	CHECK_STREQ(FMT(BPF_ALU | BPF_XOR | BPF_K, 0, 0, 0, INT32_MIN),
		    "w0 ^= -2147483648");
}

static void test_jmp(void)
{
	CHECK_STREQ(FMT(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 3, 5),
		    "if r1 > 0x5 goto +3");
	CHECK_STREQ(FMT(BPF_JMP32 | BPF_JSLT | BPF_X, 1, 2, -2, 0),
		    "if w1 s< w2 goto -2");
	CHECK_STREQ(FMT(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0, -1),
		    "if r1 == 0xffffffff goto +0");
	CHECK_STREQ(FMT(BPF_JMP | BPF_JSET | BPF_X, 1, 2, 1, 0),
		    "if r1 & r2 goto +1");
	CHECK_STREQ(FMT(BPF_JMP | BPF_JNE | BPF_X, 1, 2, 1, 0),
		    "if r1 != r2 goto +1");
	CHECK_STREQ(FMT(BPF_JMP32 | BPF_JSGE | BPF_K, 1, 0, 1, 7),
		    "if w1 s>= 0x7 goto +1");
	CHECK_STREQ(FMT(BPF_JMP | BPF_JA, 0, 0, 3, 0), "goto +3");
	CHECK_STREQ(FMT(BPF_JMP32 | BPF_JA, 0, 0, 0, 70000), "gotol +70000");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL, 0, 0, 0, 1),
		    "call bpf_map_lookup_elem#1");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL, 0, 0, 0, 1000000), "call 1000000");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL, 0, 1, 0, 3), "call pc+3");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL, 0, 1, 0, -4), "call pc-4");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL, 0, 2, 0, 77),
		    "call kfunc[id:77]");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL, 0, 2, 2, 77),
		    "call kfunc[id:77][btf:2]");
	CHECK_STREQ(FMT(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), "callx r2");
	CHECK_STREQ(FMT(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), "exit");
}

static void test_mem(void)
{
	CHECK_STREQ(FMT(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 4, 0),
		    "r0 = *(u32 *)(r1 + 4)");
	CHECK_STREQ(FMT(BPF_LDX | BPF_MEMSX | BPF_B, 0, 1, 0, 0),
		    "r0 = *(s8 *)(r1 + 0)");
	CHECK_STREQ(FMT(BPF_LDX | BPF_MEMSX | BPF_H, 0, 1, -2, 0),
		    "r0 = *(s16 *)(r1 - 2)");
	CHECK_STREQ(FMT(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0),
		    "*(u64 *)(r10 - 8) = r1");
	CHECK_STREQ(FMT(BPF_ST | BPF_MEM | BPF_W, 1, 0, 4, 7),
		    "*(u32 *)(r1 + 4) = 7");
	CHECK_STREQ(FMT(BPF_ST | BPF_MEM | BPF_H, 1, 0, -32768, -1),
		    "*(u16 *)(r1 - 32768) = -1");
	CHECK_STREQ(FMT(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 12),
		    "r0 = *(u8 *)skb[12]");
	CHECK_STREQ(FMT(BPF_LD | BPF_IND | BPF_H, 0, 3, 0, -4),
		    "r0 = *(u16 *)skb[r3 - 4]");
}

static void test_atomic(void)
{
	unsigned dw = BPF_STX | BPF_ATOMIC | BPF_DW, w = dw ^ BPF_DW ^ BPF_W;

	CHECK_STREQ(FMT(dw, 10, 1, -8, BPF_ADD),
		    "lock *(u64 *)(r10 - 8) += r1");
	CHECK_STREQ(FMT(w, 10, 1, -8, BPF_XOR),
		    "lock *(u32 *)(r10 - 8) ^= w1");
	CHECK_STREQ(FMT(dw, 10, 1, -8, BPF_ADD | BPF_FETCH),
		    "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)");
	CHECK_STREQ(FMT(w, 2, 3, 4, BPF_AND | BPF_FETCH),
		    "w3 = atomic_fetch_and((u32 *)(r2 + 4), w3)");
	CHECK_STREQ(FMT(dw, 10, 1, -8, BPF_XCHG), "r1 = xchg_64(r10 - 8, r1)");
	CHECK_STREQ(FMT(w, 10, 1, -8, BPF_XCHG),
		    "w1 = xchg32_32(r10 - 8, w1)");
	CHECK_STREQ(FMT(dw, 10, 1, -8, BPF_CMPXCHG),
		    "r0 = cmpxchg_64(r10 - 8, r0, r1)");
	CHECK_STREQ(FMT(w, 10, 1, -8, BPF_CMPXCHG),
		    "w0 = cmpxchg32_32(r10 - 8, w0, w1)");
}

static void test_lddw(void)
{
	CHECK_STREQ(FMT_LDDW(1, 0, 0x55667788, 0x11223344),
		    "r1 = 0x1122334455667788 ll");
	CHECK_STREQ(FMT_LDDW(0, 0, 0, 0), "r0 = 0x0 ll");
	CHECK_STREQ(FMT_LDDW(1, 1, 3, 0), "r1 = map[fd:3]");
	CHECK_STREQ(FMT_LDDW(1, 2, 3, 16), "r1 = map[fd:3][0]+16");
	CHECK_STREQ(FMT_LDDW(2, 3, 1234, 0), "r2 = btf[id:1234]");
	CHECK_STREQ(FMT_LDDW(2, 3, 1234, 5), "r2 = btf[id:1234][fd:5]");
	CHECK_STREQ(FMT_LDDW(3, 4, 7, 0), "r3 = func[pc+7]");
	CHECK_STREQ(FMT_LDDW(1, 5, 0, 0), "r1 = map[idx:0]");
	CHECK_STREQ(FMT_LDDW(1, 6, 2, 8), "r1 = map[idx:2][0]+8");
}

static void test_invalid(void)
{
	struct bpf_insn p[1] = { I(BPF_LD | BPF_DW | BPF_IMM, 1, 0, 0, 0) };

	CHECK_STREQ(fmt2(I(0xff, 0, 0, 0, 0), I(0, 0, 0, 0, 0), -EINVAL),
		    "unknown ALU64 operation 0xf0");
	CHECK_STREQ(fmt2(I(0xf5, 0, 0, 0, 0), I(0, 0, 0, 0, 0), -EINVAL),
		    "unknown JMP operation 0xf0");
	CHECK(bpfvm_insn_format(p, 1, 0, buf, sizeof(buf), NULL) == -EINVAL);
	CHECK_STREQ(buf, "lddw needs a second instruction slot");
	CHECK(bpfvm_insn_format(p, 1, 1, buf, sizeof(buf), NULL) == -EINVAL);
	/* a short buffer truncates, never overflows */
	CHECK(bpfvm_insn_format(p, 1, 0, buf, 4, NULL) == -EINVAL);
	CHECK_STREQ(buf, "ldd");
}

int main(void)
{
	test_alu();
	test_jmp();
	test_mem();
	test_atomic();
	test_lddw();
	test_invalid();
	return check_report();
}
