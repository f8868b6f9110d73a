/* One source, four instruction sets: compiled with -mcpu=v1..v3 (and v4
 * by clang-19) into zoo_cpu_v1.o .. zoo_cpu_v4.o. Every variant returns
 * zoo_cpu_calc() of its memory, which the host computes too (v4: with
 * ldsx, movsx, bswap, sdiv/smod and a gotol). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "zoo_cpu.h"

SEC("tracepoint/zoo/cpu")
int cpu_calc(struct zoo_cpu_in *in)
{
	__u64 h = zoo_cpu_calc(in);

#ifdef __BPF_FEATURE_GOTOL
	/* v4's gotol (clang emits it itself only past +-32k insns): it skips
	 * the zeroing, so the result stays the host's */
	asm volatile("gotol +1; %0 = 0" : "+r"(h));
#endif
	return (int)(h ^ (h >> 32));
}

char LICENSE[] SEC("license") = "GPL";
