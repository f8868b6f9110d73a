/* Raw tracepoint programs: the ctx is the tracepoint's u64 arguments.
 * Loaded into the kernel too (test_kernel_pt_raw_tp), so results are
 * only functions of the arguments. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* sys_enter(struct pt_regs *regs, long id): mixes both arguments. */
SEC("raw_tp/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 regs = ctx->args[0], id = ctx->args[1];

	if (id > 1000)
		return -1;
	return (int)(id * 3 + (regs >> 32) + (regs & 0xff));
}

/* Reads narrower than 8 bytes: the halves and low bytes of args[2..3]. */
SEC("raw_tracepoint/sched_switch")
int raw_narrow(struct bpf_raw_tracepoint_args *ctx)
{
	volatile __u32 *w = (volatile __u32 *)&ctx->args[2];
	volatile __u16 *h = (volatile __u16 *)&ctx->args[3];
	volatile __u8 *b = (volatile __u8 *)&ctx->args[3];

	return w[0] ^ w[1] ^ ((__u32)h[1] << 8) ^ b[7];
}

/* The last of the 12 arguments (needs all 96 bytes). */
SEC("raw_tp/last_arg")
int raw_last(struct bpf_raw_tracepoint_args *ctx)
{
	return (int)(ctx->args[11] + ctx->args[0]);
}

/* Reads nothing: runs with no arguments at all. */
SEC("raw_tp/no_args")
int raw_none(void *ctx)
{
	return 42;
}

char _license[] SEC("license") = "GPL";
