/* skb programs for the CLI's runner tests (tests/cli/test_run_pcap.sh):
 * a socket filter that drops UDP, keeps TCP up to the end of a 20-byte
 * TCP header (54 bytes) and the rest whole; a tc classifier that drops
 * UDP, redirects TCP to ifindex 3 and names the other actions by the
 * IPv4 TTL. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off)
	asm("llvm.bpf.load.half");

__u64 cli_sock_seen;

/* Socket filters see the frame from its Ethernet header (bpfvm run hands
 * it over as an AF_PACKET socket does). */
SEC("socket")
int sock_cut(struct __sk_buff *skb)
{
	__u8 proto;

	__sync_fetch_and_add(&cli_sock_seen, 1);
	if (load_half(skb, 12) != ETH_P_IP)
		return -1;
	proto = load_byte(skb, ETH_HLEN + 9);
	if (proto == IPPROTO_UDP)
		return 0;
	return proto == IPPROTO_TCP ? 54 : -1;
}

/* TTL 1..9 of a non-TCP, non-UDP IPv4 packet picks TC_ACT_(ttl - 1). */
SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	if (ip->protocol == IPPROTO_UDP)
		return TC_ACT_SHOT;
	if (ip->protocol == IPPROTO_TCP)
		return bpf_redirect(3, 0);
	if (ip->ttl >= 1 && ip->ttl <= 9)
		return ip->ttl - 1;
	return ip->ttl == 99 ? 42 : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
