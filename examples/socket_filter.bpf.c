// SPDX-License-Identifier: GPL-2.0
/* A socket filter for a capture socket (AF_PACKET SOCK_DGRAM: the
 * packet starts at the network header, as in BPF_PROG_TEST_RUN): keep
 * the first SNAP_WEB bytes of web traffic (TCP port 80 or 443 either
 * way) and whole DNS queries (UDP to port 53), drop everything else.
 * The return value is how many bytes of the packet the socket gets.
 *
 * Reads the packet the classic way, with LD_ABS / LD_IND (clang's
 * llvm.bpf.load.* intrinsics, as samples/bpf's bpf_legacy.h declares
 * them: a read past the end ends the program with 0, "drop"), and the
 * DNS header with bpf_skb_load_bytes. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off)
	asm("llvm.bpf.load.half");

#define SNAP_WEB 128		/* enough for the headers */
#define DNS_QR 0x80		/* flags' first byte: 1 = response */

/* The L4 protocol and its header's offset, or 0 for anything else. */
static __always_inline __u32 l4_of(struct __sk_buff *skb, __u32 *off)
{
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		/* not the first fragment: no ports to look at */
		if (load_half(skb, offsetof(struct iphdr, frag_off)) & 0x1fff)
			return 0;
		*off = (load_byte(skb, 0) & 0xf) << 2;
		return load_byte(skb, offsetof(struct iphdr, protocol));
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		*off = sizeof(struct ipv6hdr);
		return load_byte(skb, offsetof(struct ipv6hdr, nexthdr));
	}
	return 0;
}

static __always_inline int is_web(__u32 port)
{
	return port == 80 || port == 443;
}

SEC("socket")
int web_dns_filter(struct __sk_buff *skb)
{
	__u32 off = 0, proto = l4_of(skb, &off), sport, dport;
	__u8 dns[4];	/* id, flags */

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	sport = load_half(skb, off);
	dport = load_half(skb, off + 2);
	if (proto == IPPROTO_TCP)
		return is_web(sport) || is_web(dport) ? SNAP_WEB : 0;
	if (dport != 53)
		return 0;
	if (bpf_skb_load_bytes(skb, off + 8, dns, sizeof(dns)) < 0)
		return 0;	/* too short for a DNS header */
	return dns[2] & DNS_QR ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
