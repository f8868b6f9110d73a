/* A definition without `type` (issue 5, test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} bm_notype SEC(".maps");
