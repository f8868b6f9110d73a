/* The ctx accesses of a typed program, found and rewritten without a
 * verifier: each load or store whose base register holds the ctx pointer
 * is checked by the program type (pt_ops.ctx_access) and rewritten into
 * bpfvm's real ctx layout (the kernel's convert_ctx_accesses). A later
 * verifier, which tracks every pointer, replaces this pass.
 *
 * Followed (ctx_flow.h): the ctx in r1 at the program's entry; copies
 * (64-bit mov); spills to and fills from the current frame's stack as
 * 8-byte stores / loads at r10 + constant; bpf-to-bpf calls (a function's
 * r1-r5 are the join of its callers', context-insensitively); every path,
 * joined. Refused as the kernel refuses them: an access whose base is the
 * ctx on some paths and not on others ("same insn cannot be used with
 * different pointers"), the ctx after arithmetic dereferenced, atomics on
 * the ctx, negative offsets.
 *
 * Not followed (known limits): the ctx spilled through a register other
 * than r10 (a copy of r10, a pointer to the caller's stack), stored into a
 * map or any other memory, or passed through callx; a stack slot written
 * through such a pointer or by a helper keeps what the pass last saw in
 * it; a function's return value and callbacks' arguments are never the
 * ctx. Accesses through such paths are left unrewritten. */
#ifndef BPFVM_VERIFIER_CTX_TRACK_H
#define BPFVM_VERIFIER_CTX_TRACK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "progtypes/progtype.h"

/* Check and rewrite every ctx access of insns (a validated program) in
 * place. Types with ctx_access decide each access; for types without,
 * the ctx is plain read-only memory of ops->ctx_max bytes. *ctx_used
 * (may be NULL) gets the largest offset + size the program reads. 0, or
 * -EINVAL / -EACCES (or what ctx_access returned) with "insn N: why" in
 * log, or -ENOMEM. */
int ctx_track_run(const struct pt_ops *ops, struct bpf_insn *insns,
		  size_t cnt, uint32_t *ctx_used, char *log, size_t log_size);

#endif
