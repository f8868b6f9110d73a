/* XDP test objects (program type xdp): every xdp_md field read, the
 * metadata written, and a packet parser with bounds checks that rewrites
 * what it forwards. Run by test_xdp and, against the kernel's
 * BPF_PROG_TEST_RUN, by test_kernel_pt_xdp. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Every field: the packet's first bytes become the frame's length, the
 * metadata length, ingress_ifindex and rx_queue_index; a metadata word
 * is flipped. */
SEC("xdp")
int xdp_fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *meta = (void *)(long)ctx->data_meta;
	__u32 *w = data;

	if (meta + 4 <= data)
		*(__u32 *)meta ^= 0xffffffff;
	if (data + 8 > data_end)
		return XDP_ABORTED;
	w[0] = (__u32)(data_end - data);
	w[1] = (__u32)(data - meta);
	if (data + 16 > data_end)
		return XDP_DROP;
	w[2] = ctx->ingress_ifindex;
	w[3] = ctx->rx_queue_index;
	return XDP_TX;
}

/* The uapi struct read through a pointer the compiler cannot see into:
 * byte-by-byte reads would be refused, so every read is a whole u32. */
SEC("xdp")
int xdp_ifindex(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex * 16 + ctx->rx_queue_index;
}

static __always_inline __u16 csum_fold(__u32 c)
{
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (__u16)~c;
}

/* TTL - 1 with the checksum updated incrementally (RFC 1624). */
static __always_inline void ttl_dec(struct iphdr *ip)
{
	__u32 c = (__u16)~ip->check;

	c += (__u16)~bpf_htons(ip->ttl << 8);
	ip->ttl--;
	c += bpf_htons(ip->ttl << 8);
	ip->check = csum_fold(c);
}

static __always_inline void mac_swap(struct ethhdr *eth)
{
	__u8 t[ETH_ALEN];

	__builtin_memcpy(t, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, t, ETH_ALEN);
}

static __always_inline int l4(void *l4p, void *data_end, __u8 proto,
			      struct ethhdr *eth)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4p;

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		if (th->dest == bpf_htons(22))
			return XDP_DROP;
		if (th->syn && !th->ack)
			th->window = bpf_htons(1024);
		return XDP_PASS;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4p;

		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		if (uh->dest == bpf_htons(53)) {
			mac_swap(eth);
			return XDP_TX;
		}
		return XDP_PASS;
	}
	return XDP_PASS;
}

/* A firewall's parser: Ethernet, one VLAN tag, IPv4 (IHL checked) or
 * IPv6, TCP / UDP; drops ssh and malformed headers, answers DNS (MACs
 * swapped), decrements IPv4 TTLs. */
SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *p = eth + 1;
	__u16 proto;

	if (p > data_end)
		return XDP_ABORTED;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		if (p + 4 > data_end)
			return XDP_DROP;
		proto = *(__u16 *)(p + 2);
		p += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;
		__u32 hl;

		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		hl = ip->ihl * 4;
		if (hl < sizeof(*ip) || p + hl > data_end)
			return XDP_DROP;
		if (ip->ttl <= 1)
			return XDP_DROP;
		ttl_dec(ip);
		if (ip->frag_off & bpf_htons(0x1fff))
			return XDP_PASS;
		return l4(p + hl, data_end, ip->protocol, eth);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;

		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		return l4(ip6 + 1, data_end, ip6->nexthdr, eth);
	}
	return XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(max_entries, 2);
} events SEC(".maps");

/* bpf_perf_event_output with the flags at bytes 14..21 (index, packet
 * bytes to append): the helper's result (the perf slots stay empty). */
SEC("xdp")
int xdp_event(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 meta = 0x1122334455667788ull;

	if (data + 22 > data_end)
		return XDP_PASS;
	return bpf_perf_event_output(ctx, &events, *(__u64 *)(data + 14),
				     &meta, sizeof(meta));
}

/* A program a DEVMAP runs on redirected frames: BPF_PROG_TEST_RUN
 * refuses it (-EINVAL). */
SEC("xdp/devmap")
int xdp_devmap_prog(struct xdp_md *ctx)
{
	return ctx->rx_queue_index ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
