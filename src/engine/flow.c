/* What both engines share of tail calls and callbacks: bpf_tail_call's
 * lookup and count, the nested runs of bpf_loop and
 * bpf_for_each_map_elem callbacks, and which maps a run may touch. */
#include <errno.h>
#include <inttypes.h>

#include "core/log.h"
#include "core/prog_priv.h"
#include "engine/jit/jit_map.h"
#include "engine/run.h"
#include "maps/map_in_map.h"
#include "maps/prog_array.h"
#include "maps/value_access.h"

/* The run's programs: the one it began with, then those tail calls
 * entered (each referenced by the run). */
static uint32_t run_prog_cnt(const struct bpfvm_run *run)
{
	return run->prog ? 1 + run->tail_refs : 0;
}

static const struct bpfvm_prog *run_prog(const struct bpfvm_run *run,
					 uint32_t k)
{
	return k == 0 ? run->prog : run->tail_progs[k - 1];
}

static int is_map(const struct bpfvm_map *inner, void *map)
{
	return inner == map;
}

/* A map the run's programs name, or an inner map of one of those (which
 * a lookup in the outer map gave), walked only once the direct ones
 * failed: O(inner maps). */
bool eng_run_has_map(const struct bpfvm_run *run, const void *map)
{
	for (uint32_t k = 0; k < run_prog_cnt(run); k++) {
		if (core_prog_uses_map(run_prog(run, k), map))
			return true;
	}
	for (uint32_t k = 0; k < run_prog_cnt(run); k++) {
		const struct bpfvm_prog *p = run_prog(run, k);

		for (size_t i = 0; i < p->used_map_cnt; i++) {
			if (map_inner_walk(p->used_maps[i], is_map,
					   (void *)map))
				return true;
		}
	}
	return false;
}

struct bpfvm_prog *eng_tail_call(struct bpfvm_run *run, size_t insn,
				 uint64_t map_addr, uint64_t index, int *err)
{
	struct bpfvm_map *map = (struct bpfvm_map *)(uintptr_t)map_addr;
	struct bpfvm_prog *prog;

	*err = 0;
	if (!eng_run_has_map(run, map) ||
	    map->type != BPF_MAP_TYPE_PROG_ARRAY) {
		*err = core_logf(run->err_buf, run->err_size, -EINVAL,
				 "insn %zu: bpf_tail_call: r2 (0x%" PRIx64 ") "
				 "is not a PROG_ARRAY this program uses", insn,
				 map_addr);
		return NULL;
	}
	/* The kernel's x86 JIT (6.18, measured by test_kernel_map_progs):
	 * index, then the count, then the slot; only a call that happens
	 * counts (an empty slot does not). */
	if ((uint32_t)index >= map->max_entries ||
	    run->tail_cnt >= ENG_MAX_TAIL_CALLS)
		return NULL;
	prog = map_prog_array_get(map, (uint32_t)index);
	if (!prog)
		return NULL;
	run->tail_cnt++;
	run->tail_progs[run->tail_refs++] = prog;
	return prog;
}

const struct eng_code *eng_prog_code(const struct bpfvm_prog *prog)
{
	return prog->code;
}

void eng_run_release(struct bpfvm_run *run)
{
	for (uint32_t k = 0; k < run->tail_refs; k++)
		core_prog_put(run->tail_progs[k]);
	run->tail_refs = 0;
}

/* Each map's own answer (map_ops.value_access, maps/value_access.h):
 * values of every type whose lookups hand out pointers, reserved ring
 * records, inner maps' values through their outer map. */
int eng_map_access(const struct bpfvm_run *run, uint64_t addr,
		   unsigned size, bool write)
{
	for (uint32_t k = 0; k < run_prog_cnt(run); k++) {
		const struct bpfvm_prog *p = run_prog(run, k);

		for (size_t i = 0; i < p->used_map_cnt; i++) {
			int r = map_value_access(p->used_maps[i], addr, size,
						 write);

			if (r)
				return r;
		}
	}
	return 0;
}

/* The program whose decoded code holds fn (the interpreter's function
 * values are decoded slots, see decode.c). */
static const struct eng_code *code_of_fn(const struct bpfvm_run *run,
					 uint64_t fn)
{
	for (uint32_t k = 0; k < run_prog_cnt(run); k++) {
		const struct eng_code *code = run_prog(run, k)->code;
		uint64_t rel = fn - (uintptr_t)code->insns;

		if (rel < code->cnt * sizeof(*code->insns) &&
		    rel % sizeof(*code->insns) == 0)
			return code;
	}
	return NULL;
}

/* A nested start of the interpreter variant that is running. */
static int interp_callback(struct bpfvm_run *run, uint64_t fn,
			   const uint64_t args[5], uint64_t *r0)
{
	const struct eng_code *code = code_of_fn(run, fn);
	uint64_t r10 = run->cb_r10;
	unsigned depth = run->cb_depth;
	size_t insn = run->cb_insn;
	struct eng_cb_req req;
	int err;

	if (!code)
		return eng_fail_callback(run, fn);
	if (depth + 1 >= BPFVM_MAX_CALL_DEPTH)
		return eng_fail_depth(run, insn);
	req = (struct eng_cb_req){
		.code = code,
		.entry = (const struct eng_insn *)(uintptr_t)fn,
		.args = args,
		.r10 = r10 - BPFVM_STACK_SIZE,
		.depth = depth + 1,
	};
	run->cb_req = &req;
	err = run->interp(run, r0);
	/* the callback's own helper calls moved these */
	run->cb_r10 = r10;
	run->cb_depth = depth;
	run->cb_insn = insn;
	return err;
}

int eng_run_abort(struct bpfvm_run *run, int err)
{
	if (!run->stopped) {
		run->stopped = ENG_ABORT;
		run->abort_err = err;
	}
	return err;
}

int eng_run_callback(struct bpfvm_run *run, uint64_t fn,
		     const uint64_t args[5], uint64_t *r0)
{
	int err = run->interp ? interp_callback(run, fn, args, r0)
			      : jit_run_callback(run, fn, args, r0);

	if (err)
		return eng_run_abort(run, err);
	return run->stopped ? 1 : 0;
}
