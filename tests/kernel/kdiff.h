/* One differential run: the same program and memory in bpfvm (checked
 * interpreter, and with with_jit the checked JIT too) and in the kernel
 * (kernel_oracle), compared on r0 and on every byte of memory afterwards.
 * Shared by the kernel tests. */
#ifndef BPFVM_TESTS_KDIFF_H
#define BPFVM_TESTS_KDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <bpfvm/bpfvm.h>

#include "kernel_oracle.h"

/* Exit status CTest treats as skipped (SKIP_RETURN_CODE). */
#define KDIFF_SKIP 77
#define KDIFF_MAX_MEM 4096u
#define KDIFF_INSN_BUDGET 1000000u

enum kdiff_outcome {
	KDIFF_SAME,		/* both ran, identical r0 and memory */
	KDIFF_DIFFERENT,	/* a real mismatch: see kdiff_report */
	KDIFF_REJECTED,		/* the kernel's verifier refused: d->log */
	KDIFF_UNAVAILABLE,	/* bpf() went away */
	KDIFF_ERROR,		/* the harness could not run it: d->why */
};

struct kdiff {
	struct bpfvm_env *env;
	bool with_jit;			/* compare bpfvm's JIT too */
	/* the last run */
	enum kernel_oracle_status kst;
	int vm_err, jit_err;		/* bpfvm_prog_create/run result */
	uint64_t vm_r0, jit_r0, k_r0;
	size_t mem_len;
	bool has_mem;
	uint8_t mem_in[KDIFF_MAX_MEM];
	uint8_t vm_mem[KDIFF_MAX_MEM], jit_mem[KDIFF_MAX_MEM];
	uint8_t k_mem[KDIFF_MAX_MEM];
	char why[512];			/* bpfvm's or the oracle's message */
	char log[1 << 16];		/* the verifier log on rejection */
};

/* env: helpers for bpfvm (NULL: the default environment). with_jit
 * starts false; set it when engdiff_jit_available(). */
void kdiff_init(struct kdiff *d, struct bpfvm_env *env);

enum kdiff_outcome kdiff_run(struct kdiff *d, const struct bpf_insn *insns,
			     size_t cnt, const uint8_t *mem, size_t mem_len,
			     bool has_mem);

/* Print a mismatch: the program's disassembly, both r0, the memory bytes
 * that differ. */
void kdiff_report(const struct kdiff *d, FILE *f, const struct bpf_insn *insns,
		  size_t cnt);

/* The line of a verifier log that says why it refused (the last line that
 * is not the "processed N insns" summary), copied into buf. */
const char *kdiff_reject_reason(const char *log, char *buf, size_t size);

/* Shrink a program that gives KDIFF_DIFFERENT: delete instructions one at
 * a time (fixing jump and call offsets) while it still does. Returns the
 * new count; insns is edited in place, and d describes the last
 * mismatch. */
size_t kdiff_minimize(struct kdiff *d, struct bpf_insn *insns, size_t cnt,
		      const uint8_t *mem, size_t mem_len, bool has_mem);

/* Print "index: instruction" lines for a program. */
void kdiff_disasm(FILE *f, const struct bpf_insn *insns, size_t cnt);

#endif
