/* Shrink a failing program: delete instructions one at a time (fixing the
 * jump, call and ld_imm64-function offsets around the hole) while the
 * failure persists. Shared by the kernel and the JIT differential tests. */
#ifndef BPFVM_TESTS_MINIMIZE_H
#define BPFVM_TESTS_MINIMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

/* Does this candidate still fail the same way? */
typedef bool (*minimize_pred)(void *ctx, const struct bpf_insn *insns,
			      size_t cnt);

/* Returns the new count; insns is edited in place. Plain stack stores are
 * kept: deleting one leaves a later load reading uninitialised stack,
 * which differs between engines for reasons that are not the bug. */
size_t minimize_prog(struct bpf_insn *insns, size_t cnt, minimize_pred still,
		     void *ctx);

#endif
