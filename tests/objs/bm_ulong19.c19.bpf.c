/* map_extra as a 64-bit __ulong (an enum64, which clang 15+ writes;
 * issue 5, test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef __ulong
#define __bm_cat2(a, b) a##b
#define __bm_cat(a, b) __bm_cat2(a, b)
#define __ulong(name, val)                                                  \
	enum { __bm_cat(__bm_unique_value, __COUNTER__) = val } name
#endif

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u64);
	__uint(max_entries, 100);
	__ulong(map_extra, 0x500000003ULL);
} bm_bloom64 SEC(".maps");
