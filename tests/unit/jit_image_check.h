/* Checks on the JIT's machine code itself, through bpfvm_prog_jit_info:
 * the instruction map and constant blinding. */
#ifndef BPFVM_TESTS_JIT_IMAGE_CHECK_H
#define BPFVM_TESTS_JIT_IMAGE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/prog.h>

/* prog and blind (made with BPFVM_PROG_F_JIT_BLIND) from the same insns.
 * Prints "FAIL seed N: ..." and returns false on a violation. */
bool jit_image_check(struct bpfvm_prog *prog, struct bpfvm_prog *blind,
		     const struct bpf_insn *insns, size_t cnt, uint64_t seed);

#endif
