/* Loader open tests: the kernel samples' 28-byte bpf_map_def (with
 * inner_map_idx and numa_node) and a map-in-map whose template is named
 * by position. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct map_def28 {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct map_def28 SEC("maps") inner_tmpl = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 8,
};

struct map_def28 SEC("maps") outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 2,
	.inner_map_idx = 0,
};

struct map_def28 SEC("maps") numa_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 32,
	.map_flags = BPF_F_NUMA_NODE,
	.numa_node = 1,
};

SEC("socket1")
int sock_prog(struct __sk_buff *skb)
{
	__u32 k = 0;
	void *inner = bpf_map_lookup_elem(&outer, &k);

	bpf_map_lookup_elem(&numa_hash, &k);
	return inner ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
