#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engines.h"

/* Results of timed runs land here so no run can be optimized away. */
static volatile __u64 bench_sink;

static int native_run_n(void *ctx, __u64 n, double *elapsed_ns)
{
	struct native_run *r = ctx;
	__u64 acc = 0;
	double t0 = timing_cpu_ns();

	/* r->fn lives in another translation unit, reached through a
	 * pointer: the call cannot be inlined or hoisted out of the loop. */
	for (__u64 i = 0; i < n; i++)
		acc += r->fn(r->mem, r->mem_size);
	*elapsed_ns = timing_cpu_ns() - t0;
	bench_sink = acc;
	return 0;
}

struct batch native_batch(struct native_run *r)
{
	return (struct batch){ .run = native_run_n, .ctx = r };
}

static int bpfvm_run_n(void *ctx, __u64 n, double *elapsed_ns)
{
	struct bpfvm_bench_run *r = ctx;
	struct bpfvm_run_opts opts = { .sz = sizeof(opts), .engine = r->engine };
	__u64 acc = 0;
	double t0 = timing_cpu_ns();

	for (__u64 i = 0; i < n; i++) {
		uint64_t r0;
		int err = bpfvm_prog_run(r->prog, r->mem, r->mem_size, &r0,
					 &opts);

		if (err)
			return err;
		acc += r0;
	}
	*elapsed_ns = timing_cpu_ns() - t0;
	bench_sink = acc;
	return 0;
}

/* The JIT's code as a function: timed like the native code. */
static int direct_run_n(void *ctx, __u64 n, double *elapsed_ns)
{
	struct bpfvm_bench_run *r = ctx;
	__u64 acc = 0;
	double t0 = timing_cpu_ns();

	for (__u64 i = 0; i < n; i++)
		acc += r->direct(r->mem, r->mem_size);
	*elapsed_ns = timing_cpu_ns() - t0;
	bench_sink = acc;
	return 0;
}

struct batch bpfvm_batch(struct bpfvm_bench_run *r)
{
	if (r->direct)
		return (struct batch){ .run = direct_run_n, .ctx = r };
	return (struct batch){ .run = bpfvm_run_n, .ctx = r };
}

__u64 bpfvm_check_direct(struct bpfvm_bench_run *r)
{
	return r->direct(r->mem, r->mem_size);
}

int bench_prog_create(const struct bench_code *code, struct bpfvm_prog **prog,
		      char *err, size_t err_size)
{
	size_t cnt = code->bpf_size / sizeof(struct bpf_insn);
	struct bpf_insn *insns = malloc(code->bpf_size);
	struct bpfvm_prog_opts opts = {
		.sz = sizeof(opts),
		.name = code->name,
		.log_buf = err,
		.log_size = err_size,
	};
	int ret;

	if (!insns)
		return -ENOMEM;
	/* The embedded bytes carry no alignment guarantee. */
	memcpy(insns, code->bpf, code->bpf_size);
	ret = bpfvm_prog_create(insns, cnt, &opts, prog);
	free(insns);
	return ret;
}

/* The empty program, r0 = 0: what calling a program costs. */
int bench_empty_prog_create(struct bpfvm_prog **prog)
{
	static const struct bpf_insn empty[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "empty" };

	return bpfvm_prog_create(empty, 2, &opts, prog);
}

/* The native empty function, in this file so that bench's other code
 * reaches it only through a pointer (like every benchmark's). */
__attribute__((noinline)) __u64 bench_native_empty(void *mem, __u64 len)
{
	(void)mem;
	(void)len;
	__asm__ volatile("" ::: "memory");
	return 0;
}

int bpfvm_check_run(struct bpfvm_bench_run *r, __u64 *r0, __u64 *insns,
		    char *err, size_t err_size)
{
	struct bpfvm_run_opts opts = {
		.sz = sizeof(opts),
		.engine = r->engine,
		.flags = insns ? BPFVM_RUN_F_COUNT : 0,
		.err_buf = err,
		.err_size = err_size,
	};
	uint64_t res = 0;
	int ret = bpfvm_prog_run(r->prog, r->mem, r->mem_size, &res, &opts);

	*r0 = res;
	if (insns)
		*insns = opts.insn_executed;
	return ret;
}
