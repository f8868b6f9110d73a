#include <time.h>
#include "timing.h"

double timing_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The calling thread's CPU time: on a shared machine the time other
 * processes run while this one waits for a CPU is not counted (wall time
 * would add it to whichever batch was preempted). */
double timing_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int timing_measure(const struct batch *b, const struct timing_opts *opts,
		   double *ns_per_run)
{
	__u64 n = 1;
	double t = 0, best;
	int err;

	/* Grow by 10x until a batch is long enough (an eighth of the target)
	 * for the clock's resolution not to matter, then scale to the target. */
	for (;;) {
		err = b->run(b->ctx, n, &t);
		if (err)
			return err;
		if (t >= opts->target_ns / 8 || n >= opts->max_n)
			break;
		n = n * 10 > opts->max_n ? opts->max_n : n * 10;
	}
	best = t / (double)n;
	if (t > 0) {
		double want = (double)n * opts->target_ns / t;

		n = want < 1 ? 1 : want > (double)opts->max_n ? opts->max_n
							       : (__u64)want;
	}
	for (int i = 0; i < opts->rounds; i++) {
		err = b->run(b->ctx, n, &t);
		if (err)
			return err;
		if (t / (double)n < best)
			best = t / (double)n;
	}
	*ns_per_run = best;
	return 0;
}
