/* Program layout shapes: several programs per section, subprograms in .text (static, global, and one called from
 * programs of two sections), a bpf_loop callback, a global function
 * taking a pointer. Every program runs on memory: ctx is an array of
 * u64 it reads; the tracepoint programs' starts after the record's first
 * 8 bytes (the common header, which the kernel lets none read). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* static subprogram in .text */
static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b)
{
	return (a ^ (b << 3)) + 0x1234;
}

/* global subprogram in .text (the kernel verifies it on its own) */
__attribute__((noinline)) int sum_arr(__u64 *arr, int n)
{
	int s = 0;

	if (!arr)
		return 0;
	for (int i = 0; i < n && i < 4; i++)
		s += (int)arr[i];
	return s;
}

struct loop_ctx {
	__u64 acc;
	__u64 step;
};

static long loop_cb(__u32 i, void *data)
{
	struct loop_ctx *lc = data;

	lc->acc += i * lc->step;
	return lc->acc > 100000 ? 1 : 0;
}

/* Two programs in one section. */
SEC("tracepoint/zoo/first")
int multi_a(__u64 *rec)
{
	__u64 *ctx = rec + 1;

	return (int)mix(ctx[0], ctx[1]);
}

SEC("tracepoint/zoo/first")
int multi_b(__u64 *rec)
{
	__u64 *ctx = rec + 1;
	__u64 arr[4] = { ctx[0], ctx[1], 3, 4 };

	return sum_arr(arr, 4) + (int)mix(1, 2);
}

/* bpf_loop with a callback in .text: sum of i * step for i < ctx[0]. */
SEC("tracepoint/zoo/loop")
int multi_loop(__u64 *rec)
{
	__u64 *ctx = rec + 1;
	struct loop_ctx lc = { .acc = 0, .step = ctx[1] };

	bpf_loop((__u32)ctx[0], loop_cb, &lc, 0);
	return (int)lc.acc;
}

/* Three programs in a second section, two calling the same subprogram. */
SEC("raw_tracepoint/zoo")
int multi_raw1(__u64 *ctx)
{
	return (int)mix(ctx[0], 0);
}

SEC("raw_tracepoint/zoo")
int multi_raw2(__u64 *ctx)
{
	/* sum_arr walks memory; the ctx is read only at fixed offsets */
	__u64 args[2] = { ctx[0], ctx[1] };

	return (int)mix(0, ctx[0]) + sum_arr(args, 2);
}

SEC("raw_tracepoint/zoo")
int multi_raw3(__u64 *ctx)
{
	return sum_arr(0, 0) + 77;
}

char LICENSE[] SEC("license") = "GPL";
