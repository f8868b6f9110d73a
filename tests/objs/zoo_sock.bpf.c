/* A socket filter as written before direct packet access: LD_ABS loads
 * through llvm's intrinsics (kernel samples' sockex1/2). Accepts IPv4 UDP
 * to port 53, counts protocols in a legacy-free BTF array. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off)
	asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off)
	asm("llvm.bpf.load.word");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 256);
} proto_count SEC(".maps");

SEC("socket")
int dns_filter(struct __sk_buff *skb)
{
	__u32 proto;
	__u64 *cnt;

	if (load_half(skb, 12) != ETH_P_IP)
		return 0;
	proto = load_byte(skb, ETH_HLEN + 9);
	cnt = bpf_map_lookup_elem(&proto_count, &proto);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	if (proto != IPPROTO_UDP)
		return 0;
	/* no IP options assumed: the UDP destination port */
	if (load_half(skb, ETH_HLEN + 20 + 2) != 53)
		return 0;
	return -1;
}

/* Same section, second program: accepts everything whose first word is
 * not zero. */
SEC("socket")
int nonzero_filter(struct __sk_buff *skb)
{
	return load_word(skb, 0) ? skb->len : 0;
}

char _license[] SEC("license") = "GPL";
