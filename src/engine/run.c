/* The run entry: picks the engine and variant the options ask for, sets
 * up the run state, and formats run-time failures. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "engine/jit/jit.h"
#include "engine/run.h"
#include "maps/map_rcu.h"

/* Only what is read before being written: zeroing the whole struct (or
 * even every field) costs a short run more than it takes to run. The
 * engines write stop_r0 / abort_err with stopped, executed when counting,
 * and the cb_* fields at each helper call, before anything reads them;
 * what each run changes eng_runner_run sets. */
static void run_init(struct bpfvm_run *run, struct bpfvm_prog *prog,
		     void *mem, size_t mem_len, uint64_t budget,
		     const struct bpfvm_run_opts *opts)
{
	run->code = prog ? prog->code : NULL;
	run->prog = prog;
	run->user = OPTS_GET(opts, user, NULL);
	run->mem = mem;
	run->mem_len = mem ? mem_len : 0;
	run->budget = budget ? budget : UINT64_MAX;
	run->regions = OPTS_GET(opts, regions, NULL);
	run->region_cnt = run->regions ? OPTS_GET(opts, region_cnt, 0) : 0;
	run->err_buf = OPTS_GET(opts, err_buf, NULL);
	run->err_size = OPTS_GET(opts, err_size, 0);
	run->tail_refs = 0;
}

/* Can a run of prog reach an inner map? Through a map-in-map it names,
 * or a program a PROG_ARRAY it names holds (as jit_direct.c's rule). */
static bool reaches_inner_maps(const struct bpfvm_prog *prog)
{
	for (size_t i = 0; i < prog->used_map_cnt; i++) {
		switch (prog->used_maps[i]->type) {
		case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		case BPF_MAP_TYPE_HASH_OF_MAPS:
		case BPF_MAP_TYPE_PROG_ARRAY:
			return true;
		default:
			break;
		}
	}
	return false;
}

int eng_runner_begin(struct eng_runner *r, struct bpfvm_prog *prog,
		     void *mem, size_t mem_len,
		     const struct bpfvm_run_opts *opts)
{
	static const eng_interp_fn variants[2][2] = {
		{ eng_interp_fast, eng_interp_counted },
		{ eng_interp_checked, eng_interp_checked_counted },
	};
	uint32_t flags = OPTS_GET(opts, flags, 0);
	uint64_t budget = OPTS_GET(opts, insn_budget, 0);
	bool checked = flags & BPFVM_RUN_F_CHECKED;
	struct bpfvm_run *run = &r->run;
	enum bpfvm_engine engine;
	int err;

	r->counted = budget || (flags & BPFVM_RUN_F_COUNT);
	run_init(run, prog, mem, mem_len, budget, opts);
	run->checked = checked;
	if (run->err_buf && run->err_size)
		run->err_buf[0] = '\0';
	if (!prog)
		return core_logf(run->err_buf, run->err_size, -EINVAL,
				 "no program");
	engine = OPTS_GET(opts, engine, BPFVM_ENGINE_INTERP);
	r->img = NULL;
	r->interp = variants[checked][r->counted];
	if (engine == BPFVM_ENGINE_JIT) {
		err = jit_prog_image(prog,
				     (checked ? JIT_F_CHECKED : 0) |
					     (r->counted ? JIT_F_COUNTED : 0),
				     &r->img, run->err_buf, run->err_size);
		if (err)
			return err;
		r->interp = NULL;
	} else if (engine != BPFVM_ENGINE_INTERP) {
		return core_logf(run->err_buf, run->err_size, -EOPNOTSUPP,
				 "unknown engine %d", (int)engine);
	}
	/* Inner maps and their values stay valid while a run may use them
	 * (map_rcu.h). Only those are deferred: a mfence spared elsewhere. */
	r->rcu = reaches_inner_maps(prog);
	if (r->rcu)
		map_rcu_read_lock();
	return 0;
}

/* What a run changes of the state: set again before each. */
int eng_runner_run(struct eng_runner *r, const uint8_t *pkt, size_t pkt_len,
		   uint64_t *r0)
{
	struct bpfvm_run *run = &r->run;
	int err;

	run->stopped = 0;
	run->executed = 0;
	run->tail_cnt = 0;
	run->extra = NULL;
	run->cb_req = NULL;
	run->interp = r->interp;
	run->pkt = pkt ? pkt : run->mem;
	run->pkt_len = pkt ? pkt_len : run->mem_len;
	err = r->img ? jit_run(r->img, run, r0) : r->interp(run, r0);
	if (run->tail_refs)
		eng_run_release(run);
	return err;
}

void eng_runner_end(struct eng_runner *r, struct bpfvm_run_opts *opts)
{
	if (r->rcu)
		map_rcu_read_unlock();
	if (r->counted)
		OPTS_SET(opts, insn_executed, r->run.executed);
}

/* Every run but the shortcut's (bpfvm_prog_run). Not inlined: the
 * shortcut then pays nothing for this one's frame. */
static __attribute__((noinline)) int
prog_run(struct bpfvm_prog *prog, void *mem, size_t mem_len,
	 const uint8_t *pkt, size_t pkt_len, uint64_t *r0,
	 struct bpfvm_run_opts *opts)
{
	struct eng_runner r;
	uint64_t r0_local;
	int err;

	err = eng_runner_begin(&r, prog, mem, mem_len, opts);
	if (err)
		return err;
	err = eng_runner_run(&r, pkt, pkt_len, r0 ? r0 : &r0_local);
	eng_runner_end(&r, opts);
	return err;
}

/* A plain JIT run of a program without calls or maps, compiled by an
 * earlier run, calls its code as the C function it is: the code needs
 * no run state (jit_prog_leaf_fn). */
int bpfvm_prog_run(struct bpfvm_prog *prog, void *mem, size_t mem_len,
		   uint64_t *r0, struct bpfvm_run_opts *opts)
{
	uint32_t flags = OPTS_GET(opts, flags, 0);
	bpfvm_jit_fn leaf;
	char *buf;

	if (!prog || (flags & (BPFVM_RUN_F_COUNT | BPFVM_RUN_F_CHECKED)) ||
	    OPTS_GET(opts, insn_budget, 0) || prog->used_map_cnt ||
	    OPTS_GET(opts, engine, BPFVM_ENGINE_INTERP) != BPFVM_ENGINE_JIT ||
	    !(leaf = jit_prog_leaf_fn(prog)))
		return prog_run(prog, mem, mem_len, NULL, 0, r0, opts);
	buf = OPTS_GET(opts, err_buf, NULL);
	if (buf && OPTS_GET(opts, err_size, 0))
		buf[0] = '\0';
	if (r0)
		*r0 = leaf(mem, mem ? mem_len : 0);
	else
		leaf(mem, mem ? mem_len : 0);
	return 0;
}

int eng_prog_run_pkt(struct bpfvm_prog *prog, void *ctx, size_t ctx_len,
		     const uint8_t *pkt, size_t pkt_len, uint64_t *r0,
		     struct bpfvm_run_opts *opts)
{
	return prog_run(prog, ctx, ctx_len, pkt, pkt_len, r0, opts);
}

void bpfvm_run_stop(struct bpfvm_run *run, uint64_t r0)
{
	run->stopped = ENG_STOP;
	run->stop_r0 = r0;
}

void *bpfvm_run_user(const struct bpfvm_run *run)
{
	return run->user;
}

/* Does [addr, addr + size) lie inside [lo, lo + len)? Overflow-safe. */
static bool within(uint64_t addr, unsigned size, uint64_t lo, uint64_t len)
{
	return addr >= lo && len >= size && addr - lo <= len - size;
}

int eng_check_access(const struct bpfvm_run *run, size_t insn, uint64_t addr,
		     unsigned size, bool write, bool atomic, uint64_t frame_lo,
		     uint64_t stack_hi)
{
	const char *kind = atomic ? "atomic access" : write ? "store" : "load";
	const char *prep = write ? "to" : "from";
	bool read_only = false;

	if (atomic && addr % size)
		return core_logf(run->err_buf, run->err_size, -EFAULT,
				 "insn %zu: %u-byte %s %s 0x%" PRIx64
				 " is misaligned", insn, size, kind, prep, addr);
	if (within(addr, size, frame_lo, stack_hi - frame_lo) ||
	    within(addr, size, (uintptr_t)run->mem, run->mem_len))
		return 0;
	for (size_t i = 0; i < run->region_cnt; i++) {
		const struct bpfvm_region *r = &run->regions[i];

		if (!within(addr, size, (uintptr_t)r->addr, r->len))
			continue;
		if (!write || r->writable)
			return 0;
		read_only = true;
	}
	for (const struct eng_extra *e = run->extra; e; e = e->next) {
		if (!within(addr, size, (uintptr_t)e->region.addr,
			    e->region.len))
			continue;
		if (!write || e->region.writable)
			return 0;
		read_only = true;
	}
	switch (eng_map_access(run, addr, size, write)) {
	case 1:
		return 0;
	case -1:
		read_only = true;
		break;
	}
	if (read_only)
		return core_logf(run->err_buf, run->err_size, -EFAULT,
				 "insn %zu: %u-byte %s %s 0x%" PRIx64
				 " hits a read-only region", insn, size, kind,
				 prep, addr);
	return core_logf(run->err_buf, run->err_size, -EFAULT,
			 "insn %zu: %u-byte %s %s 0x%" PRIx64 " is outside the "
			 "stack, the input memory, the host's regions and "
			 "the map values the program may reach",
			 insn, size, kind, prep, addr);
}

int eng_fail_depth(const struct bpfvm_run *run, size_t insn)
{
	return core_logf(run->err_buf, run->err_size, -EOVERFLOW,
			 "insn %zu: call depth %u exceeds %u", insn,
			 BPFVM_MAX_CALL_DEPTH + 1, BPFVM_MAX_CALL_DEPTH);
}

int eng_fail_budget(const struct bpfvm_run *run, size_t insn)
{
	return core_logf(run->err_buf, run->err_size, -ETIME,
			 "insn %zu: instruction budget of %" PRIu64
			 " exceeded", insn, run->budget);
}

int eng_fail_callx(const struct bpfvm_run *run, size_t insn, uint64_t target)
{
	return core_logf(run->err_buf, run->err_size, -EINVAL,
			 "insn %zu: callx to 0x%" PRIx64 ", which is neither a "
			 "function of this program nor a registered helper",
			 insn, target);
}

int eng_fail_invalid(const struct bpfvm_run *run, size_t insn)
{
	return core_logf(run->err_buf, run->err_size, -EINVAL,
			 "insn %zu: not the start of an instruction", insn);
}

int eng_fail_callback(const struct bpfvm_run *run, uint64_t fn)
{
	return core_logf(run->err_buf, run->err_size, -EINVAL,
			 "insn %zu: callback 0x%" PRIx64 " is not a function "
			 "of this program", run->cb_insn, fn);
}
