/* pinning other than LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME (issue 5,
 * test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
	__uint(pinning, 2);
} bm_pin2 SEC(".maps");
