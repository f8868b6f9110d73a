/* map_extra as an enum of two values: not a __ulong() (issue 5,
 * test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 1);
	__type(value, int);
	enum { bm_x = 1, bm_y = 2 } map_extra;
} bm_ulong SEC(".maps");
