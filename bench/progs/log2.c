/* Sum of floor(log2(v)) over 8192 u64 values: a tight loop of shifts,
 * compares and branches (native code turns them into cmov chains). */
#include "bench_prog.h"

#define LOG2_VALUES 8192

static __always_inline __u64 log2_u64(__u64 v)
{
	__u64 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	const __u64 *v = mem;
	__u64 n = len / sizeof(*v);
	__u64 sum = 0;

	for (__u64 i = 0; i < n && i < LOG2_VALUES; i++)
		sum += log2_u64(v[i]);
	return sum;
}
