/* map_extra as __ulong (an enum whose one value is the number; libbpf
 * 1.2+; issue 5, test_btf_maps). clang 14 has no enum64: a 32-bit value
 * here, 64 bits in bm_ulong19.c19.bpf.c. */
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
	__ulong(map_extra, 0x70000003U);
} bm_bloom64 SEC(".maps");
