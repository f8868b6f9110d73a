/* Captures for the CLI tests (test_run_pcap.sh), and a reader to check
 * what bpfvm run wrote, so the tests need neither tcpdump nor python:
 *   cli_pcaptool write OUT [--snap N] [--linktype raw] [--pcapng] SPEC...
 *     SPEC: udp:DPORT  udp6:DPORT  tcp:DPORT  icmp:TTL  arp  runt:LEN
 *     (frames from tests/lib/pktgen with correct checksums, 60+ bytes)
 *   cli_pcaptool dump IN
 *     one line per packet: "caplen len hex-bytes" (libpcap reads it). */
#include "pktgen.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wopts {
	unsigned snap;		/* 0: whole frames */
	int linktype;
	int pcapng;
};

static int spec_of(const char *arg, struct pkt_spec *s, size_t *runt)
{
	const char *colon = strchr(arg, ':');
	unsigned long n = colon ? strtoul(colon + 1, NULL, 10) : 0;
	size_t kind = colon ? (size_t)(colon - arg) : strlen(arg);

#define IS(name) (kind == strlen(name) && !strncmp(arg, name, kind))
	memset(s, 0, sizeof(*s));
	*runt = 0;
	memcpy(s->src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(s->dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	s->ip_version = 4;
	pkt_ip4(s->src_ip, 10, 0, 0, 1);
	pkt_ip4(s->dst_ip, 10, 0, 0, 2);
	s->sport = 40000;
	s->dport = (uint16_t)n;
	s->payload_len = 18;
	if (IS("udp6")) {
		s->ip_version = 6;
		pkt_ip6(s->src_ip, 1);
		pkt_ip6(s->dst_ip, 2);
		s->proto = 17;
	} else if (IS("udp")) {
		s->proto = 17;
	} else if (IS("tcp")) {
		s->proto = 6;
	} else if (IS("icmp")) {
		s->proto = 1;
		s->ttl = (uint8_t)n;
	} else if (IS("arp")) {
		s->ip_version = 0;
		s->ethertype = 0x0806;
	} else if (IS("runt")) {
		*runt = n ? n : 1;
	} else {
		fprintf(stderr, "cli_pcaptool: unknown packet '%s'\n", arg);
		return -1;
	}
	return 0;
#undef IS
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

/* pcapng by hand (libpcap reads it but does not write it): a section
 * header, one Ethernet interface, one enhanced packet block each. */
static void ng_begin(FILE *f)
{
	put32(f, 0x0a0d0d0a), put32(f, 28), put32(f, 0x1a2b3c4d);
	put32(f, 0x00000001), put32(f, 0xffffffff), put32(f, 0xffffffff);
	put32(f, 28);
	put32(f, 1), put32(f, 20), put32(f, 1), put32(f, 0), put32(f, 20);
}

static void ng_packet(FILE *f, const uint8_t *p, uint32_t cap, uint32_t len,
		      uint64_t us)
{
	uint32_t pad = (4 - cap % 4) % 4, total = 32 + cap + pad;

	put32(f, 6), put32(f, total), put32(f, 0);
	put32(f, (uint32_t)(us >> 32)), put32(f, (uint32_t)us);
	put32(f, cap), put32(f, len);
	fwrite(p, 1, cap, f);
	fwrite("\0\0\0", 1, pad, f);
	put32(f, total);
}

static int write_cap(const char *out, const struct wopts *w, char **specs,
		     int n)
{
	pcap_t *dead = pcap_open_dead(w->linktype, 65535);
	pcap_dumper_t *d = w->pcapng ? NULL : pcap_dump_open(dead, out);
	FILE *ng = w->pcapng ? fopen(out, "wb") : NULL;
	uint8_t buf[2048];

	if (!d && !ng) {
		fprintf(stderr, "cli_pcaptool: cannot write %s\n", out);
		return 1;
	}
	if (ng)
		ng_begin(ng);
	for (int i = 0; i < n; i++) {
		struct pkt_spec s;
		size_t runt, len;

		if (spec_of(specs[i], &s, &runt))
			return 1;
		len = pkt_build(&s, buf, sizeof(buf));
		if (runt)
			len = runt < sizeof(buf) ? runt : sizeof(buf);
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = 1700000000 + i, .tv_usec = i },
			.len = (uint32_t)len,
			.caplen = w->snap && w->snap < len ? w->snap
							     : (uint32_t)len,
		};
		if (ng)
			ng_packet(ng, buf, h.caplen, h.len,
				  (uint64_t)h.ts.tv_sec * 1000000 + i);
		else
			pcap_dump((u_char *)d, &h, buf);
	}
	if (ng)
		fclose(ng);
	else
		pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

static int dump(const char *in)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(in, err);
	struct pcap_pkthdr *h;
	const u_char *b;

	if (!p) {
		fprintf(stderr, "cli_pcaptool: %s\n", err);
		return 1;
	}
	while (pcap_next_ex(p, &h, &b) == 1) {
		printf("%u %u %ld.%06ld", h->caplen, h->len,
		       (long)h->ts.tv_sec, (long)h->ts.tv_usec);
		for (uint32_t i = 0; i < h->caplen; i++)
			printf(" %02x", b[i]);
		putchar('\n');
	}
	pcap_close(p);
	return 0;
}

int main(int argc, char **argv)
{
	struct wopts w = { .linktype = DLT_EN10MB };
	int i = 3;

	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2]);
	if (argc < 3 || strcmp(argv[1], "write")) {
		fprintf(stderr, "usage: cli_pcaptool write OUT [--snap N] "
				"[--linktype raw] [--pcapng] SPEC... | dump IN\n");
		return 2;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--snap") && i + 1 < argc)
			w.snap = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--linktype") && i + 1 < argc &&
			 !strcmp(argv[++i], "raw"))
			w.linktype = DLT_RAW;
		else if (!strcmp(argv[i], "--pcapng"))
			w.pcapng = 1;
		else
			return 2;
	}
	return write_cap(argv[2], &w, argv + i, argc - i);
}
