/* A 10k-instruction program (one long branch-free body), for the loader
 * benchmark and the engines: returns the low half of zoo_big_calc(ctx[1])
 * xor its high half. (ctx[1]: a tracepoint may not read its first 8
 * bytes, and the benchmark loads this into the kernel too.) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "zoo_big.h"

SEC("tracepoint/zoo/big")
int big_mix(__u64 *ctx)
{
	__u64 h = zoo_big_calc(ctx[1]);

	return (int)(h ^ (h >> 32));
}

char LICENSE[] SEC("license") = "GPL";
