/* Where the ctx pointer may be: a forward dataflow over the whole program
 * (every function, context-insensitive) that says, before each load and
 * store, whether its base register may hold the ctx, something else, or
 * the ctx moved by arithmetic. ctx_track.c checks and rewrites the
 * accesses from that; see ctx_track.h for what is followed and what not.
 *
 * Per register r0-r10 and per 8-byte slot of the current frame's stack
 * (r10 - 512 .. r10 - 8, reached as r10 + constant), three "may" bits.
 * State is kept only at block heads (jump targets, fall-throughs of
 * conditional jumps, function entries), a few words each, and the blocks
 * are walked again from their heads, so memory is O(insns) and small. */
#ifndef BPFVM_VERIFIER_CTX_FLOW_H
#define BPFVM_VERIFIER_CTX_FLOW_H

#include <stddef.h>
#include <linux/bpf.h>

#define CTX_MAY_CTX 1u	 /* the ctx pointer itself */
#define CTX_MAY_ELSE 2u	 /* anything else (uninitialised too) */
#define CTX_MAY_MOD 4u	 /* the ctx after arithmetic */

/* Called once per reached load, store or atomic (LDX, ST, STX), in
 * ascending insn order, with the may-bits of its base register (src for
 * LDX, dst otherwise) on entry to it. It may rewrite the insn's offset
 * and size bits, never its class or registers. Nonzero stops the walk
 * and is returned. */
typedef int (*ctx_flow_visit_fn)(void *arg, size_t i, struct bpf_insn *insn,
				 unsigned base);

/* Find the fixpoint, then visit. insns must be validated (targets in
 * range, lddw pairs whole). 0, -ENOMEM, or what visit returned. */
int ctx_flow_run(struct bpf_insn *insns, size_t cnt, ctx_flow_visit_fn visit,
		 void *arg);

#endif
