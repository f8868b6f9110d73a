/* strcmp of two NUL-terminated strings of at most STR_MAX bytes, at mem and
 * mem + STR_MAX: a byte loop with two exits. The harness runs it on strings
 * that differ early and on equal ones (which run to the end). */
#include "bench_prog.h"

#define STR_MAX 256

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	const __u8 *a = mem;
	const __u8 *b = a + STR_MAX;

	if (len < 2 * STR_MAX)
		return 0;
	for (int i = 0; i < STR_MAX; i++) {
		if (a[i] != b[i])
			return (__u64)((__s64)a[i] - (__s64)b[i]);
		if (!a[i])
			break;
	}
	return 0;
}
