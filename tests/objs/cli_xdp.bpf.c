/* XDP programs for the CLI's runner tests (tests/cli/test_run_pcap.sh):
 * xdp_drop_udp drops UDP and passes the rest, counting in maps of several
 * kinds (array, per-CPU array, hash, .bss); xdp_actions returns the
 * action a UDP packet's destination port asks for, so one capture
 * exercises every verdict, redirect port and output change. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} cli_verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} cli_pkts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, __u64);
	__uint(max_entries, 64);
} cli_dports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} cli_devmap SEC(".maps");

__u64 cli_bytes;

/* The UDP header of an IPv4 or IPv6 packet, or NULL. */
static struct udphdr *udp_of(void *data, void *end)
{
	struct ethhdr *eth = data;
	__u8 proto;
	void *l4;

	if ((void *)(eth + 1) > end)
		return NULL;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return NULL;
		proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return NULL;
		proto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return NULL;
	}
	if (proto != IPPROTO_UDP || l4 + sizeof(struct udphdr) > end)
		return NULL;
	return l4;
}

static void count(__u32 action, __u64 len)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&cli_verdicts, &action);

	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&cli_pkts, &zero);
	if (v)
		*v += 1;
	__sync_fetch_and_add(&cli_bytes, len);
}

SEC("xdp")
int xdp_drop_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct udphdr *udp = udp_of(data, end);
	__u32 action = udp ? XDP_DROP : XDP_PASS;

	if (udp) {
		__u16 port = bpf_ntohs(udp->dest);
		__u64 one = 1, *n = bpf_map_lookup_elem(&cli_dports, &port);

		if (n)
			__sync_fetch_and_add(n, 1);
		else
			bpf_map_update_elem(&cli_dports, &port, &one,
					    BPF_NOEXIST);
	}
	count(action, end - data);
	return action;
}

/* Swap the MAC addresses (what an XDP_TX reflector does). */
static void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/* UDP destination port:
 *   1000 + a (a = 0..3): XDP action a (1003: XDP_TX, MACs swapped)
 *   1004: bpf_redirect(5)       1005: 7, an action no driver knows
 *   1006: XDP_PASS, 4 bytes cut off the tail (bpf_xdp_adjust_tail)
 *   2000 + k: bpf_redirect_map(cli_devmap, k, XDP_PASS) (empty: passes)
 *   3000: bpf_redirect(ingress_ifindex)
 * anything else: XDP_PASS */
SEC("xdp")
int xdp_actions(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct udphdr *udp = udp_of(data, end);
	__u16 port;

	if (!udp)
		return XDP_PASS;
	port = bpf_ntohs(udp->dest);
	if (port == 1003) {
		swap_macs(data);
		return XDP_TX;
	}
	if (port == 1004)
		return bpf_redirect(5, 0);
	if (port == 1006)
		return bpf_xdp_adjust_tail(ctx, -4) ? XDP_ABORTED : XDP_PASS;
	if (port >= 1000 && port <= 1005)
		return port - 1000 == 5 ? 7 : port - 1000;
	if (port >= 2000 && port < 2004)
		return bpf_redirect_map(&cli_devmap, port - 2000, XDP_PASS);
	if (port == 3000)
		return bpf_redirect(ctx->ingress_ifindex, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
