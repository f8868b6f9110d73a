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

/* Runs per batch: grown by 10x until a batch takes an eighth of the
 * target (long enough for the clock's resolution not to matter), then
 * scaled to the target. *first: ns per run of the last batch. */
static int calibrate(const struct batch *b, const struct timing_opts *opts,
		     __u64 *runs, double *first)
{
	__u64 n = 1;
	double t = 0;
	int err;

	for (;;) {
		err = b->run(b->ctx, n, &t);
		if (err)
			return err;
		if (t >= opts->target_ns / 8 || n >= opts->max_n)
			break;
		n = n * 10 > opts->max_n ? opts->max_n : n * 10;
	}
	*first = t / (double)n;
	if (t > 0) {
		double want = (double)n * opts->target_ns / t;

		n = want < 1 ? 1 : want > (double)opts->max_n ? opts->max_n
							       : (__u64)want;
	}
	*runs = n;
	return 0;
}

int timing_measure(const struct batch *b, const struct timing_opts *opts,
		   double *ns_per_run)
{
	int err;

	timing_measure_set(b, 1, opts, ns_per_run, &err);
	return err;
}

void timing_measure_set(const struct batch *b, size_t cnt,
			const struct timing_opts *opts, double *ns_per_run,
			int *err)
{
	__u64 runs[cnt];

	for (size_t k = 0; k < cnt; k++)
		err[k] = calibrate(&b[k], opts, &runs[k], &ns_per_run[k]);
	for (int r = 0; r < opts->rounds; r++) {
		for (size_t k = 0; k < cnt; k++) {
			double t;

			if (err[k])
				continue;
			err[k] = b[k].run(b[k].ctx, runs[k], &t);
			if (!err[k] && t / (double)runs[k] < ns_per_run[k])
				ns_per_run[k] = t / (double)runs[k];
		}
	}
}
