// SPDX-License-Identifier: GPL-2.0
/* An XDP layer-4 load balancer in the shape of Katran-like balancers:
 * the entry program recognises IPv4 TCP / UDP traffic for the virtual
 * IP and tail-calls the stage for its protocol; the stage hashes the
 * flow's 5-tuple to pick a backend (the same flow always lands on the
 * same backend), rewrites the destination MAC and IP, fixes the IP and
 * TCP / UDP checksums incrementally, and sends the frame out the port
 * of the backend's slot in a DEVMAP (XDP_TX, back out the receiving
 * interface, when the slot is empty). The backends and the VIP are
 * load-time configuration (a skeleton's .rodata). */
#include "parse.h"
#include "xdp_lb.h"

/* Load-time configuration. vip 0.0.0.0 balances every IPv4 TCP / UDP
 * flow; vip_port 0 any destination port. */
const volatile __be32 vip = 0;
const volatile __u16 vip_port = 0;
const volatile __u32 n_backends = 3;
const volatile struct lb_backend backends[LB_MAX_BACKENDS] = {
	{ bpf_htonl(0x0a010001), { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 } },
	{ bpf_htonl(0x0a010002), { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 } },
	{ bpf_htonl(0x0a010003), { 0x02, 0x00, 0x00, 0x00, 0x01, 0x03 } },
};

/* Egress port per backend (ifindex); an empty slot means XDP_TX. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, LB_MAX_BACKENDS);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, LB_STAT_MAX);
} lb_stats SEC(".maps");

int lb_tcp(struct xdp_md *ctx);
int lb_udp(struct xdp_md *ctx);

/* Filled by the loader from these initial values (libbpf does the same
 * for the kernel). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(max_entries, LB_STAGE_MAX);
	__array(values, int(struct xdp_md *));
} lb_stages SEC(".maps") = {
	.values = {
		[LB_STAGE_TCP] = (void *)&lb_tcp,
		[LB_STAGE_UDP] = (void *)&lb_udp,
	},
};

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&lb_stats, &slot);

	if (c)
		(*c)++;
}

/* Ethernet (VLAN tags allowed) and an IPv4 header; NULL otherwise. */
static __always_inline struct iphdr *ipv4_of(struct xdp_md *ctx,
					     struct hdr_cursor *nh,
					     struct ethhdr **eth)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph;
	__u16 vid;

	nh->pos = (void *)(long)ctx->data;
	if (parse_ethhdr(nh, data_end, eth, &vid) != bpf_htons(ETH_P_IP))
		return NULL;
	if (parse_iphdr(nh, data_end, &iph) < 0)
		return NULL;
	return iph;
}

/* FNV-1a over the 5-tuple: cheap, and stable for a flow. */
static __always_inline __u32 flow_hash(const struct iphdr *iph, __u16 sport,
				       __u16 dport)
{
	__u32 words[3] = { iph->saddr, iph->daddr,
			   ((__u32)sport << 16) | dport };
	const __u8 *b = (const __u8 *)words;
	__u32 h = 2166136261u;

#pragma unroll
	for (int i = 0; i < (int)sizeof(words); i++)
		h = (h ^ b[i]) * 16777619u;
	return (h ^ iph->protocol) * 16777619u;
}

/* One's-complement update of `check` for 4 bytes changing old -> new. */
static __always_inline __u16 csum_replace4(__u16 check, __u32 old, __u32 new)
{
	__s64 sum = bpf_csum_diff(&old, 4, &new, 4, ~(__u32)check & 0xffff);

	return csum_fold_helper((__u64)sum);
}

/* Rewrite towards the chosen backend; *l4_check is the TCP / UDP
 * checksum (covering the destination address through the pseudo
 * header), NULL for a UDP datagram sent without one. */
static __always_inline int forward(struct ethhdr *eth, struct iphdr *iph,
				   __sum16 *l4_check, int udp, __u32 hash)
{
	__u32 n = n_backends, idx, old_daddr, new_daddr;

	if (n == 0 || n > LB_MAX_BACKENDS)
		return XDP_PASS;
	idx = hash % n;
	/* keep the check the verifier needs (clang proves it redundant) */
	asm volatile("" : "+r"(idx));
	if (idx >= LB_MAX_BACKENDS)
		return XDP_PASS;
	count(idx);
	old_daddr = iph->daddr;
	new_daddr = backends[idx].ip;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	/* byte by byte: a memcpy from the volatile config would let clang
	 * use the initial values instead of what was set at load */
#pragma unroll
	for (int i = 0; i < ETH_ALEN; i++)
		eth->h_dest[i] = backends[idx].mac[i];
	iph->daddr = new_daddr;
	iph->check = csum_replace4(iph->check, old_daddr, new_daddr);
	if (l4_check) {
		*l4_check = csum_replace4(*l4_check, old_daddr, new_daddr);
		if (udp && !*l4_check)
			*l4_check = 0xffff; /* 0 would mean "no checksum" */
	}
	return bpf_redirect_map(&tx_ports, idx, XDP_TX);
}

SEC("xdp")
int lb_tcp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh;
	struct ethhdr *eth;
	struct iphdr *iph = ipv4_of(ctx, &nh, &eth);
	struct tcphdr *tcph;

	if (!iph || parse_tcphdr(&nh, data_end, &tcph) < 0)
		return XDP_PASS;
	return forward(eth, iph, &tcph->check, 0,
		       flow_hash(iph, tcph->source, tcph->dest));
}

SEC("xdp")
int lb_udp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh;
	struct ethhdr *eth;
	struct iphdr *iph = ipv4_of(ctx, &nh, &eth);
	struct udphdr *udph;

	if (!iph || parse_udphdr(&nh, data_end, &udph) < 0)
		return XDP_PASS;
	return forward(eth, iph, udph->check ? &udph->check : NULL, 1,
		       flow_hash(iph, udph->source, udph->dest));
}

/* Is the packet for the virtual service? Fragments are not: only the
 * first one carries the ports the hash needs. */
static __always_inline int for_vip(struct iphdr *iph, struct hdr_cursor *nh,
				   void *data_end)
{
	__be32 want = vip;
	__u16 *ports = nh->pos;

	if (want && iph->daddr != want)
		return 0;
	if (iph->frag_off & bpf_htons(0x3fff))
		return 0;
	if ((void *)(ports + 2) > data_end)
		return 0;
	return !vip_port || ports[1] == bpf_htons(vip_port);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh;
	struct ethhdr *eth;
	struct iphdr *iph = ipv4_of(ctx, &nh, &eth);

	if (!iph || !for_vip(iph, &nh, data_end)) {
		count(LB_STAT_NOT_VIP);
		return XDP_PASS;
	}
	if (iph->protocol == IPPROTO_TCP)
		bpf_tail_call(ctx, &lb_stages, LB_STAGE_TCP);
	else if (iph->protocol == IPPROTO_UDP)
		bpf_tail_call(ctx, &lb_stages, LB_STAGE_UDP);
	else {
		count(LB_STAT_NOT_VIP);
		return XDP_PASS;
	}
	count(LB_STAT_NO_STAGE);	/* the stage's slot was empty */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
