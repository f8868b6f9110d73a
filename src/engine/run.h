/* State of one run, shared by the run entry (run.c), the interpreter
 * variants, the JIT and helpers (through bpfvm_run_stop / bpfvm_run_user
 * and, for the built-in ones, the engine entries below). Lives on the
 * caller's stack: runs share nothing, so they are reentrant. */
#ifndef BPFVM_ENGINE_RUN_H
#define BPFVM_ENGINE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <bpfvm/prog.h>
#include "engine/engine.h"

/* bpfvm_run.stopped: why the program must end when the helper returns. */
#define ENG_STOP 1	/* bpfvm_run_stop: with stop_r0 */
#define ENG_ABORT 2	/* a callback failed: with abort_err */

/* Tail calls one run may make (prog.h). */
#define ENG_MAX_TAIL_CALLS BPFVM_MAX_TAIL_CALLS

struct eng_cb_req;
struct eng_extra;
struct jit_image;

typedef int (*eng_interp_fn)(struct bpfvm_run *run, uint64_t *r0);

struct bpfvm_run {
	const struct eng_code *code;	/* the program the run began with */
	const struct bpfvm_prog *prog;	/* the same program */
	void *user;
	uint8_t stopped;	/* 0, ENG_STOP or ENG_ABORT; JIT code tests
				 * this byte after every helper call */
	uint8_t checked;	/* BPFVM_RUN_F_CHECKED: helpers check the
				 * maps they are given (hlp_map_arg) */
	uint64_t stop_r0;
	int abort_err;
	void *mem;
	size_t mem_len;
	const uint8_t *pkt;	/* LD_ABS / LD_IND's packet (ld_pkt.h): */
	size_t pkt_len;		/* the run's memory until an skb ctx */
	uint64_t budget;	/* counted variants: insns allowed, or ~0 */
	uint64_t executed;	/* counted variants: out */
	const struct bpfvm_region *regions; /* checked variants */
	size_t region_cnt;
	char *err_buf;
	size_t err_size;

	/* Tail calls: how many the chain made, and the programs entered,
	 * each referenced until the run ends (eng_run_release). Only calls
	 * that happen count (as the kernel's JIT), so tail_refs = tail_cnt. */
	uint32_t tail_cnt;
	uint32_t tail_refs;

	/* Callbacks (eng_run_callback): the engine, and where the program
	 * was when it made its latest helper call. */
	eng_interp_fn interp;		/* the interpreter variant; NULL: JIT */
	uint64_t cb_r10;		/* the caller's frame */
	size_t cb_insn;			/* the helper call's insn */
	unsigned cb_depth;		/* interpreter: its call depth */
	uint64_t left;			/* interpreter, counted: budget left */
	uint64_t stack_hi;		/* interpreter: top of the stack */
	const struct eng_cb_req *cb_req; /* interpreter: a nested start */
	void *cb_jit;			/* JIT: its struct jit_ctx */
	const void *cb_img;		/* JIT: the calling image */
	const struct eng_extra *extra;	/* checked: callback arguments */
	/* last: JIT code reaches the fields above with short offsets */
	struct bpfvm_prog *tail_progs[ENG_MAX_TAIL_CALLS];
};

/* One program run many times on one context (BPF_PROG_TEST_RUN's
 * repeat): the options are read, the engine and image picked and map
 * RCU entered once, by eng_runner_begin; each eng_runner_run then costs
 * little more than the code. Also the run entry's own path (run.c). */
struct eng_runner {
	struct bpfvm_run run;
	const struct jit_image *img;	/* the JIT's image; NULL: interpreter */
	eng_interp_fn interp;
	bool counted;
	bool rcu;			/* in a map RCU read section */
};

/* 0, or -EINVAL / -EOPNOTSUPP / the JIT's error with err_buf filled (the
 * runner is then not begun: no eng_runner_end). err_buf is cleared. */
int eng_runner_begin(struct eng_runner *r, struct bpfvm_prog *prog,
		     void *mem, size_t mem_len,
		     const struct bpfvm_run_opts *opts);
/* One run: LD_ABS / LD_IND read pkt[0, pkt_len) (NULL: the memory). */
int eng_runner_run(struct eng_runner *r, const uint8_t *pkt, size_t pkt_len,
		   uint64_t *r0);
/* Leaves the RCU section; insn_executed of the last run into opts. */
void eng_runner_end(struct eng_runner *r, struct bpfvm_run_opts *opts);

/* A bpf-to-bpf call's saved caller state. */
struct eng_frame {
	const struct eng_insn *ret;
	const struct eng_code *code;	/* the caller's (tail calls change it) */
	uint64_t callee_saved[4]; /* r6-r9 */
};

/* The interpreter's nested start for a callback (flow.c). */
struct eng_cb_req {
	const struct eng_code *code;
	const struct eng_insn *entry;
	const uint64_t *args;		/* r1-r5 */
	uint64_t r10;
	unsigned depth;
};

/* Memory a callback may touch in checked mode besides the run's: what
 * the helper hands it (a key, a value), valid while it runs. */
struct eng_extra {
	const struct eng_extra *next;
	struct bpfvm_region region;
};

/* Interpreter variants (interp.c); return 0 or -errno and store r0. */
int eng_interp_fast(struct bpfvm_run *run, uint64_t *r0);
int eng_interp_counted(struct bpfvm_run *run, uint64_t *r0);
int eng_interp_checked(struct bpfvm_run *run, uint64_t *r0);
int eng_interp_checked_counted(struct bpfvm_run *run, uint64_t *r0);

/* Checked mode: may the program access [addr, addr + size)? Stack frames
 * are [frame_lo, stack_hi); then the run's memory, opts->regions, the
 * callback arguments and the map values the run's programs can reach
 * (eng_map_access). Returns 0, or -EFAULT with
 * err_buf filled. */
int eng_check_access(const struct bpfvm_run *run, size_t insn, uint64_t addr,
		     unsigned size, bool write, bool atomic, uint64_t frame_lo,
		     uint64_t stack_hi);

/* Checked mode, after the other regions: 1 when [addr, addr + size) is
 * inside one value (or reserved ring record) of a map the run's programs
 * use, or of an inner map of one, and the access is allowed; -1 when it
 * is refused there (a write to a BPF_F_RDONLY_PROG map); 0 when in none
 * (flow.c, map_ops.value_access). */
int eng_map_access(const struct bpfvm_run *run, uint64_t addr,
		   unsigned size, bool write);

/* Run-time failures, formatted as "insn N: ..." into err_buf. */
int eng_fail_depth(const struct bpfvm_run *run, size_t insn);
int eng_fail_budget(const struct bpfvm_run *run, size_t insn);
int eng_fail_callx(const struct bpfvm_run *run, size_t insn, uint64_t target);
int eng_fail_invalid(const struct bpfvm_run *run, size_t insn);
int eng_fail_callback(const struct bpfvm_run *run, uint64_t fn);

/* bpf_tail_call(ctx, map, index) at insn (flow.c): the program to go on
 * with, referenced until the run ends, or NULL to fall through (index
 * past the end, 33 tail calls made, empty slot: not counted). *err: 0, or -EINVAL
 * when map is not a PROG_ARRAY of the run's programs (message written). */
struct bpfvm_prog *eng_tail_call(struct bpfvm_run *run, size_t insn,
				 uint64_t map, uint64_t index, int *err);
const struct eng_code *eng_prog_code(const struct bpfvm_prog *prog);
/* Drop the references tail calls took; at the end of every run. */
void eng_run_release(struct bpfvm_run *run);

/* Run function `fn` (a BPF_PSEUDO_FUNC value of the running program) as
 * a nested call with its own stack frame, in the run's engine and
 * variant, with r1-r5 = args: for helpers that take callbacks. The call
 * depth, the budget and checked mode carry on. 0: r0 stored. Otherwise
 * the run is over (a bpfvm_run_stop inside, or an error, recorded in the
 * run): the helper must return at once (its result is not used). */
int eng_run_callback(struct bpfvm_run *run, uint64_t fn,
		     const uint64_t args[5], uint64_t *r0);
/* End the run with err (a message already in err_buf) once the current
 * helper returns. Returns err. */
int eng_run_abort(struct bpfvm_run *run, int err);
/* Is map one of the maps the run's programs use, or an inner map one of
 * those holds now (so a live map)? */
bool eng_run_has_map(const struct bpfvm_run *run, const void *map);

static inline void eng_extra_push(struct bpfvm_run *run, struct eng_extra *e,
				  void *addr, size_t len, bool writable)
{
	e->next = run->extra;
	e->region = (struct bpfvm_region){ addr, len, writable };
	run->extra = e;
}

static inline void eng_extra_pop(struct bpfvm_run *run, struct eng_extra *e)
{
	run->extra = e->next;
}

#endif
