/* Shared by the ring buffer / perf buffer tests: calling the built-in
 * helpers directly (as a program's call instruction would) and making
 * maps. */
#ifndef BPFVM_TESTS_RINGBUF_TEST_H
#define BPFVM_TESTS_RINGBUF_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpfvm/map.h>
#include <bpfvm/ringbuf.h>
#include "helpers/helpers.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static inline uint64_t rt_call(uint32_t id, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct helper_def *d = helper_def_find(id);

	if (!d) {
		fprintf(stderr, "helper %u not built in\n", id);
		exit(1);
	}
	return d->fn(r1, r2, r3, r4, r5, NULL);
}

#define RT_P(p) ((uint64_t)(uintptr_t)(p))

static inline void *rt_reserve(struct bpfvm_map *m, uint64_t size,
			       uint64_t flags)
{
	return (void *)(uintptr_t)rt_call(BPF_FUNC_ringbuf_reserve, RT_P(m),
					  size, flags, 0, 0);
}

static inline void rt_submit(void *rec, uint64_t flags)
{
	rt_call(BPF_FUNC_ringbuf_submit, RT_P(rec), flags, 0, 0, 0);
}

static inline void rt_discard(void *rec, uint64_t flags)
{
	rt_call(BPF_FUNC_ringbuf_discard, RT_P(rec), flags, 0, 0, 0);
}

static inline int64_t rt_output(struct bpfvm_map *m, const void *data,
				 uint64_t size, uint64_t flags)
{
	return (int64_t)rt_call(BPF_FUNC_ringbuf_output, RT_P(m), RT_P(data),
				size, flags, 0);
}

static inline uint64_t rt_query(struct bpfvm_map *m, uint64_t flags)
{
	return rt_call(BPF_FUNC_ringbuf_query, RT_P(m), flags, 0, 0, 0);
}

static inline int64_t rt_perf_output(struct bpfvm_map *m, uint64_t flags,
				     const void *data, uint64_t size)
{
	return (int64_t)rt_call(BPF_FUNC_perf_event_output, 0, RT_P(m), flags,
				RT_P(data), size);
}

static inline struct bpfvm_map *rt_map(enum bpf_map_type type, uint32_t ks,
				       uint32_t vs, uint32_t max)
{
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(type, ks, vs, max, NULL, &m);

	if (err) {
		fprintf(stderr, "map create (type %d, %u): %d\n", type, max,
			err);
		exit(1);
	}
	return m;
}

static inline double rt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Load tests: producers number their records; the consumer checks each
 * one whole and in order per producer, counting the sequence numbers
 * skipped (records refused or discarded). */
#define RT_MAX_PROD 8

struct rt_rec {
	uint32_t producer;
	uint32_t seq;
	uint64_t words[7];
};

struct rt_seqs {
	uint32_t nprod;
	uint32_t next[RT_MAX_PROD];	/* next seq expected */
	uint64_t gaps[RT_MAX_PROD];	/* seqs skipped */
	uint64_t received, bad;
};

static inline void rt_rec_fill(struct rt_rec *r, uint32_t producer,
			       uint32_t seq)
{
	r->producer = producer;
	r->seq = seq;
	for (size_t i = 0; i < sizeof(r->words) / 8; i++)
		r->words[i] = seq * 0x9e3779b97f4a7c15ull ^
			      ((uint64_t)producer << 40) ^ i;
}

/* data may be unaligned (perf raw data): copied out first. Returns the
 * producer, or -1 for a bad record. */
static inline int rt_seqs_check(struct rt_seqs *s, const void *data,
				size_t size)
{
	struct rt_rec r, want;

	memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
	if (size != sizeof(r) || r.producer >= s->nprod ||
	    r.seq < s->next[r.producer]) {
		s->bad++;
		return -1;
	}
	rt_rec_fill(&want, r.producer, r.seq);
	if (memcmp(&want, &r, sizeof(r))) {
		s->bad++;
		return -1;
	}
	s->gaps[r.producer] += r.seq - s->next[r.producer];
	s->next[r.producer] = r.seq + 1;
	s->received++;
	return (int)r.producer;
}

#endif
