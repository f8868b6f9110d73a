/* The kernel column: the same bytecode under the Linux verifier and
 * (usually) its JIT, run through tests/lib's kernel oracle. */
#ifndef BENCH_KERNEL_COLUMN_H
#define BENCH_KERNEL_COLUMN_H

#include <stdbool.h>
#include "bench.h"
#include "timing.h"

struct kcol_run;

/* Why there is no kernel figure: "SKIP(size)" etc., and a longer detail
 * for the notes under the table. */
struct kcol_skip {
	char tag[24];
	char detail[200];
};

/* Load b's program for the kernel and run it once on `mem` (set up by the
 * caller). On success *out is the loaded program and *r0 its result;
 * otherwise *out is NULL and skip says why. */
void kcol_check(const struct bench *b, void *mem, struct kcol_run **out,
		__u64 *r0, struct kcol_skip *skip);

/* ns per run, the empty program's time (same memory, same calls per
 * repetition) subtracted; short programs are called several times per
 * test_run repetition (see kernel_column.c). On failure returns false and
 * fills skip. */
bool kcol_time(struct kcol_run *kr, const struct timing_opts *t,
	       double *ns_per_run, double *empty_ns, struct kcol_skip *skip);

/* How kr was timed, for the notes under the table: where the memory was
 * and how many calls a repetition made. */
void kcol_describe(const struct kcol_run *kr, char *buf, size_t size);

void kcol_close(struct kcol_run *kr);

/* "on", "off" or "?": whether the numbers are the kernel's JIT. */
const char *kcol_jit_state(void);

#endif
