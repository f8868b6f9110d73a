/* The x86-64 JIT, family by family: results against the interpreter (the
 * oracle) and against known values, run-time errors with the
 * interpreter's messages, blinding, and W^X of the image. */
#include "test_helpers.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"
#include "engine/jit/jit.h"

static struct bpfvm_env *env;
static char log_jit[256], log_int[256];

struct outcome {
	int err;
	uint64_t r0, executed;
	char msg[256];
};

/* Run on a copy of mem with either engine. */
static struct outcome run_engine(const struct bpf_insn *p, size_t cnt,
				 enum bpfvm_engine eng, uint32_t flags,
				 uint64_t budget, void *mem, size_t len,
				 uint32_t prog_flags)
{
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .env = env,
				      .flags = prog_flags };
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = eng,
				     .flags = flags, .insn_budget = budget };
	struct outcome o = { 0 };
	struct bpfvm_prog *prog;

	ro.err_buf = o.msg;
	ro.err_size = sizeof(o.msg);
	po.log_buf = o.msg;
	po.log_size = sizeof(o.msg);
	o.err = bpfvm_prog_create(p, cnt, &po, &prog);
	if (o.err)
		return o;
	o.err = bpfvm_prog_run(prog, mem, len, &o.r0, &ro);
	o.executed = ro.insn_executed;
	bpfvm_prog_free(prog);
	return o;
}

/* JIT and interpreter agree on err, r0, message, count and memory, in
 * every variant. Returns the JIT's fast-variant outcome. */
static struct outcome same(const struct bpf_insn *p, size_t cnt, void *mem,
			   size_t len, uint64_t budget, int line)
{
	static const uint32_t variants[4] = {
		0, BPFVM_RUN_F_CHECKED, BPFVM_RUN_F_COUNT,
		BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT,
	};
	/* One buffer at one address: programs may compute with it. */
	static uint8_t buf[256];
	uint8_t m_int[256];
	struct outcome first = { 0 };

	for (int v = 0; v < 8; v++) {
		uint32_t f = variants[v % 4];
		uint32_t pf = v >= 4 ? BPFVM_PROG_F_JIT_BLIND : 0;
		struct outcome a, b;

		if (len)
			memcpy(buf, mem, len);
		a = run_engine(p, cnt, BPFVM_ENGINE_INTERP, f, budget,
			       len ? buf : NULL, len, 0);
		if (len)
			memcpy(m_int, buf, len), memcpy(buf, mem, len);
		b = run_engine(p, cnt, BPFVM_ENGINE_JIT, f, budget,
			       len ? buf : NULL, len, pf);
		if (v == 0)
			first = b;
		if (a.err == b.err && a.r0 == b.r0 &&
		    strcmp(a.msg, b.msg) == 0 && a.executed == b.executed &&
		    (!len || memcmp(m_int, buf, len) == 0)) {
			check_passed++;
			continue;
		}
		check_failed++;
		fprintf(stderr, "line %d variant %d: interp %d r0 0x%llx n %llu "
			"\"%s\" / jit %d r0 0x%llx n %llu \"%s\"%s\n", line, v,
			a.err, (unsigned long long)a.r0,
			(unsigned long long)a.executed, a.msg, b.err,
			(unsigned long long)b.r0, (unsigned long long)b.executed,
			b.msg, len && memcmp(m_int, buf, len) ? " (memory)" : "");
	}
	return first;
}

#define SAME(p, mem, len) same(p, ARRAY_LEN(p), mem, len, 0, __LINE__)

static const uint64_t edge[] = {
	0, 1, 2, 3, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ull, 0x123456789abcdef0ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull,
	0xffffffffffffffffull, 0xffffffff80000000ull, 0xfffffffffffffff9ull,
};
#define NEDGE ARRAY_LEN(edge)

/* The registers div and shifts borrow (r0 = rax, r3 = rdx, r4 = rcx) as
 * dst and src; every other register must survive, so the program
 * returns a mix of all of them. */
static const uint8_t regs[] = { 0, 3, 4, 1, 9 };

static void alu_case(uint8_t cls, uint8_t op, int16_t off, bool k, int d,
		     int s, uint64_t a, uint64_t b)
{
	struct bpf_insn p[64];
	size_t n = 0;

	for (int r = 0; r <= 9; r++) {
		struct bpf_insn l[2] = { LD_IMM64(r, 0x1111111111111111ull * r +
						   0x0102030405060708ull) };
		p[n++] = l[0], p[n++] = l[1];
	}
	{
		struct bpf_insn l[2] = { LD_IMM64(s, b) };
		p[n++] = l[0], p[n++] = l[1];
	}
	{
		struct bpf_insn l[2] = { LD_IMM64(d, a) };
		p[n++] = l[0], p[n++] = l[1];
	}
	p[n++] = INSN(cls | op | (k ? BPF_K : BPF_X), d, k ? 0 : s, off,
		      (int32_t)b);
	/* r0 = d ^ (r0..r9 rotated): any clobbered register shows */
	p[n++] = MOV64_REG(6, d);
	for (int r = 0; r <= 9; r++) {
		if (r == 6)
			continue;
		p[n++] = ALU64_IMM(BPF_LSH, 6, 5);
		p[n++] = ALU64_REG(BPF_XOR, 6, r);
	}
	p[n++] = MOV64_REG(0, 6);
	p[n++] = EXIT();
	same(p, n, NULL, 0, 0, __LINE__);
}

static void test_alu_vs_interp(void)
{
	static const struct {
		uint8_t op;
		int16_t off;
	} ops[] = {
		{ BPF_ADD, 0 }, { BPF_SUB, 0 }, { BPF_MUL, 0 }, { BPF_DIV, 0 },
		{ BPF_DIV, 1 }, { BPF_MOD, 0 }, { BPF_MOD, 1 }, { BPF_OR, 0 },
		{ BPF_AND, 0 }, { BPF_XOR, 0 }, { BPF_LSH, 0 }, { BPF_RSH, 0 },
		{ BPF_ARSH, 0 }, { BPF_MOV, 0 },
	};
	int before = check_failed;

	for (size_t o = 0; o < ARRAY_LEN(ops); o++)
		for (int c = 0; c < 2; c++)
			for (int k = 0; k < 2; k++)
				for (size_t i = 0; i < NEDGE; i += 3)
					for (size_t j = 0; j < NEDGE; j++) {
						int d = regs[(i + j) % 5];
						int s = regs[(i + 2 * j + 1) % 5];

						alu_case(c ? BPF_ALU64 : BPF_ALU,
							 ops[o].op, ops[o].off,
							 k, d, k ? d : s,
							 edge[i], edge[j]);
					}
	/* dst == src through every borrowed register */
	for (size_t o = 0; o < ARRAY_LEN(ops); o++)
		for (size_t r = 0; r < ARRAY_LEN(regs); r++)
			alu_case(BPF_ALU64, ops[o].op, ops[o].off, false,
				 regs[r], regs[r], 0x8000000000000000ull, 0);
	if (check_failed != before)
		fprintf(stderr, "ALU mismatches above\n");
}

static uint64_t jit1(const struct bpf_insn *p, size_t cnt)
{
	struct outcome o = run_engine(p, cnt, BPFVM_ENGINE_JIT, 0, 0, NULL, 0,
				      0);

	CHECK(o.err == 0);
	return o.r0;
}

#define JIT1(...)                                                           \
	({                                                                  \
		struct bpf_insn p_[] = { __VA_ARGS__ };                     \
		jit1(p_, ARRAY_LEN(p_));                                    \
	})

static void test_div_edges(void)
{
	CHECK_EQ_U64(JIT1(MOV64_IMM(0, 7), MOV64_IMM(1, 0),
			  ALU64_REG(BPF_DIV, 0, 1), EXIT()), 0);
	CHECK_EQ_U64(JIT1(MOV64_IMM(0, 7), MOV64_IMM(1, 0),
			  ALU64_REG(BPF_MOD, 0, 1), EXIT()), 7);
	CHECK_EQ_U64(JIT1(LD_IMM64(0, 0xffffffff00000007ull), MOV64_IMM(1, 0),
			  ALU32_REG(BPF_MOD, 0, 1), EXIT()), 7);
	CHECK_EQ_U64(JIT1(LD_IMM64(0, 0xffffffff00000007ull),
			  ALU32_IMM(BPF_MOD, 0, 0), EXIT()), 7);
	CHECK_EQ_U64(JIT1(LD_IMM64(0, 0x8000000000000000ull),
			  MOV64_IMM(1, -1),
			  INSN(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 1, 0), EXIT()),
		     0x8000000000000000ull);
	CHECK_EQ_U64(JIT1(LD_IMM64(0, 0x8000000000000000ull),
			  INSN(BPF_ALU64 | BPF_MOD | BPF_K, 0, 0, 1, -1), EXIT()),
		     0);
	CHECK_EQ_U64(JIT1(MOV32_IMM(0, INT32_MIN), MOV64_IMM(1, -1),
			  INSN(BPF_ALU | BPF_DIV | BPF_X, 0, 1, 1, 0), EXIT()),
		     0x80000000u);
	CHECK_EQ_U64(JIT1(MOV64_IMM(0, -7), MOV64_IMM(1, 2),
			  INSN(BPF_ALU64 | BPF_MOD | BPF_X, 0, 1, 1, 0), EXIT()),
		     (uint64_t)-1);
	/* r3 (rdx) as dst and as divisor */
	CHECK_EQ_U64(JIT1(MOV64_IMM(3, 100), MOV64_IMM(0, 7),
			  ALU64_REG(BPF_DIV, 3, 0), ALU64_IMM(BPF_MUL, 3, 1000),
			  ALU64_REG(BPF_ADD, 0, 3), EXIT()), 14007);
}

static void test_shift_edges(void)
{
	static const int counts[] = { 0, 1, 31, 32, 33, 63, 64, 65 };

	for (size_t c = 0; c < ARRAY_LEN(counts); c++) {
		int n = counts[c];
		uint64_t v = 0x8123456789abcdefull;

		CHECK_EQ_U64(JIT1(LD_IMM64(0, v), MOV64_IMM(2, n),
				  ALU64_REG(BPF_LSH, 0, 2), EXIT()),
			     v << (n & 63));
		CHECK_EQ_U64(JIT1(LD_IMM64(0, v), MOV64_IMM(4, n),
				  ALU64_REG(BPF_ARSH, 0, 4), EXIT()),
			     (uint64_t)((int64_t)v >> (n & 63)));
		CHECK_EQ_U64(JIT1(LD_IMM64(4, v), MOV64_IMM(0, n),
				  ALU32_REG(BPF_RSH, 4, 0), MOV64_REG(0, 4),
				  EXIT()),
			     (uint32_t)v >> (n & 31));
		CHECK_EQ_U64(JIT1(LD_IMM64(0, v), ALU32_IMM(BPF_LSH, 0, n),
				  EXIT()),
			     (uint32_t)((uint32_t)v << (n & 31)));
	}
}

static void test_jumps(void)
{
	static const uint8_t conds[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE,
					 BPF_JLT, BPF_JLE, BPF_JSET, BPF_JSGT,
					 BPF_JSGE, BPF_JSLT, BPF_JSLE };

	for (size_t c = 0; c < ARRAY_LEN(conds); c++)
		for (size_t i = 0; i < NEDGE; i += 2)
			for (size_t j = 0; j < NEDGE; j += 2)
				for (int cls = 0; cls < 2; cls++)
					for (int k = 0; k < 2; k++) {
						uint8_t cl = cls ? BPF_JMP : BPF_JMP32;
						struct bpf_insn p[] = {
							LD_IMM64(1, edge[i]),
							LD_IMM64(2, edge[j]),
							MOV64_IMM(0, 1),
							INSN(cl | conds[c] | (k ? BPF_K : BPF_X),
							     1, k ? 0 : 2, 1,
							     (int32_t)edge[j]),
							MOV64_IMM(0, 2),
							EXIT(),
						};
						SAME(p, NULL, 0);
					}
	/* far jumps (rel32), backward loops (aligned heads), gotol */
	struct bpf_insn far[400];
	size_t n = 0;
	far[n++] = MOV64_IMM(0, 0);
	far[n++] = MOV64_IMM(1, 50);
	far[n++] = JA(300);	/* forward over the filler: rel32 */
	while (n < 303)
		far[n++] = ALU64_IMM(BPF_ADD, 0, 1000);
	far[n++] = ALU64_IMM(BPF_ADD, 0, 3);	/* 303: loop head */
	far[n++] = ALU64_IMM(BPF_SUB, 1, 1);
	far[n++] = JMP_IMM(BPF_JNE, 1, 0, -3);
	far[n++] = GOTOL(1);
	far[n++] = EXIT();
	far[n++] = EXIT();
	CHECK_EQ_U64(same(far, n, NULL, 0, 0, __LINE__).r0, 150);
}

static void test_memory(void)
{
	uint8_t mem[64];

	for (size_t i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)(i * 37 + 0x81);
	struct bpf_insn ld[] = {
		LDX(BPF_B, 2, 1, 3), LDX(BPF_H, 3, 1, 5), LDX(BPF_W, 4, 1, 9),
		LDX(BPF_DW, 5, 1, 17), LDXSX(BPF_B, 6, 1, 3),
		LDXSX(BPF_H, 7, 1, 5), LDXSX(BPF_W, 8, 1, 9),
		ALU64_REG(BPF_XOR, 2, 3), ALU64_REG(BPF_ADD, 2, 4),
		ALU64_REG(BPF_XOR, 2, 5), ALU64_REG(BPF_ADD, 2, 6),
		ALU64_REG(BPF_XOR, 2, 7), ALU64_REG(BPF_ADD, 2, 8),
		MOV64_REG(0, 2), EXIT(),
	};
	SAME(ld, mem, sizeof(mem));
	struct bpf_insn st[] = {
		MOV64_IMM(2, -3),
		STX(BPF_B, 1, 2, 1), STX(BPF_H, 1, 2, 3), STX(BPF_W, 1, 2, 7),
		STX(BPF_DW, 1, 2, 13), ST_IMM(BPF_B, 1, 21, 0x1234),
		ST_IMM(BPF_H, 1, 23, -0x1234), ST_IMM(BPF_W, 1, 27, 0x55667788),
		ST_IMM(BPF_DW, 1, 33, -2), ST_IMM(BPF_DW, 10, -8, 0x7abbccdd),
		STX(BPF_B, 10, 1, -9), STX(BPF_B, 1, 9, 41), /* dil, r15b */
		LDX(BPF_DW, 0, 10, -8), LDX(BPF_B, 3, 10, -9),
		ALU64_REG(BPF_ADD, 0, 3), EXIT(),
	};
	SAME(st, mem, sizeof(mem));
}

static void test_atomics(void)
{
	static const int ops[] = {
		BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH,
		BPF_OR | BPF_FETCH, BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH,
		BPF_XCHG, BPF_CMPXCHG,
	};
	uint64_t mem[4] = { 0x00ff00ff12345678ull, 0xf0f0f0f0f0f0f0f0ull,
			    0x1234, 5 };

	for (size_t o = 0; o < ARRAY_LEN(ops); o++)
		for (int dw = 0; dw < 2; dw++)
			for (int r = 0; r < 3; r++) {
				/* src r2, r0 or r4; base r1 or r0 */
				int src = r == 0 ? 2 : r == 1 ? 0 : 4;
				int base = r == 2 ? 0 : 1;
				struct bpf_insn p[] = {
					MOV64_REG(0, 1),
					LD_IMM64(src, 0xff00ff00aabbccddull),
					LD_IMM64(base == 0 ? 3 : 0, 0x12345678),
					MOV64_REG(base, 1),
					ALU64_IMM(BPF_ADD, base, 0),
					ATOMIC(dw ? BPF_DW : BPF_W, ops[o], base,
					       src, 8),
					ALU64_REG(BPF_XOR, 0, src),
					ALU64_IMM(BPF_LSH, 0, 1),
					ALU64_REG(BPF_ADD, 0, 3),
					EXIT(),
				};
				if (ops[o] == BPF_CMPXCHG && src == 0)
					continue; /* r0 = r1's address */
				SAME(p, mem, sizeof(mem));
			}
	/* cmpxchg that succeeds, 32-bit: r0 zero-extended */
	uint32_t w[2] = { 7, 0 };
	struct bpf_insn cx[] = {
		LD_IMM64(0, 0xffffffff00000007ull), MOV64_IMM(2, 9),
		ATOMIC(BPF_W, BPF_CMPXCHG, 1, 2, 0), EXIT(),
	};
	CHECK_EQ_U64(SAME(cx, w, sizeof(w)).r0, 7);
}

static uint64_t h_stop(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		       uint64_t e, struct bpfvm_run *run)
{
	(void)b, (void)c, (void)d, (void)e;
	if (a)
		bpfvm_run_stop(run, a + 1);
	return 5;
}

static void test_helpers(void)
{
	struct bpf_insn sum[] = {
		MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3),
		MOV64_IMM(4, 4), MOV64_IMM(5, 5), MOV64_IMM(6, 7),
		CALL_HELPER(100), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
	};
	CHECK_EQ_U64(SAME(sum, NULL, 0).r0, 54321 + 7);
	struct bpf_insn stop[] = {
		MOV64_IMM(1, 41), CALL_HELPER(101), MOV64_IMM(0, 0), EXIT(),
	};
	CHECK_EQ_U64(SAME(stop, NULL, 0).r0, 42);
	struct bpf_insn nostop[] = {
		MOV64_IMM(1, 0), CALL_HELPER(101), EXIT(),
	};
	CHECK_EQ_U64(SAME(nostop, NULL, 0).r0, 5);
	/* stop from inside a nested call unwinds every frame */
	struct bpf_insn deep[] = {
		CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(),
		MOV64_IMM(1, 99), CALL_HELPER(101), EXIT(),
	};
	CHECK_EQ_U64(SAME(deep, NULL, 0).r0, 100);
}

/* main calls f(n), which calls itself while n > 0: n + 2 frames. */
static void test_call_depth(void)
{
	for (int depth = 2; depth <= 9; depth++) {
		struct bpf_insn p[] = {
			MOV64_IMM(1, depth - 2), MOV64_IMM(6, 1000),
			CALL_LOCAL(2), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
			MOV64_REG(0, 1),		/* 5: f */
			MOV64_IMM(6, 5),		/* callee changes r6 */
			STX(BPF_DW, 10, 1, -8),
			JMP_IMM(BPF_JEQ, 1, 0, 4),
			ALU64_IMM(BPF_SUB, 1, 1),
			CALL_LOCAL(-6),			/* 10 */
			LDX(BPF_DW, 1, 10, -8),
			ALU64_REG(BPF_ADD, 0, 1),
			EXIT(),
		};
		struct outcome o = SAME(p, NULL, 0);

		if (depth <= 8) {
			CHECK(o.err == 0);
			CHECK_EQ_U64(o.r0, 1000 + (uint64_t)(depth - 2) * (depth - 1) / 2);
		} else {
			CHECK(o.err == -EOVERFLOW);
			CHECK_STREQ(o.msg, "insn 10: call depth 9 exceeds 8");
		}
	}
}

static void test_callx(void)
{
	struct bpf_insn local[] = {
		LD_FUNC(2, 4), MOV64_IMM(1, 20), CALLX(2),
		EXIT(),
		MOV64_REG(0, 1), ALU64_IMM(BPF_MUL, 0, 3), EXIT(),
	};
	CHECK_EQ_U64(SAME(local, NULL, 0).r0, 60);
	struct bpf_insn helper[] = {
		MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), MOV64_IMM(5, 0), MOV64_IMM(7, 100),
		CALLX(7), EXIT(),
	};
	struct outcome h = SAME(helper, NULL, 0);
	CHECK(h.err == 0);
	if (h.err)
		fprintf(stderr, "callx helper: %s\n", h.msg);
	CHECK_EQ_U64(h.r0, 21);
	struct bpf_insn bad[] = {
		MOV64_IMM(0, 0), LD_IMM64(3, 0x123456789ull), CALLX(3), EXIT(),
	};
	struct outcome o = SAME(bad, NULL, 0);
	CHECK(o.err == -EINVAL);
	CHECK(strncmp(o.msg, "insn 3: callx to 0x123456789", 28) == 0);
}

static void test_budget(void)
{
	/* 2 + 4 * 10 + 1 = 43 instructions, with an lddw in the loop */
	struct bpf_insn p[] = {
		MOV64_IMM(0, 0), MOV64_IMM(1, 10),
		LD_IMM64(2, 1), ALU64_REG(BPF_ADD, 0, 2),
		ALU64_IMM(BPF_SUB, 1, 1), JMP_IMM(BPF_JNE, 1, 0, -5),
		EXIT(),
	};
	for (uint64_t b = 1; b <= 45; b++) {
		struct outcome o = same(p, ARRAY_LEN(p), NULL, 0, b, __LINE__);

		CHECK(o.err == (b >= 43 ? 0 : -ETIME));
	}
	struct bpfvm_run_opts ro = { .sz = sizeof(ro),
				     .engine = BPFVM_ENGINE_JIT,
				     .insn_budget = 43 };
	uint64_t r0 = 0;
	CHECK(run_insns_env(p, ARRAY_LEN(p), env, NULL, 0, &r0, &ro, log_jit,
			    sizeof(log_jit)) == 0);
	CHECK(r0 == 10 && ro.insn_executed == 43);
	ro.insn_budget = 42;
	CHECK(run_insns_env(p, ARRAY_LEN(p), env, NULL, 0, &r0, &ro, log_jit,
			    sizeof(log_jit)) == -ETIME);
	CHECK(ro.insn_executed == 42);
	CHECK_STREQ(log_jit, "insn 7: instruction budget of 42 exceeded");
	ro.insn_budget = 5; /* runs out in the loop, past the lddw */
	CHECK(run_insns_env(p, ARRAY_LEN(p), env, NULL, 0, &r0, &ro, log_jit,
			    sizeof(log_jit)) == -ETIME);
	CHECK_STREQ(log_jit, "insn 6: instruction budget of 5 exceeded");
}

static void test_checked(void)
{
	uint8_t mem[16] = { 0 };
	struct bpf_insn faults[][3] = {
		{ MOV64_IMM(0, 0), LDX(BPF_DW, 0, 1, 9), EXIT() },
		{ MOV64_IMM(0, 0), LDX(BPF_B, 0, 1, -1), EXIT() },
		{ MOV64_IMM(0, 0), ST_IMM(BPF_W, 10, 0, 1), EXIT() },
		{ MOV64_IMM(0, 0), LDX(BPF_DW, 0, 10, -520), EXIT() },
		{ MOV64_IMM(0, 0), ATOMIC(BPF_DW, BPF_ADD, 1, 0, 4), EXIT() },
		{ MOV64_IMM(0, 0), LDX(BPF_B, 0, 0, 0), EXIT() },
		{ MOV64_IMM(1, -1), LDX(BPF_DW, 0, 1, 0), EXIT() },
	};
	/* Stack addresses differ between engines: compare up to them. */
	for (size_t f = 0; f < ARRAY_LEN(faults); f++)
		for (int v = 0; v < 4; v++) {
			uint32_t fl = BPFVM_RUN_F_CHECKED |
				      (v & 1 ? BPFVM_RUN_F_COUNT : 0);
			uint32_t pf = v & 2 ? BPFVM_PROG_F_JIT_BLIND : 0;
			struct outcome a = run_engine(faults[f], 3,
						      BPFVM_ENGINE_INTERP, fl,
						      0, mem, sizeof(mem), 0);
			struct outcome o = run_engine(faults[f], 3,
						      BPFVM_ENGINE_JIT, fl, 0,
						      mem, sizeof(mem), pf);
			const char *x = strstr(a.msg, "0x");
			size_t n = x ? (size_t)(x - a.msg) : 0;

			CHECK(o.err == -EFAULT && a.err == -EFAULT);
			CHECK(n > 8 && strncmp(o.msg, a.msg, n) == 0);
			CHECK(strcmp(strchr(o.msg + n, ' '),
				     strchr(a.msg + n, ' ')) == 0);
			CHECK(o.executed == a.executed);
		}
	/* legit: both ends of mem and of the frame, a caller's frame */
	struct bpf_insn ok[] = {
		ST_IMM(BPF_DW, 1, 8, 3), LDX(BPF_B, 0, 1, 0),
		ST_IMM(BPF_DW, 10, -512, 1), ST_IMM(BPF_B, 10, -1, 2),
		MOV64_REG(1, 10), CALL_LOCAL(2), LDX(BPF_DW, 0, 10, -16),
		EXIT(),
		ST_IMM(BPF_DW, 1, -16, 77), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, 504), STX(BPF_DW, 2, 2, -16), /* caller */
		EXIT(),
	};
	struct outcome o = SAME(ok, mem, sizeof(mem));
	CHECK(o.err == 0 && o.r0 == 77);
	/* a host region, read-only then writable */
	uint64_t word = 5;
	struct bpfvm_region reg = { &word, sizeof(word), 0 };
	struct bpf_insn rw[] = {
		LD_IMM64(2, (uintptr_t)&word), LDX(BPF_DW, 0, 2, 0),
		STX(BPF_DW, 2, 0, 0), EXIT(),
	};
	struct bpfvm_prog *prog;
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = BPFVM_ENGINE_JIT,
				     .flags = BPFVM_RUN_F_CHECKED,
				     .regions = &reg, .region_cnt = 1,
				     .err_buf = log_jit,
				     .err_size = sizeof(log_jit) };
	uint64_t r0;
	CHECK(bpfvm_prog_create(rw, ARRAY_LEN(rw), NULL, &prog) == 0);
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, &ro) == -EFAULT);
	CHECK(strstr(log_jit, "read-only") != NULL);
	reg.writable = 1;
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, &ro) == 0);
	CHECK_EQ_U64(r0, 5);
	bpfvm_prog_free(prog);
}

static bool contains(const uint8_t *code, size_t n, const void *pat,
		     size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (memcmp(code + i, pat, len) == 0)
			return true;
	return false;
}

/* Blinding: no program immediate appears in the image. */
static void test_blinding(void)
{
	static const int32_t imms[] = { 0x5a5a1234, 0x13572468, -0x2468ace0,
					0x0badf00d, 0x31415926, 0x27182818 };
	struct bpf_insn p[] = {
		MOV64_IMM(0, imms[0]), ALU64_IMM(BPF_ADD, 0, imms[1]),
		ALU32_IMM(BPF_XOR, 0, imms[2]), ST_IMM(BPF_W, 10, -4, imms[3]),
		JMP_IMM(BPF_JEQ, 0, imms[4], 1),
		ALU64_IMM(BPF_DIV, 0, imms[5]),
		LD_IMM64(1, 0x0123456789abcdefull), LDX(BPF_W, 2, 10, -4),
		ALU64_REG(BPF_ADD, 0, 2), ALU64_REG(BPF_ADD, 0, 1), EXIT(),
	};
	uint64_t big = 0x0123456789abcdefull;

	for (int blind = 0; blind < 2; blind++) {
		struct bpfvm_prog_opts po = {
			.sz = sizeof(po),
			.flags = blind ? BPFVM_PROG_F_JIT_BLIND : 0 };
		struct bpfvm_jit_info info = { .sz = sizeof(info) };
		struct bpfvm_prog *prog;
		size_t found = 0;

		CHECK(bpfvm_prog_create(p, ARRAY_LEN(p), &po, &prog) == 0);
		for (uint32_t f = 0; f < 4; f++) {
			CHECK(bpfvm_prog_jit_info(prog, f, &info) == 0);
			for (size_t i = 0; i < ARRAY_LEN(imms); i++)
				found += contains(info.code, info.code_size,
						  &imms[i], 4);
			found += contains(info.code, info.code_size, &big, 8);
		}
		if (blind)
			CHECK(found == 0);
		else
			CHECK(found == 4 * 7); /* the test can see them */
		bpfvm_prog_free(prog);
	}
	SAME(p, NULL, 0);
}

/* The image is read+execute, never writable. */
static void test_wx(void)
{
	struct bpf_insn p[] = { MOV64_IMM(0, 1), EXIT() };
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	struct bpfvm_prog *prog;
	char line[512];
	bool seen = false;
	FILE *f;

	CHECK(bpfvm_prog_create(p, 2, NULL, &prog) == 0);
	CHECK(bpfvm_prog_jit_info(prog, 0, &info) == 0);
	CHECK(info.insn_cnt == 2 && info.insn_off[0] < info.insn_off[1]);
	CHECK(info.insn_off[2] <= info.code_size);
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perm[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perm) != 3)
			continue;
		if ((uintptr_t)info.code < lo || (uintptr_t)info.code >= hi)
			continue;
		seen = true;
		CHECK_STREQ(perm, "r-xp");
	}
	if (f)
		fclose(f);
	CHECK(seen);
	bpfvm_prog_free(prog);
}

/* LD_ABS, once refused, now compiles (test_ld_abs runs it). */
static void test_unsupported(void)
{
	struct bpf_insn p[] = {
		INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 4), EXIT(),
	};
	struct jit_image *img = NULL;

	CHECK(jit_compile(p, 2, env, 0, &img, log_int, sizeof(log_int)) == 0);
	CHECK(img != NULL);
	jit_image_free(img);
}

int main(void)
{
	CHECK(bpfvm_env_create(&env) == 0);
	CHECK(bpfvm_helper_register(env, 100, "sum", test_helper_sum5) == 0);
	CHECK(bpfvm_helper_register(env, 101, "stop", h_stop) == 0);
	test_alu_vs_interp();
	test_div_edges();
	test_shift_edges();
	test_jumps();
	test_memory();
	test_atomics();
	test_helpers();
	test_call_depth();
	test_callx();
	test_budget();
	test_checked();
	test_blinding();
	test_wx();
	test_unsupported();
	bpfvm_env_free(env);
	(void)log_jit;
	return check_report();
}
