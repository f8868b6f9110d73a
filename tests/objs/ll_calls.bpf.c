/* Load/link test object: subprograms in .text and in a section of no
 * SEC() convention, one shared by two programs, a call clang resolved
 * itself inside a program's section, a bpf_loop callback, and a line the
 * test finds through line_info ("marker = 4242"). test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile int seed = 5;
int marker;

__noinline int add3(int x)
{
	return x + 3;
}

static __noinline int twice(int x)
{
	return add3(x) * 2;
}

static __noinline int pick(int x)
{
	if (x == seed) {
		marker = 4242;	/* the line test_loader_load looks for */
		return 42;
	}
	return x;
}

__attribute__((section("ll_sub"))) __noinline int far_sub(int x)
{
	return pick(x) - 1;
}

struct loop_ctx {
	int sum;
};

static int loop_cb(__u32 i, void *c)
{
	struct loop_ctx *lc = c;

	lc->sum += i;
	return 0;
}

SEC("xdp") int prog_a(void *ctx)
{
	return twice(4);			/* 14 */
}

SEC("xdp") int prog_b(void *ctx)
{
	struct loop_ctx lc = { 0 };

	bpf_loop(5, loop_cb, &lc, 0);		/* 0+1+2+3+4 */
	return add3(lc.sum);			/* 13 */
}

SEC("tc") int prog_c(void *ctx)
{
	return far_sub(5) * 2 + pick(6);	/* 41 * 2 + 6 = 88 */
}

char LICENSE[] SEC("license") = "GPL";
