/* The ctx dataflow (ctx_flow.h): block heads, a transfer function per
 * instruction, and a worklist swept in insn order until nothing changes.
 * States only grow (bits are "may"), so each head changes at most once
 * per bit: the solve is bounded. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"
#include "verifier/ctx_flow.h"

enum { K_CTX, K_ELSE, K_MOD, K_CNT }; /* bit k of a may-set is kind k */

#define NO_HEAD UINT32_MAX
#define ELSE CTX_MAY_ELSE

/* bit r of reg[k]: register r may be of kind k; bit s of slot[k]: the
 * stack slot at r10 - 512 + 8 s may hold one. */
struct cf_state {
	uint64_t slot[K_CNT];
	uint16_t reg[K_CNT];
	uint16_t reached;
};

struct cf {
	struct bpf_insn *insns;
	size_t cnt;
	uint32_t *head;		/* per insn: its head number, or NO_HEAD */
	uint32_t *pos;		/* per head: its insn */
	struct cf_state *st;	/* per head: the state on entry */
	uint64_t *queued;	/* per head: a bit, set when st grew */
	size_t nheads;
	bool final;		/* visiting: states are final, none grows */
};

static unsigned reg_get(const struct cf_state *s, unsigned r)
{
	return (s->reg[K_CTX] >> r & 1u) | (s->reg[K_ELSE] >> r & 1u) << 1 |
	       (s->reg[K_MOD] >> r & 1u) << 2;
}

static void reg_set(struct cf_state *s, unsigned r, unsigned may)
{
	for (unsigned k = 0; k < K_CNT; k++)
		s->reg[k] = (uint16_t)((s->reg[k] & ~(1u << r)) |
				       (may >> k & 1u) << r);
}

static unsigned slot_get(const struct cf_state *s, unsigned n)
{
	return (unsigned)((s->slot[K_CTX] >> n & 1u) |
			  (s->slot[K_ELSE] >> n & 1u) << 1 |
			  (s->slot[K_MOD] >> n & 1u) << 2);
}

static void slot_set(struct cf_state *s, unsigned n, unsigned may)
{
	for (unsigned k = 0; k < K_CNT; k++)
		s->slot[k] = (s->slot[k] & ~(1ull << n)) |
			     (uint64_t)(may >> k & 1u) << n;
}

/* The slot of an 8-byte access at r10 + off, or -1. */
static int slot_of(int off)
{
	return off >= -512 && off < 0 && off % 8 == 0 ? (off + 512) / 8 : -1;
}

/* Join s into the state of the head at insn t. */
static void cf_prop(struct cf *f, int64_t t, const struct cf_state *s)
{
	struct cf_state *d, old;
	uint32_t h;

	if (f->final || t < 0 || (size_t)t >= f->cnt ||
	    (h = f->head[t]) == NO_HEAD)
		return;
	d = &f->st[h];
	old = *d;
	for (unsigned k = 0; k < K_CNT; k++) {
		d->reg[k] |= s->reg[k];
		d->slot[k] |= s->slot[k];
	}
	d->reached = 1;
	if (memcmp(&old, d, sizeof(old)))
		f->queued[h / 64] |= 1ull << (h % 64);
}

/* A function starts at t: r1-r5 from the caller (NULL: a callback, whose
 * arguments the helper makes), a fresh stack, the rest uninitialised. */
static void cf_seed(struct cf *f, int64_t t, const struct cf_state *caller)
{
	struct cf_state s = { .slot[K_ELSE] = ~0ull };

	for (unsigned r = 0; r <= BPF_REG_10; r++)
		reg_set(&s, r, caller && r >= 1 && r <= 5 ? reg_get(caller, r)
							  : ELSE);
	cf_prop(f, t, &s);
}

static void cf_alu(struct cf_state *s, const struct bpf_insn *in)
{
	unsigned op = ISA_OP(in->code), dst = reg_get(s, in->dst_reg), res = 0;
	bool x = ISA_SRCBIT(in->code) == BPF_X && op != BPF_END &&
		 op != BPF_NEG; /* END's X bit is "to big-endian" */
	unsigned src = x ? reg_get(s, in->src_reg) : ELSE; /* imm: else */

	if (op == BPF_MOV) { /* only a plain 64-bit copy keeps a pointer */
		reg_set(s, in->dst_reg,
			x && ISA_CLASS(in->code) == BPF_ALU64 && !in->off ? src
									  : ELSE);
		return;
	}
	if ((dst | src) & (CTX_MAY_CTX | CTX_MAY_MOD))
		res |= CTX_MAY_MOD;
	if ((dst & ELSE) && (src & ELSE))
		res |= ELSE;
	reg_set(s, in->dst_reg, res);
}

static void cf_ldx(struct cf_state *s, const struct bpf_insn *in)
{
	int slot = in->src_reg == BPF_REG_10 && ISA_MODE(in->code) == BPF_MEM &&
				   ISA_SIZE(in->code) == BPF_DW
			   ? slot_of(in->off)
			   : -1;

	reg_set(s, in->dst_reg, slot >= 0 ? slot_get(s, (unsigned)slot) : ELSE);
}

/* Bytes [off, off + size) below r10 now hold something else. */
static void cf_clobber(struct cf_state *s, int off, unsigned size)
{
	int ends[2] = { off, off + (int)size - 1 }; /* size <= 8: two slots */

	for (unsigned e = 0; e < 2; e++) {
		if (ends[e] >= -512 && ends[e] < 0)
			slot_set(s, (unsigned)(ends[e] + 512) / 8, ELSE);
	}
}

static void cf_store(struct cf_state *s, const struct bpf_insn *in)
{
	bool atomic = ISA_MODE(in->code) == BPF_ATOMIC;

	if (in->dst_reg == BPF_REG_10) {
		int slot = slot_of(in->off);

		if (ISA_CLASS(in->code) == BPF_STX && !atomic &&
		    ISA_SIZE(in->code) == BPF_DW && slot >= 0)
			slot_set(s, (unsigned)slot, reg_get(s, in->src_reg));
		else
			cf_clobber(s, in->off, isa_size_bytes(in->code));
	}
	if (atomic && in->imm == BPF_CMPXCHG)
		reg_set(s, BPF_REG_0, ELSE);
	else if (atomic && (in->imm & BPF_FETCH))
		reg_set(s, in->src_reg, ELSE);
}

/* false: control does not fall through to the next insn. */
static bool cf_jmp(struct cf *f, size_t i, struct cf_state *s)
{
	const struct bpf_insn *in = &f->insns[i];
	int64_t next = (int64_t)i + 1;

	switch (ISA_OP(in->code)) {
	case BPF_EXIT:
		return false;
	case BPF_CALL:
		if (in->src_reg == BPF_PSEUDO_CALL &&
		    ISA_SRCBIT(in->code) == BPF_K)
			cf_seed(f, next + in->imm, s);
		for (unsigned r = 0; r <= 5; r++) /* the callee's r6-r9 and */
			reg_set(s, r, ELSE);	  /* our stack are kept */
		return true;
	case BPF_JA:
		cf_prop(f, next + (ISA_CLASS(in->code) == BPF_JMP32 ? in->imm
								    : in->off),
			s);
		return false;
	default:
		cf_prop(f, next + in->off, s);
		return true;
	}
}

/* Apply insn i to s; false when control does not fall through. */
static bool cf_step(struct cf *f, size_t i, struct cf_state *s)
{
	const struct bpf_insn *in = &f->insns[i];

	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		cf_alu(s, in);
		return true;
	case BPF_LD: /* lddw, or LD_ABS / LD_IND (r0; r1-r5 are kept) */
		reg_set(s, isa_is_lddw(in) ? in->dst_reg : BPF_REG_0, ELSE);
		return true;
	case BPF_LDX:
		cf_ldx(s, in);
		return true;
	case BPF_ST:
	case BPF_STX:
		cf_store(s, in);
		return true;
	default:
		return cf_jmp(f, i, s);
	}
}

static bool is_mem(const struct bpf_insn *in)
{
	uint8_t cls = ISA_CLASS(in->code);

	return cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX;
}

/* Walk the block of head h from its state, joining into the heads it
 * reaches; with visit, report each memory access first. */
static int cf_walk(struct cf *f, uint32_t h, ctx_flow_visit_fn visit,
		   void *arg)
{
	struct cf_state s = f->st[h];
	size_t i = f->pos[h];
	int err;

	for (;;) {
		struct bpf_insn *in = &f->insns[i];

		if (visit && is_mem(in)) {
			err = visit(arg, i, in,
				    reg_get(&s, ISA_CLASS(in->code) == BPF_LDX
							? in->src_reg
							: in->dst_reg));
			if (err)
				return err;
		}
		if (!cf_step(f, i, &s))
			return 0;
		i += isa_is_lddw(in) ? 2 : 1;
		if (i >= f->cnt)
			return 0;
		if (f->head[i] != NO_HEAD) {
			cf_prop(f, (int64_t)i, &s);
			return 0;
		}
	}
}

static void mark(struct cf *f, int64_t t)
{
	if (t >= 0 && (size_t)t < f->cnt)
		f->head[t] = 0;
}

/* Heads: insn 0, jump targets and fall-throughs of conditional jumps,
 * functions (called, or taken as callbacks); then number them. */
static void cf_find_heads(struct cf *f)
{
	memset(f->head, 0xff, f->cnt * sizeof(*f->head));
	mark(f, 0);
	for (size_t i = 0; i < f->cnt; i++) {
		const struct bpf_insn *in = &f->insns[i];
		int64_t next = (int64_t)i + 1;
		uint8_t cls = ISA_CLASS(in->code), op = ISA_OP(in->code);

		if (isa_is_lddw(in)) {
			if (in->src_reg == BPF_PSEUDO_FUNC)
				mark(f, next + in->imm);
			i++;
		} else if (cls != BPF_JMP && cls != BPF_JMP32) {
			continue;
		} else if (op == BPF_CALL) {
			if (in->src_reg == BPF_PSEUDO_CALL &&
			    ISA_SRCBIT(in->code) == BPF_K)
				mark(f, next + in->imm);
		} else if (op == BPF_JA) {
			mark(f, next + (cls == BPF_JMP32 ? in->imm : in->off));
		} else if (op != BPF_EXIT) {
			mark(f, next + in->off);
			mark(f, next);
		}
	}
	for (size_t i = 0; i < f->cnt; i++) {
		if (f->head[i] != NO_HEAD) {
			f->pos[f->nheads] = (uint32_t)i;
			f->head[i] = (uint32_t)f->nheads++;
		}
	}
}

/* Entries: the program's (r1 = ctx) and each callback's. */
static void cf_seed_all(struct cf *f)
{
	struct cf_state main = { 0 };

	for (unsigned r = 1; r <= 5; r++)
		reg_set(&main, r, r == 1 ? CTX_MAY_CTX : ELSE);
	cf_seed(f, 0, &main);
	for (size_t i = 0; i < f->cnt; i++) {
		const struct bpf_insn *in = &f->insns[i];

		if (isa_is_lddw(in) && in->src_reg == BPF_PSEUDO_FUNC)
			cf_seed(f, (int64_t)i + 1 + in->imm, NULL);
		if (isa_is_lddw(in))
			i++;
	}
}

/* Sweep the queued heads in insn order until a sweep finds none. */
static void cf_solve(struct cf *f)
{
	size_t words = (f->nheads + 63) / 64;
	bool again = true;

	while (again) {
		again = false;
		for (size_t w = 0; w < words; w++) {
			while (f->queued[w]) {
				unsigned b = (unsigned)__builtin_ctzll(f->queued[w]);

				f->queued[w] &= f->queued[w] - 1;
				cf_walk(f, (uint32_t)(w * 64 + b), NULL, NULL);
				again = true;
			}
		}
	}
}

int ctx_flow_run(struct bpf_insn *insns, size_t cnt, ctx_flow_visit_fn visit,
		 void *arg)
{
	struct cf f = { .insns = insns, .cnt = cnt };
	int err = 0;

	if (!cnt)
		return 0;
	f.head = malloc(cnt * sizeof(*f.head));
	f.pos = malloc(cnt * sizeof(*f.pos));
	if (!f.head || !f.pos) {
		err = -ENOMEM;
		goto out;
	}
	cf_find_heads(&f);
	f.st = calloc(f.nheads, sizeof(*f.st));
	f.queued = calloc((f.nheads + 63) / 64, sizeof(*f.queued));
	if (!f.st || !f.queued) {
		err = -ENOMEM;
		goto out;
	}
	cf_seed_all(&f);
	cf_solve(&f);
	f.final = true;
	for (uint32_t h = 0; !err && h < f.nheads; h++) {
		if (f.st[h].reached)
			err = cf_walk(&f, h, visit, arg);
	}
out:
	free(f.head);
	free(f.pos);
	free(f.st);
	free(f.queued);
	return err;
}
