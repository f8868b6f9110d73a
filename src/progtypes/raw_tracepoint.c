/* BPF_PROG_TYPE_RAW_TRACEPOINT: the ctx is the tracepoint's arguments as
 * an array of u64 (struct bpf_raw_tracepoint_args), at most 12 of them.
 * Reads only, aligned to their size (the kernel's
 * raw_tp_prog_is_valid_access / bpf_tracing_ctx_access); nothing is
 * rewritten. test_run is the kernel's bpf_prog_test_run_raw_tp. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/prog_priv.h"
#include "progtypes/progtype.h"
#include "progtypes/tracing.h"

#define RAW_TP_CTX_MAX (PT_RAW_TP_MAX_ARGS * 8u)

static int raw_tp_ctx_access(const struct pt_ctx_access *a,
			     struct bpf_insn *insn, char *why,
			     size_t why_size)
{
	const char *bad = NULL;

	(void)insn; /* the args array is the real ctx */
	if (a->write)
		bad = "the arguments are read-only";
	else if (a->off >= RAW_TP_CTX_MAX)
		bad = "past the 12th argument";
	else if (a->off % a->size)
		bad = "misaligned";
	if (!bad)
		return 0;
	snprintf(why, why_size,
		 "invalid raw_tracepoint ctx access off=%u size=%u: %s",
		 a->off, a->size, bad);
	return -EACCES;
}

/* The kernel's rules: only ctx_in (no packet, no ctx_out, no repeat),
 * covering what the program reads and at most 12 arguments. */
static int raw_tp_check(const struct bpfvm_prog *prog,
			struct bpfvm_test_run_opts *opts)
{
	if (opts->data_in || opts->data_size_in || opts->data_out ||
	    opts->ctx_out)
		return pt_fail(opts, -EINVAL,
			       "raw_tracepoint: only ctx_in (the arguments); "
			       "no data_in, data_out or ctx_out");
	/* repeat 0 and 1 are one run in bpfvm; the kernel accepts only 0 */
	if (opts->repeat > 1)
		return pt_fail(opts, -EINVAL,
			       "raw_tracepoint: repeat is not supported");
	if (opts->flags)
		return pt_fail(opts, -EINVAL,
			       "raw_tracepoint: flags 0x%x not supported "
			       "(runs are on the calling thread)",
			       opts->flags);
	/* the kernel's rule for every type (bpf_prog_test_run) */
	if (opts->ctx_in && !opts->ctx_size_in)
		return pt_fail(opts, -EINVAL,
			       "raw_tracepoint: ctx_in with ctx_size_in 0");
	if (opts->ctx_size_in < prog->ctx_used ||
	    opts->ctx_size_in > RAW_TP_CTX_MAX)
		return pt_fail(opts, -EINVAL,
			       "raw_tracepoint: ctx_size_in %u: program '%s' "
			       "reads %u bytes of arguments (at most %u)",
			       opts->ctx_size_in, prog->name, prog->ctx_used,
			       RAW_TP_CTX_MAX);
	return 0;
}

static int raw_tp_test_run(struct bpfvm_prog *prog,
			   struct bpfvm_test_run_opts *opts)
{
	uint64_t args[PT_RAW_TP_MAX_ARGS] = { 0 };
	struct pt_run run = { .ctx = args, .ctx_len = opts->ctx_size_in };
	uint64_t retval = 0;
	int err = raw_tp_check(prog, opts);

	if (err)
		return err;
	if (opts->ctx_in)
		memcpy(args, opts->ctx_in, opts->ctx_size_in);
	else
		run.ctx = NULL; /* as the kernel: no arguments, a NULL ctx */
	err = pt_run_repeat(prog, &run, opts, &retval);
	if (!err)
		opts->retval = (uint32_t)retval;
	return err;
}

const struct pt_ops pt_raw_tracepoint_ops = {
	.type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.name = "raw_tracepoint",
	.ctx_name = "struct bpf_raw_tracepoint_args",
	.ctx_access = raw_tp_ctx_access,
	.helper_ok = pt_tracing_helper_ok,
	.test_run = raw_tp_test_run,
};
