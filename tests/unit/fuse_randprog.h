/* Random programs for test_jit_fuse: pointer arithmetic through r1, r6
 * (the memory, MEM_LEN bytes) and r10, booleans, selects, early exits and
 * loops closed in the ways clang closes them, every access in bounds and
 * no engine-dependent value (a stack address) reaching r0 or memory. */
#ifndef BPFVM_TESTS_FUSE_RANDPROG_H
#define BPFVM_TESTS_FUSE_RANDPROG_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "insn_build.h"

#ifndef MEM_LEN
#error "define MEM_LEN (bytes at r1) first"
#endif
#define MAX_INSNS 600

/* Registers: r1 and r6 point at the memory, r10 at the stack; values
 * live in the others. */
static const uint8_t vals[] = { 0, 2, 3, 4, 5, 7, 8, 9 };

enum kind { K_VAL, K_MEM, K_STACK };

struct gen {
	uint64_t s;
	struct bpf_insn p[MAX_INSNS];
	size_t n;
	enum kind kind[11];	/* what each register holds */
	bool small[11];		/* a value in [0, 64) */
	int counter;		/* the loop counter's register, or -1 */
};

static uint64_t rnd(struct gen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s;
}

static int below(struct gen *g, int n)
{
	return (int)(rnd(g) % (uint64_t)n);
}

static void emit(struct gen *g, struct bpf_insn in)
{
	g->p[g->n++] = in;
}

static int val_reg(struct gen *g)
{
	for (;;) {
		int r = vals[below(g, ARRAY_LEN(vals))];

		if (r != g->counter)
			return r;
	}
}

static void set_val(struct gen *g, int r, bool small)
{
	g->kind[r] = K_VAL;
	g->small[r] = small;
}

static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };

/* One access through rA, whose address is [lo, hi] from its base. */
static void access(struct gen *g, int a, enum kind k, int lo, int hi)
{
	int si = below(g, 4), size = 1 << si;
	int min = k == K_STACK ? -512 : 0, max = k == K_STACK ? 0 : MEM_LEN;
	int off = -lo + min + below(g, (max - size) - (hi - lo) - min + 1);
	int d = val_reg(g);

	switch (below(g, 4)) {
	case 0: /* store a register: maybe rA itself, a pointer (not to
		 * the stack: engines' stacks differ) */
		d = val_reg(g);
		if (g->kind[d] != K_STACK) {
			emit(g, STX(sizes[si], a, d, off));
			break;
		}
		/* fall through */
	case 1:
		emit(g, ST_IMM(sizes[si], a, off, (int32_t)rnd(g)));
		break;
	default:
		emit(g, INSN(BPF_LDX | (below(g, 3) || si == 3 ? BPF_MEM :
								BPF_MEMSX) |
				     sizes[si], d, a, off, 0));
		set_val(g, d, false);
	}
}

/* rA = base; then adds of a small index and of constants, and accesses,
 * in a random order, sometimes with an unrelated insn in between. */
static void addr_run(struct gen *g)
{
	int a = val_reg(g), idx = val_reg(g), steps = 1 + below(g, 7);
	int bases[3] = { 1, 6, 10 }, base = bases[below(g, 3)];
	enum kind k = base == 10 ? K_STACK : K_MEM;
	int lo = 0, hi = 0;
	bool indexed = false;

	if (!g->small[idx] && idx != a) { /* a pointer is not masked */
		emit(g, g->kind[idx] == K_VAL ? ALU64_IMM(BPF_AND, idx, 63) :
						MOV64_IMM(idx, below(g, 64)));
		set_val(g, idx, true);
	}
	emit(g, MOV64_REG(a, base));
	g->kind[a] = k;
	g->small[a] = false;
	if (k == K_STACK) { /* down into the frame first */
		lo = hi = -256 - below(g, 128);
		emit(g, ALU64_IMM(BPF_ADD, a, lo));
	}
	for (int s = 0; s < steps && g->kind[a] == k; s++) {
		int c = below(g, 16);

		if (c == 0 && !indexed && idx != a && g->small[idx]) {
			emit(g, ALU64_REG(BPF_ADD, a, idx));
			hi += 63;
			indexed = true;
		} else if (c == 1 && hi < 100 && lo > (k == K_STACK ? -400 : 0)) {
			int d = below(g, 48) - 16;

			if (lo + d < (k == K_STACK ? -500 : 0))
				d = 0;
			emit(g, below(g, 2) ? ALU64_IMM(BPF_ADD, a, d) :
					      ALU64_IMM(BPF_SUB, a, -d));
			lo += d;
			hi += d;
		} else if (c == 2 && below(g, 2)) {
			int r = val_reg(g);

			if (r != a && r != idx) {
				emit(g, g->kind[r] == K_VAL ?
						ALU64_IMM(BPF_XOR, r, (int32_t)rnd(g)) :
						MOV64_IMM(r, (int32_t)rnd(g)));
				set_val(g, r, false);
			}
		} else {
			access(g, a, k, lo, hi);
		}
	}
	if (g->kind[a] != K_VAL && below(g, 2)) { /* use rA's value */
		int r = val_reg(g);

		emit(g, MOV64_REG(r, a));
		emit(g, ALU64_REG(BPF_SUB, r, base));
		set_val(g, r, false);
	}
}

static void rand_alu(struct gen *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_XOR, BPF_OR,
				       BPF_AND, BPF_MOV, BPF_LSH, BPF_RSH };
	int d = val_reg(g), s = val_reg(g);
	uint8_t op = ops[below(g, ARRAY_LEN(ops))];
	uint8_t cls = below(g, 3) ? BPF_ALU64 : BPF_ALU;
	bool k = op == BPF_LSH || op == BPF_RSH || g->kind[s] != K_VAL ||
		 below(g, 2);

	if (g->kind[d] != K_VAL) /* a pointer: overwrite it whole */
		op = BPF_MOV;
	emit(g, INSN(cls | op | (k ? BPF_K : BPF_X), d, k ? 0 : s, 0,
		     k ? (op == BPF_LSH || op == BPF_RSH ? below(g, 31) :
							   (int32_t)rnd(g) % 1000) :
			 0));
	set_val(g, d, false);
}

/* A value register written from another, then changed: a lea pair. */
static void lea_pair(struct gen *g)
{
	int d = val_reg(g), s = val_reg(g), x = val_reg(g);
	bool w32 = below(g, 3) == 0;

	if (g->kind[s] != K_VAL || g->kind[x] != K_VAL)
		return;
	emit(g, INSN((w32 ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, d, s, 0,
		     0));
	switch (below(g, 3)) {
	case 0:
		emit(g, INSN((w32 || below(g, 2) ? BPF_ALU : BPF_ALU64) |
				     BPF_ADD | BPF_X, d, x, 0, 0));
		break;
	case 1:
		emit(g, ALU64_IMM(BPF_ADD, d, (int32_t)rnd(g)));
		break;
	default:
		emit(g, ALU64_IMM(BPF_SUB, d, (int32_t)rnd(g)));
	}
	set_val(g, d, false);
}

static struct bpf_insn cond(struct gen *g, int16_t off)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JLT,
				       BPF_JSGT, BPF_JSLE, BPF_JSET };
	uint8_t cls = below(g, 2) ? BPF_JMP : BPF_JMP32;
	int d = val_reg(g), s = val_reg(g);

	while (g->kind[d] != K_VAL) /* r10 and pointers: engines differ */
		d = val_reg(g);
	if (below(g, 2) && g->kind[s] == K_VAL)
		return INSN(cls | ops[below(g, 7)] | BPF_X, d, s, off, 0);
	return INSN(cls | ops[below(g, 7)] | BPF_K, d, 0, off, below(g, 64));
}

/* if cond goto L; ALU insn; goto L (with filler before L). */
static void gen_select(struct gen *g)
{
	int fill = below(g, 3), d = val_reg(g);

	if (g->kind[d] != K_VAL)
		return;
	emit(g, cond(g, (int16_t)(2 + fill)));
	emit(g, below(g, 2) ? MOV32_IMM(d, below(g, 2)) :
			      ALU64_IMM(BPF_ADD, d, below(g, 100)));
	emit(g, JA((int16_t)fill));
	for (int k = 0; k < fill; k++)
		emit(g, ALU64_IMM(BPF_ADD, 0, 1));
	set_val(g, d, false);
}

/* A boolean as clang writes one: rX = a; if cond goto L; rX = !a;
 * (L: or goto L). Sometimes the second value is no boolean. */
static void gen_bool(struct gen *g)
{
	int d = val_reg(g), a = below(g, 2), fill = below(g, 3);
	bool diamond = below(g, 2);

	emit(g, below(g, 2) ? MOV32_IMM(d, a) : MOV64_IMM(d, a));
	set_val(g, d, true);
	emit(g, cond(g, (int16_t)(diamond ? 2 + fill : 1)));
	emit(g, below(g, 8) ? MOV64_IMM(d, !a) : MOV32_IMM(d, 7));
	if (diamond) {
		emit(g, JA((int16_t)fill));
		for (int k = 0; k < fill; k++)
			emit(g, ALU64_IMM(BPF_ADD, 0, 1));
	}
}

static void loop(struct gen *g);

static void item(struct gen *g)
{
	switch (below(g, 10)) {
	case 0: case 1: case 2: case 3:
		addr_run(g);
		break;
	case 4: case 5:
		rand_alu(g);
		break;
	case 6:
		lea_pair(g);
		break;
	case 7:
		if (below(g, 2))
			gen_select(g);
		else
			gen_bool(g);
		break;
	case 8:
		/* an early exit (returning no pointer) */
		if (below(g, 4) == 0 && g->kind[0] == K_VAL) {
			emit(g, cond(g, 1));
			emit(g, EXIT());
		}
		break;
	default:
		if (g->counter < 0 && g->n < MAX_INSNS - 200)
			loop(g);
	}
}

/* At a loop's back edge every register holds what it held at the head
 * (its kind, and a small value where it had one), so that what the
 * generator knows at the head holds in every iteration. */
static void restore(struct gen *g, const enum kind *kind, const bool *small)
{
	static const uint8_t base[] = { [K_MEM] = 1, [K_STACK] = 10 };

	for (size_t k = 0; k < ARRAY_LEN(vals); k++) {
		int r = vals[k];

		if (r == g->counter)
			continue;
		if (kind[r] != K_VAL && g->kind[r] != kind[r])
			emit(g, MOV64_REG(r, base[kind[r]]));
		else if (kind[r] == K_VAL && (g->kind[r] != K_VAL ||
					      (small[r] && !g->small[r])))
			emit(g, MOV64_IMM(r, below(g, 64)));
		g->kind[r] = kind[r];
		g->small[r] = small[r];
	}
}

/* A loop entered at its body, its test before it and reached by a goto
 * back (as clang may lay one out):
 *	goto body; test: r9 -= 1; if r9 == 0 goto out; body: ...; goto test */
static void rotated_loop(struct gen *g, const enum kind *kind,
			 const bool *small)
{
	size_t test, exit_jump;

	emit(g, JA(2));
	test = g->n;
	emit(g, ALU64_IMM(BPF_SUB, 9, 1));
	exit_jump = g->n;
	emit(g, JMP_IMM(BPF_JEQ, 9, 0, 0));
	for (int k = 1 + below(g, 4); k; k--)
		item(g);
	restore(g, kind, small);
	emit(g, JA((int16_t)(test - g->n - 1)));
	g->p[exit_jump].off = (int16_t)(g->n - exit_jump - 1);
}

static void loop(struct gen *g)
{
	enum kind kind[11];
	bool small[11];
	size_t head;

	g->counter = 9;
	emit(g, MOV64_IMM(9, 1 + below(g, 4)));
	memcpy(kind, g->kind, sizeof(kind));
	memcpy(small, g->small, sizeof(small));
	if (below(g, 3) == 0) {
		rotated_loop(g, kind, small);
		g->counter = -1;
		set_val(g, 9, false);
		return;
	}
	head = g->n;
	for (int k = 1 + below(g, 4); k; k--)
		item(g);
	restore(g, kind, small);
	emit(g, ALU64_IMM(BPF_SUB, 9, 1));
	switch (below(g, 3)) { /* the back edge, as clang may write it */
	case 0:
		emit(g, JMP_IMM(BPF_JNE, 9, 0, (int16_t)(head - g->n - 1)));
		break;
	case 1: /* if done goto +1; goto head */
		emit(g, JMP_IMM(BPF_JEQ, 9, 0, 1));
		emit(g, JA((int16_t)(head - g->n - 1)));
		break;
	default: /* if done goto past an insn nothing runs; goto head */
		emit(g, JMP32_IMM(BPF_JEQ, 9, 0, 2));
		emit(g, JA((int16_t)(head - g->n - 1)));
		emit(g, MOV64_IMM(0, 0x5a));
	}
	g->counter = -1;
	set_val(g, 9, false);
}

/* Every value register into r0, pointers as offsets from their base. */
static void finish(struct gen *g)
{
	for (size_t k = 0; k < ARRAY_LEN(vals); k++) {
		int r = vals[k];

		if (g->kind[r] != K_VAL)
			emit(g, ALU64_REG(BPF_SUB, r, g->kind[r] == K_MEM ? 1 : 10));
		if (r) {
			emit(g, ALU64_IMM(BPF_LSH, 0, 7));
			emit(g, ALU64_REG(BPF_XOR, 0, r));
		}
	}
	emit(g, EXIT());
}

static size_t generate(uint64_t seed, struct bpf_insn *out)
{
	struct gen *g = calloc(1, sizeof(*g));
	size_t n;

	g->s = seed * 0x9e3779b97f4a7c15ull + 1;
	g->counter = -1;
	g->kind[1] = g->kind[6] = K_MEM;
	g->kind[10] = K_STACK;
	emit(g, MOV64_REG(6, 1));
	for (int off = -512; off < 0; off += 8) /* no uninitialised reads */
		emit(g, ST_IMM(BPF_DW, 10, (int16_t)off, (int32_t)rnd(g)));
	for (size_t k = 0; k < ARRAY_LEN(vals); k++) {
		emit(g, MOV64_IMM(vals[k], below(g, 64)));
		set_val(g, vals[k], true);
	}
	while (g->n < MAX_INSNS - 220 && below(g, 40))
		item(g);
	finish(g);
	n = g->n;
	memcpy(out, g->p, n * sizeof(*out));
	free(g);
	return n;
}

#endif
