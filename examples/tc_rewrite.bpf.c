// SPDX-License-Identifier: GPL-2.0
/* A tc classifier rewriting headers on the way out: UDP packets get a
 * DSCP (Expedited Forwarding by default) and TCP connections to port
 * 8080 are redirected to port 80 (a port NAT), each fixing the IP or
 * TCP checksum with the kernel's incremental helpers, and the skb is
 * marked for later stages (the mark says what was done). Reads the
 * headers through direct packet access, writes through
 * bpf_skb_store_bytes. */
#include <stddef.h>
#include <linux/pkt_cls.h>
#include "parse.h"

#define MARK_DSCP 0x1
#define MARK_NAT  0x2

/* Load-time configuration. */
const volatile __u8 udp_dscp = 46;	/* EF */
const volatile __u16 nat_from = 8080;
const volatile __u16 nat_to = 80;

/* Set the DSCP bits of the TOS byte; the checksum covers it as part of
 * the header's first 16-bit word. */
static __always_inline int set_dscp(struct __sk_buff *skb, __u32 ip_off,
				    struct iphdr *iph)
{
	__u8 tos = (udp_dscp << 2) | (iph->tos & 0x3);
	__be16 old_word = *(__be16 *)iph, new_word;

	if (tos == iph->tos)
		return 0;
	new_word = bpf_htons((bpf_ntohs(old_word) & 0xff00) | tos);
	if (bpf_l3_csum_replace(skb, ip_off + offsetof(struct iphdr, check),
				old_word, new_word, sizeof(new_word)) < 0)
		return 0;
	if (bpf_skb_store_bytes(skb, ip_off + offsetof(struct iphdr, tos),
				&tos, 1, 0) < 0)
		return 0;
	return MARK_DSCP;
}

/* Destination port nat_from -> nat_to; the TCP checksum covers it. */
static __always_inline int nat_port(struct __sk_buff *skb, __u32 l4_off,
				    struct tcphdr *tcph)
{
	__be16 old_port = tcph->dest, new_port = bpf_htons(nat_to);

	if (old_port != bpf_htons(nat_from))
		return 0;
	if (bpf_l4_csum_replace(skb, l4_off + offsetof(struct tcphdr, check),
				old_port, new_port, sizeof(new_port)) < 0)
		return 0;
	if (bpf_skb_store_bytes(skb, l4_off + offsetof(struct tcphdr, dest),
				&new_port, sizeof(new_port), 0) < 0)
		return 0;
	return MARK_NAT;
}

SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	struct tcphdr *tcph;
	__u32 ip_off, l4_off;
	__u16 vid;
	int proto, done = 0;

	if (parse_ethhdr(&nh, data_end, &eth, &vid) != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip_off = nh.pos - data;
	proto = parse_iphdr(&nh, data_end, &iph);
	if (proto < 0)
		return TC_ACT_OK;
	l4_off = nh.pos - data;
	if (proto == IPPROTO_UDP)
		done = set_dscp(skb, ip_off, iph);
	else if (proto == IPPROTO_TCP && !(iph->frag_off & bpf_htons(0x1fff)) &&
		 parse_tcphdr(&nh, data_end, &tcph) == 0)
		done = nat_port(skb, l4_off, tcph);
	if (done)
		skb->mark = done;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
