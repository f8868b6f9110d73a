/* What bpfvm run counts: packets per verdict and per redirect port, the
 * first errors, and the time of each test_run call (a cycle counter
 * calibrated against CLOCK_MONOTONIC; the timer's own cost taken off),
 * from which come packets per second, ns per packet and a log2
 * histogram of per-packet latency. */
#ifndef BPFVM_CLI_RUN_STATS_H
#define BPFVM_CLI_RUN_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cj;

#define RUN_STATS_ERRORS_KEPT 5

struct run_count {
	char name[48];
	uint64_t n;
};

struct run_counts {
	struct run_count *v;
	size_t cnt;
};

struct run_stats {
	uint64_t packets;
	uint64_t truncated;	/* caplen < len in the capture */
	uint64_t errors;
	struct run_counts verdicts;
	struct run_counts ports;
	char errmsg[RUN_STATS_ERRORS_KEPT][256];
	/* per packet: timer ticks of its test_run call, less overhead */
	uint32_t *ticks;
	size_t ticks_cap;
	/* clock: ticks and ns at start; ns per tick once stopped */
	uint64_t t0_ticks, t0_ns, overhead;
	double ns_per_tick;
};

/* Zero the stats and calibrate the timer's overhead. */
void run_stats_init(struct run_stats *s, size_t packets_expected);
void run_stats_free(struct run_stats *s);

/* The timer: read before and after each call. */
uint64_t run_stats_now(void);
/* Record one packet's call time (after - before). -1 out of memory. */
int run_stats_time(struct run_stats *s, uint64_t before, uint64_t after);
/* Calibrate ticks to ns (spins until 2 ms have passed since init). */
void run_stats_stop(struct run_stats *s);

/* Count a verdict (names from run_verdict), with a port ("" none). */
int run_stats_count(struct run_stats *s, const char *verdict,
		    const char *port);
/* An error on packet n (1-based): counted, the first ones kept. */
void run_stats_error(struct run_stats *s, uint64_t n, const char *msg);

uint64_t run_counts_get(const struct run_counts *c, const char *name);

/* The summary lines after the program's header: verdicts (the type's
 * standard names first, even at 0), errors, speed, histogram. */
void run_stats_print(FILE *out, const struct run_stats *s,
		     const char *const *std_verdicts);
/* The same as members of the current JSON object. */
void run_stats_json(struct cj *j, const struct run_stats *s,
		    const char *const *std_verdicts);

#endif
