/* iproute2 / cilium style: struct bpf_elf_map in SEC("maps") (36 bytes:
 * id, pinning, inner_id, inner_idx), a pinned map, and map-in-map as
 * iproute2 reads it: the outer names its inner template by id (inner_id);
 * the inner map (id) goes into every such outer at its own inner_idx.
 * tc classifier programs in the legacy "classifier" / "action" sections. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define PIN_NONE 0
#define PIN_OBJECT_NS 1
#define PIN_GLOBAL_NS 2

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

struct bpf_elf_map SEC("maps") cls_stats = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u64),
	.max_elem = 16,
	.pinning = PIN_GLOBAL_NS,
};

struct bpf_elf_map SEC("maps") cls_inner = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 1,
	.id = 42,
	.inner_idx = 1,
};

struct bpf_elf_map SEC("maps") cls_outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 4,
	.inner_id = 42,
	.pinning = PIN_OBJECT_NS,
};

struct bpf_elf_map SEC("maps") cls_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 64,
	.flags = BPF_F_NO_PREALLOC,
	.id = 7,
};

/* Counts into cls_stats[ctx word 0 & 15], then reads slot 0 of the
 * inner map placed at outer[1]: its value (0 when just created) + 5. */
SEC("classifier")
int cls_main(struct __sk_buff *skb)
{
	__u32 idx = skb->len & 15, one = 1, zero = 0;
	__u64 *cnt = bpf_map_lookup_elem(&cls_stats, &idx);
	__u32 *v;
	void *inner;

	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	inner = bpf_map_lookup_elem(&cls_outer, &one);
	if (!inner)
		return TC_ACT_SHOT;
	v = bpf_map_lookup_elem(inner, &zero);
	return v ? *v + 5 : TC_ACT_SHOT;
}

SEC("action")
int act_main(struct __sk_buff *skb)
{
	__u32 key = skb->mark;

	bpf_map_update_elem(&cls_hash, &key, &key, BPF_ANY);
	return TC_ACT_OK;
}

char __license[] SEC("license") = "GPL";
