/* HASH_OF_MAPS initial values need 4-byte keys (slot numbers), as in
 * libbpf (issue 5, test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bm_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
};

struct bm_inner bm_in SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u64);
	__array(values, struct bm_inner);
} bm_homkey SEC(".maps") = {
	.values = { [0] = &bm_in },
};
