/* An initial value past max_entries (issue 5, test_btf_maps). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bm_t(struct xdp_md *ctx)
{
	return XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} bm_slot SEC(".maps") = {
	.values = { [3] = (void *)&bm_t },
};

char LICENSE[] SEC("license") = "GPL";
