/* Programs: made from instructions, checked at creation, run on memory. */
#ifndef BPFVM_PROG_H
#define BPFVM_PROG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/env.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_prog;
struct bpfvm_map;
struct bpfvm_btf;

/* The kernel's limit on program size (BPF_COMPLEXITY_LIMIT_INSNS). */
#define BPFVM_MAX_INSNS 1000000u
/* Each bpf-to-bpf frame gets its own stack; the kernel's call depth. */
#define BPFVM_STACK_SIZE 512u
#define BPFVM_MAX_CALL_DEPTH 8u
/* bpf_tail_call: at most this many per run (the kernel's
 * MAX_TAIL_CALL_CNT); calls to an empty slot do not count. */
#define BPFVM_MAX_TAIL_CALLS 33u

struct bpfvm_prog_opts {
	size_t sz;		  /* sizeof(struct bpfvm_prog_opts) */
	struct bpfvm_env *env;	  /* helpers; NULL: a private default env */
	const char *name;	  /* for messages; may be NULL */
	char *log_buf;		  /* why creation failed, NUL-terminated */
	size_t log_size;
	uint32_t flags;		  /* BPFVM_PROG_F_* */
	/* The maps lddw BPF_PSEUDO_MAP_IDX / BPF_PSEUDO_MAP_IDX_VALUE name
	 * by index (the kernel's fd_array); the program takes its own
	 * reference to each one it uses. */
	struct bpfvm_map *const *maps;
	size_t map_cnt;
	/* What the program is for (BPF_PROG_TYPE_UNSPEC: a plain program,
	 * run on memory) and its expected attach type, as BPF_PROG_LOAD. */
	enum bpf_prog_type prog_type;
	enum bpf_attach_type expected_attach_type;
	/* Source information (the loader passes it): the BTF whose strings
	 * and FUNC types func_info / line_info name (the program takes a
	 * reference), and the records, insn_off in instructions, sorted.
	 * Copied. */
	struct bpfvm_btf *btf;
	const struct bpf_func_info *func_info;
	size_t func_info_cnt;
	const struct bpf_line_info *line_info;
	size_t line_info_cnt;
};

/* JIT: blind constants (as the kernel's bpf_jit_harden), so immediates the
 * program chose never appear verbatim in executable memory. */
#define BPFVM_PROG_F_JIT_BLIND (1u << 0)

/* Copy and validate `insns` (opcodes, registers, jump and call targets, lddw
 * pairs, size), resolve the maps lddw names, then pre-decode them for the
 * interpreter. lddw forms: src 0 a constant; BPF_PSEUDO_MAP_FD (1) the map
 * whose id (bpfvm_map_id) is imm; BPF_PSEUDO_MAP_VALUE (2) the address of
 * byte imm2 (the second slot's imm) of that map's value (global data:
 * ARRAY maps of one element); BPF_PSEUDO_MAP_IDX (5) / _IDX_VALUE (6) the
 * same with imm an index into opts->maps; BPF_PSEUDO_FUNC (4) a function
 * of the program (a callback, or callx). On error returns -errno (-EINVAL
 * for a bad instruction, -E2BIG past BPFVM_MAX_INSNS or 64 maps, -EBADF for
 * a map id or slot that names no map, -EPROTO for a map index without
 * opts->maps, -ENOMEM) and writes "insn N: reason" to opts->log_buf. The
 * program holds a reference to each map it uses until it is freed. */
int bpfvm_prog_create(const struct bpf_insn *insns, size_t insn_cnt,
		      const struct bpfvm_prog_opts *opts,
		      struct bpfvm_prog **out);
/* Drop a reference: the creator's, or one from bpfvm_prog_get_by_id. The
 * program goes when PROG_ARRAY slots and running tail calls have let go
 * too. NULL is fine. */
void bpfvm_prog_free(struct bpfvm_prog *prog);

/* Process-wide id (as the kernel's program ids); never 0. PROG_ARRAY
 * slots take program ids from user space. */
uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog);
/* A new reference to the program with this id (release it with
 * bpfvm_prog_free), or NULL. */
struct bpfvm_prog *bpfvm_prog_get_by_id(uint32_t id);

/* The instructions as given (maps by id or index, as the caller wrote
 * them). */
const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog);
/* What the engines run ("xlated", as bpftool says): the same slots, with
 * each map lddw's 64-bit immediate the map's address (src 1) or the
 * value's address (src 2); BPF_PSEUDO_MAP_IDX* become src 1 / 2. */
const struct bpf_insn *bpfvm_prog_xlated_insns(const struct bpfvm_prog *prog);
size_t bpfvm_prog_insn_cnt(const struct bpfvm_prog *prog);
const char *bpfvm_prog_name(const struct bpfvm_prog *prog);
struct bpfvm_env *bpfvm_prog_env(const struct bpfvm_prog *prog);
/* The maps the program uses (references it holds), in order of first use. */
size_t bpfvm_prog_map_cnt(const struct bpfvm_prog *prog);
struct bpfvm_map *bpfvm_prog_map(const struct bpfvm_prog *prog, size_t i);

enum bpf_prog_type bpfvm_prog_type(const struct bpfvm_prog *prog);
enum bpf_attach_type bpfvm_prog_attach_type(const struct bpfvm_prog *prog);
/* The source information given at creation (NULL / 0 without). */
const struct bpfvm_btf *bpfvm_prog_btf(const struct bpfvm_prog *prog);
const struct bpf_func_info *bpfvm_prog_func_info(const struct bpfvm_prog *prog,
						 size_t *cnt);
const struct bpf_line_info *bpfvm_prog_line_info(const struct bpfvm_prog *prog,
						 size_t *cnt);

enum bpfvm_engine {
	BPFVM_ENGINE_INTERP = 0,
	BPFVM_ENGINE_JIT = 1, /* x86-64 machine code */
};

/* Bounds-check every load, store and atomic against the regions the program
 * may touch: its stack frames, the run's memory, opts->regions, and the
 * memory map helpers hand out (inside one value of a map the program uses,
 * not its key or spin lock; reserved ring buffer records; writes to
 * BPF_F_RDONLY_PROG maps refused). A stray access ends the run with
 * -EFAULT instead of touching host memory. */
#define BPFVM_RUN_F_CHECKED (1u << 0)
/* Count executed instructions into opts->insn_executed (slower). */
#define BPFVM_RUN_F_COUNT (1u << 1)

/* Extra host memory a checked run may access. */
struct bpfvm_region {
	void *addr;
	size_t len;
	int writable;
};

struct bpfvm_run_opts {
	size_t sz;		/* sizeof(struct bpfvm_run_opts) */
	enum bpfvm_engine engine;
	uint32_t flags;		/* BPFVM_RUN_F_* */
	uint64_t insn_budget;	/* stop with -ETIME after this many; 0: none */
	const struct bpfvm_region *regions;
	size_t region_cnt;
	void *user;		/* for helpers: bpfvm_run_user() */
	/* out */
	uint64_t insn_executed;	/* with BPFVM_RUN_F_COUNT or a budget */
	char *err_buf;		/* why a run failed: "insn N: reason" */
	size_t err_size;
};

/* Run with r1 = mem, r2 = mem_len (r1 = r2 = 0 when mem is NULL) and
 * r10 = top of the first stack frame. On success stores r0 and returns 0.
 * Run-time errors: -EFAULT (checked mode: access outside every region),
 * -ETIME (budget exhausted), -EOVERFLOW (call depth above
 * BPFVM_MAX_CALL_DEPTH, callback frames included), -EINVAL (callx to
 * something that is neither a function nor a helper; bpf_tail_call on a
 * map that is not a PROG_ARRAY the run's programs use; a callback that is
 * not a function of the program), -EOPNOTSUPP (engine not available;
 * bpf_tail_call through callx). Tail calls, callbacks (bpf_loop,
 * bpf_for_each_map_elem), the budget and checked mode carry on across
 * each other. opts may be NULL. Runs of one program may proceed on
 * several threads at once. */
int bpfvm_prog_run(struct bpfvm_prog *prog, void *mem, size_t mem_len,
		   uint64_t *r0, struct bpfvm_run_opts *opts);

/* The machine code the JIT makes for runs with `run_flags` (BPFVM_RUN_F_*),
 * compiled now if it was not yet. Valid until the program is freed. */
struct bpfvm_jit_info {
	size_t sz;			/* sizeof(struct bpfvm_jit_info) */
	const void *code;
	size_t code_size;
	const uint32_t *insn_off;	/* insn_cnt + 1 offsets into code */
	size_t insn_cnt;
};

int bpfvm_prog_jit_info(struct bpfvm_prog *prog, uint32_t run_flags,
			struct bpfvm_jit_info *info);

/* The JIT's code as a plain function: fn(mem, mem_len) runs the program
 * with r1 = mem, r2 = mem_len (pass 0 with a NULL mem) and returns r0, at
 * the cost of a function call (bpfvm_prog_run spends ~10 ns around the
 * code: options, run state, error reporting). It is bpfvm_prog_run's
 * plain run (no BPFVM_RUN_F_* flags, no budget, no opts): in a helper,
 * bpfvm_run_user returns NULL and bpfvm_run_stop works. The run-time
 * errors a plain run can meet (call depth above BPFVM_MAX_CALL_DEPTH,
 * callx to neither a function nor a helper) end the run safely and fn
 * returns the error as (uint64_t)(int64_t)-errno (-EOVERFLOW, -EINVAL),
 * which a program may also return: bpfvm_prog_run tells them apart and
 * says why. Compiled on the first call; valid until the program is freed;
 * thread-safe like bpfvm_prog_run. Returns 0, -EINVAL or the JIT's error
 * (-EOPNOTSUPP, -ENOMEM). */
typedef uint64_t (*bpfvm_jit_fn)(void *mem, size_t mem_len);

int bpfvm_prog_jit_fn(struct bpfvm_prog *prog, bpfvm_jit_fn *fn);

/* The opts->user pointer of the run a helper was called from. */
void *bpfvm_run_user(const struct bpfvm_run *run);

#ifdef __cplusplus
}
#endif
#endif
