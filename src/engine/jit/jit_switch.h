/* Switch dispatch (jit_switch.c): a tree or chain of conditional jumps
 * comparing one register with constants, as clang lowers a switch for BPF
 * (which has no indirect jump), becomes a range check and an indirect
 * jump through a table of the targets' code addresses, as gcc compiles
 * the switch natively: one jump the CPU can learn instead of a path of
 * compares it mispredicts.
 *
 * A tree is looked for from compares that stand next to a compare of
 * the same register and width (clang writes a tree's compares in such
 * blocks, and a chain is one): a tree whose every block is a single
 * compare stays as it is, as does one that is not worth a table.
 * Only the tree's root gets the new code (fusion role JIT_FUSE_SWITCH);
 * every other compare of the tree keeps its own code, so a jump into the
 * middle of the tree from elsewhere still works. Plain, direct and
 * checked variants only: the counted variant charges each compare, and
 * blinding would have to hide the range's bounds. */
#ifndef BPFVM_ENGINE_JIT_JIT_SWITCH_H
#define BPFVM_ENGINE_JIT_JIT_SWITCH_H

#include "engine/jit/jit_priv.h"

/* Trees worth a table: at least this many distinct targets, a table of
 * at most JIT_SW_MAX_TABLE entries and at most JIT_SW_DENSITY times the
 * number of value ranges it separates. */
#define JIT_SW_MIN_TARGETS 8
#define JIT_SW_MAX_TABLE 1024
#define JIT_SW_DENSITY 4

/* Find the trees and give their roots the role JIT_FUSE_SWITCH (after
 * jit_fuse_plan: a root must have no other role). 0 or -ENOMEM. */
int jit_switch_plan(struct jit_cc *cc);
/* The dispatch of root cc->i. */
uint8_t *jit_tr_switch(struct jit_cc *cc, uint8_t *p);
void jit_switch_free(struct jit_cc *cc);

#endif
