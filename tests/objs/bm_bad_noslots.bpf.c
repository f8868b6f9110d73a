/* `values` on a map type without slots (issue 5, test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bm_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct bm_inner);
} bm_noslots SEC(".maps");
