/* The smallest program: the cost of one run with no work in it. */
#include "bench_prog.h"

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	(void)mem;
	(void)len;
	return 42;
}
