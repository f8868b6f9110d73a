/* Loader open tests: iproute2 / cilium's 36-byte struct bpf_elf_map with
 * pinning, ids and a map-in-map: the outer's inner_id names the inner
 * map's id, and the inner map (inner_idx 3) goes into slot 3. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

struct bpf_elf_map SEC("maps") stats = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = 4,
	.size_value = 8,
	.max_elem = 4,
	.pinning = 2,		/* PIN_GLOBAL_NS */
	.inner_idx = ~0u,
};

struct bpf_elf_map SEC("maps") inner = {
	.type = BPF_MAP_TYPE_HASH,
	.size_key = 4,
	.size_value = 4,
	.max_elem = 16,
	.id = 42,
	.inner_idx = 3,
};

struct bpf_elf_map SEC("maps") outer = {
	.type = BPF_MAP_TYPE_HASH_OF_MAPS,
	.size_key = 4,
	.size_value = 4,
	.max_elem = 8,
	.inner_id = 42,
	.inner_idx = ~0u,
};

SEC("classifier")
int cls(struct __sk_buff *skb)
{
	__u32 k = 3;
	void *m = bpf_map_lookup_elem(&outer, &k);

	bpf_map_lookup_elem(&stats, &k);
	return m ? 1 : 0;
}

char __license[] SEC("license") = "GPL";
