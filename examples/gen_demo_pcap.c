/* Writes the capture `make demo` runs the XDP firewall over: the same
 * bytes on every build (a fixed seed). About 3000 frames: web, DNS and
 * other traffic over IPv4 and IPv6 (some VLAN-tagged, some ARP), a share
 * from sources the firewall's built-in rules block (198.51.100.0/24,
 * 203.0.113.128/25), and the malformed frames of tests/lib's standard
 * set (runts, truncated headers, bad IHL and lengths).
 *
 *     gen_demo_pcap OUT.pcap [COUNT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"

#define FRAME_MAX 2048

static uint64_t rng_state = 0x64656d6f70636170ull; /* "demopcap" */

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

/* One frame of the mix; *name says what it is. */
static void pick(struct pkt_spec *s, const char **name)
{
	static const uint16_t ports[] = { 80, 443, 53, 8080, 22, 123 };
	uint32_t kind = rnd(100);

	memset(s, 0, sizeof(*s));
	memcpy(s->src_mac, "\x02\0\0\0\x10\x01", 6);
	memcpy(s->dst_mac, "\x02\0\0\0\x10\x02", 6);
	s->ip_version = 4;
	s->proto = rnd(3) ? 6 : 17;
	s->sport = 1024 + (uint16_t)rnd(60000);
	s->dport = ports[rnd(6)];
	s->tcp_flags = 0x10;
	s->payload_len = rnd(4) ? rnd(200) : rnd(1400);
	pkt_ip4(s->src_ip, 10, (uint8_t)rnd(4), (uint8_t)rnd(256),
		(uint8_t)(1 + rnd(254)));
	pkt_ip4(s->dst_ip, 10, 0, 0, 2);
	*name = "ipv4";
	if (kind < 12) {
		s->ip_version = 6;
		pkt_ip6(s->src_ip, 0x100 + rnd(1000));
		pkt_ip6(s->dst_ip, 2);
		*name = "ipv6";
	} else if (kind < 20) {
		pkt_ip4(s->src_ip, 198, 51, 100, (uint8_t)rnd(256));
		*name = "ipv4 from 198.51.100.0/24 (blocked)";
	} else if (kind < 24) {
		pkt_ip4(s->src_ip, 203, 0, 113, (uint8_t)(128 + rnd(128)));
		*name = "ipv4 from 203.0.113.128/25 (blocked)";
	} else if (kind < 27) {
		s->ip_version = 0;
		s->ethertype = 0x0806;
		memset(s->dst_mac, 0xff, 6);
		*name = "arp";
	} else if (kind < 31) {
		s->vlan = (uint16_t)(1 + rnd(4094));
		*name = "vlan ipv4";
	} else if (kind < 33) {
		s->ihl = (uint8_t)(1 + rnd(4)); /* IHL 1-4: invalid */
		*name = "ipv4 ihl < 5 (malformed)";
	} else if (kind < 35) {
		s->truncate = 14 + rnd(20);	/* IP header cut short */
		*name = "ipv4 truncated header (malformed)";
	}
}

int main(int argc, char **argv)
{
	struct pkt_set set = { 0 };
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 3000;
	uint8_t buf[FRAME_MAX];
	struct pkt_spec s;
	const char *name;
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OUT.pcap [COUNT]\n", argv[0]);
		return 2;
	}
	err = pkt_set_standard(&set, 1, 0);
	for (unsigned long i = 0; !err && i < n; i++) {
		size_t len;

		pick(&s, &name);
		len = pkt_build(&s, buf, sizeof(buf));
		if (len > sizeof(buf))
			len = sizeof(buf);
		err = pkt_set_add(&set, buf, len, name);
	}
	if (!err)
		err = pkt_pcap_write(argv[1], &set);
	if (err)
		fprintf(stderr, "gen_demo_pcap: %s: %s\n", argv[1],
			strerror(-err));
	else
		printf("%s: %zu frames\n", argv[1], set.cnt);
	pkt_set_free(&set);
	return err ? 1 : 0;
}
