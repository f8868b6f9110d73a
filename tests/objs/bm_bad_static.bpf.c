/* A static map definition (issue 5, test_btf_maps): libbpf refuses
 * linkage other than global. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} bm_static SEC(".maps");

SEC("xdp")
int bm_use(struct xdp_md *ctx)
{
	int k = 0;

	return bpf_map_lookup_elem(&bm_static, &k) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
