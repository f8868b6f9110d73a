/* Running a benchmark's program natively and in bpfvm: one checked run,
 * and batches for timing. */
#ifndef BENCH_ENGINES_H
#define BENCH_ENGINES_H

#include <bpfvm/prog.h>
#include "bench_code.h"
#include "timing.h"

struct native_run {
	bench_native_fn fn;
	void *mem;
	size_t mem_size;
};

struct bpfvm_bench_run {
	struct bpfvm_prog *prog;
	enum bpfvm_engine engine;
	bpfvm_jit_fn direct;	/* set: call it instead of bpfvm_prog_run */
	void *mem;
	size_t mem_size;
};

/* The batch that runs r->fn n times. */
struct batch native_batch(struct native_run *r);
struct batch bpfvm_batch(struct bpfvm_bench_run *r);

/* Make a bpfvm program from the embedded bytecode; err gets bpfvm's log. */
int bench_prog_create(const struct bench_code *code, struct bpfvm_prog **prog,
		      char *err, size_t err_size);

/* The empty program (r0 = 0; exit) for bpfvm, and natively. */
int bench_empty_prog_create(struct bpfvm_prog **prog);
__u64 bench_native_empty(void *mem, __u64 len);

/* One run of r->direct, for checking its result. */
__u64 bpfvm_check_direct(struct bpfvm_bench_run *r);

/* One run with instruction counting (insns may be NULL to skip counting).
 * Returns bpfvm_prog_run's result; err gets its message. */
int bpfvm_check_run(struct bpfvm_bench_run *r, __u64 *r0, __u64 *insns,
		    char *err, size_t err_size);

#endif
