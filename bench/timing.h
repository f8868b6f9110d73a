/* Timing batches of runs: adaptive batch size, best of a few batches,
 * in the thread's CPU time. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stddef.h>
#include <linux/types.h>

/* Run something `n` times; *elapsed_ns gets how long that took. Returns 0
 * or a negative errno. */
struct batch {
	int (*run)(void *ctx, __u64 n, double *elapsed_ns);
	void *ctx;
};

struct timing_opts {
	double target_ns;	/* how long one timed batch should take */
	int rounds;		/* timed batches; the fastest counts */
	__u64 max_n;		/* cap on runs per batch */
};

/* Monotonic clock, in ns. */
double timing_now_ns(void);
/* CPU time of the calling thread, in ns: what batches are timed with. */
double timing_cpu_ns(void);

/* ns per run: the batch is grown until it takes about target_ns, then
 * timed `rounds` times; the minimum is the least disturbed by the rest of
 * the machine. Returns 0 or the batch's error. */
int timing_measure(const struct batch *b, const struct timing_opts *opts,
		   double *ns_per_run);

/* The same for cnt batches at once, taking turns: each round times every
 * batch once, so a disturbance (another process, a frequency change)
 * that lasts a while hits all of them rather than whichever was being
 * timed; the ratios between them come out steadier. err[k]: 0 or batch
 * k's error (its time is then meaningless). */
void timing_measure_set(const struct batch *b, size_t cnt,
			const struct timing_opts *opts, double *ns_per_run,
			int *err);

#endif
