/* Branch sizing and loop-head alignment over the item list; see
 * jit_layout.h. Positions: insn i's code starts at
 *   head.len + off1[i] + (bytes the items up to i add before it),
 * and that sum is all an item records (cum). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/jit/jit_layout.h"

#define BR_SHORT 0x04
#define BR_FORCED 0x08 /* found not to fit in rel8: stays rel32 */

struct jit_item {
	uint32_t at, end;	/* off1[i], off1[i + 1]: its code in main */
	uint32_t tgt_at;	/* branch: off1 of the target insn */
	uint32_t tgt;		/* branch: first item at or after the target */
	uint32_t cum;		/* bytes added before insn i, its pad included */
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

static bool is_item(const struct jit_cc *cc, size_t i)
{
	return (cc->br[i] & 3) || (cc->info[i] & JIT_I_LOOP);
}

/* Start from a guess: short where the code in between (branches not
 * counted) is well within rel8 reach; the rounds then mostly confirm. */
static uint8_t guess(const struct jit_cc *cc, struct jit_item *it)
{
	int64_t d = (int64_t)it->tgt_at - it->end;

	return (uint8_t)(cc->br[it->i] | (d > -64 && d < 64 ? BR_SHORT : 0));
}

/* Each branch's target item: the first item at or after its target,
 * from next[] (per insn: the first item at or after it). */
static void link_targets(const struct jit_cc *cc, struct jit_layout *lo,
			 const uint32_t *next)
{
	for (size_t k = 0; k < lo->n; k++) {
		struct jit_item *it = &lo->it[k];
		uint32_t t;

		if (!it->br)
			continue;
		t = cc->br_tgt[it->i];
		it->tgt = next[t];
		it->tgt_exact = lo->it[it->tgt].i == t;
	}
}

/* One pass over the instructions: the items, and next[]. The item array
 * is sized for the worst case; only the pages used are ever touched. */
size_t jit_layout_init(struct jit_cc *cc, struct jit_layout *lo,
		       uint32_t *next)
{
	size_t k = 0, grow = 1;

	lo->it = malloc((cc->cnt + 1) * sizeof(*lo->it));
	if (!lo->it) {
		cc->err = -ENOMEM;
		return 0;
	}
	for (size_t i = 0; i < cc->cnt; i++) {
		struct jit_item *it = &lo->it[k];

		next[i] = (uint32_t)k;
		if (!is_item(cc, i))
			continue;
		*it = (struct jit_item){ .at = cc->off1[i], .end = cc->off1[i + 1],
					 .i = (uint32_t)i,
					 .loop = cc->info[i] & JIT_I_LOOP };
		if (cc->br[i] & 3) {
			it->tgt_at = cc->off1[cc->br_tgt[i]];
			it->br = guess(cc, it);
		}
		grow += br_len(cc->br[i] & 3) + (it->loop ? 15 : 0);
		k++;
	}
	next[cc->cnt] = (uint32_t)k;
	lo->it[k] = (struct jit_item){ .at = cc->off1[cc->cnt],
				       .end = cc->off1[cc->cnt],
				       .i = (uint32_t)cc->cnt };
	lo->n = k;
	link_targets(cc, lo, next);
	return grow;
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

/* One round over the branches: shorten those that now reach, lengthen
 * (for good) short ones that no longer do. Returns whether anything
 * changed. */
static bool relax(struct jit_layout *lo)
{
	bool changed = false;

	for (size_t k = 0; k < lo->n; k++) {
		struct jit_item *it = &lo->it[k];
		int64_t end, disp;

		if (!it->br || (it->br & BR_FORCED))
			continue;
		end = (int64_t)it->end + it->cum + br_len(it->br | BR_SHORT);
		disp = tgt_pos(lo, it) - end;
		if (it->br & BR_SHORT) {
			if (!x86_fits8(disp)) {
				it->br = (it->br & ~BR_SHORT) | BR_FORCED;
				changed = true;
			}
		} else if (x86_fits8(disp)) {
			it->br |= BR_SHORT;
			changed = true;
		}
	}
	return changed;
}

void jit_layout_size(const struct jit_cc *cc, struct jit_layout *lo)
{
	unsigned rounds = 0;

	for (;;) {
		lo->end = place(cc, lo);
		if (!relax(lo))
			return;
		if (++rounds == 64) { /* pathological: all rel32 is exact */
			for (size_t k = 0; k < lo->n; k++) {
				if (lo->it[k].br)
					lo->it[k].br = (lo->it[k].br & ~BR_SHORT) |
						       BR_FORCED;
			}
		}
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
	free(lo->it);
	lo->it = NULL;
}
