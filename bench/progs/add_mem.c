/* a + b, both loaded from memory: run overhead plus two loads. */
#include "bench_prog.h"

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	__u64 *v = mem;

	if (len < 2 * sizeof(*v))
		return 0;
	return v[0] + v[1];
}
