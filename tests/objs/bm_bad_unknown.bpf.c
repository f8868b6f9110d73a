/* A BTF map definition with a field libbpf does not know (issue 5,
 * test_btf_maps): refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
	__uint(max_entires, 2);
} bm_typo SEC(".maps");
