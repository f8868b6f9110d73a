/* Differential runs inside bpfvm: one program, one input memory, run by
 * two engine configurations (interpreter or JIT, plain, checked, counted,
 * with a budget), compared on everything the API promises: the error
 * code, the instruction an error names, r0, every byte of memory, and the
 * instruction count of counted runs. Used by the JIT differential test,
 * the fuzz target and the kernel tests. */
#ifndef BPFVM_TESTS_ENGDIFF_H
#define BPFVM_TESTS_ENGDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <bpfvm/bpfvm.h>

#define ENGDIFF_MAX_MEM 4096u
/* CTest's SKIP_RETURN_CODE. */
#define ENGDIFF_SKIP 77

/* In engdiff_cfg.flags, with BPFVM_ENGINE_JIT and no other flag: call
 * bpfvm_prog_jit_fn's function instead of bpfvm_prog_run. Its result has
 * err 0 and r0 the returned value (an error comes back as -errno in r0:
 * engdiff_same_direct compares that). */
#define ENGDIFF_F_DIRECT (1u << 31)

/* One way to run a program. */
struct engdiff_cfg {
	enum bpfvm_engine engine;
	uint32_t flags;		/* BPFVM_RUN_F_*, ENGDIFF_F_DIRECT */
	uint64_t budget;	/* 0: none */
};

struct engdiff_result {
	struct engdiff_cfg cfg;
	int err;
	uint64_t r0;
	uint64_t executed;	/* counted runs only */
	char msg[256];		/* err_buf */
	uint8_t mem[ENGDIFF_MAX_MEM];
};

/* Does bpfvm_prog_run accept BPFVM_ENGINE_JIT? When not, `why` gets the
 * engine's reason for a SKIP line. Probed once, cached. */
bool engdiff_jit_available(char *why, size_t size);

/* Run prog on a copy of mem_in (NULL: no memory). The copy lives at the
 * same address for every run, so r1's value is the same whichever engine
 * runs. Returns res->err. */
int engdiff_run(struct bpfvm_prog *prog, const struct engdiff_cfg *cfg,
		const uint8_t *mem_in, size_t mem_len,
		struct engdiff_result *res);

/* Does b agree with a (the reference)? Counts are compared when both
 * runs counted. */
bool engdiff_same(const struct engdiff_result *a,
		  const struct engdiff_result *b, size_t mem_len);

/* Does direct run b agree with a (a plain run)? When a failed, b must
 * have returned a's -errno. */
bool engdiff_same_direct(const struct engdiff_result *a,
			 const struct engdiff_result *b, size_t mem_len);

/* "interp", "jit checked counted budget=12", ... */
const char *engdiff_cfg_name(const struct engdiff_cfg *cfg, char *buf,
			     size_t size);

/* Print both results where they differ (memory: the differing bytes). */
void engdiff_report(FILE *f, const struct engdiff_result *a,
		    const struct engdiff_result *b, const uint8_t *mem_in,
		    size_t mem_len);

/* Print "index: instruction" lines for a program. */
void engdiff_disasm(FILE *f, const struct bpf_insn *insns, size_t cnt);

#endif
