/* Calls bpfvm follows and libbpf refuses: a program calling a function
 * that lives in another executable section (not .text), and a program
 * calling a static function of its own section. Both run on memory, a
 * record whose first 8 bytes (the common header) no program reads. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A function in a section of its own: a subprogram of xsec_main (and,
 * by libbpf's rules, a program of that section too). */
SEC("tracepoint/zoo/helpers")
__attribute__((noinline)) int xsec_helper(__u64 *ctx)
{
	return (int)(ctx[1] * 2 + 1);
}

/* A static function in the program's own section. */
SEC("tracepoint/zoo/main")
static __attribute__((noinline)) int xsec_local(__u64 v)
{
	return (int)(v + 1000);
}

SEC("tracepoint/zoo/main")
int xsec_main(__u64 *ctx)
{
	return xsec_helper(ctx) + xsec_local(ctx[1]);
}

char LICENSE[] SEC("license") = "GPL";
