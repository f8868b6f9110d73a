/* Header parsing shared by the packet examples, in the style of the
 * xdp-tutorial's parsing_helpers.h: a cursor walks the frame, each step
 * checks its header against data_end before reading it (the verifier
 * insists), and returns the next protocol or -1 when the frame is too
 * short or malformed. Works for XDP (xdp_md) and tc (__sk_buff) alike. */
#ifndef EXAMPLES_PARSE_H
#define EXAMPLES_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VLAN_MAX_DEPTH 2	/* 802.1ad outer + 802.1Q inner */
#define IPV6_EXT_MAX 4		/* extension headers we walk past */

struct hdr_cursor {
	void *pos;
};

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) ||
	       h_proto == bpf_htons(ETH_P_8021AD);
}

/* Ethernet plus up to VLAN_MAX_DEPTH tags. Returns the inner ethertype
 * (network order); *vid gets the innermost VLAN id (0: untagged). */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh,
					void *data_end, struct ethhdr **ethp,
					__u16 *vid)
{
	struct ethhdr *eth = nh->pos;
	struct vlan_hdr *vlh;
	__u16 h_proto;

	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	*ethp = eth;
	*vid = 0;
	h_proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		vlh = nh->pos;
		if ((void *)(vlh + 1) > data_end)
			return -1;
		h_proto = vlh->h_vlan_encapsulated_proto;
		*vid = bpf_ntohs(vlh->h_vlan_TCI) & 0x0fff;
		nh->pos = vlh + 1;
	}
	return h_proto;
}

/* IPv4 with its options. Returns the L4 protocol; -1 for a header
 * shorter than 20 bytes (IHL < 5) or one running past the frame. */
static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end,
				       struct iphdr **iphp)
{
	struct iphdr *iph = nh->pos;
	int hdrsize;

	if ((void *)(iph + 1) > data_end)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (nh->pos + hdrsize > data_end)
		return -1;
	nh->pos += hdrsize;
	*iphp = iph;
	return iph->protocol;
}

static __always_inline int ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS;
}

struct ipv6_opt_hdr_min {
	__u8 nexthdr;
	__u8 hdrlen;	/* in 8-byte units, not counting the first 8 */
};

/* IPv6 and up to IPV6_EXT_MAX hop-by-hop / routing / destination
 * options headers. Returns the upper-layer protocol or -1. */
static __always_inline int parse_ip6hdr(struct hdr_cursor *nh,
					void *data_end,
					struct ipv6hdr **ip6hp)
{
	struct ipv6hdr *ip6h = nh->pos;
	struct ipv6_opt_hdr_min *opt;
	__u8 nexthdr;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	nh->pos = ip6h + 1;
	*ip6hp = ip6h;
	nexthdr = ip6h->nexthdr;
#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		if (!ipv6_is_ext(nexthdr))
			break;
		opt = nh->pos;
		if ((void *)(opt + 1) > data_end)
			return -1;
		if (nh->pos + (opt->hdrlen + 1) * 8 > data_end)
			return -1;
		nexthdr = opt->nexthdr;
		nh->pos += (opt->hdrlen + 1) * 8;
	}
	return nexthdr;
}

static __always_inline int parse_udphdr(struct hdr_cursor *nh,
					void *data_end, struct udphdr **udphp)
{
	struct udphdr *h = nh->pos;

	if ((void *)(h + 1) > data_end)
		return -1;
	nh->pos = h + 1;
	*udphp = h;
	return 0;
}

/* TCP with its options (data offset >= 5). */
static __always_inline int parse_tcphdr(struct hdr_cursor *nh,
					void *data_end, struct tcphdr **tcphp)
{
	struct tcphdr *h = nh->pos;
	int len;

	if ((void *)(h + 1) > data_end)
		return -1;
	len = h->doff * 4;
	if (len < (int)sizeof(*h) || nh->pos + len > data_end)
		return -1;
	nh->pos += len;
	*tcphp = h;
	return 0;
}

/* Fold a 32-bit one's-complement sum into the 16-bit checksum field. */
static __always_inline __u16 csum_fold_helper(__u64 csum)
{
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (csum >> 16)
			csum = (csum & 0xffff) + (csum >> 16);
	}
	return ~csum;
}

#endif
