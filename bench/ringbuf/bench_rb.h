/* bpfvm-bench-ringbuf: shared between the driver and the program mode. */
#ifndef BPFVM_BENCH_RB_H
#define BPFVM_BENCH_RB_H

#include <stdbool.h>
#include <stdint.h>

#include <bpfvm/env.h>
#include <bpfvm/map.h>
#include <bpfvm/prog.h>

enum rb_mode { RB_RESERVE, RB_OUTPUT, RB_PROG, RB_PERF };

struct rb_bench {
	enum rb_mode mode;
	unsigned producers;
	double seconds;
	uint32_t ring_size;	/* bytes (perf: per CPU) */
	uint32_t rec_size;	/* bytes of data per record */
	bool poll;		/* consumer sleeps in poll, else busy */
	bool one_thread;	/* produce a batch, consume it, repeat */
	struct bpfvm_map *map;
	bpfvm_helper_fn reserve, submit, output, perf_output;
	bpfvm_jit_fn prog;	/* RB_PROG */
};

/* A program that reserves rec_size bytes in the map, fills them from the
 * 8-byte sequence number at r1 and submits; returns 1, or 0 when the ring
 * is full. 0 with b->prog set, or -errno (and why in `why`). */
int rb_prog_make(struct rb_bench *b, struct bpfvm_prog **out, char *why,
		 size_t why_size);

#endif
