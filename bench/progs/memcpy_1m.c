/* Copy 1 MiB, eight bytes at a time: pure load/store throughput. The
 * harness checks the destination afterwards. */
#include "bench_prog.h"

#define COPY_BYTES (1u << 20)

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	const __u64 *src = mem;
	__u64 *dst = (__u64 *)((char *)mem + COPY_BYTES);

	if (len < 2 * COPY_BYTES)
		return 0;
	for (__u32 i = 0; i < COPY_BYTES / sizeof(*dst); i++)
		dst[i] = src[i];
	return COPY_BYTES;
}
