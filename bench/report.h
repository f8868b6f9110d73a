/* What one benchmark measured, and printing it: the table, the summary
 * against the interpreter's goal, or JSON. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "bench.h"

enum cell_state {
	CELL_NONE,	/* not measured (an earlier step failed): "-" */
	CELL_OK,	/* ns holds ns per run */
	CELL_NA,	/* engine not available: "n/a" */
	CELL_SKIP,	/* tag says why, e.g. "SKIP(size)" */
	CELL_FAIL,	/* wrong result or run error: tag says which */
};

struct cell {
	enum cell_state state;
	double ns;
	char tag[24];
};

enum column {
	COL_SCALAR,	/* native gcc -O2 -fno-tree-vectorize: the reference */
	COL_O2,		/* native gcc -O2 */
	COL_INTERP,
	COL_JIT,	/* the code called directly: bpfvm_prog_jit_fn */
	COL_JIT_RUN,	/* the same code through bpfvm_prog_run */
	COL_KERNEL,
	COL_COUNT,
};

struct row {
	const struct bench *b;
	__u64 insns;		/* BPF instructions executed per run */
	struct cell col[COL_COUNT];
	char note[240];		/* why the kernel skipped, etc. */
};

/* The interpreter's goal, in ns per executed BPF instruction. */
#define GOAL_NS_PER_INSN 1.5
/* Below this many instructions a run's fixed cost dominates ns/insn, so
 * such benchmarks stay out of the ns/insn mean. */
#define NS_PER_INSN_MIN_INSNS 1000

struct report_info {
	const char *kernel_jit;	/* "on", "off", "?" */
	bool quick;
	/* ns per run of the empty program (r0 = 0) in the native, JIT,
	 * JIT-run and interpreter columns; 0 when not measured. The JIT's
	 * is subtracted for the JIT-net column, as the kernel's own empty
	 * program is for the kernel column. */
	double empty_ns[COL_COUNT];
};

/* Net times (a program's time minus its engine's empty program's) below
 * this are noise: in the JIT-net / kernel ratio they count as this much,
 * and a benchmark where both are below it is left out of the mean. */
#define NET_FLOOR_NS 0.5

void report_table(FILE *f, const struct row *rows, size_t n,
		  const struct report_info *info);
void report_json(FILE *f, const struct row *rows, size_t n,
		 const struct report_info *info);

#endif
