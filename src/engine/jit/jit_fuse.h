/* Fusion: short runs of BPF instructions that clang emits for pointer
 * arithmetic and small branches, translated together (plain and direct
 * variants only: the checked and counted ones need every instruction's
 * effect on its own, and blinding forbids folding immediates).
 *
 * A plan made before translation (jit_fuse.c) gives each instruction
 * of a run its role in cc->fuse; translators then read only the plan and
 * the instructions, so the code of an instruction still does not depend
 * on the order instructions are translated in. No instruction inside a
 * run but its first is a jump target. The runs:
 *
 *  address:  rA = rB; rA += rC; rA += k; loads/stores at [rA + off]
 *            -> loads/stores at [rB + rC + k + off] (SIB addressing), and
 *            rA = rB + rC + k once at the end (lea) only where rA is live
 *            (jit_live.c);
 *  lea:      rA = rB; rA += rC or k  -> lea rA, [rB + rC or k];
 *  select:   if cond goto L; one ALU insn; goto L  -> the ALU insn
 *            undone by a cmov when cond (jit_select.c), then goto L;
 *  exit:     if cond goto +1; exit  -> j!cond to a ret out of line, so
 *            the common way (on) is the branch not taken;
 *  ret:      an exit of the direct variant's leaf (jit_direct.c) that
 *            saved registers: restores them and returns;
 *  setcc:    rX = 1; if cond goto L; rX = 0; (L: or goto L)  -> the
 *            compare, rX = 0 (flags kept), setcc (BPF has no setcc: clang
 *            writes every boolean it keeps in a register so);
 *  tail:     goto L (back), L: a few ALU or memory insns; if cond goto A
 *            -> a copy of those insns, if cond goto A, goto the insn after
 *            the if-goto: a loop clang closed with a goto to its latch
 *            then takes one jump per turn, not two;
 *  swap:     if cond goto A; goto B  -> if !cond goto B; goto A, where
 *            goto B goes back (a loop's) or A is the insn after it: the
 *            usual way is then the conditional jump taken, not a jump
 *            not taken and then a goto. */
#ifndef BPFVM_ENGINE_JIT_JIT_FUSE_H
#define BPFVM_ENGINE_JIT_JIT_FUSE_H

#include "engine/jit/jit_priv.h"

/* cc->fuse[i]: a role in the low 4 bits; for memory accesses of an
 * address run, the distance back to the run's first insn above them. */
enum jit_fuse_role {
	JIT_FUSE_NONE,
	JIT_FUSE_SKIP,	  /* no code: a later or earlier insn does it */
	JIT_FUSE_LEA,	  /* rA = rB with the add after it (SKIP) */
	JIT_FUSE_MEM,	  /* access at the run's folded address */
	JIT_FUSE_MEM_SET, /* ... then rA = the folded address */
	JIT_FUSE_SELECT,  /* if-goto over one ALU insn (SKIP) and a goto */
	JIT_FUSE_EXIT,	  /* if-goto +1 over an exit (SKIP) */
	JIT_FUSE_RET,	  /* an exit of a leaf that restores registers */
	JIT_FUSE_SWAP,	  /* if-goto A before a goto B: if !cond goto B */
	JIT_FUSE_SWAP_JA, /* ... and the goto: goto A */
	JIT_FUSE_SETCC,	  /* a boolean: rX = 0/1 before it, rX = 1/0 after
			   * it (both SKIP) */
	JIT_FUSE_TAILDUP, /* a goto back to a short block ending in an
			   * if-goto: a copy of the block instead */
	JIT_FUSE_SWITCH,  /* the root of a switch's compare tree: a jump
			   * through a table (jit_switch.h; checked
			   * variant too) */
};
#define JIT_FUSE_ROLE(f) ((f) & 15)
#define JIT_FUSE_BACK(f) ((f) >> 4)
#define JIT_FUSE_MAX_RUN 15

/* rA's value within an address run: base + index + disp (BPF register
 * numbers; index -1: none). */
struct jit_addr {
	int a, base, index;
	int64_t disp;
};

/* Start an address run at `in` (rA = rB, or an add to rA); false when it
 * cannot start one. */
bool jit_addr_start(const struct bpf_insn *in, struct jit_addr *s);
/* Apply `in` to s when it is an add of a register or constant to rA
 * that keeps the address foldable; false (s unchanged) otherwise. */
bool jit_addr_step(const struct bpf_insn *in, struct jit_addr *s);
/* The register `in` accesses memory through (LDX: src, ST/STX: dst), or
 * -1 for anything but a plain load or store. */
int jit_mem_base(const struct bpf_insn *in);

/* The registers insn `in` reads (bit r: BPF register r); *writes: those
 * it writes. Calls and LD_ABS/IND count as reading nearly everything
 * (jit_live.c). */
unsigned jit_insn_rw(const struct bpf_insn *in, unsigned *writes);

/* Is BPF register r live after insn i (read on some path before being
 * written)? Conservative: true when unsure (jit_live.c). */
bool jit_live_after(const struct jit_cc *cc, unsigned r, size_t i);

/* The direct variant's leaf entry (jit_direct.c): cc->leaf, for a
 * program without calls; whether its exits restore registers; an exit. */
void jit_leaf_plan(struct jit_cc *cc);
bool jit_leaf_frame(const struct jit_cc *cc);
uint8_t *jit_emit_leaf_ret(const struct jit_cc *cc, uint8_t *p);

/* The select's if-goto and ALU insn rules (jit_select.c). */
bool jit_sel_alu(const struct bpf_insn *in);
bool jit_sel_cond(const struct bpf_insn *in);
/* The select of jump j over ALU insn a, leaving the branch out. */
uint8_t *jit_emit_select(struct jit_cc *cc, uint8_t *p,
			 const struct bpf_insn *j, const struct bpf_insn *a);

#endif
