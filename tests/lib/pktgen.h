/* Packets for tests, the demo and benchmarks: Ethernet frames built field
 * by field with correct checksums, sets of them (a realistic mix plus the
 * malformed frames the kernel must hand over as they are), and classic
 * pcap files (written without libpcap). */
#ifndef BPFVM_TESTS_PKTGEN_H
#define BPFVM_TESTS_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

struct pkt_spec {
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan;		/* 0: untagged; else an 802.1Q tag, this VID */
	int ip_version;		/* 4, 6; 0: not IP, ethertype below */
	uint16_t ethertype;	/* with ip_version 0 (ARP: 0x0806) */
	uint8_t proto;		/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6, ... */
	uint8_t src_ip[16], dst_ip[16]; /* IPv4: the first 4 bytes */
	uint16_t sport, dport;	/* TCP / UDP, host order */
	uint8_t tcp_flags;	/* TH_SYN ... */
	uint8_t ttl;		/* 0: 64 */
	size_t payload_len;	/* bytes after the L4 header (a pattern) */
	/* Malformations (0: none). ihl: the IPv4 header length field as
	 * given (e.g. 3, or 15 with a short frame); tot_len_delta: added
	 * to the IP total / payload length; truncate: cut the frame to
	 * this many bytes after building it. */
	uint8_t ihl;
	int tot_len_delta;
	size_t truncate;
};

/* Build the frame into buf (cap bytes); returns its length (possibly
 * past cap: then nothing useful was written, call again larger). */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* Helpers to fill a spec. */
void pkt_ip4(uint8_t ip[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d);
/* 2001:db8::<n> style: the prefix 2001:db8:: and n in the last 4 bytes */
void pkt_ip6(uint8_t ip[16], uint32_t n);

struct pkt_set {
	size_t cnt;
	uint8_t **data;
	size_t *len;
	char **name;		/* what each packet is, for failure messages */
};

/* The standard set: hand-picked frames (IPv4 / IPv6 TCP, UDP, ICMP,
 * ARP, VLAN-tagged, fragments, IPv6 with an extension header, runts of
 * 0 to 13 bytes, exactly 14, truncated IP headers, IHL < 5, IHL past the
 * frame, total length longer or shorter than the frame, a 1500-byte
 * frame) then n_random random well-formed ones from seed. 0 or -ENOMEM. */
int pkt_set_standard(struct pkt_set *set, uint32_t seed, size_t n_random);
/* Append a copy of one frame. 0 or -ENOMEM. */
int pkt_set_add(struct pkt_set *set, const uint8_t *data, size_t len,
		const char *name);
void pkt_set_free(struct pkt_set *set);

/* Write a classic pcap file (LINKTYPE_ETHERNET, microsecond stamps one
 * millisecond apart). 0 or -errno. */
int pkt_pcap_write(const char *path, const struct pkt_set *set);

#endif
