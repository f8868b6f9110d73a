/* Program-side rows of bpfvm-bench-maps: one BPF program per row, a loop
 * of PB_OPS map operations on keys that vary, loaded into bpfvm (run by
 * the interpreter and the JIT) and into the kernel (an XDP program run by
 * BPF_PROG_TEST_RUN with repeat), its maps created and filled identically
 * on both sides. The program sums what each operation gives (the value it
 * found, or the helper's return) into r0, and that sum is checked once
 * against the one the row computed in C, so every column does the work.
 *
 * Map 0 of every program is a one-element ARRAY holding where the next
 * run starts (the key index of its first operation): each run moves it
 * on by PB_OPS, so consecutive runs walk all of a row's keys instead of
 * the same PB_OPS. The check resets it to 0 first.
 *
 *   prog_build.c   maps on both sides, the program skeleton, loading
 *   prog_rows.c    the map rows (keys, fills, expected sums)
 *   prog_ringbuf.c the ringbuf output row (drains between batches)
 *   prog_run.c     check and timing of one row in every column
 *   prog_report.c  the table, ratios, goals and JSON */
#ifndef BPFVM_BENCH_PROG_BENCH_H
#define BPFVM_BENCH_PROG_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/bpf.h>

struct bpfvm_map;
struct bpfvm_prog;

#define PB_OPS 1000u		/* map operations per program run */
#define PB_MAX_INSNS 128
#define PB_MAX_MAPS 3
#define PB_KEY_OFF (-64)	/* the key (or record) on the stack */
#define PB_VALUE_OFF (-72)	/* an update's value */
/* Key index i becomes the 64-bit key i * PB_KEY_MUL: ALU64 MUL by a
 * sign-extended imm, odd, so distinct indexes give distinct keys. */
#define PB_KEY_IMM ((int32_t)0x9e3779b1)
#define PB_KEY_MUL ((uint64_t)(int64_t)PB_KEY_IMM)

struct pb_map {
	struct bpfvm_map *vm;
	int kfd;		/* -1: none */
};

struct prog_bench {
	struct bpf_insn insn[PB_MAX_INSNS];
	size_t cnt;
	struct pb_map map[PB_MAX_MAPS];
	size_t map_cnt;
	bool kernel;		/* the kernel column is wanted and possible */
	char kernel_why[200];	/* why not, when it was wanted */
	int err;		/* first error building the row, -errno */
	char err_msg[200];
	uint64_t expect;	/* r0 of a run starting at key index 0 */
	uint32_t ops;		/* map operations per run */
	/* Rows whose runs fill something (a ring) empty it after at most
	 * `chunk` runs, outside the timed part: drain(pb, kernel, runs)
	 * checks that those runs left what they should have, 0 or -errno. */
	uint32_t chunk;
	int (*drain)(struct prog_bench *pb, bool kernel, uint64_t runs);
	/* Runs each column makes before it is timed (pb_build: one turn
	 * of the keys): caches warm, and a ring's pages first written then
	 * (a first write costs a page fault, and in a VM the host's too:
	 * 10x the steady cost per record). */
	uint32_t warm_runs;
	void *priv;
	void (*priv_free)(void *priv);
};

/* A row: setup builds pb (maps, program, expect), given pb->kernel. */
struct prog_row {
	const char *name;
	const char *goal;	/* goal id (see prog_report.c) or NULL */
	int (*setup)(struct prog_bench *pb);
};

extern const struct prog_row prog_rows[];	/* ends with name NULL */
/* prog_ringbuf.c */
int pb_setup_ringbuf(struct prog_bench *pb);

/* ---- prog_build.c ---- */
/* A map of this shape on bpfvm's side and (if pb->kernel) the kernel's;
 * when only the kernel's fails, the row loses its kernel column. Returns
 * its index or -errno (also in pb->err). */
int pb_map_add(struct prog_bench *pb, enum bpf_map_type type,
	       uint32_t key_size, uint32_t value_size, uint32_t max_entries,
	       uint32_t map_flags);
/* Update on both sides; -errno (also in pb->err). Per-CPU maps: value is
 * one value, given to every CPU. */
int pb_map_set(struct prog_bench *pb, int idx, const void *key,
	       const void *value);
void pb_emit(struct prog_bench *pb, struct bpf_insn in);

/* The operation the loop does on map 1, key (or record) at PB_KEY_OFF
 * and r2 pointing at it:
 *  LOOKUP  bpf_map_lookup_elem; the u64 at the value is added to r0
 *  UPDATE  bpf_map_update_elem(key, u64 index + 1, BPF_ANY); its return
 *  OUTPUT  bpf_ringbuf_output(record, key_size bytes, 0); its return */
enum pb_op { PB_LOOKUP, PB_UPDATE, PB_OUTPUT };

/* Emits the key for the index in r6 at PB_KEY_OFF (may use r1-r5). */
typedef void (*pb_key_fn)(struct prog_bench *pb);

/* The whole program: state map 0 (created here, first), the loop over
 * PB_OPS indexes from the start index, which wraps to 0 at `wrap`
 * (a multiple of PB_OPS). Map 1 is the row's (pb_map_add after this is
 * fine: the program names it by index). */
void pb_build(struct prog_bench *pb, enum pb_op op, pb_key_fn key,
	      uint32_t key_size, uint32_t wrap);

/* Keys from the index in r6 (PB_KEY_OFF, r2 = its address). */
void pb_key_u32_mask(struct prog_bench *pb, uint32_t mask); /* i & mask */
void pb_key_u64(struct prog_bench *pb);		/* i * PB_KEY_MUL */
void pb_key_64b(struct prog_bench *pb);		/* words k: that + k */
void pb_key_lpm32(struct prog_bench *pb);	/* {32, (u32)(i * imm)} */

/* The loaded pair: bpfvm's program and the kernel's fd (-1: none; then
 * pb->kernel is false and kernel_why says why). */
struct pb_progs {
	struct bpfvm_prog *vm;
	int kfd;
};

int pb_load(struct prog_bench *pb, struct pb_progs *out);
void pb_progs_free(struct pb_progs *p);
/* Start index back to 0 on both sides. */
int pb_reset(struct prog_bench *pb);
void pb_free(struct prog_bench *pb);

/* ---- prog_run.c ---- */
enum pb_col { PB_INTERP, PB_JIT, PB_KERNEL, PB_COLS };
enum pb_state { PB_OK, PB_SKIP, PB_FAIL };

struct pb_cell {
	enum pb_state state;
	double ns;		/* per map operation */
	char why[200];		/* SKIP / FAIL */
};

struct pb_result {
	const struct prog_row *row;
	struct pb_cell col[PB_COLS];
};

struct pb_opts {
	bool quick;
	bool kernel;
};

/* Build, check and time one row. */
void pb_run_row(const struct prog_row *row, const struct pb_opts *o,
		struct pb_result *res);

/* ---- prog_report.c ---- */
void pb_report_table(FILE *f, const struct pb_result *r, size_t n);
/* false when a goal is not met or a cell failed */
bool pb_report_goals(FILE *f, const struct pb_result *r, size_t n);
void pb_report_json(FILE *f, const struct pb_result *r, size_t n);

#endif
