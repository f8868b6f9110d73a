/* Pass 1: every instruction's code into cc->main, in program order.
 *
 * The opcodes of real and random code change at nearly every instruction,
 * so in program order the dispatch on the opcode, and the branches in the
 * translators, mispredict at nearly every one: ~20 cycles each, most of
 * what a 50M insns/s compile may spend per instruction. So the plain and
 * direct variants translate a chunk at a time, grouped by opcode, where
 * those branches go the same way from one instruction to the next, most
 * instructions through a fast path made for their opcode (jit_fast.c);
 * the layout then puts the chunk's code in main in program order.
 *
 * That needs translators whose output does not depend on the order they
 * run in (see struct jit_cc). The counted variant goes in program order
 * (a block's charge and cold copy are made at its leader), and so does
 * the reference compile the tests compare with (JIT_F_REFERENCE). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/jit/jit_layout.h"
#include "isa/isa.h"

static bool is_jmp_class(unsigned code)
{
	return 0x60u >> ISA_CLASS(code) & 1;
}

static uint8_t *translate_one(struct jit_cc *cc, uint8_t *p,
			      const struct bpf_insn *in)
{
	if (cc->fuse && cc->fuse[cc->i])
		return jit_tr_fused(cc, p, in);
	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return jit_tr_alu(cc, p, in);
	case BPF_JMP:
	case BPF_JMP32:
		return jit_tr_jmp(cc, p, in);
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return jit_tr_ldst(cc, p, in);
	case BPF_LD:
		if (isa_is_lddw(in))
			return jit_tr_lddw(cc, p, in);
		return jit_tr_ldpkt(cc, p, in); /* LD_ABS / LD_IND */
	}
	jit_fail(cc, -EOPNOTSUPP, "opcode 0x%02x is not supported by the JIT",
		 in->code);
	return NULL;
}

/* Insn cc->i at p (off1[i] set, room for JIT_INSN_MAX bytes). Sets len[i]
 * from start (where insn i's code begins). An lddw's second half, and the
 * insn a select skips, have no code of their own: len 0 after insn i's.
 * Returns the next insn to translate, 0 on failure (cc->err). */
static size_t translate_at(struct jit_cc *cc, uint8_t *start, uint8_t *p)
{
	size_t i = cc->i;
	const struct bpf_insn *in = &cc->insns[i];
	uint8_t *q = NULL;
	bool pair = isa_is_lddw(in);

	if (in->off == 1 && is_jmp_class(in->code) &&
	    (q = jit_tr_select(cc, p)))
		pair = true;
	if (!q)
		q = translate_one(cc, p, in);
	if (!q || cc->err) {
		if (!cc->err)
			cc->err = -EINVAL;
		return 0;
	}
	cc->len[i] = (uint16_t)(q - start);
	if (pair) {
		cc->off1[i + 1] = (uint32_t)(q - cc->main.p);
		cc->len[i + 1] = 0;
	}
	return i + 1 + pair;
}

/* In program order: the counted variant, and JIT_F_REFERENCE. */
static int translate_ordered(struct jit_cc *cc)
{
	for (size_t i = 0; i < cc->cnt;) {
		uint8_t *p = jit_reserve(cc, &cc->main, JIT_INSN_MAX);

		if (!p)
			return cc->err;
		cc->i = i;
		cc->off1[i] = (uint32_t)cc->main.len;
		if (cc->flags & JIT_F_COUNTED) {
			if (cc->info[i] & JIT_I_LEADER) /* the block's charge */
				p = jit_tr_budget(cc, p);
			else
				cc->block_left--;
		}
		i = translate_at(cc, cc->main.p + cc->off1[i], p);
		if (!i)
			return cc->err;
		cc->main.len = cc->off1[cc->i] + cc->len[cc->i];
	}
	return jit_layout_add(cc, NULL, 0, 0, cc->cnt);
}

/* Grouped by opcode a chunk at a time: a chunk's instructions, per insn
 * arrays and code stay in the L2 cache (grouping the whole program would
 * read them all once per opcode). A chunk's code goes to a buffer of its
 * own first, each insn at the start of a JIT_SLOT-byte slot unless the
 * one before took more: then no insn waits for the end of the one before
 * to know where it goes, and the CPU translates several at once. Then
 * the layout puts it in main in program order. */
#define CHUNK JIT_CHUNK
#define SLOT JIT_SLOT
#define NONE JIT_SLOT_NONE

/* A chunk's insns by opcode: head[code] and link[] chain those of one
 * opcode (chunk-relative indices), made in one pass that never branches
 * on what it reads. */
struct groups {
	uint16_t head[256];
	uint16_t link[CHUNK];
};

static void group_chunk(const struct jit_cc *cc, size_t c0, size_t c1,
			struct groups *g)
{
	const struct bpf_insn *insns = cc->insns;

	memset(g->head, 0xff, sizeof(g->head));
	for (size_t i = c0; i < c1; i++) {
		unsigned c = insns[i].code;

		g->link[i - c0] = g->head[c];
		g->head[c] = (uint16_t)(i - c0);
	}
}

bool jit_slot_long(struct jit_cc *cc, struct jit_slots *s, size_t n)
{
	s->pos += n + 8; /* the encoders' slack */
	cc->main.len = s->pos;
	return jit_reserve(cc, &cc->main, CHUNK * SLOT + JIT_INSN_MAX);
}

bool jit_slot_general(struct jit_cc *cc, size_t i, struct jit_slots *s)
{
	uint8_t *p = cc->main.p + s->pos;
	size_t after;

	cc->i = i;
	cc->off1[i] = (uint32_t)s->pos;
	after = translate_at(cc, p, p);
	if (!after)
		return false;
	s->next = after > s->next ? after : s->next;
	if (__builtin_expect(cc->len[i] <= SLOT - 8, 1)) {
		s->pos += SLOT;
		return true;
	}
	return jit_slot_long(cc, s, cc->len[i]);
}

/* The insns of one opcode (a chain of g) through the general
 * translators. */
static bool translate_group(struct jit_cc *cc, unsigned j, unsigned c,
			    struct jit_slots *s)
{
	for (; j != NONE; j = s->link[j]) {
		size_t i = s->c0 + j;

		if (c == 0 && (cc->info[i] & JIT_I_LDDW_HI))
			continue; /* done with its lddw */
		if (!jit_slot_general(cc, i, s))
			return false;
	}
	return true;
}

/* The chunk's insns, group by group, through their opcode's fast path
 * when there is one: jumps last (a select takes the insn after it, an
 * ALU insn whose own group then made code that is not used). Returns the
 * first insn after the chunk's last one's code (past an lddw or select
 * at its end), or 0 on failure. */
static size_t translate_chunk(struct jit_cc *cc, const struct groups *g,
			      size_t c0, size_t c1)
{
	static const jit_fast_fn none[256];
	/* the fast paths emit what the plain variant's translators do */
	const jit_fast_fn *fast = cc->flags & ~JIT_F_DIRECT ? none : jit_fast;
	struct jit_slots s = { g->link, c0, 0, c1 };

	cc->main.len = 0;
	if (!jit_reserve(cc, &cc->main, CHUNK * SLOT + JIT_INSN_MAX))
		return 0;
	for (unsigned jumps = 0; jumps < 2; jumps++) {
		for (unsigned c = 0; c < 256; c++) {
			unsigned j = g->head[c];
			bool ok;

			if (j == NONE || is_jmp_class(c) != jumps)
				continue;
			ok = fast[c] ? fast[c](cc, j, &s) :
				       translate_group(cc, j, c, &s);
			if (!ok)
				return 0;
		}
	}
	cc->main.len = s.pos;
	/* the layout reads 32 bytes at a time */
	return jit_reserve(cc, &cc->main, 32) ? s.next : 0;
}

static int translate_grouped(struct jit_cc *cc)
{
	struct jit_buf chunk = { 0 }, out = cc->main;
	struct groups *g = malloc(sizeof(*g));
	size_t c0 = 0;
	int err = g ? 0 : -ENOMEM;

	while (c0 < cc->cnt && !err) {
		size_t c1 = c0 + CHUNK < cc->cnt ? c0 + CHUNK : cc->cnt;

		group_chunk(cc, c0, c1, g);
		out = cc->main;
		cc->main = chunk;
		c1 = translate_chunk(cc, g, c0, c1);
		chunk = cc->main;
		cc->main = out;
		err = c1 ? jit_layout_add(cc, chunk.p, chunk.len, c0, c1) :
			   cc->err;
		c0 = c1;
	}
	jit_buf_free(&chunk);
	free(g);
	return err;
}

/* After a failed grouped pass: back to the state before it. */
static void restart(struct jit_cc *cc, size_t fix_cnt, uint64_t call_lo,
		    uint64_t call_hi)
{
	jit_layout_begin(cc, cc->lo); /* allocated already: cannot fail */
	cc->err = 0;
	cc->fix_cnt = fix_cnt;
	cc->call_lo = call_lo;
	cc->call_hi = call_hi;
	cc->main.len = cc->cold.len = 0;
	memset(cc->br, 0, cc->cnt + 1);
}

int jit_translate(struct jit_cc *cc)
{
	size_t fix_cnt = cc->fix_cnt;
	uint64_t call_lo = cc->call_lo, call_hi = cc->call_hi;
	int err;

	/* most insns take under 8 bytes: one growth at most */
	if (!jit_reserve(cc, &cc->main, cc->cnt * 8 + JIT_INSN_MAX))
		return cc->err;
	if (cc->flags & (JIT_F_COUNTED | JIT_F_REFERENCE)) {
		err = translate_ordered(cc);
	} else if ((err = translate_grouped(cc))) {
		/* Again in order: the error names the first insn at fault. */
		restart(cc, fix_cnt, call_lo, call_hi);
		err = translate_ordered(cc);
	}
	if (err)
		return err;
	cc->off1[cc->cnt] = (uint32_t)cc->main.len; /* the end of the code */
	/* the layout reads 16 bytes at a time */
	return jit_reserve(cc, &cc->main, 16) ? 0 : cc->err;
}
