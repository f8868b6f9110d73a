/* key_size that contradicts the key's type (issue 5, test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, 8);
	__type(key, int);
	__type(value, int);
} bm_conflict SEC(".maps");
