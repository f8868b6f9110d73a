/* bpfvm-bench-ringbuf: producer threads write fixed-size records through
 * a RINGBUF map (bpf_ringbuf_reserve + submit, bpf_ringbuf_output, or a
 * JIT-compiled program doing reserve + submit) or a PERF_EVENT_ARRAY
 * (bpf_perf_event_output) while one consumer thread drains them through
 * the consumer API; prints records per second reaching the consumer.
 *
 *   bpfvm-bench-ringbuf [--mode reserve|output|prog|perf|all]
 *       [--producers N] [--seconds S] [--ring KiB] [--record BYTES]
 *       [--poll | --one-thread]
 *
 * --one-thread: one thread produces 512 records, consumes them, repeats
 * (the CPU cost of a record, without cross-core traffic; timed in the
 * thread's CPU time, so other load on the machine does not count).
 *
 * Helpers are called through the helper table (bpfvm_helper_find), as a
 * program's call instruction reaches them. The same output from a BPF
 * program next to the kernel's (BPF_PROG_TEST_RUN on a kernel ring) is
 * bpfvm-bench-maps' RINGBUF row. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpfvm/ringbuf.h>
#include "bench_rb.h"

struct rb_run {
	struct rb_bench *b;
	double deadline;		/* producers stop then (CLOCK_MONOTONIC) */
	atomic_uint next_id, producers_left;
	atomic_uint_fast64_t produced, full;
	uint64_t consumed, bad, lost;
};

static double clock_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

#define P(x) ((uint64_t)(uintptr_t)(x))

/* One record; 1 sent, 0 the buffer was full. */
static int produce(struct rb_bench *b, uint64_t seq)
{
	uint64_t rec[64];
	uint32_t words = b->rec_size / 8;

	switch (b->mode) {
	case RB_RESERVE: {
		uint64_t *r = (uint64_t *)(uintptr_t)b->reserve(
			P(b->map), b->rec_size, 0, 0, 0, NULL);

		if (!r)
			return 0;
		for (uint32_t i = 0; i < words; i++)
			r[i] = seq + i;
		b->submit(P(r), 0, 0, 0, 0, NULL);
		return 1;
	}
	case RB_OUTPUT:
	case RB_PERF:
		for (uint32_t i = 0; i < words; i++)
			rec[i] = seq + i;
		if (b->mode == RB_OUTPUT)
			return b->output(P(b->map), P(rec), b->rec_size, 0, 0,
					 NULL) == 0;
		return b->perf_output(0, P(b->map), BPF_F_CURRENT_CPU, P(rec),
				      b->rec_size, NULL) == 0;
	case RB_PROG:
		return (int)b->prog(&seq, sizeof(seq));
	}
	return 0;
}

static void *producer_main(void *arg)
{
	struct rb_run *run = arg;
	struct rb_bench *b = run->b;
	uint64_t seq = 0, full = 0;
	unsigned id = atomic_fetch_add(&run->next_id, 1);

	bpfvm_thread_set_cpu(id % bpfvm_num_possible_cpus());
	/* Each producer watches the clock itself: the run ends on time even
	 * when the main thread cannot get a CPU. */
	while (now() < run->deadline) {
		uint64_t was = seq;

		for (int i = 0; i < 256; i++) {
			if (produce(b, seq))
				seq++;
			else
				full++;
		}
		if (seq == was) /* full: the consumer may share our CPU */
			sched_yield();
	}
	atomic_fetch_add(&run->produced, seq);
	atomic_fetch_add(&run->full, full);
	atomic_fetch_sub(&run->producers_left, 1);
	return NULL;
}

static int rb_sample(void *ctx, void *data, size_t size)
{
	struct rb_run *run = ctx;

	(void)data;
	run->consumed++;
	run->bad += size != run->b->rec_size;
	return 0;
}

static void perf_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)cpu;
	rb_sample(ctx, data, size - 4); /* the raw size counts padding */
}

static void perf_lost(void *ctx, int cpu, uint64_t cnt)
{
	(void)cpu;
	((struct rb_run *)ctx)->lost += cnt;
}

/* A busy consumer that found nothing lets a producer sharing its CPU run
 * (other load on the machine can put both on one core); on a core of its
 * own, sched_yield returns at once. */
static void idle(struct rb_run *run, uint64_t was)
{
	if (!run->b->poll && run->consumed == was)
		sched_yield();
}

/* Drain until the producers have stopped and nothing is left. */
static void consume_rb(struct rb_run *run)
{
	struct bpfvm_ringbuf *c = NULL;

	if (bpfvm_ringbuf_new(run->b->map, rb_sample, run, NULL, &c))
		return;
	while (atomic_load(&run->producers_left)) {
		uint64_t was = run->consumed;

		run->b->poll ? bpfvm_ringbuf_poll(c, 10)
			     : bpfvm_ringbuf_consume(c);
		idle(run, was);
	}
	bpfvm_ringbuf_consume(c);
	bpfvm_ringbuf_free(c);
}

static void consume_perf(struct rb_run *run, struct bpfvm_perfbuf *pb)
{
	while (atomic_load(&run->producers_left)) {
		uint64_t was = run->consumed;

		run->b->poll ? bpfvm_perfbuf_poll(pb, 10)
			     : bpfvm_perfbuf_consume(pb);
		idle(run, was);
	}
	bpfvm_perfbuf_consume(pb);
}

struct rb_consumer {
	struct rb_run *run;
	struct bpfvm_perfbuf *pb;
};

static void *consumer_main(void *arg)
{
	struct rb_consumer *c = arg;

	if (c->pb)
		consume_perf(c->run, c->pb);
	else
		consume_rb(c->run);
	return NULL;
}

static const char *const mode_names[] = {
	[RB_RESERVE] = "reserve+submit", [RB_OUTPUT] = "output",
	[RB_PROG] = "prog (JIT)", [RB_PERF] = "perf_event_output",
};

static void report(const struct rb_bench *b, const struct rb_run *run,
		   double secs)
{
	uint64_t tries = run->produced + run->full;

	printf("%-18s %4u B  %u producer%s  consumer %-4s  %7.2f M records/s"
	       "  (%5.1f ns/record)  ring full: %4.1f%% of tries%s\n",
	       mode_names[b->mode], b->rec_size, b->producers,
	       b->producers > 1 ? "s" : " ",
	       b->one_thread ? "same" : b->poll ? "poll" : "busy",
	       (double)run->consumed / secs / 1e6,
	       secs * 1e9 / (double)(run->consumed ? run->consumed : 1),
	       tries ? 100.0 * (double)run->full / (double)tries : 0.0,
	       run->bad || run->consumed != run->produced ? "  MISMATCH" : "");
}

/* --one-thread: the CPU cost of a record, producer and consumer side,
 * without handing cache lines between cores. */
static void run_one_thread(struct rb_bench *b, struct rb_consumer *cons)
{
	struct rb_run *run = cons->run;
	struct bpfvm_ringbuf *c = NULL;
	double t0 = now();
	uint64_t seq = 0;

	if (!cons->pb && bpfvm_ringbuf_new(b->map, rb_sample, run, NULL, &c))
		return;
	bpfvm_thread_set_cpu(0);
	while (now() - t0 < b->seconds) {
		for (int i = 0; i < 512; i++) {
			if (produce(b, seq))
				seq++;
			else
				run->full++;
		}
		c ? bpfvm_ringbuf_consume(c) : bpfvm_perfbuf_consume(cons->pb);
	}
	run->produced = seq;
	bpfvm_ringbuf_free(c);
}

static int run_bench(struct rb_bench *b)
{
	struct rb_run run = { .b = b };
	struct rb_consumer cons = { .run = &run };
	pthread_t th[64], ct;
	double t0, secs;

	if (b->mode == RB_PERF &&
	    bpfvm_perfbuf_new(b->map, b->ring_size / 4096, perf_sample,
			      perf_lost, &run, NULL, &cons.pb))
		return -EINVAL;
	if (b->one_thread) { /* timed in CPU time: immune to other load */
		t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		run_one_thread(b, &cons);
		report(b, &run, clock_s(CLOCK_THREAD_CPUTIME_ID) - t0);
		bpfvm_perfbuf_free(cons.pb);
		return 0;
	}
	atomic_store(&run.producers_left, b->producers);
	pthread_create(&ct, NULL, consumer_main, &cons);
	t0 = now();
	run.deadline = t0 + b->seconds;
	for (unsigned i = 0; i < b->producers; i++)
		pthread_create(&th[i], NULL, producer_main, &run);
	for (unsigned i = 0; i < b->producers; i++)
		pthread_join(th[i], NULL);
	pthread_join(ct, NULL);
	secs = now() - t0;
	bpfvm_perfbuf_free(cons.pb);
	report(b, &run, secs);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bpfvm-bench-ringbuf [--mode reserve|output|prog|perf|all]"
		" [--producers N] [--seconds S] [--ring KiB] [--record BYTES]"
		" [--poll | --one-thread]\n");
	return 2;
}

static int parse(int argc, char **argv, struct rb_bench *b, int *mode)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--poll") || !strcmp(a, "--one-thread")) {
			b->poll |= !strcmp(a, "--poll");
			b->one_thread |= !strcmp(a, "--one-thread");
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--mode")) {
			*mode = -1;
			for (int m = 0; m <= RB_PERF; m++)
				if (!strncmp(v, mode_names[m], strlen(v)))
					*mode = m;
			if (!strcmp(v, "all"))
				*mode = RB_PERF + 1;
			if (*mode < 0)
				return -1;
		} else if (!strcmp(a, "--producers")) {
			b->producers = (unsigned)atoi(v);
		} else if (!strcmp(a, "--seconds")) {
			b->seconds = atof(v);
		} else if (!strcmp(a, "--ring")) {
			b->ring_size = (uint32_t)atoi(v) * 1024;
		} else if (!strcmp(a, "--record")) {
			b->rec_size = (uint32_t)atoi(v);
		} else {
			return -1;
		}
	}
	if (!b->producers || b->producers > 64 || b->seconds <= 0 ||
	    b->rec_size % 8 || !b->rec_size || b->rec_size > 512)
		return -1;
	return 0;
}

static int setup(struct rb_bench *b, struct bpfvm_prog **prog)
{
	enum bpf_map_type t = b->mode == RB_PERF ?
				      BPF_MAP_TYPE_PERF_EVENT_ARRAY :
				      BPF_MAP_TYPE_RINGBUF;
	uint32_t ks = b->mode == RB_PERF ? 4 : 0;
	uint32_t n = b->mode == RB_PERF ? bpfvm_num_possible_cpus() :
					  b->ring_size;
	char why[256] = "";
	int err;

	err = bpfvm_map_create(t, ks, ks, n, NULL, &b->map);
	if (err) {
		fprintf(stderr, "map: %s\n", strerror(-err));
		return err;
	}
	if (b->mode != RB_PROG)
		return 0;
	err = rb_prog_make(b, prog, why, sizeof(why));
	if (err)
		printf("%-18s unavailable: %s\n", mode_names[RB_PROG], why);
	return err;
}

int main(int argc, char **argv)
{
	struct rb_bench b = { .producers = 1, .seconds = 1.0,
			      .ring_size = 1u << 20, .rec_size = 64 };
	struct bpfvm_env *env;
	int mode = RB_PERF + 1, first, last;

	if (parse(argc, argv, &b, &mode))
		return usage();
	if (bpfvm_env_create(&env))
		return 1;
	b.reserve = bpfvm_helper_find(env, BPF_FUNC_ringbuf_reserve);
	b.submit = bpfvm_helper_find(env, BPF_FUNC_ringbuf_submit);
	b.output = bpfvm_helper_find(env, BPF_FUNC_ringbuf_output);
	b.perf_output = bpfvm_helper_find(env, BPF_FUNC_perf_event_output);
	first = mode > RB_PERF ? RB_RESERVE : mode;
	last = mode > RB_PERF ? RB_PERF : mode;
	for (int m = first; m <= last; m++) {
		struct bpfvm_prog *prog = NULL;

		b.mode = (enum rb_mode)m;
		if (!setup(&b, &prog))
			run_bench(&b);
		bpfvm_prog_free(prog);
		bpfvm_map_free(b.map);
		b.map = NULL;
	}
	bpfvm_env_free(env);
	return 0;
}
