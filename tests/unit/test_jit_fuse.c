/* The JIT's fusion of instruction runs (src/engine/jit/jit_fuse.h):
 * folded addresses, lea pairs, selects before a goto, jumps over an exit.
 * Fixed programs check that each fusion happens (the fused instructions
 * have no code of their own) and computes what the interpreter does;
 * random programs full of pointer arithmetic, with the registers that
 * make up an address live or dead afterwards, loops and branches, must
 * agree with the interpreter in every JIT variant (plain, direct,
 * checked, which fuses nothing). The generator is fuse_randprog.h.
 *
 * usage: test_jit_fuse [--seed N] [--count N] [--print] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"

/* Random programs per run: about a second, a quarter of that count under
 * the sanitizers (which slow it down about fourfold). */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_COUNT 800ul
#else
#define DEFAULT_COUNT 3000ul
#endif

#define MEM_LEN 512

/* One buffer at one address for every engine: programs may keep
 * pointers to it in registers and results. */
static uint8_t buf[MEM_LEN] __attribute__((aligned(64)));
static uint8_t init[MEM_LEN];

struct result {
	int err;
	uint64_t r0;
	uint8_t mem[MEM_LEN];
};

static char run_msg[256];

static void run_one(struct bpfvm_prog *prog, enum bpfvm_engine eng,
		    uint32_t flags, struct result *r)
{
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = eng,
				     .flags = flags, .err_buf = run_msg,
				     .err_size = sizeof(run_msg) };

	memcpy(buf, init, MEM_LEN);
	r->r0 = 0;
	r->err = bpfvm_prog_run(prog, buf, MEM_LEN, &r->r0, &ro);
	memcpy(r->mem, buf, MEM_LEN);
}

static void run_direct(struct bpfvm_prog *prog, struct result *r)
{
	bpfvm_jit_fn fn;

	r->err = bpfvm_prog_jit_fn(prog, &fn);
	memcpy(buf, init, MEM_LEN);
	r->r0 = r->err ? 0 : fn(buf, MEM_LEN);
	memcpy(r->mem, buf, MEM_LEN);
}

static bool same(const struct result *a, const struct result *b)
{
	return a->err == b->err && a->r0 == b->r0 &&
	       memcmp(a->mem, b->mem, MEM_LEN) == 0;
}

/* Interpreter against the JIT's plain, direct and checked code. Returns
 * false (and says why) on a difference. */
static bool agree(const struct bpf_insn *p, size_t cnt, const char *what)
{
	static const char *const names[] = { "plain", "direct", "checked" };
	static struct result want, got;
	char log[256] = "";
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .log_buf = log,
				      .log_size = sizeof(log) };
	struct bpfvm_prog *prog;
	bool ok = true;

	if (bpfvm_prog_create(p, cnt, &po, &prog)) {
		fprintf(stderr, "%s: bpfvm_prog_create: %s\n", what, log);
		return false;
	}
	/* The checked interpreter first: a generated program that strays
	 * out of bounds is the generator's bug, and the plain engines would
	 * crash on it. */
	run_one(prog, BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED, &want);
	if (want.err) {
		fprintf(stderr, "%s: the checked interpreter fails: %s\n",
			what, run_msg);
		bpfvm_prog_free(prog);
		return false;
	}
	run_one(prog, BPFVM_ENGINE_INTERP, 0, &want);
	for (int v = 0; v < 3; v++) {
		if (v == 1)
			run_direct(prog, &got);
		else
			run_one(prog, BPFVM_ENGINE_JIT,
				v ? BPFVM_RUN_F_CHECKED : 0, &got);
		if (same(&want, &got))
			continue;
		fprintf(stderr, "%s, JIT %s: err %d r0 %#llx, interpreter err "
				"%d r0 %#llx%s\n", what, names[v], got.err,
			(unsigned long long)got.r0, want.err,
			(unsigned long long)want.r0,
			memcmp(want.mem, got.mem, MEM_LEN) ? " (memory)" : "");
		ok = false;
	}
	bpfvm_prog_free(prog);
	return ok;
}

/* How many of insns [from, to) have no code of their own in the plain
 * variant (lddw's second halves not counted); -1 on failure. */
static long no_code(const struct bpf_insn *p, size_t cnt, size_t from,
		    size_t to)
{
	struct bpfvm_prog_opts po = { .sz = sizeof(po) };
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	struct bpfvm_prog *prog;
	long n = 0;

	if (bpfvm_prog_create(p, cnt, &po, &prog))
		return -1;
	if (bpfvm_prog_jit_info(prog, 0, &info)) {
		bpfvm_prog_free(prog);
		return -1;
	}
	for (size_t i = from; i < to; i++)
		n += info.insn_off[i] == info.insn_off[i + 1] &&
		     !(i && p[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM));
	bpfvm_prog_free(prog);
	return n;
}

static bool fused(const struct bpf_insn *p, size_t cnt, size_t from,
		  size_t to)
{
	return no_code(p, cnt, from, to) == (long)(to - from);
}

#define AGREE(p) CHECK(agree(p, ARRAY_LEN(p), #p))
#define FUSED(p, from, to) CHECK(fused(p, ARRAY_LEN(p), from, to))

/* ---- fixed programs ---- */

/* copy-sum's loop: r3 = r1 + r2, load and store through it, r3 dead. */
static const struct bpf_insn copy_sum[] = {
	MOV64_IMM(0, 0), MOV64_IMM(2, 0),
	MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2),	/* 2, 3 */
	LDX(BPF_B, 4, 3, 0), STX(BPF_B, 3, 4, 256),	/* 4, 5 */
	ALU64_REG(BPF_ADD, 0, 4), ALU64_IMM(BPF_ADD, 2, 1),
	JMP_IMM(BPF_JNE, 2, 200, -7), EXIT(),
};

/* r3 live after the run (returned): set by a lea at its end. */
static const struct bpf_insn live_after[] = {
	MOV64_IMM(2, 40), MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2),
	ALU64_IMM(BPF_ADD, 3, 8), LDX(BPF_DW, 4, 3, 16),
	ST_IMM(BPF_W, 3, -4, 0x5a5a), MOV64_REG(0, 3),
	ALU64_REG(BPF_SUB, 0, 1), ALU64_REG(BPF_XOR, 0, 4), EXIT(),
};

/* A load into the index register ends the run (r3 dead after it), one
 * into rA itself (strcmp's shape). */
static const struct bpf_insn load_clobbers[] = {
	MOV64_IMM(2, 5), MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2),
	LDX(BPF_B, 4, 3, 100), LDX(BPF_B, 2, 3, 1),
	MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 4), LDX(BPF_H, 3, 3, 0),
	MOV64_REG(0, 3), ALU64_IMM(BPF_LSH, 0, 16), ALU64_REG(BPF_OR, 0, 2),
	EXIT(),
};

/* A load into the index register in the middle of accesses through r3:
 * the accesses after it use r3, not the new index. */
static const struct bpf_insn index_reloaded[] = {
	MOV64_IMM(2, 3), MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2),
	LDX(BPF_B, 2, 3, 0), LDX(BPF_H, 4, 3, 2), STX(BPF_B, 3, 2, 9),
	MOV64_REG(0, 4), ALU64_REG(BPF_XOR, 0, 2), EXIT(),
};

/* Through the stack: r3 = r10 - 64 + r2. */
static const struct bpf_insn stack_run[] = {
	ST_IMM(BPF_DW, 10, -64, 0x11), ST_IMM(BPF_DW, 10, -56, 0x22),
	MOV64_IMM(2, 8), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -64),
	ALU64_REG(BPF_ADD, 3, 2), LDX(BPF_DW, 0, 3, 0),
	STX(BPF_DW, 3, 0, -8), LDX(BPF_DW, 4, 10, -64),
	ALU64_REG(BPF_ADD, 0, 4), EXIT(),
};

/* lea pairs: 64-bit, 32-bit, rA += rA, -= k. */
static const struct bpf_insn lea_pairs[] = {
	LD_IMM64(2, 0xfffffffff0000001ull), MOV64_IMM(4, 7),
	MOV64_REG(3, 2), ALU64_REG(BPF_ADD, 3, 4),
	MOV64_REG(5, 2), ALU32_IMM(BPF_ADD, 5, 0x10000000),
	ALU32_REG(BPF_MOV, 6, 2), ALU32_REG(BPF_ADD, 6, 6),
	MOV64_REG(7, 4), ALU64_IMM(BPF_SUB, 7, 9),
	MOV64_REG(0, 3), ALU64_REG(BPF_XOR, 0, 5), ALU64_REG(BPF_XOR, 0, 6),
	ALU64_REG(BPF_XOR, 0, 7), EXIT(),
};

/* sieve's count: r3 = (r4 == 0), as "r3 = 1; if r4 == 0 goto L;
 * r3 = 0; goto L". */
static const struct bpf_insn select_goto[] = {
	MOV64_IMM(0, 0), MOV64_IMM(2, 0),
	LDX(BPF_B, 4, 1, 0), JA(4),
	ALU64_REG(BPF_ADD, 0, 3), ALU64_IMM(BPF_ADD, 2, 1),	/* 4: L */
	JMP_IMM(BPF_JNE, 2, 64, 1), EXIT(),
	MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2), LDX(BPF_B, 4, 3, 0),
	MOV32_IMM(3, 1), JMP32_IMM(BPF_JEQ, 4, 0, -9),	/* 12 */
	MOV32_IMM(3, 0), JA(-11),
};

/* if r2 > 5 goto +1; exit: the exit out of line. */
static const struct bpf_insn jump_exit[] = {
	MOV64_IMM(0, 1), MOV64_IMM(3, 0),
	ALU64_IMM(BPF_ADD, 3, 1), ALU64_IMM(BPF_MUL, 0, 3),
	JMP_IMM(BPF_JLT, 3, 9, 1), EXIT(),	/* 4, 5 */
	JA(-5),
};

/* if done goto out; goto loop (strcmp's back edge), and if c goto +1;
 * goto back. */
static const struct bpf_insn swap_jumps[] = {
	MOV64_IMM(0, 0), MOV64_IMM(2, 0),
	LDX(BPF_B, 3, 1, 0), ALU64_REG(BPF_ADD, 0, 3),	/* 2: loop */
	ALU64_IMM(BPF_ADD, 1, 1), ALU64_IMM(BPF_ADD, 2, 1),
	JMP_IMM(BPF_JEQ, 2, 50, 1), JA(-6),		/* 6, 7 */
	MOV64_IMM(4, 3),
	ALU64_IMM(BPF_MUL, 0, 3), ALU64_IMM(BPF_SUB, 4, 1),	/* 9 */
	JMP_IMM(BPF_JEQ, 4, 0, 3), JA(-4), EXIT(), EXIT(),	/* 11-14 */
	ALU64_IMM(BPF_XOR, 0, 0x77), EXIT(),
};

/* A subprogram's address run leaves r3 to its caller, which reads it
 * after the call as the interpreter lets it (undefined in the ISA). */
static const struct bpf_insn sub_leaves[] = {
	CALL_LOCAL(5), ALU64_REG(BPF_SUB, 3, 1), ALU64_REG(BPF_ADD, 0, 3),
	EXIT(),
	MOV64_IMM(0, 0), EXIT(),
	MOV64_REG(3, 1), ALU64_IMM(BPF_ADD, 3, 8),	/* 6: the subprogram */
	LDX(BPF_DW, 0, 3, 0), EXIT(),
};

/* sieve's count loop: its test before the body, reached by a goto back,
 * its exit a target of an earlier jump. */
static const struct bpf_insn latch_loop[] = {
	MOV64_IMM(0, 0), JMP_IMM(BPF_JLT, 2, 64, 6),
	MOV64_IMM(2, 0), JA(3),
	ALU64_REG(BPF_ADD, 0, 3), ALU64_IMM(BPF_ADD, 2, 1),	/* 4: test */
	JMP_IMM(BPF_JNE, 2, 64, 1), EXIT(),			/* 6, 7 */
	MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2), LDX(BPF_B, 4, 3, 0),
	MOV32_IMM(3, 1), JMP32_IMM(BPF_JEQ, 4, 0, -9),
	MOV32_IMM(3, 0), JA(-11),
};

/* Booleans: r3 = (r2 == 0) as sieve's count writes it, r4 = !(r2 > 5)
 * with the jump over one insn, r5 with the compare reading r5. */
static const struct bpf_insn booleans[] = {
	LDX(BPF_B, 2, 1, 0),
	MOV32_IMM(3, 1), JMP32_IMM(BPF_JEQ, 2, 0, 2), MOV32_IMM(3, 0), JA(0),
	MOV64_IMM(4, 0), JMP_IMM(BPF_JGT, 2, 5, 1), MOV64_IMM(4, 1),
	MOV64_IMM(5, 1), JMP_REG(BPF_JGT, 5, 2, 1), MOV64_IMM(5, 0),
	MOV64_REG(0, 3), ALU64_IMM(BPF_LSH, 0, 4), ALU64_REG(BPF_OR, 0, 4),
	ALU64_IMM(BPF_LSH, 0, 4), ALU64_REG(BPF_OR, 0, 5), EXIT(),
};

static void test_fixed(void)
{
	memset(init, 0, MEM_LEN);
	for (int k = 0; k < MEM_LEN; k++)
		init[k] = (uint8_t)(k * 7 + (k >> 3));
	init[40] = 0;
	AGREE(copy_sum);
	FUSED(copy_sum, 2, 4);
	AGREE(live_after);
	FUSED(live_after, 1, 4);
	AGREE(load_clobbers);
	FUSED(load_clobbers, 1, 3);
	FUSED(load_clobbers, 5, 7);
	AGREE(index_reloaded);
	FUSED(index_reloaded, 2, 3); /* a lea: r3 is live after the load */
	AGREE(stack_run);
	FUSED(stack_run, 3, 6);
	AGREE(lea_pairs);
	FUSED(lea_pairs, 4, 5);
	FUSED(lea_pairs, 6, 7);
	FUSED(lea_pairs, 8, 9);
	FUSED(lea_pairs, 10, 11);
	AGREE(select_goto);
	FUSED(select_goto, 13, 14);
	AGREE(jump_exit);
	FUSED(jump_exit, 5, 6);
	AGREE(sub_leaves);
	AGREE(latch_loop);
	for (int v = 0; v < 3; v++) { /* r2 = 0, 3, 9 */
		init[0] = (uint8_t)(v * v + 2 * v);
		AGREE(booleans);
	}
	FUSED(booleans, 1, 2);
	FUSED(booleans, 3, 4);
	FUSED(booleans, 5, 6);
	FUSED(booleans, 7, 8);
	AGREE(swap_jumps);
	FUSED(swap_jumps, 7, 8); /* one jump for the two */
}

#include "fuse_randprog.h"

static void print_prog(const struct bpf_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%4zu: %02x %u %u %d %d\n", i, p[i].code,
			p[i].dst_reg, p[i].src_reg, p[i].off, p[i].imm);
}

static void test_random(uint64_t seed, unsigned long count, bool print)
{
	static struct bpf_insn p[MAX_INSNS];
	unsigned long bad = 0, fused_insns = 0, insns = 0;

	for (unsigned long k = 0; k < count; k++) {
		size_t n = generate(seed + k, p);
		char what[64];

		for (int b = 0; b < MEM_LEN; b++)
			init[b] = (uint8_t)rnd(&(struct gen){ .s = seed + k + b + 1 });
		snprintf(what, sizeof(what), "seed %llu",
			 (unsigned long long)(seed + k));
		insns += n;
		fused_insns += (unsigned long)no_code(p, n, 0, n);
		if (agree(p, n, what)) {
			check_passed++;
			continue;
		}
		check_failed++;
		if (print && !bad)
			print_prog(p, n);
		if (++bad == 10)
			break;
	}
	printf("random programs: %lu of %lu insns fused\n", fused_insns,
	       insns);
	/* the generator makes runs: about one insn in ten fuses */
	CHECK(fused_insns * 40 > insns);
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned long count = DEFAULT_COUNT;
	bool print = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--print"))
			print = true;
	}
	test_fixed();
	test_random(seed, count, print);
	return check_report();
}
