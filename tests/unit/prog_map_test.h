/* Shared by the tests of maps in programs, tail calls and callbacks:
 * lddw forms of map references, map and program construction, and runs
 * in every engine configuration (interpreter and JIT, each plain,
 * checked, counted and both, plus the JIT blinded and its direct entry). */
#ifndef BPFVM_TESTS_PROG_MAP_TEST_H
#define BPFVM_TESTS_PROG_MAP_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpfvm/bpfvm.h>
#include <bpfvm/map.h>

#include "check.h"
#include "insn_build.h"

#define LD_MAP(d, id) LD_IMM64_RAW(d, BPF_PSEUDO_MAP_FD, id, 0)
#define LD_MAP_VALUE(d, id, off) LD_IMM64_RAW(d, BPF_PSEUDO_MAP_VALUE, id, off)
#define LD_MAP_IDX(d, i) LD_IMM64_RAW(d, 5 /* BPF_PSEUDO_MAP_IDX */, i, 0)
#define LD_MAP_IDX_VALUE(d, i, off) LD_IMM64_RAW(d, 6, i, off)

/* How a test runs a program. */
struct cfg {
	const char *name;
	enum bpfvm_engine engine;
	uint32_t flags;		/* BPFVM_RUN_F_* */
	bool blind;		/* the program's blinded twin */
	bool direct;		/* bpfvm_prog_jit_fn (no flags, no errors) */
};

static const struct cfg cfgs[] = {
	{ "interp", BPFVM_ENGINE_INTERP, 0, false, false },
	{ "interp-checked", BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED, false,
	  false },
	{ "interp-counted", BPFVM_ENGINE_INTERP, BPFVM_RUN_F_COUNT, false,
	  false },
	{ "interp-checked-counted", BPFVM_ENGINE_INTERP,
	  BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT, false, false },
	{ "jit", BPFVM_ENGINE_JIT, 0, false, false },
	{ "jit-checked", BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED, false, false },
	{ "jit-counted", BPFVM_ENGINE_JIT, BPFVM_RUN_F_COUNT, false, false },
	{ "jit-checked-counted", BPFVM_ENGINE_JIT,
	  BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT, false, false },
	{ "jit-blind", BPFVM_ENGINE_JIT, 0, true, false },
	{ "jit-direct", BPFVM_ENGINE_JIT, 0, false, true },
};
#define NCFG (sizeof(cfgs) / sizeof(cfgs[0]))

static inline struct bpfvm_map *mk_map(enum bpf_map_type type, uint32_t key_size,
				uint32_t value_size, uint32_t max_entries,
				uint32_t map_flags)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = map_flags };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(type, key_size, value_size, max_entries,
				   &o, &m);

	if (err)
		fprintf(stderr, "map create (type %d): %d\n", (int)type, err);
	CHECK(err == 0);
	return m;
}

/* Create with maps by index; log to stderr on failure. */
static inline struct bpfvm_prog *mk_prog_env(const struct bpf_insn *insns,
				      size_t cnt, struct bpfvm_env *env,
				      struct bpfvm_map *const *maps,
				      size_t map_cnt, uint32_t flags)
{
	char log[256];
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .env = env,
				     .log_buf = log, .log_size = sizeof(log),
				     .flags = flags, .maps = maps,
				     .map_cnt = map_cnt };
	struct bpfvm_prog *p = NULL;
	int err = bpfvm_prog_create(insns, cnt, &o, &p);

	if (err)
		fprintf(stderr, "prog create: %d: %s\n", err, log);
	CHECK(err == 0);
	return p;
}

/* Create's error and message, for rejections. */
static inline int create_err(const struct bpf_insn *insns, size_t cnt,
		      struct bpfvm_map *const *maps, size_t map_cnt,
		      char *log, size_t log_size)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .log_buf = log,
				     .log_size = log_size, .maps = maps,
				     .map_cnt = map_cnt };
	struct bpfvm_prog *p = NULL;
	int err = bpfvm_prog_create(insns, cnt, &o, &p);

	bpfvm_prog_free(p);
	return err;
}

struct outcome {
	int err;
	uint64_t r0;
	uint64_t executed;
	char msg[256];
};

/* One run of prog (or blind, its blinded twin) in configuration c. */
static inline struct outcome run_cfg(struct bpfvm_prog *prog,
			      struct bpfvm_prog *blind, const struct cfg *c,
			      void *mem, size_t len, uint64_t budget)
{
	struct outcome o = { 0 };
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = c->engine,
				     .flags = c->flags, .insn_budget = budget,
				     .err_buf = o.msg,
				     .err_size = sizeof(o.msg) };
	bpfvm_jit_fn fn;

	if (c->direct) {
		o.err = bpfvm_prog_jit_fn(prog, &fn);
		if (!o.err)
			o.r0 = fn(mem, mem ? len : 0);
		return o;
	}
	o.err = bpfvm_prog_run(c->blind ? blind : prog, mem, len, &o.r0, &ro);
	o.executed = ro.insn_executed;
	return o;
}

#endif
