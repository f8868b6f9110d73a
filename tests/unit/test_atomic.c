/* Atomics on W and DW: add/or/and/xor with and without FETCH, xchg,
 * cmpxchg success and failure. Expected values worked by hand. */
#include "check.h"
#include "insn_build.h"

struct result {
	uint64_t mem;	/* the word after the operation */
	uint64_t src;	/* r2 after */
	uint64_t r0;	/* r0 after */
};

/* mem word = m; r2 = s; r0 = r0v; atomic op [r1+8], r2; exit with r0 */
static struct result atomic(uint8_t size, int32_t op, uint64_t m,
			    uint64_t s, uint64_t r0v)
{
	uint64_t words[3] = { 0x1111111111111111, m, 0x2222222222222222 };
	struct bpf_insn p[] = {
		LD_IMM64(2, s),
		LD_IMM64(0, r0v),
		ATOMIC(size, op, 1, 2, 8),
		STX(BPF_DW, 1, 2, 16), /* report r2 through memory */
		EXIT(),
	};
	struct result res = { 0, 0, 0 };

	CHECK(run_insns(p, ARRAY_LEN(p), words, sizeof(words), &res.r0) == 0);
	CHECK_EQ_U64(words[0], 0x1111111111111111);
	res.mem = words[1];
	res.src = words[2];
	return res;
}

#define CHECK_ATOMIC(size, op, m, s, r0v, want_mem, want_src, want_r0)      \
	do {                                                                \
		struct result r_ = atomic(size, op, m, s, r0v);            \
		CHECK_EQ_U64(r_.mem, want_mem);                             \
		CHECK_EQ_U64(r_.src, want_src);                             \
		CHECK_EQ_U64(r_.r0, want_r0);                               \
	} while (0)

static void test_rmw(void)
{
	const uint64_t m = 0xf0f0f0f0ffffffff, s = 0x0ff000ff00000001;

	/* DW without fetch: src unchanged */
	CHECK_ATOMIC(BPF_DW, BPF_ADD, m, s, 7, 0x00e0f1f000000000, s, 7);
	CHECK_ATOMIC(BPF_DW, BPF_OR, m, s, 7, 0xfff0f0ffffffffff, s, 7);
	CHECK_ATOMIC(BPF_DW, BPF_AND, m, s, 7, 0x00f000f000000001, s, 7);
	CHECK_ATOMIC(BPF_DW, BPF_XOR, m, s, 7, 0xff00f00ffffffffe, s, 7);
	/* DW with fetch: src gets the old value */
	CHECK_ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, m, s, 7, 0x00e0f1f000000000,
		     m, 7);
	CHECK_ATOMIC(BPF_DW, BPF_OR | BPF_FETCH, m, s, 7, 0xfff0f0ffffffffff,
		     m, 7);
	CHECK_ATOMIC(BPF_DW, BPF_AND | BPF_FETCH, m, s, 7, 0x00f000f000000001,
		     m, 7);
	CHECK_ATOMIC(BPF_DW, BPF_XOR | BPF_FETCH, m, s, 7, 0xff00f00ffffffffe,
		     m, 7);
	/* W: only the low word changes; fetch zero-extends the old value */
	CHECK_ATOMIC(BPF_W, BPF_ADD, m, s, 7, 0xf0f0f0f000000000, s, 7);
	CHECK_ATOMIC(BPF_W, BPF_OR, m, 0x10, 7, m, 0x10, 7);
	CHECK_ATOMIC(BPF_W, BPF_AND, m, s, 7, 0xf0f0f0f000000001, s, 7);
	CHECK_ATOMIC(BPF_W, BPF_XOR, m, s, 7, 0xf0f0f0f0fffffffe, s, 7);
	CHECK_ATOMIC(BPF_W, BPF_ADD | BPF_FETCH, m, s, 7, 0xf0f0f0f000000000,
		     0xffffffff, 7);
	CHECK_ATOMIC(BPF_W, BPF_OR | BPF_FETCH, 0x1234500000001, 0x10, 7,
		     0x1234500000011, 1, 7);
	CHECK_ATOMIC(BPF_W, BPF_AND | BPF_FETCH, m, s, 7, 0xf0f0f0f000000001,
		     0xffffffff, 7);
	CHECK_ATOMIC(BPF_W, BPF_XOR | BPF_FETCH, m, s, 7, 0xf0f0f0f0fffffffe,
		     0xffffffff, 7);
}

static void test_xchg_cmpxchg(void)
{
	const uint64_t m = 0x0123456789abcdef;

	CHECK_ATOMIC(BPF_DW, BPF_XCHG, m, 42, 7, 42, m, 7);
	CHECK_ATOMIC(BPF_W, BPF_XCHG, m, 0xffffffff0000002a, 7,
		     0x012345670000002a, 0x89abcdef, 7);
	/* cmpxchg: success stores src; r0 = old either way */
	CHECK_ATOMIC(BPF_DW, BPF_CMPXCHG, m, 42, m, 42, 42, m);
	CHECK_ATOMIC(BPF_DW, BPF_CMPXCHG, m, 42, m + 1, m, 42, m);
	/* W compares r0's low half; r0 gets the old word zero-extended */
	CHECK_ATOMIC(BPF_W, BPF_CMPXCHG, m, 42, 0xffffffff89abcdef,
		     0x012345670000002a, 42, 0x89abcdef);
	CHECK_ATOMIC(BPF_W, BPF_CMPXCHG, m, 42, 0x89abcdee, m, 42, 0x89abcdef);
}

static void test_on_stack(void)
{
	uint64_t r0 = 0;
	struct bpf_insn p[] = {
		ST_IMM(BPF_DW, 10, -8, 40),
		MOV64_IMM(1, 2),
		ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, 10, 1, -8),
		LDX(BPF_DW, 0, 10, -8),
		ALU64_REG(BPF_MUL, 0, 1),	/* 42 * 40 */
		EXIT(),
	};

	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 1680);
}

int main(void)
{
	test_rmw();
	test_xchg_cmpxchg();
	test_on_stack();
	return check_report();
}
