/* Ethernet frames built field by field (see pktgen.h): Ethernet, an
 * optional 802.1Q tag, IPv4 / IPv6 / ARP, then TCP, UDP, ICMP or ICMPv6
 * with the checksums a NIC would see on the wire. The malformations of
 * struct pkt_spec are applied while building, so checksums stay those of
 * the bytes written. */
#include "pktgen_priv.h"

#include <string.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define ARP_LEN 28
#define HBH_LEN 8

#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ICMPV6 58
#define P_HOPOPTS 0

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* One's complement sum of big-endian 16-bit words, not yet folded. An
 * odd tail byte is the high half of a last word (RFC 1071). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	/* Fold now and then so long frames cannot overflow 32 bits. */
	return (sum & 0xffff) + (sum >> 16);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t l4_hlen(const struct pkt_spec *s, const struct pkt_extra *x)
{
	if (x->frag_off)	/* a later fragment: no L4 header */
		return 0;
	switch (s->proto) {
	case P_TCP:
		return TCP_HLEN;
	case P_UDP:
		return UDP_HLEN;
	case P_ICMP:
	case P_ICMPV6:
		return ICMP_HLEN;
	default:
		return 0;
	}
}

static size_t ip4_hlen(const struct pkt_spec *s)
{
	/* IHL < 5 still writes the 20 fixed bytes (only the field lies);
	 * IHL > 5 writes options (NOPs) to that length. */
	return s->ihl > 5 ? (size_t)s->ihl * 4 : IP4_HLEN;
}

static size_t l3_hlen(const struct pkt_spec *s, const struct pkt_extra *x)
{
	switch (s->ip_version) {
	case 4:
		return ip4_hlen(s);
	case 6:
		return IP6_HLEN + (x->hbh ? HBH_LEN : 0);
	default:
		return s->ethertype == 0x0806 ? ARP_LEN : 0;
	}
}

static uint16_t clamp16(long v)
{
	return v < 0 ? 0 : v > 0xffff ? 0xffff : (uint16_t)v;
}

static void payload_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 0x41);
}

static uint16_t ethertype_of(const struct pkt_spec *s)
{
	return s->ip_version == 4 ? 0x0800
	       : s->ip_version == 6 ? 0x86dd
				    : s->ethertype;
}

static uint8_t *put_eth(const struct pkt_spec *s, uint8_t *p)
{
	memcpy(p, s->dst_mac, 6);
	memcpy(p + 6, s->src_mac, 6);
	p += 12;
	if (s->vlan) {
		put16(p, 0x8100);
		put16(p + 2, s->vlan & 0x0fff);
		p += VLAN_HLEN;
	}
	put16(p, ethertype_of(s));
	return p + 2;
}

static void put_ip4(const struct pkt_spec *s, const struct pkt_extra *x,
		    uint8_t *p, size_t l4_len)
{
	size_t hl = ip4_hlen(s);

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | ((s->ihl ? s->ihl : 5) & 0x0f));
	put16(p + 2, clamp16((long)(hl + l4_len) + s->tot_len_delta));
	put16(p + 4, x->ip_id);
	put16(p + 6, (uint16_t)(x->frag_off | (x->more_frags ? 0x2000 : 0)));
	p[8] = s->ttl ? s->ttl : 64;
	p[9] = s->proto;
	memcpy(p + 12, s->src_ip, 4);
	memcpy(p + 16, s->dst_ip, 4);
	memset(p + IP4_HLEN, 1, hl - IP4_HLEN); /* NOP options */
	put16(p + 10, csum_fold(csum_add(0, p, hl)));
}

static void put_ip6(const struct pkt_spec *s, const struct pkt_extra *x,
		    uint8_t *p, size_t l4_len)
{
	size_t ext = x->hbh ? HBH_LEN : 0;

	memset(p, 0, IP6_HLEN + ext);
	p[0] = 0x60;
	put16(p + 4, clamp16((long)(ext + l4_len) + s->tot_len_delta));
	p[6] = x->hbh ? P_HOPOPTS : s->proto;
	p[7] = s->ttl ? s->ttl : 64;
	memcpy(p + 8, s->src_ip, 16);
	memcpy(p + 24, s->dst_ip, 16);
	if (x->hbh) {
		/* Hop-by-Hop: next header, length 0 (8 bytes), a PadN
		 * option filling the 6 remaining bytes. */
		p[IP6_HLEN] = s->proto;
		p[IP6_HLEN + 2] = 1;
		p[IP6_HLEN + 3] = 4;
	}
}

static void put_arp(const struct pkt_spec *s, uint8_t *p)
{
	put16(p, 1);		/* Ethernet */
	put16(p + 2, 0x0800);	/* IPv4 */
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, 1);	/* request */
	memcpy(p + 8, s->src_mac, 6);
	memcpy(p + 14, s->src_ip, 4);
	memset(p + 18, 0, 6);
	memcpy(p + 24, s->dst_ip, 4);
}

/* The pseudo-header's sum (RFC 793 / 768 for IPv4, RFC 8200 8.1). */
static uint32_t pseudo_sum(const struct pkt_spec *s, size_t l4_len)
{
	uint8_t ph[40];

	if (s->ip_version == 4) {
		memcpy(ph, s->src_ip, 4);
		memcpy(ph + 4, s->dst_ip, 4);
		ph[8] = 0;
		ph[9] = s->proto;
		put16(ph + 10, (uint16_t)l4_len);
		return csum_add(0, ph, 12);
	}
	memcpy(ph, s->src_ip, 16);
	memcpy(ph + 16, s->dst_ip, 16);
	put32(ph + 32, (uint32_t)l4_len);
	memset(ph + 36, 0, 3);
	ph[39] = s->proto;
	return csum_add(0, ph, 40);
}

/* The L4 header at p, its payload already in place after it. */
static void put_l4(const struct pkt_spec *s, uint8_t *p, size_t l4_len)
{
	uint32_t sum;
	size_t ck;

	switch (s->proto) {
	case P_TCP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put32(p + 4, 0x1000 + s->sport);	/* seq */
		put32(p + 8, (s->tcp_flags & 0x10) ? 0x2000 + s->dport : 0);
		p[12] = 5 << 4;
		p[13] = s->tcp_flags;
		put16(p + 14, 65535);
		put32(p + 16, 0);	/* checksum, urgent pointer */
		ck = 16;
		break;
	case P_UDP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, (uint16_t)l4_len);
		put16(p + 6, 0);
		ck = 6;
		break;
	default:	/* ICMP / ICMPv6 echo request, id and sequence */
		p[0] = s->proto == P_ICMP ? 8 : 128;
		p[1] = 0;
		put16(p + 2, 0);
		put16(p + 4, s->sport);
		put16(p + 6, s->dport);
		ck = 2;
		break;
	}
	/* ICMPv4 has no pseudo-header; the others do. */
	sum = s->proto == P_ICMP ? 0 : pseudo_sum(s, l4_len);
	sum = csum_fold(csum_add(sum, p, l4_len));
	if (s->proto == P_UDP && sum == 0)
		sum = 0xffff;	/* 0 means "no checksum" in UDP */
	put16(p + ck, (uint16_t)sum);
}

size_t pkt_build_x(const struct pkt_spec *s, const struct pkt_extra *x,
		   uint8_t *buf, size_t cap)
{
	size_t l2 = ETH_HLEN + (s->vlan ? VLAN_HLEN : 0);
	size_t l3 = l3_hlen(s, x), l4h = 0, len;
	uint8_t *p;

	if (s->ip_version == 4 || s->ip_version == 6)
		l4h = l4_hlen(s, x);
	len = l2 + l3 + l4h + s->payload_len;
	if (len > cap)
		return len;
	p = put_eth(s, buf);
	payload_fill(p + l3 + l4h, s->payload_len);
	if (s->ip_version == 4)
		put_ip4(s, x, p, l4h + s->payload_len);
	else if (s->ip_version == 6)
		put_ip6(s, x, p, l4h + s->payload_len);
	else if (l3)
		put_arp(s, p);
	if (l4h)
		put_l4(s, p + l3, l4h + s->payload_len);
	if (s->truncate && s->truncate < len)
		len = s->truncate;
	return len;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	const struct pkt_extra none = { 0 };

	return pkt_build_x(s, &none, buf, cap);
}

void pkt_ip4(uint8_t ip[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(ip, 0, 16);
	ip[0] = a;
	ip[1] = b;
	ip[2] = c;
	ip[3] = d;
}

void pkt_ip6(uint8_t ip[16], uint32_t n)
{
	memset(ip, 0, 16);
	put16(ip, 0x2001);
	put16(ip + 2, 0x0db8);
	put32(ip + 12, n);
}
