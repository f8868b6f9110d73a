/* BPF_PROG_TEST_RUN (include/bpfvm/test_run.h): the entry, which hands
 * the run to the program's type, and what the types' test runs share
 * (the kernel's bpf_test_run and bpf_test_finish, net/bpf/test_run.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "engine/engine.h"
#include "engine/run.h"
#include "progtypes/plain.h"
#include "progtypes/progtype.h"
#include "progtypes/redirect.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's; what BPF_PROG_TEST_RUN returns */
#endif

int pt_fail(struct bpfvm_test_run_opts *opts, int err, const char *fmt, ...)
{
	va_list ap;

	if (!opts->err_buf || !opts->err_size)
		return err;
	va_start(ap, fmt);
	vsnprintf(opts->err_buf, opts->err_size, fmt, ap);
	va_end(ap);
	return err;
}

/* As bpf_test_finish, no buffer and no capacity only asks for the size.
 * (The kernel copies everything to a buffer given with capacity 0; here
 * that buffer gets nothing and the call -ENOSPC.) */
int pt_copy_out(void *out, uint32_t *cap, const void *src, uint32_t len)
{
	uint32_t n = len < *cap ? len : *cap;

	if (out && n)
		memcpy(out, src, n);
	if (!out && !*cap)
		n = len;
	*cap = len;
	return n < len ? -ENOSPC : 0;
}

bool pt_range_is_zero(const void *ctx, size_t from, size_t to)
{
	const uint8_t *b = ctx;

	for (size_t i = from; i < to; i++) {
		if (b[i])
			return false;
	}
	return true;
}

int pt_ctx_init(struct bpfvm_test_run_opts *o, void *dst, size_t size,
		const char *name)
{
	uint32_t n = o->ctx_in ? o->ctx_size_in : 0;

	memset(dst, 0, size);
	if (n > 4096 || (n > size && !pt_range_is_zero(o->ctx_in, size, n)))
		return pt_fail(o, -E2BIG, "ctx_in: %u bytes, nonzero past "
			       "struct %s (%zu bytes)", n, name, size);
	if (n)
		memcpy(dst, o->ctx_in, n < size ? n : size);
	return 0;
}

/* NO_DURATION is the entry's business: the types see the flags without
 * it (their checks refuse flags that are not theirs) and pt_run_repeat
 * reads it here. */
static _Thread_local bool no_duration;

/* As bpf_test_run: the loop is timed as a whole, on the cheap clock
 * (clock.h), and the engine set up once for every run (eng_runner). */
int pt_run_repeat(struct bpfvm_prog *prog, const struct pt_run *run,
		  struct bpfvm_test_run_opts *opts, uint64_t *retval)
{
	struct bpfvm_run_opts ro = {
		.sz = sizeof(ro),
		.engine = opts->engine,
		.flags = opts->run_flags,
		.regions = run->regions,
		.region_cnt = run->region_cnt,
		.err_buf = opts->err_buf,
		.err_size = opts->err_size,
	};
	uint32_t repeat = opts->repeat ? opts->repeat : 1;
	struct eng_runner r;
	uint64_t r0 = 0, start, ns;
	int err;

	err = eng_runner_begin(&r, prog, run->ctx, run->ctx_len, &ro);
	if (err)
		return err;
	start = no_duration ? 0 : core_clock_ns();
	for (uint32_t i = 0; i < repeat && !err; i++) {
		pt_redirect_clear();
		/* run->pkt: skb helpers that move the packet update it */
		err = eng_runner_run(&r, run->pkt, run->pkt_len, &r0);
	}
	ns = no_duration ? 0 : (core_clock_ns() - start) / repeat;
	eng_runner_end(&r, &ro);
	if (err)
		return err;
	opts->duration = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
	opts->redirect = pt_redirect_get();
	*retval = r0;
	return 0;
}

/* The caller's opts as this version's struct: fields past its sz are
 * zero (the libbpf opts rule: bytes past ours must be zero too). */
static int opts_load(struct bpfvm_test_run_opts *local,
		     const struct bpfvm_test_run_opts *opts)
{
	size_t n = opts->sz < sizeof(*local) ? opts->sz : sizeof(*local);

	if (opts->sz < sizeof(opts->sz))
		return -EINVAL;
	for (size_t i = sizeof(*local); i < opts->sz; i++) {
		if (((const uint8_t *)opts)[i])
			return -EINVAL;
	}
	memset(local, 0, sizeof(*local));
	memcpy(local, opts, n);
	local->sz = sizeof(*local);
	return 0;
}

static int test_run_checked(struct bpfvm_prog *prog,
			    struct bpfvm_test_run_opts *o)
{
	enum bpf_prog_type type = bpfvm_prog_type(prog);
	const struct pt_ops *ops = pt_find(type);

	if (o->err_buf && o->err_size)
		o->err_buf[0] = '\0';
	if ((!o->data_in && o->data_size_in) || (!o->ctx_in && o->ctx_size_in))
		return pt_fail(o, -EINVAL, "data_in / ctx_in is NULL but its "
					   "size is not 0");
	if (o->ctx_in && !o->ctx_size_in) /* bpf_prog_test_run's rule */
		return pt_fail(o, -EINVAL, "ctx_in of size 0");
	if (o->flags & ~(BPFVM_TEST_RUN_F_L2 | BPFVM_TEST_RUN_F_NO_DURATION))
		return pt_fail(o, -EINVAL, "unknown flags 0x%x",
			       o->flags & ~(BPFVM_TEST_RUN_F_L2 |
					    BPFVM_TEST_RUN_F_NO_DURATION));
	o->retval = 0;
	o->duration = 0;
	o->redirect = (struct bpfvm_redirect){ 0 };
	if (!ops) /* no type, or one bpfvm has no rules for */
		return pt_plain_test_run(prog, o);
	if (!ops->test_run)
		return pt_fail(o, -ENOTSUPP, "program type %s has no test run",
			       ops->name);
	return ops->test_run(prog, o);
}

static int test_run_typed(struct bpfvm_prog *prog,
			  struct bpfvm_test_run_opts *o)
{
	uint32_t flags = o->flags;
	int err;

	no_duration = flags & BPFVM_TEST_RUN_F_NO_DURATION;
	o->flags &= ~BPFVM_TEST_RUN_F_NO_DURATION;
	err = test_run_checked(prog, o);
	o->flags = flags;
	return err;
}

int bpfvm_prog_test_run(struct bpfvm_prog *prog,
			struct bpfvm_test_run_opts *opts)
{
	struct bpfvm_test_run_opts local;
	int err;

	if (!opts)
		return -EINVAL;
	if (opts->sz == sizeof(*opts)) /* this version's: no copies */
		return prog ? test_run_typed(prog, opts)
			    : pt_fail(opts, -EINVAL, "no program");
	err = opts_load(&local, opts);
	if (err)
		return err;
	if (!prog)
		return pt_fail(&local, -EINVAL, "no program");
	err = test_run_typed(prog, &local);
	local.sz = opts->sz;
	memcpy(opts, &local, opts->sz < sizeof(local) ? opts->sz
						       : sizeof(local));
	return err;
}
