/* The benchmarks: which program, on what memory, and how to check it. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include "bench_code.h"

struct bench {
	const char *name;
	const char *what;		/* one line for the table's legend */
	const struct bench_code *code;
	size_t mem_size;
	/* Write the inputs (deterministic: native and BPF see the same bytes)
	 * and garbage where the program must write its output. */
	void (*setup)(void *mem, size_t size);
	/* Check what the program wrote to memory; NULL when only its result
	 * matters. */
	bool (*verify)(const void *mem, size_t size);
	bool has_expect;		/* the result is known in advance */
	__u64 expect;
};

extern const struct bench bench_list[];
extern const size_t bench_count;

#endif
