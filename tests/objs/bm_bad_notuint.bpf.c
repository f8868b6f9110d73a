/* max_entries written as a plain int, not __uint() (issue 5,
 * test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	int max_entries;
	__type(key, int);
	__type(value, int);
} bm_notuint SEC(".maps");
