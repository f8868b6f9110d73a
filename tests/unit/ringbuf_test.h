/* Shared by the ring buffer / perf buffer tests: calling the built-in
 * helpers directly (as a program's call instruction would) and making
 * maps. */
#ifndef BPFVM_TESTS_RINGBUF_TEST_H
#define BPFVM_TESTS_RINGBUF_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

#endif
