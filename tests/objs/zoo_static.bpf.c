/* Static entry programs (local symbols in a program section), which newer
 * libbpf accepts and libbpf 1.1 refuses: alone, beside a global program
 * of the same section, and calling a static subprogram in .text. They
 * run on memory (ctx: an array of u64). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) __u64 triple(__u64 v)
{
	return v * 3;
}

SEC("tracepoint/zoo/static")
static int static_only(__u64 *ctx)
{
	return (int)(ctx[0] + 40);
}

SEC("tracepoint/zoo/first")
int global_first(__u64 *ctx)
{
	return (int)ctx[1];
}

SEC("tracepoint/zoo/first")
static int static_second(__u64 *ctx)
{
	return (int)triple(ctx[0]);
}

char LICENSE[] SEC("license") = "GPL";
