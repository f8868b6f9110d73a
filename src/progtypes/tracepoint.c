/* BPF_PROG_TYPE_TRACEPOINT: the ctx is the trace event's record as the
 * kernel hands it over: its 8-byte common header (which the kernel
 * overwrites with a pt_regs pointer, hence unreadable), then the event's
 * fields. Reads only, aligned to their size, below PERF_MAX_TRACE_SIZE
 * (the kernel's tp_prog_is_valid_access); the record is used as is, so
 * no access is rewritten. The kernel has no BPF_PROG_TEST_RUN for
 * tracepoints; bpfvm runs the program on a record the caller gives. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/prog_priv.h"
#include "progtypes/progtype.h"
#include "progtypes/tracing.h"

/* The record's first field the program may read: past the common header,
 * where the kernel stores its pt_regs pointer. */
#define TP_FIRST_FIELD 8u

bool pt_tracing_helper_ok(uint32_t id)
{
	switch (id) {
	/* taking the ctx: tp_prog_func_proto / raw_tp_prog_func_proto */
	case BPF_FUNC_perf_event_output:
	case BPF_FUNC_get_stackid:
	case BPF_FUNC_get_stack:
	case BPF_FUNC_get_attach_cookie:
	/* bpf_tracing_func_proto's own; the rest of its list (maps, clocks,
	 * task and cgroup queries, probe_read_{user,kernel}*, ring buffer,
	 * printk, ...) is the base set root gets everywhere */
	case BPF_FUNC_probe_write_user:
	case BPF_FUNC_probe_read:
	case BPF_FUNC_probe_read_str:
		return true;
	/* The kernel refuses maps holding a bpf_spin_lock in tracing
	 * programs ("tracing progs cannot use bpf_spin_lock yet"), so no
	 * call to these can pass its verifier. */
	case BPF_FUNC_spin_lock:
	case BPF_FUNC_spin_unlock:
		return false;
	default:
		return pt_base_helper_ok(id);
	}
}

static int tp_ctx_access(const struct pt_ctx_access *a, struct bpf_insn *insn,
			 char *why, size_t why_size)
{
	const char *bad = NULL;

	(void)insn; /* the record is the real ctx: nothing to rewrite */
	if (a->write)
		bad = "the tracepoint record is read-only";
	else if (a->off < TP_FIRST_FIELD)
		bad = "its first 8 bytes (the common header) are not readable";
	else if (a->off >= PT_MAX_TRACE_SIZE)
		bad = "past PERF_MAX_TRACE_SIZE (8192)";
	else if (a->off % a->size)
		bad = "misaligned";
	if (!bad)
		return 0;
	snprintf(why, why_size,
		 "invalid tracepoint ctx access off=%u size=%u: %s", a->off,
		 a->size, bad);
	return -EACCES;
}

/* ctx_in is the record: at least what the program reads (and the common
 * header), at most PERF_MAX_TRACE_SIZE; no packet. */
static int tp_check(const struct bpfvm_prog *prog,
		    struct bpfvm_test_run_opts *opts)
{
	uint32_t need = prog->ctx_used > TP_FIRST_FIELD ? prog->ctx_used
							: TP_FIRST_FIELD;

	if (opts->data_in || opts->data_size_in || opts->data_out ||
	    opts->data_size_out)
		return pt_fail(opts, -EINVAL,
			       "tracepoint: no data_in / data_out (the "
			       "record is ctx_in)");
	if (!opts->ctx_in)
		return pt_fail(opts, -EINVAL,
			       "tracepoint: ctx_in (the event record) is "
			       "required");
	if (opts->ctx_size_in < need ||
	    opts->ctx_size_in > PT_MAX_TRACE_SIZE)
		return pt_fail(opts, -EINVAL,
			       "tracepoint: a record of %u bytes; program "
			       "'%s' reads %u bytes of it (records are %u to "
			       "%u bytes)",
			       opts->ctx_size_in, prog->name, prog->ctx_used,
			       need, PT_MAX_TRACE_SIZE);
	if (opts->flags)
		return pt_fail(opts, -EINVAL,
			       "tracepoint: flags 0x%x not supported",
			       opts->flags);
	return 0;
}

static int tp_test_run(struct bpfvm_prog *prog,
		       struct bpfvm_test_run_opts *opts)
{
	uint64_t rec[PT_MAX_TRACE_SIZE / 8]; /* aligned as the kernel's */
	struct pt_run run = { .ctx = rec, .ctx_len = opts->ctx_size_in };
	uint64_t retval = 0;
	int err = tp_check(prog, opts);

	if (err)
		return err;
	memcpy(rec, opts->ctx_in, opts->ctx_size_in);
	err = pt_run_repeat(prog, &run, opts, &retval);
	if (err)
		return err;
	opts->retval = (uint32_t)retval;
	/* the record comes back as it went in: programs cannot write it */
	if (!opts->ctx_out)
		return 0;
	return pt_copy_out(opts->ctx_out, &opts->ctx_size_out, rec,
			   opts->ctx_size_in);
}

const struct pt_ops pt_tracepoint_ops = {
	.type = BPF_PROG_TYPE_TRACEPOINT,
	.name = "tracepoint",
	.ctx_name = "the tracepoint record",
	.ctx_access = tp_ctx_access,
	.helper_ok = pt_tracing_helper_ok,
	.test_run = tp_test_run,
};
