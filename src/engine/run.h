/* State of one run, shared by the run entry (run.c), the interpreter
 * variants and helpers (through bpfvm_run_stop / bpfvm_run_user). Lives on
 * the caller's stack: runs share nothing, so they are reentrant. */
#ifndef BPFVM_ENGINE_RUN_H
#define BPFVM_ENGINE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <bpfvm/prog.h>
#include "engine/engine.h"

struct bpfvm_run {
	const struct eng_code *code;
	void *user;
	bool stopped;		/* set by bpfvm_run_stop */
	uint64_t stop_r0;
	void *mem;
	size_t mem_len;
	uint64_t budget;	/* counted variants: insns allowed, or ~0 */
	uint64_t executed;	/* counted variants: out */
	const struct bpfvm_region *regions; /* checked variants */
	size_t region_cnt;
	char *err_buf;
	size_t err_size;
};

/* A bpf-to-bpf call's saved caller state. */
struct eng_frame {
	const struct eng_insn *ret;
	uint64_t callee_saved[4]; /* r6-r9 */
};

/* Interpreter variants (interp.c); return 0 or -errno and store r0. */
int eng_interp_fast(struct bpfvm_run *run, uint64_t *r0);
int eng_interp_counted(struct bpfvm_run *run, uint64_t *r0);
int eng_interp_checked(struct bpfvm_run *run, uint64_t *r0);
int eng_interp_checked_counted(struct bpfvm_run *run, uint64_t *r0);

/* Checked mode: may the program access [addr, addr + size)? Stack frames
 * are [frame_lo, stack_hi). Returns 0, or -EFAULT with err_buf filled. */
int eng_check_access(const struct bpfvm_run *run, size_t insn, uint64_t addr,
		     unsigned size, bool write, bool atomic, uint64_t frame_lo,
		     uint64_t stack_hi);

/* Run-time failures, formatted as "insn N: ..." into err_buf. */
int eng_fail_depth(const struct bpfvm_run *run, size_t insn);
int eng_fail_budget(const struct bpfvm_run *run, size_t insn);
int eng_fail_callx(const struct bpfvm_run *run, size_t insn, uint64_t target);
int eng_fail_invalid(const struct bpfvm_run *run, size_t insn);

#endif
