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
	uint32_t worst;		/* the most bytes the items can add */
	uint32_t *open;		/* items whose branch size is undecided */
	size_t n_open;
	uint32_t end;		/* end of the main segment in the image */
};

/* Before pass 1: an empty layout for cc (cc->lo = lo); 0 or -ENOMEM. */
int jit_layout_begin(struct jit_cc *cc, struct jit_layout *lo);
/* During pass 1, in program order: the code of insns [from, to) is made
 * (off1, len, br, info). src: it is in src (src_len bytes: a chunk's
 * buffer, off1 relative to it) and goes to the end of cc->main; NULL: it
 * is in main already. Notes their items in cc->lo (cc->scratch[from, to)
 * is used). Returns 0 or -ENOMEM. */
int jit_layout_add(struct jit_cc *cc, const uint8_t *src, size_t src_len,
		   size_t from, size_t to);
/* After pass 1: the branches' targets. Returns the most bytes the main
 * segment can take (code, branches, padding). */
size_t jit_layout_init(struct jit_cc *cc, struct jit_layout *lo);
/* Size the branches. Sets lo->end. */
void jit_layout_size(const struct jit_cc *cc, struct jit_layout *lo);
/* Head and main code into img; off[i] = offset of insn i's code, off[cnt]
 * = lo->end (off may be cc->off1: it is read before it is written). */
void jit_layout_emit(const struct jit_cc *cc, const struct jit_layout *lo,
		     uint8_t *img, uint32_t *off);
void jit_layout_free(struct jit_layout *lo);

#endif
