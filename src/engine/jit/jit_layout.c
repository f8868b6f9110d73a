/* Branch sizing and loop-head alignment over the item list; see
 * jit_layout.h. Positions: insn i's code starts at
 *   head.len + off1[i] + (bytes the items up to i add before it),
 * and that sum of added bytes is all an item records (cum).
 *
 * Sizing starts from every branch short and lengthens, for good, those
 * that do not reach, until none changes. Most never need a second look:
 * the code in between, with every branch in between long and every pad
 * 15 bytes, still in rel8 reach proves a branch short; out of reach with
 * none of them proves it long. Only the others are checked in each
 * round. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/jit/jit_layout.h"

#define BR_SHORT 0x04
#define BR_FIXED 0x08 /* proven: never checked */
#define PAD_MAX 15

struct jit_item {
	uint32_t at, end;	/* off1[i], off1[i + 1]: its code in main */
	uint32_t tgt_at;	/* branch: off1 of the target insn */
	uint32_t tgt;		/* branch: first item at or after the target */
	uint32_t cum;		/* bytes added before insn i, its pad included */
	uint32_t worst;		/* the most bytes the items before can add */
	uint32_t i;
	uint8_t br;		/* enum jit_br | BR_* | cc << 4; 0: no branch */
	uint8_t pad;		/* alignment before insn i */
	bool loop;
	bool tgt_exact;		/* the target is this item's insn */
};

static unsigned br_len(uint8_t br)
{
	static const uint8_t len[3][2] = {
		[JIT_BR_NONE] = { 0, 0 },
		[JIT_BR_JMP] = { X86_JMP32_LEN, X86_JMP8_LEN },
		[JIT_BR_JCC] = { X86_JCC32_LEN, X86_JCC8_LEN },
	};

	return len[br & 3][(br & BR_SHORT) != 0];
}

/* The sizes the optimistic start cannot get wrong: a branch that reaches
 * even with the most bytes the items in between can add is short, one
 * that does not reach with none added is long. */
static uint8_t proven(const struct jit_layout *lo, size_t k)
{
	const struct jit_item *it = &lo->it[k];
	int64_t d0 = (int64_t)it->tgt_at - it->end;

	if (lo->it[it->tgt].i > it->i) { /* forward: items (k, tgt] */
		int64_t add = lo->it[it->tgt + 1].worst - lo->it[k + 1].worst;

		if (d0 > 127)
			return BR_FIXED;
		return d0 + add <= 127 ? BR_SHORT | BR_FIXED : BR_SHORT;
	}
	/* backward, from after its short self: items [tgt, k] */
	int64_t add = lo->it[k + 1].worst - lo->it[it->tgt].worst;

	if (d0 - X86_JCC8_LEN < -128)
		return BR_FIXED;
	return d0 - add - X86_JCC8_LEN >= -128 ? BR_SHORT | BR_FIXED :
						 BR_SHORT;
}

static void set_sentinel(struct jit_item *it, uint32_t at, uint32_t worst,
			 size_t i)
{
	*it = (struct jit_item){ .at = at, .end = at, .worst = worst,
				 .i = (uint32_t)i };
}

#define UNLINKED UINT32_MAX /* jit_item.tgt: the target is not placed yet */

/* Item k's branch target, when insns [0, placed) are placed in main and
 * items [0, items) made (next[] set for them); else UNLINKED. */
static void link_target(const struct jit_cc *cc, struct jit_layout *lo,
			size_t k, size_t placed, size_t items)
{
	const uint32_t *next = cc->scratch;
	struct jit_item *it = &lo->it[k];
	uint32_t t = cc->br_tgt[it->i];

	if (t >= placed || next[t] >= items) {
		it->tgt = UNLINKED;
		return;
	}
	it->tgt_at = cc->off1[t];
	it->tgt = next[t];
	it->tgt_exact = lo->it[it->tgt].i == t;
}

/* The branches whose target was not placed when they were made, and each
 * branch's starting size; the undecided ones into lo->open. next[] (per
 * insn: the first item at or after it) is not needed after: it becomes
 * the open list. */
static void link_targets(const struct jit_cc *cc, struct jit_layout *lo,
			 uint32_t *next)
{
	size_t open = 0;

	for (size_t k = 0; k < lo->n; k++) {
		struct jit_item *it = &lo->it[k];

		if (!it->br)
			continue;
		if (__builtin_expect(it->tgt == UNLINKED, 0))
			link_target(cc, lo, k, cc->cnt + 1, lo->n + 2);
		it->br |= proven(lo, k);
		if (!(it->br & BR_FIXED))
			next[open++] = (uint32_t)k;
	}
	lo->open = next;
	lo->n_open = open;
}

int jit_layout_begin(struct jit_cc *cc, struct jit_layout *lo)
{
	/* room for all: only the pages used are touched */
	if (!lo->it && !(lo->it = jit_mem_scratch((cc->cnt + 2) * sizeof(*lo->it))))
		return -ENOMEM;
	lo->n = 0;
	lo->worst = 0;
	cc->lo = lo;
	return 0;
}

/* Insns [from, to): their code from src (off1 relative to it) to the end
 * of main at dst, and the item slots and next[]: the slot is written
 * every time, kept when the insn is an item (its code ends with a branch,
 * or it is a loop head). Locals: stores of code bytes could alias any
 * field of cc. */
static size_t gather(struct jit_cc *cc, struct jit_layout *lo,
		     const uint8_t *src, uint8_t *dst, size_t from, size_t to)
{
	uint32_t *next = cc->scratch, *off1 = cc->off1;
	const uint16_t *len = cc->len;
	const uint8_t *br = cc->br, *info = cc->info;
	struct jit_item *it = lo->it;
	uint32_t pos = (uint32_t)cc->main.len;
	size_t k = lo->n;

	for (size_t i = from; i < to; i++) {
		unsigned n = len[i];

		if (src) {
			const uint8_t *s = src + off1[i];

			/* nearly all pieces, without a branch */
			memcpy(dst, s, 16);
			memcpy(dst + 16, s + 16, 16);
			if (__builtin_expect(n > 32, 0))
				memcpy(dst + 32, s + 32, n - 32);
			dst += n;
			off1[i] = pos;
			pos += n;
		}
		next[i] = (uint32_t)k;
		it[k].i = (uint32_t)i;
		k += ((br[i] & 3) | (info[i] & JIT_I_LOOP)) != 0;
	}
	if (src)
		cc->main.len = pos;
	return k;
}

int jit_layout_add(struct jit_cc *cc, const uint8_t *src, size_t src_len,
		   size_t from, size_t to)
{
	struct jit_layout *lo = cc->lo;
	size_t k;

	uint8_t *dst = src ? jit_reserve(cc, &cc->main, src_len + 32) : NULL;

	if (src && !dst)
		return cc->err;
	k = gather(cc, lo, src, dst, from, to);
	/* the items' fields, while their insns' are in the cache */
	for (size_t j = lo->n; j < k; j++) {
		struct jit_item *it = &lo->it[j];
		uint32_t i = it->i;

		*it = (struct jit_item){ .at = cc->off1[i],
					 .end = cc->off1[i] + cc->len[i],
					 .worst = lo->worst, .i = i,
					 .br = cc->br[i],
					 .loop = cc->info[i] & JIT_I_LOOP };
		lo->worst += br_len(it->br) + (it->loop ? PAD_MAX : 0);
	}
	/* the branches' targets placed already, while their insns' fields
	 * are in the cache (most branches are short) */
	for (size_t j = lo->n; j < k; j++) {
		if (lo->it[j].br)
			link_target(cc, lo, j, to, k);
	}
	lo->n = k;
	return 0;
}

size_t jit_layout_init(struct jit_cc *cc, struct jit_layout *lo)
{
	uint32_t end = cc->off1[cc->cnt];

	cc->scratch[cc->cnt] = (uint32_t)lo->n; /* next[cnt] */
	set_sentinel(&lo->it[lo->n], end, lo->worst, cc->cnt);
	set_sentinel(&lo->it[lo->n + 1], end, lo->worst, cc->cnt);
	link_targets(cc, lo, cc->scratch);
	return (size_t)end + lo->worst;
}

/* Place the items with the current branch sizes; returns the end. */
static uint32_t place(const struct jit_cc *cc, struct jit_layout *lo)
{
	uint32_t extra = 0, base = (uint32_t)cc->head.len;

	for (size_t k = 0; k < lo->n; k++) {
		struct jit_item *it = &lo->it[k];

		if (it->loop) {
			it->pad = (uint8_t)(-(base + it->at + extra) & 15);
			extra += it->pad;
		}
		it->cum = extra;
		extra += br_len(it->br);
	}
	lo->it[lo->n].cum = extra;
	return base + lo->it[lo->n].at + extra;
}

/* Where an item's branch target starts (relative to head.len). */
static int64_t tgt_pos(const struct jit_layout *lo, const struct jit_item *it)
{
	const struct jit_item *t = &lo->it[it->tgt];

	/* A target before item t: t's pad is not in between. */
	return (int64_t)it->tgt_at + t->cum - (it->tgt_exact ? 0 : t->pad);
}

/* One round over the open branches: lengthen those that do not reach
 * (all of them when `all`), and drop them from the list. Returns whether
 * any changed. */
static bool lengthen(struct jit_layout *lo, bool all)
{
	size_t kept = 0, n = lo->n_open;

	for (size_t j = 0; j < n; j++) {
		struct jit_item *it = &lo->it[lo->open[j]];
		int64_t end = (int64_t)it->end + it->cum + br_len(it->br);

		if (all || !x86_fits8(tgt_pos(lo, it) - end))
			it->br &= (uint8_t)~BR_SHORT;
		else
			lo->open[kept++] = lo->open[j];
	}
	lo->n_open = kept;
	return kept != n;
}

void jit_layout_size(const struct jit_cc *cc, struct jit_layout *lo)
{
	/* Each round lengthens one at least; 64 is pathological. */
	for (unsigned round = 0;; round++) {
		lo->end = place(cc, lo);
		if (!lengthen(lo, round == 64))
			return;
	}
}

/* --- Emission. */

static uint8_t *emit_branch(uint8_t *p, uint8_t br, int64_t disp)
{
	bool s = br & BR_SHORT;
	enum x86_cc c = (enum x86_cc)(br >> 4);

	if ((br & 3) == JIT_BR_JMP)
		return s ? x86_jmp8(p, (int8_t)disp) : x86_jmp32(p, (int32_t)disp);
	return s ? x86_jcc8(p, c, (int8_t)disp) : x86_jcc32(p, c, (int32_t)disp);
}

/* Blocks between items are mostly short: copy those 16 bytes at a time
 * without a call (main has slack at its end, and the image is written in
 * order, so the overshoot is overwritten). */
static void copy_code(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	if (n > 64) {
		memcpy(dst, src, n);
		return;
	}
	for (uint32_t k = 0; k < n; k += 16)
		memcpy(dst + k, src + k, 16);
}

/* Insns [from, to) as one block at image offset pos; returns its end. */
static uint32_t emit_block(const struct jit_cc *cc, uint8_t *img,
			   uint32_t *off, uint32_t pos, size_t from, size_t to)
{
	uint32_t a = cc->off1[from], delta = pos - a;

	for (size_t j = from; j < to; j++)
		off[j] = cc->off1[j] + delta;
	copy_code(img + pos, cc->main.p + a, cc->off1[to] - a);
	return pos + cc->off1[to] - a;
}

void jit_layout_emit(const struct jit_cc *cc, const struct jit_layout *lo,
		     uint8_t *img, uint32_t *off)
{
	uint32_t base = (uint32_t)cc->head.len, pos = base;
	size_t from = 0;

	memcpy(img, cc->head.p, cc->head.len);
	for (size_t k = 0; k < lo->n; k++) {
		const struct jit_item *it = &lo->it[k];
		int64_t disp;

		if (it->loop) {
			pos = emit_block(cc, img, off, pos, from, it->i);
			x86_nops(img + pos, it->pad);
			pos += it->pad;
			from = it->i;
		}
		if (!it->br)
			continue;
		pos = emit_block(cc, img, off, pos, from, it->i + 1);
		disp = base + tgt_pos(lo, it) - (pos + br_len(it->br));
		pos = (uint32_t)(emit_branch(img + pos, it->br, disp) - img);
		from = it->i + 1;
	}
	pos = emit_block(cc, img, off, pos, from, cc->cnt);
	off[cc->cnt] = pos;
}

void jit_layout_free(struct jit_layout *lo)
{
	jit_mem_scratch_free(lo->it);
	lo->it = NULL;
}
