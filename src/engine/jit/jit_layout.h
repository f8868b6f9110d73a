/* Layout of the main segment: sizes every branch that ends a BPF jump
 * (rel8 where it reaches, else rel32) and pads loop heads to 16 bytes,
 * then writes the code into the image.
 *
 * Sizing works on a list of items, the instructions whose placement
 * changes anything (those ending with a branch and the loop heads), never
 * on all instructions: between two items the code moves as one block, so
 * each sizing round costs O(items), and the final copy is one memcpy per
 * block. */
#ifndef BPFVM_ENGINE_JIT_JIT_LAYOUT_H
#define BPFVM_ENGINE_JIT_JIT_LAYOUT_H

#include "engine/jit/jit_priv.h"

struct jit_item;

struct jit_layout {
	struct jit_item *it;	/* n items in instruction order + sentinels */
	size_t n;
	uint32_t *open;		/* items whose branch size is undecided */
	size_t n_open;
	uint32_t end;		/* end of the main segment in the image */
};

/* Collect the items from the translation (cc->off1, br, br_tgt, info;
 * cc->scratch is used). Returns the most bytes the main segment can take
 * (code, branches, padding), or 0 with cc->err set. */
size_t jit_layout_init(struct jit_cc *cc, struct jit_layout *lo);
/* Size the branches. Sets lo->end. */
void jit_layout_size(const struct jit_cc *cc, struct jit_layout *lo);
/* Head and main code into img; off[i] = offset of insn i's code, off[cnt]
 * = lo->end. */
void jit_layout_emit(const struct jit_cc *cc, const struct jit_layout *lo,
		     uint8_t *img, uint32_t *off);
void jit_layout_free(struct jit_layout *lo);

#endif
