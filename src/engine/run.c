/* The run entry: picks the interpreter variant the options ask for, sets
 * up the run state, and formats run-time failures. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "engine/jit/jit.h"
#include "engine/run.h"

typedef int (*interp_fn)(struct bpfvm_run *run, uint64_t *r0);

int bpfvm_prog_run(struct bpfvm_prog *prog, void *mem, size_t mem_len,
		   uint64_t *r0, struct bpfvm_run_opts *opts)
{
	static const interp_fn variants[2][2] = {
		{ eng_interp_fast, eng_interp_counted },
		{ eng_interp_checked, eng_interp_checked_counted },
	};
	uint32_t flags = OPTS_GET(opts, flags, 0);
	uint64_t budget = OPTS_GET(opts, insn_budget, 0);
	bool counted = budget || (flags & BPFVM_RUN_F_COUNT);
	bool checked = flags & BPFVM_RUN_F_CHECKED;
	struct bpfvm_run run = {
		.code = prog ? prog->code : NULL,
		.user = OPTS_GET(opts, user, NULL),
		.mem = mem,
		.mem_len = mem ? mem_len : 0,
		.budget = budget ? budget : UINT64_MAX,
		.regions = OPTS_GET(opts, regions, NULL),
		.region_cnt = OPTS_GET(opts, region_cnt, 0),
		.err_buf = OPTS_GET(opts, err_buf, NULL),
		.err_size = OPTS_GET(opts, err_size, 0),
	};
	enum bpfvm_engine engine;
	uint64_t r0_local;
	int err;

	if (run.err_buf && run.err_size)
		run.err_buf[0] = '\0';
	if (!prog)
		return core_logf(run.err_buf, run.err_size, -EINVAL,
				 "no program");
	engine = OPTS_GET(opts, engine, BPFVM_ENGINE_INTERP);
	if (engine != BPFVM_ENGINE_INTERP && engine != BPFVM_ENGINE_JIT)
		return core_logf(run.err_buf, run.err_size, -EOPNOTSUPP,
				 "unknown engine %d", (int)engine);
	if (!run.regions)
		run.region_cnt = 0;
	if (engine == BPFVM_ENGINE_JIT)
		err = jit_prog_run(prog, &run,
				   (checked ? JIT_F_CHECKED : 0) |
					   (counted ? JIT_F_COUNTED : 0),
				   r0 ? r0 : &r0_local);
	else
		err = variants[checked][counted](&run, r0 ? r0 : &r0_local);
	if (counted)
		OPTS_SET(opts, insn_executed, run.executed);
	return err;
}

void bpfvm_run_stop(struct bpfvm_run *run, uint64_t r0)
{
	run->stopped = true;
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
	if (read_only)
		return core_logf(run->err_buf, run->err_size, -EFAULT,
				 "insn %zu: %u-byte %s %s 0x%" PRIx64
				 " hits a read-only region", insn, size, kind,
				 prep, addr);
	return core_logf(run->err_buf, run->err_size, -EFAULT,
			 "insn %zu: %u-byte %s %s 0x%" PRIx64 " is outside the "
			 "stack, the input memory and the host's regions",
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
