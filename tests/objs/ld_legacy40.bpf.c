/* Loader open tests: map records longer than any known layout (40 bytes)
 * whose extra tail is zero are accepted and read as bpf_elf_map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct map_def40 {
	__u32 type, size_key, size_value, max_elem, flags, id, pinning,
		inner_id, inner_idx, future;
};

struct map_def40 SEC("maps") wide = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.size_key = 8,
	.size_value = 8,
	.max_elem = 100,
};

struct map_def40 SEC("maps") wide2 = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = 4,
	.size_value = 4,
	.max_elem = 1,
};

SEC("xdp_prog")
int xdp_wide(struct xdp_md *ctx)
{
	__u64 k = 0;
	__u32 z = 0;

	bpf_map_lookup_elem(&wide, &k);
	bpf_map_lookup_elem(&wide2, &z);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
