/* Copy 4 KiB byte by byte and sum the bytes on the way: the byte loop a
 * native compiler vectorizes (compare the two native columns). The harness
 * checks the destination afterwards. */
#include "bench_prog.h"

#define COPY_BYTES 4096

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	const __u8 *src = mem;
	__u8 *dst = (__u8 *)mem + COPY_BYTES;
	__u64 sum = 0;

	if (len < 2 * COPY_BYTES)
		return 0;
	for (int i = 0; i < COPY_BYTES; i++) {
		__u8 b = src[i];

		dst[i] = b;
		sum += b;
	}
	return sum;
}
