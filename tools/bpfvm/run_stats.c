/* Counts, timing and the latency histogram of bpfvm run (run_stats.h). */
#include "cli_json.h"
#include "run_stats.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define HIST_BUCKETS 64
#define BAR_WIDTH 40
/* Long enough that the clock's ~50 ns granularity is noise in ns/tick. */
#define CALIBRATE_NS 2000000ull

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* rdtsc costs ~10 ns where clock_gettime costs 20-40 (kvm-clock). */
uint64_t run_stats_now(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	return mono_ns();
#endif
}

void run_stats_init(struct run_stats *s, size_t packets_expected)
{
	uint64_t best = UINT64_MAX;

	memset(s, 0, sizeof(*s));
	s->ticks_cap = packets_expected ? packets_expected : 1;
	s->ticks = malloc(s->ticks_cap * sizeof(*s->ticks));
	if (!s->ticks)
		s->ticks_cap = 0;
	/* the timer's own cost: the least of back-to-back reads */
	for (int i = 0; i < 1000; i++) {
		uint64_t a = run_stats_now(), b = run_stats_now();
		if (b - a < best)
			best = b - a;
	}
	s->overhead = best;
	s->t0_ns = mono_ns();
	s->t0_ticks = run_stats_now();
	s->ns_per_tick = 1;
}

void run_stats_free(struct run_stats *s)
{
	free(s->ticks);
	free(s->verdicts.v);
	free(s->ports.v);
	memset(s, 0, sizeof(*s));
}

int run_stats_time(struct run_stats *s, uint64_t before, uint64_t after)
{
	uint64_t dt = after - before;
	size_t n = s->packets;

	if (n == s->ticks_cap) {
		size_t cap = s->ticks_cap ? s->ticks_cap * 2 : 1024;
		uint32_t *t = realloc(s->ticks, cap * sizeof(*t));
		if (!t)
			return -1;
		s->ticks = t;
		s->ticks_cap = cap;
	}
	dt = dt > s->overhead ? dt - s->overhead : 0;
	s->ticks[n] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
	s->packets++;
	return 0;
}

void run_stats_stop(struct run_stats *s)
{
#if defined(__x86_64__)
	uint64_t ns;

	while ((ns = mono_ns()) - s->t0_ns < CALIBRATE_NS)
		;
	uint64_t ticks = run_stats_now() - s->t0_ticks;
	s->ns_per_tick = ticks ? (double)(ns - s->t0_ns) / (double)ticks : 1;
#endif
}

static struct run_count *find_or_add(struct run_counts *c, const char *name)
{
	struct run_count *v;

	for (size_t i = 0; i < c->cnt; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	v = realloc(c->v, (c->cnt + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->v = v;
	v = &c->v[c->cnt++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

int run_stats_count(struct run_stats *s, const char *verdict,
		    const char *port)
{
	struct run_count *v = find_or_add(&s->verdicts, verdict);
	struct run_count *p = port[0] ? find_or_add(&s->ports, port) : NULL;

	if (!v || (port[0] && !p))
		return -1;
	v->n++;
	if (p)
		p->n++;
	return 0;
}

void run_stats_error(struct run_stats *s, uint64_t n, const char *msg)
{
	if (s->errors < RUN_STATS_ERRORS_KEPT)
		snprintf(s->errmsg[s->errors], sizeof(s->errmsg[0]),
			 "packet %llu: %s", (unsigned long long)n, msg);
	s->errors++;
	run_stats_count(s, "error", "");
}

uint64_t run_counts_get(const struct run_counts *c, const char *name)
{
	for (size_t i = 0; i < c->cnt; i++)
		if (!strcmp(c->v[i].name, name))
			return c->v[i].n;
	return 0;
}

/* --- derived figures --- */

struct timing {
	double seconds, ns_per_packet, pps;
	uint64_t min_ns, max_ns, p50_ns, p99_ns;
	uint64_t hist[HIST_BUCKETS];	/* bucket k: (2^(k-1), 2^k] ns */
	int lo, hi;			/* first and last non-empty */
};

static int bucket(uint64_t ns)
{
	int k = ns <= 1 ? 0 : 64 - __builtin_clzll(ns - 1);

	return k < HIST_BUCKETS ? k : HIST_BUCKETS - 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The median and 99th percentile: a loaded machine's preemptions (ms)
 * move the mean, barely these. */
static void percentiles(const struct run_stats *s, struct timing *t)
{
	uint32_t *v = malloc(s->packets * sizeof(*v));

	if (!v || !s->packets) {
		free(v);
		return;
	}
	memcpy(v, s->ticks, s->packets * sizeof(*v));
	qsort(v, s->packets, sizeof(*v), cmp_u32);
	t->p50_ns = (uint64_t)(v[s->packets / 2] * s->ns_per_tick + 0.5);
	t->p99_ns = (uint64_t)(v[s->packets * 99 / 100] * s->ns_per_tick +
			       0.5);
	free(v);
}

static void timing_of(const struct run_stats *s, struct timing *t)
{
	uint64_t ticks = 0;

	memset(t, 0, sizeof(*t));
	t->min_ns = UINT64_MAX;
	t->lo = HIST_BUCKETS;
	t->hi = -1;
	for (size_t i = 0; i < s->packets; i++) {
		uint64_t ns = (uint64_t)(s->ticks[i] * s->ns_per_tick + 0.5);
		int k = bucket(ns);

		ticks += s->ticks[i];
		t->hist[k]++;
		t->lo = k < t->lo ? k : t->lo;
		t->hi = k > t->hi ? k : t->hi;
		t->min_ns = ns < t->min_ns ? ns : t->min_ns;
		t->max_ns = ns > t->max_ns ? ns : t->max_ns;
	}
	if (!s->packets)
		t->min_ns = 0;
	percentiles(s, t);
	t->seconds = ticks * s->ns_per_tick / 1e9;
	t->ns_per_packet = s->packets ? ticks * s->ns_per_tick / s->packets
				      : 0;
	t->pps = t->seconds > 0 ? s->packets / t->seconds : 0;
}

/* Each standard verdict, then the others in the order first seen. */
static void each_verdict(const struct run_stats *s, const char *const *std,
			 void (*fn)(void *arg, const char *name, uint64_t n),
			 void *arg)
{
	for (size_t i = 0; std[i]; i++)
		fn(arg, std[i], run_counts_get(&s->verdicts, std[i]));
	for (size_t i = 0; i < s->verdicts.cnt; i++) {
		bool is_std = false;

		for (size_t k = 0; std[k] && !is_std; k++)
			is_std = !strcmp(std[k], s->verdicts.v[i].name);
		if (!is_std)
			fn(arg, s->verdicts.v[i].name, s->verdicts.v[i].n);
	}
}

/* --- text --- */

struct text_ctx {
	FILE *out;
	const struct run_stats *s;
	bool first;
};

static void text_verdict(void *arg, const char *name, uint64_t n)
{
	struct text_ctx *c = arg;

	fprintf(c->out, "%s%s %llu", c->first ? "" : ", ", name,
		(unsigned long long)n);
	c->first = false;
	if (strcmp(name, "redirect") || !c->s->ports.cnt)
		return;
	for (size_t i = 0; i < c->s->ports.cnt; i++)
		fprintf(c->out, "%s%s %llu", i ? ", " : " (",
			c->s->ports.v[i].name,
			(unsigned long long)c->s->ports.v[i].n);
	fputc(')', c->out);
}

static void print_hist(FILE *out, const struct timing *t)
{
	uint64_t most = 0;

	for (int k = t->lo; k <= t->hi; k++)
		most = t->hist[k] > most ? t->hist[k] : most;
	fprintf(out, "latency    ns per packet: min %llu, median %llu, 99%% "
		     "%llu, max %llu; log2 buckets (upper bound):\n",
		(unsigned long long)t->min_ns, (unsigned long long)t->p50_ns,
		(unsigned long long)t->p99_ns, (unsigned long long)t->max_ns);
	for (int k = t->lo; k <= t->hi; k++) {
		int w = most ? (int)((t->hist[k] * BAR_WIDTH + most - 1) / most)
			     : 0;
		fprintf(out, "  <= %10llu |%-*.*s| %llu\n", 1ull << k,
			BAR_WIDTH, w,
			"########################################",
			(unsigned long long)t->hist[k]);
	}
}

void run_stats_print(FILE *out, const struct run_stats *s,
		     const char *const *std_verdicts)
{
	struct text_ctx c = { .out = out, .s = s, .first = true };
	struct timing t;

	timing_of(s, &t);
	fprintf(out, "packets    %llu", (unsigned long long)s->packets);
	if (s->truncated)
		fprintf(out, " (%llu cut short by the capture's snaplen: run "
			     "on the bytes captured)",
			(unsigned long long)s->truncated);
	fprintf(out, "\nverdicts   ");
	each_verdict(s, std_verdicts, text_verdict, &c);
	fprintf(out, "\nerrors     %llu\n", (unsigned long long)s->errors);
	for (uint64_t i = 0; i < s->errors && i < RUN_STATS_ERRORS_KEPT; i++)
		fprintf(out, "  %s\n", s->errmsg[i]);
	if (s->errors > RUN_STATS_ERRORS_KEPT)
		fprintf(out, "  ... %llu more\n", (unsigned long long)
			(s->errors - RUN_STATS_ERRORS_KEPT));
	fprintf(out, "speed      %.0f packets/s, %.1f ns per packet (mean; "
		     "median %llu ns; the test_run calls only, %.6f s)\n",
		t.pps, t.ns_per_packet, (unsigned long long)t.p50_ns,
		t.seconds);
	if (s->packets)
		print_hist(out, &t);
}

/* --- JSON --- */

static void json_verdict(void *arg, const char *name, uint64_t n)
{
	cj_u64(arg, name, n);
}

void run_stats_json(struct cj *j, const struct run_stats *s,
		    const char *const *std_verdicts)
{
	struct timing t;

	timing_of(s, &t);
	cj_u64(j, "packets", s->packets);
	cj_u64(j, "truncated", s->truncated);
	cj_obj_begin(j, "verdicts");
	each_verdict(s, std_verdicts, json_verdict, j);
	cj_obj_end(j);
	cj_obj_begin(j, "ports");
	for (size_t i = 0; i < s->ports.cnt; i++)
		cj_u64(j, s->ports.v[i].name, s->ports.v[i].n);
	cj_obj_end(j);
	cj_u64(j, "errors", s->errors);
	cj_arr_begin(j, "error_messages");
	for (uint64_t i = 0; i < s->errors && i < RUN_STATS_ERRORS_KEPT; i++)
		cj_str(j, NULL, s->errmsg[i]);
	cj_arr_end(j);
	cj_double(j, "seconds", t.seconds);
	cj_double(j, "packets_per_second", t.pps);
	cj_double(j, "ns_per_packet", t.ns_per_packet);
	cj_u64(j, "min_ns", t.min_ns);
	cj_u64(j, "median_ns", t.p50_ns);
	cj_u64(j, "p99_ns", t.p99_ns);
	cj_u64(j, "max_ns", t.max_ns);
	cj_arr_begin(j, "histogram");
	for (int k = t.lo; k <= t.hi; k++) {
		cj_obj_begin(j, NULL);
		cj_u64(j, "le_ns", 1ull << k);
		cj_u64(j, "count", t.hist[k]);
		cj_obj_end(j);
	}
	cj_arr_end(j);
}
