/* The random program generator; see randprog.h for the shape of what it
 * emits and why. */
#include "randprog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Older uapi headers lack the ISA v4 encodings. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif

#define MAIN_STACK 64	/* bytes of r10-relative stack main uses */
#define SUB_STACK 32	/* and each subprogram */
#define MAX_SUBS 3
#define MAX_DEPTH 4	/* nesting of branches */

#define MAX_LOOPS 2	/* nesting of loops (each locks a counter) */
#define MAX_INNER 1000	/* instructions in one branch or loop body: keeps
			 * 16-bit jump offsets in range in huge programs */

struct func {
	uint8_t regs[10];	/* registers it may read and write */
	unsigned nregs;
	unsigned stack;		/* bytes below r10, all initialised */
	bool is_main;
	int self;		/* subprogram index; -1 for main */
	uint8_t keep;		/* holds r1 across calls; 0: it cannot call */
	uint16_t locked;	/* loop counters: the body must not touch */
	unsigned loops;		/* loops open around the current code */
};

/* A pseudo call or a ld_imm64 of a function, both relative to their own
 * slot, patched once the target subprogram's start is known. */
struct call_fixup {
	size_t at;
	unsigned sub;
};

struct gen {
	uint64_t rng;
	const struct randprog_opts *o;
	struct bpf_insn *insns;
	size_t cnt, cap;
	bool oom;
	struct func *fn;
	unsigned nsubs;
	size_t sub_start[MAX_SUBS];
	bool called[MAX_SUBS];
	struct call_fixup fix[256];
	unsigned nfix;
};

/* splitmix64: tiny, good enough, and the same everywhere. */
static uint64_t next(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(struct gen *g, unsigned n)
{
	return n ? (unsigned)(next(g) % n) : 0;
}

static bool chance(struct gen *g, unsigned percent)
{
	return below(g, 100) < percent;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

#define PICK(g, arr) ((arr)[below((g), sizeof(arr) / sizeof((arr)[0]))])
#define PICK_N(g, arr, n) ((arr)[below((g), (n))])

/* Values where arithmetic, comparisons and conversions change behaviour. */
static int32_t rand_imm(struct gen *g)
{
	static const int32_t special[] = {
		0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80,
		0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, -0x80, -0x8000,
		0x7fffffff, (int32_t)0x80000000, (int32_t)0x80000001,
	};
	unsigned kind = below(g, 10);

	if (kind < 4)
		return PICK(g, special);
	if (kind < 7)
		return (int32_t)below(g, 33) - 16;
	return (int32_t)next(g);
}

static uint64_t rand_imm64(struct gen *g)
{
	static const uint64_t special[] = {
		0, 1, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		0xffffffffull, 0x100000000ull, 0x80000000ull,
		0xffffffff80000000ull, 0x00000000ffff0000ull,
	};
	unsigned kind = below(g, 10);

	if (kind < 3)
		return PICK(g, special);
	if (kind < 5)
		return (uint64_t)(int64_t)rand_imm(g);
	return next(g);
}

static size_t emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src,
		   int16_t off, int32_t imm)
{
	if (g->cnt == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 128;
		struct bpf_insn *n = realloc(g->insns, cap * sizeof(*n));

		if (!n) {
			g->oom = true;
			return g->cnt; /* keeps writing to a dummy slot */
		}
		g->insns = n;
		g->cap = cap;
	}
	g->insns[g->cnt] = (struct bpf_insn){ .code = code, .dst_reg = dst,
					      .src_reg = src, .off = off,
					      .imm = imm };
	return g->cnt++;
}

/* Jump offsets are patched once the block they skip is generated. */
static void patch_off(struct gen *g, size_t at)
{
	if (g->oom)
		return;
	if ((g->insns[at].code & 0x07) == BPF_JMP32 &&
	    (g->insns[at].code & 0xf0) == BPF_JA)
		g->insns[at].imm = (int32_t)(g->cnt - at - 1); /* gotol */
	else
		g->insns[at].off = (int16_t)(g->cnt - at - 1);
}

static uint8_t reg(struct gen *g)
{
	uint8_t r;

	do /* r0 and r2-r5 are never locked, so this ends */
		r = g->fn->regs[below(g, g->fn->nregs)];
	while (g->fn->locked & (1u << r));
	return r;
}

/* A callee-saved register free for a loop counter or a callx target: not
 * the copy of r1 and not a counter of an enclosing loop. */
static uint8_t free_high(struct gen *g)
{
	uint8_t r;

	for (r = BPF_REG_6; r <= BPF_REG_9; r++)
		if (r != g->fn->keep && !(g->fn->locked & (1u << r)))
			return r;
	return 0; /* unreachable with MAX_LOOPS < 3 */
}

static void emit_lddw(struct gen *g, uint8_t dst, uint64_t v)
{
	emit(g, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v);
	emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static void emit_set_reg(struct gen *g, uint8_t dst)
{
	switch (below(g, 3)) {
	case 0:
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, rand_imm(g));
		break;
	case 1:
		emit(g, BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, rand_imm(g));
		break;
	default:
		emit_lddw(g, dst, rand_imm64(g));
	}
}

/* ---- ALU ---- */

static void emit_end(struct gen *g, uint8_t dst)
{
	static const int32_t widths[] = { 16, 32, 64 };
	int32_t w = PICK(g, widths);

	if (g->o->v4 && chance(g, 33)) /* bswap: unconditional swap */
		emit(g, BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, w);
	else
		emit(g, BPF_ALU | BPF_END | (chance(g, 50) ? BPF_TO_BE : BPF_TO_LE),
		     dst, 0, 0, w);
}

static void emit_mov(struct gen *g, uint8_t cls, uint8_t dst)
{
	static const int16_t sx[] = { 8, 16, 32 };
	int16_t off = 0;

	if (chance(g, 30)) {
		emit(g, cls | BPF_MOV | BPF_K, dst, 0, 0, rand_imm(g));
		return;
	}
	if (g->o->v4 && chance(g, 40)) /* movsx; 32-bit movsx has no 32 */
		off = sx[below(g, cls == BPF_ALU64 ? 3 : 2)];
	emit(g, cls | BPF_MOV | BPF_X, dst, reg(g), off, 0);
}

static int32_t divisor_imm(struct gen *g)
{
	int32_t imm = rand_imm(g);

	return imm ? imm : -1; /* the verifier rejects division by K 0 */
}

/* Shift amounts at and past the width through a register (the ISA masks
 * them, x86 does too but only for its own width), and the divisions that
 * trap on x86: by 0, and INT_MIN by -1. The kernel's verifier accepts all
 * of these in register form. */
static bool emit_special_x(struct gen *g, uint8_t cls, uint8_t op,
			   uint8_t dst, int16_t off)
{
	static const int32_t shifts[] = { 0, 31, 32, 63, 64, 65, -1 };
	static const int32_t divisors[] = { 0, -1 };
	bool shift = op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH;
	uint8_t src = reg(g);

	if (!chance(g, 40))
		return false;
	if (!shift && dst != src && chance(g, 70)) {
		if (cls == BPF_ALU64)
			emit_lddw(g, dst, 0x8000000000000000ull);
		else
			emit(g, BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0,
			     (int32_t)0x80000000);
	}
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, src, 0, 0,
	     shift ? PICK(g, shifts) : PICK(g, divisors));
	emit(g, cls | op | BPF_X, dst, src, off, 0);
	return true;
}

static void emit_alu(struct gen *g)
{
	static const uint8_t ops[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
		BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END,
	};
	uint8_t cls = chance(g, 50) ? BPF_ALU64 : BPF_ALU;
	uint8_t op = PICK(g, ops), dst = reg(g);
	int16_t off = 0;
	bool x = chance(g, 50);

	switch (op) {
	case BPF_NEG:
		emit(g, cls | BPF_NEG | BPF_K, dst, 0, 0, 0);
		return;
	case BPF_END:
		emit_end(g, dst);
		return;
	case BPF_MOV:
		emit_mov(g, cls, dst);
		return;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		if (!x) { /* immediate shifts must be below the width */
			emit(g, cls | op | BPF_K, dst, 0, 0,
			     (int32_t)below(g, cls == BPF_ALU64 ? 64 : 32));
			return;
		}
		if (emit_special_x(g, cls, op, dst, 0))
			return;
		break;
	case BPF_DIV:
	case BPF_MOD:
		off = g->o->v4 && chance(g, 50) ? 1 : 0; /* sdiv/smod */
		if (!x) {
			emit(g, cls | op | BPF_K, dst, 0, off, divisor_imm(g));
			return;
		}
		if (emit_special_x(g, cls, op, dst, off))
			return;
		break;
	}
	if (x)
		emit(g, cls | op | BPF_X, dst, reg(g), off, 0);
	else
		emit(g, cls | op | BPF_K, dst, 0, off, rand_imm(g));
}

/* ---- memory ---- */

static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

static unsigned size_bytes(uint8_t size)
{
	return size == BPF_B ? 1 : size == BPF_H ? 2 : size == BPF_W ? 4 : 8;
}

/* An access just outside the memory (either end) or above main's frame:
 * checked runs must stop there with -EFAULT. (Above a subprogram's frame
 * is its caller's frame, which checked mode allows.) */
static void pick_stray(struct gen *g, unsigned bytes, bool want_mem,
		       uint8_t *base, int16_t *off)
{
	if (want_mem || !g->fn->is_main) {
		*base = BPF_REG_1;
		*off = chance(g, 50) ? (int16_t)(g->o->mem_len + below(g, 16)
						 - below(g, bytes))
				     : (int16_t)-(int)(1 + below(g, 16));
		return;
	}
	*base = BPF_REG_10;
	*off = (int16_t)(below(g, 16) - below(g, bytes));
	if (*off <= -(int16_t)bytes)
		*off = 0;
}

/* Where an access of `bytes` goes: r1 + [0, mem_len - bytes] (packet
 * access need not be aligned on x86 without BPF_F_STRICT_ALIGNMENT), or an
 * aligned slot of the function's stack. */
static void pick_place(struct gen *g, unsigned bytes, bool aligned_mem,
		       bool want_mem, uint8_t *base, int16_t *off)
{
	if (g->o->stray_pct && chance(g, g->o->stray_pct)) {
		pick_stray(g, bytes, want_mem, base, off);
		return;
	}
	if (want_mem && g->o->mem_len >= bytes) {
		unsigned span = (unsigned)g->o->mem_len - bytes + 1;
		unsigned o = below(g, span);

		if (aligned_mem)
			o -= o % bytes;
		*base = BPF_REG_1;
		*off = (int16_t)o;
		return;
	}
	*base = BPF_REG_10;
	*off = (int16_t)-(int)(bytes * (1 + below(g, g->fn->stack / bytes)));
}

static void emit_load(struct gen *g, bool mem)
{
	uint8_t size = PICK(g, sizes), base, mode = BPF_MEM;
	int16_t off;

	if (g->o->v4 && size != BPF_DW && chance(g, 40))
		mode = BPF_MEMSX;
	pick_place(g, size_bytes(size), false, mem, &base, &off);
	emit(g, BPF_LDX | size | mode, reg(g), base, off, 0);
}

static void emit_store(struct gen *g, bool mem)
{
	uint8_t size = PICK(g, sizes), base;
	int16_t off;

	pick_place(g, size_bytes(size), false, mem, &base, &off);
	if (chance(g, 30))
		emit(g, BPF_ST | size | BPF_MEM, base, 0, off, rand_imm(g));
	else
		emit(g, BPF_STX | size | BPF_MEM, base, reg(g), off, 0);
}

static void emit_atomic(struct gen *g, bool mem)
{
	static const int32_t ops[] = {
		BPF_ADD, BPF_OR, BPF_AND, BPF_XOR,
		BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_AND | BPF_FETCH,
		BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, /* last */
	};
	unsigned nops = sizeof(ops) / sizeof(ops[0]) - !g->o->cmpxchg;
	uint8_t size = chance(g, 50) ? BPF_W : BPF_DW, base;
	int16_t off;

	/* Atomics must be aligned wherever they go. */
	pick_place(g, size_bytes(size), true, mem && g->o->mem_atomics,
		   &base, &off);
	emit(g, BPF_STX | size | BPF_ATOMIC, base, reg(g), off,
	     ops[below(g, nops)]);
}

/* ---- control flow ---- */

static void gen_block(struct gen *g, unsigned budget, unsigned depth);

static size_t emit_cond(struct gen *g)
{
	static const uint8_t conds[] = {
		BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
		BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE,
	};
	uint8_t cls = chance(g, 50) ? BPF_JMP : BPF_JMP32;
	uint8_t op = PICK(g, conds);

	if (chance(g, 50))
		return emit(g, cls | op | BPF_X, reg(g), reg(g), 0, 0);
	return emit(g, cls | op | BPF_K, reg(g), 0, 0, rand_imm(g));
}

static size_t emit_ja(struct gen *g)
{
	if (g->o->v4 && chance(g, 30))
		return emit(g, BPF_JMP32 | BPF_JA, 0, 0, 0, 0); /* gotol */
	return emit(g, BPF_JMP | BPF_JA, 0, 0, 0, 0);
}

/* "if cond skip a block", or an if/else diamond joined by a ja; often
 * "if cond skip one ALU insn", which a JIT may turn into a cmov. */
static void emit_branch(struct gen *g, unsigned budget, unsigned depth)
{
	size_t cond = emit_cond(g), ja;

	if (chance(g, 25)) {
		emit_alu(g);
		patch_off(g, cond);
		return;
	}
	if (chance(g, 60)) {
		gen_block(g, budget, depth + 1);
		patch_off(g, cond);
		return;
	}
	gen_block(g, budget / 2, depth + 1);
	ja = emit_ja(g);
	patch_off(g, cond);
	gen_block(g, budget - budget / 2, depth + 1);
	patch_off(g, ja);
}

/* After any call r1-r5 are unreadable (the verifier says so, and bpfvm
 * leaves garbage there): restore r1 from the function's copy and give
 * r2-r5 fresh values. */
static void after_call(struct gen *g)
{
	uint8_t r;

	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, g->fn->keep, 0, 0);
	for (r = BPF_REG_2; r <= BPF_REG_5; r++)
		emit_set_reg(g, r);
}

static bool fixup_room(struct gen *g)
{
	/* (room is kept for the calls gen_main may have to add) */
	return g->nfix + MAX_SUBS < sizeof(g->fix) / sizeof(g->fix[0]);
}

/* A subprogram this function may call: main any, a subprogram only later
 * ones (no recursion) unless opts.recursion. -1 when there is none. */
static int pick_callee(struct gen *g)
{
	int lo = g->fn->self + 1;

	if (g->fn->self >= 0 && !g->o->nested_calls)
		return -1;
	if (g->fn->self >= 0 && g->o->recursion && chance(g, 25))
		return g->fn->self;
	if (lo >= (int)g->nsubs)
		return -1;
	return lo + (int)below(g, g->nsubs - (unsigned)lo);
}

static void add_fixup(struct gen *g, size_t at, unsigned sub)
{
	g->fix[g->nfix].at = at;
	g->fix[g->nfix++].sub = sub;
	if (g->fn->is_main)
		g->called[sub] = true;
}

static void emit_call_to(struct gen *g, unsigned sub)
{
	add_fixup(g, emit(g, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0),
		  sub);
	after_call(g);
}

/* callx through a callee-saved register, so the callee never sees the
 * target as an argument; main overwrites it afterwards, so a function's
 * address (which differs between engines) never reaches r0 or memory. */
static void emit_callx(struct gen *g, int sub)
{
	uint8_t t = free_high(g);

	if (sub >= 0) {
		add_fixup(g, g->cnt, (unsigned)sub);
		emit(g, BPF_LD | BPF_DW | BPF_IMM, t, BPF_PSEUDO_FUNC, 0, 0);
		emit(g, 0, 0, 0, 0, 0);
	} else {
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, t, 0, 0,
		     (int32_t)PICK_N(g, g->o->helpers, g->o->nhelpers));
		emit_set_reg(g, BPF_REG_1); /* never the memory address */
	}
	emit(g, BPF_JMP | BPF_CALL | BPF_X, t, 0, 0, 0);
	after_call(g);
	if (g->fn->is_main)
		emit_set_reg(g, t);
}

static void emit_helper_call(struct gen *g)
{
	emit_set_reg(g, BPF_REG_1); /* never the memory address */
	emit(g, BPF_JMP | BPF_CALL, 0, 0, 0,
	     (int32_t)PICK_N(g, g->o->helpers, g->o->nhelpers));
	after_call(g);
}

/* Some call this function may make; false when it can make none. */
static bool emit_some_call(struct gen *g)
{
	int sub = pick_callee(g);
	unsigned k = below(g, 4);

	/* Calls inside a subprogram's loops would multiply run time through
	 * every level of nesting. */
	if (!g->fn->keep || !fixup_room(g) || (!g->fn->is_main && g->fn->loops))
		return false;
	if (k == 0 && g->o->nhelpers) {
		emit_helper_call(g);
	} else if (k == 1 && g->o->callx && (sub >= 0 || g->o->nhelpers)) {
		emit_callx(g, sub >= 0 && (chance(g, 60) || !g->o->nhelpers)
				      ? sub : -1);
	} else if (sub >= 0) {
		emit_call_to(g, (unsigned)sub);
	} else {
		return false;
	}
	return true;
}

/* A bounded loop the kernel's verifier can unroll: a locked callee-saved
 * counter runs 1-4 times, up or down, tested at the bottom in either
 * width. */
static void emit_loop(struct gen *g, unsigned budget, unsigned depth)
{
	uint8_t c = free_high(g), cls = chance(g, 50) ? BPF_JMP : BPF_JMP32;
	int32_t n = 1 + (int32_t)below(g, 4);
	bool up = chance(g, 50);
	size_t head, br;

	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, c, 0, 0, up ? 0 : n);
	g->fn->locked |= (uint16_t)(1u << c);
	g->fn->loops++;
	head = g->cnt;
	gen_block(g, budget, depth + 1);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, c, 0, 0, up ? 1 : -1);
	if (up)
		br = emit(g, cls | BPF_JLT | BPF_K, c, 0, 0, n);
	else
		br = emit(g, cls | (chance(g, 50) ? BPF_JNE : BPF_JSGT) | BPF_K,
			  c, 0, 0, 0);
	if (!g->oom)
		g->insns[br].off = (int16_t)((int64_t)head - (int64_t)br - 1);
	g->fn->loops--;
	g->fn->locked &= (uint16_t)~(1u << c);
}

static void gen_one(struct gen *g, unsigned *budget, unsigned depth)
{
	bool mem = g->o->mem_len > 0 && chance(g, 60);
	unsigned k = below(g, 100);

	if (k < 45) {
		emit_alu(g);
	} else if (k < 49) {
		emit_set_reg(g, reg(g));
	} else if (k < 63) {
		emit_load(g, mem);
	} else if (k < 75) {
		emit_store(g, mem);
	} else if (k < 82) {
		emit_atomic(g, mem);
	} else if (k < 96 && depth < MAX_DEPTH && *budget > 2) {
		unsigned inner = 1 + below(g, min_u(*budget / 2, MAX_INNER));

		if (g->o->loops && g->fn->loops < MAX_LOOPS && chance(g, 20))
			emit_loop(g, inner, depth);
		else
			emit_branch(g, inner, depth);
		*budget -= inner < *budget ? inner : *budget - 1;
	} else if (!emit_some_call(g)) {
		emit_alu(g);
	}
}

static void gen_block(struct gen *g, unsigned budget, unsigned depth)
{
	while (budget > 0 && !g->oom) {
		gen_one(g, &budget, depth);
		budget--;
	}
}

/* ---- functions ---- */

static void init_stack(struct gen *g)
{
	int16_t off;

	for (off = -8; off >= -(int16_t)g->fn->stack; off -= 8) {
		if (chance(g, 50))
			emit(g, BPF_ST | BPF_DW | BPF_MEM, BPF_REG_10, 0, off,
			     rand_imm(g));
		else
			emit(g, BPF_STX | BPF_DW | BPF_MEM, BPF_REG_10, reg(g),
			     off, 0);
	}
}

static bool can_call(const struct randprog_opts *o)
{
	return o->calls || o->nhelpers;
}

/* Main reads r2 (= mem_len) as given and writes every other register it
 * uses first; r9 keeps r1 across calls. */
static void gen_main(struct gen *g)
{
	struct func f = { .stack = MAIN_STACK, .is_main = true, .self = -1 };
	uint8_t r, last = can_call(g->o) ? BPF_REG_8 : BPF_REG_9;

	f.regs[f.nregs++] = BPF_REG_0;
	for (r = BPF_REG_2; r <= last; r++)
		f.regs[f.nregs++] = r;
	g->fn = &f;
	if (can_call(g->o)) {
		f.keep = BPF_REG_9;
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_9, BPF_REG_1, 0, 0);
	}
	emit_set_reg(g, BPF_REG_0);
	for (r = BPF_REG_3; r <= last; r++)
		emit_set_reg(g, r);
	init_stack(g);
	gen_block(g, g->o->body_insns, 0);
	/* A subprogram main does not call may be unreachable code. */
	for (r = 0; r < g->nsubs; r++)
		if (!g->called[r])
			emit_call_to(g, r);
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	g->fn = NULL;
}

/* A subprogram gets r1 (memory) and r2-r5 from its caller; r6-r9 are not
 * its own to read, and r0 must be written first. With nested calls (or
 * helpers) r6 keeps r1 across its own calls. */
static void gen_sub(struct gen *g, unsigned idx)
{
	struct func f = { .stack = SUB_STACK, .self = (int)idx };
	uint8_t r;

	f.regs[f.nregs++] = BPF_REG_0;
	for (r = BPF_REG_2; r <= BPF_REG_5; r++)
		f.regs[f.nregs++] = r;
	g->fn = &f;
	g->sub_start[idx] = g->cnt;
	if (g->o->nested_calls || g->o->nhelpers) {
		f.keep = BPF_REG_6;
		emit(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	}
	emit_set_reg(g, BPF_REG_0);
	init_stack(g);
	gen_block(g, 4 + below(g, g->o->body_insns / 3 + 1), 0);
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	g->fn = NULL;
}

static void fix_calls(struct gen *g)
{
	unsigned i;

	if (g->oom)
		return;
	for (i = 0; i < g->nfix; i++) {
		size_t at = g->fix[i].at;

		g->insns[at].imm =
			(int32_t)(g->sub_start[g->fix[i].sub] - at - 1);
	}
}

void randprog_default_opts(struct randprog_opts *opts)
{
	*opts = (struct randprog_opts){ .mem_len = 64, .body_insns = 48,
					.v4 = true, .calls = true,
					.nested_calls = true, .loops = true,
					.cmpxchg = true };
}

int randprog_generate(uint64_t seed, const struct randprog_opts *opts,
		      struct bpf_insn **insns, size_t *cnt)
{
	struct gen g = { .rng = seed * 0x2545f4914f6cdd1dull + 1, .o = opts };
	unsigned i;

	g.nsubs = opts->calls ? 1 + below(&g, MAX_SUBS) : 0;
	gen_main(&g);
	for (i = 0; i < g.nsubs; i++)
		gen_sub(&g, i);
	fix_calls(&g);
	if (g.oom) {
		free(g.insns);
		return -ENOMEM;
	}
	*insns = g.insns;
	*cnt = g.cnt;
	return 0;
}

void randprog_fill_mem(uint64_t seed, uint8_t *mem, size_t len)
{
	static const uint8_t special[] = { 0x00, 0xff, 0x7f, 0x80, 0x01 };
	struct gen g = { .rng = seed ^ 0x6a09e667f3bcc909ull };
	size_t i;

	for (i = 0; i < len; i++)
		mem[i] = chance(&g, 30) ? PICK(&g, special) : (uint8_t)next(&g);
}
