/* tests/lib/pktgen: frames parsed back here by hand (a parser written
 * for this test, not pktgen's code): lengths of every layer, IPv4 header
 * checksums, TCP / UDP / ICMP / ICMPv6 checksums with their pseudo-
 * headers, the standard set's malformed frames as their names say, the
 * random frames' determinism, and the pcap file byte for byte. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "pktgen.h"

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The Internet checksum over the concatenation of a and b (a even
 * length): a byte-at-a-time sum, 0 when the data carries a valid one. */
static unsigned inet_sum(const uint8_t *a, size_t na, const uint8_t *b,
			 size_t nb)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < na + nb; i++) {
		uint8_t c = i < na ? a[i] : b[i - na];

		sum += (i & 1) ? c : (uint64_t)c << 8;
	}
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (unsigned)(~sum & 0xffff);
}

/* A frame parsed back: offsets of L3 / L4, or -1. */
struct parsed {
	unsigned ethertype;
	int l3, l4;
	unsigned proto;
	size_t l4_len;
};

static struct parsed parse(const uint8_t *f, size_t len)
{
	struct parsed p = { .l3 = -1, .l4 = -1 };
	size_t off = 14;

	if (len < 14)
		return p;
	p.ethertype = be16(f + 12);
	if (p.ethertype == 0x8100 && len >= 18) {
		p.ethertype = be16(f + 16);
		off = 18;
	}
	p.l3 = (int)off;
	if (p.ethertype == 0x0800 && len >= off + 20) {
		size_t hl = (f[off] & 15) * 4u;

		p.proto = f[off + 9];
		p.l4 = (int)(off + hl);
		p.l4_len = be16(f + off + 2) - hl;
	} else if (p.ethertype == 0x86dd && len >= off + 40) {
		p.proto = f[off + 6];
		p.l4 = (int)(off + 40);
		p.l4_len = be16(f + off + 4);
		if (p.proto == 0) {	/* hop-by-hop: skip it */
			p.proto = f[off + 40];
			p.l4 += 8 * (1 + f[off + 41]);
			p.l4_len -= 8 * (1 + f[off + 41]);
		}
	}
	return p;
}

static unsigned l4_sum(const uint8_t *f, const struct parsed *p)
{
	uint8_t ph[40] = { 0 };
	const uint8_t *ip = f + p->l3;

	if (p->proto == 1)
		return inet_sum(NULL, 0, f + p->l4, p->l4_len);
	if (p->ethertype == 0x0800) {
		memcpy(ph, ip + 12, 8);
		ph[9] = (uint8_t)p->proto;
		ph[10] = (uint8_t)(p->l4_len >> 8);
		ph[11] = (uint8_t)p->l4_len;
		return inet_sum(ph, 12, f + p->l4, p->l4_len);
	}
	memcpy(ph, ip + 8, 32);
	ph[34] = (uint8_t)(p->l4_len >> 8);
	ph[35] = (uint8_t)p->l4_len;
	ph[39] = (uint8_t)p->proto;
	return inet_sum(ph, 40, f + p->l4, p->l4_len);
}

/* Every checksum of a well-formed frame is right; its lengths add up. */
static void check_wellformed(const uint8_t *f, size_t len, const char *nm)
{
	struct parsed p = parse(f, len);
	size_t l3_end;

	if (p.ethertype != 0x0800 && p.ethertype != 0x86dd)
		return;
	CHECK(p.l4 > 0);
	if (p.l4 <= 0)
		return;
	l3_end = (size_t)p.l4 + p.l4_len;
	if (l3_end != len)
		fprintf(stderr, "frame \"%s\": length\n", nm);
	CHECK_EQ_U64(l3_end, len);
	if (p.ethertype == 0x0800) {
		unsigned ip = inet_sum(NULL, 0, f + p.l3, (size_t)(p.l4 - p.l3));

		if (ip)
			fprintf(stderr, "frame \"%s\": IPv4 checksum\n", nm);
		CHECK_EQ_U64(ip, 0);
		if (be16(f + p.l3 + 6) & 0x1fff)
			return;	/* a later fragment: no L4 header */
	}
	if (p.proto == 6 || p.proto == 17 || p.proto == 1 || p.proto == 58) {
		if (l4_sum(f, &p))
			fprintf(stderr, "frame \"%s\": L4 checksum\n", nm);
		CHECK_EQ_U64(l4_sum(f, &p), 0);
	}
	if (p.proto == 17)
		CHECK_EQ_U64(be16(f + p.l4 + 4), p.l4_len);
}

static struct pkt_spec spec(int ipv, uint8_t proto, size_t payload)
{
	struct pkt_spec s = { .ip_version = ipv, .proto = proto,
			      .sport = 1234, .dport = 80,
			      .payload_len = payload };

	if (ipv == 6) {
		pkt_ip6(s.src_ip, 0xa);
		pkt_ip6(s.dst_ip, 0xb);
	} else {
		pkt_ip4(s.src_ip, 192, 168, 1, 1);
		pkt_ip4(s.dst_ip, 192, 168, 1, 200);
	}
	return s;
}

/* A checksum known from outside: the IPv4 header of RFC 1071's style
 * example as Wikipedia works it (45 00 00 73 ... c0 a8 00 c7 -> b861). */
static void test_known_ip_checksum(void)
{
	struct pkt_spec s = spec(4, 17, 0x73 - 28);
	uint8_t f[256];

	pkt_ip4(s.src_ip, 192, 168, 0, 1);
	pkt_ip4(s.dst_ip, 192, 168, 0, 199);
	s.ttl = 64;
	CHECK_EQ_U64(pkt_build(&s, f, sizeof(f)), 14 + 0x73);
	/* pktgen's id is 0 and DF is clear: Wikipedia's header has id 0
	 * and DF set (0x4000), so its b861 becomes b861 + 0x4000. */
	CHECK_EQ_U64(be16(f + 14 + 10), 0xb861 + 0x4000);
}

static void test_build(void)
{
	static const uint8_t protos[] = { 6, 17, 1 };
	uint8_t f[2048];

	for (int v = 4; v <= 6; v += 2)
		for (size_t k = 0; k < 3; k++)
			for (size_t n = 0; n < 40; n += 13) {
				uint8_t pr = protos[k] == 1 && v == 6 ? 58
								      : protos[k];
				struct pkt_spec s = spec(v, pr, n);
				size_t hl = pr == 6 ? 20 : 8;
				size_t len = pkt_build(&s, f, sizeof(f));

				CHECK_EQ_U64(len, 14 + (v == 4 ? 20 : 40) + hl + n);
				check_wellformed(f, len, "test_build");
				CHECK_EQ_U64(be16(f + 12), v == 4 ? 0x0800 : 0x86dd);
			}
	/* Too small a buffer: the length is returned, nothing claimed. */
	struct pkt_spec s = spec(4, 6, 100);

	CHECK_EQ_U64(pkt_build(&s, f, 10), 14 + 20 + 20 + 100);
	/* VLAN tag. */
	s.vlan = 0x123;
	CHECK_EQ_U64(pkt_build(&s, f, sizeof(f)), 18 + 20 + 20 + 100);
	CHECK_EQ_U64(be16(f + 12), 0x8100);
	CHECK_EQ_U64(be16(f + 14), 0x123);
	CHECK_EQ_U64(be16(f + 16), 0x0800);
	check_wellformed(f, 18 + 140, "vlan");
	/* TCP flags and ports land where TCP keeps them. */
	s.tcp_flags = 0x12;
	pkt_build(&s, f, sizeof(f));
	CHECK_EQ_U64(f[18 + 20 + 13], 0x12);
	CHECK_EQ_U64(be16(f + 18 + 20), 1234);
	CHECK_EQ_U64(be16(f + 18 + 22), 80);
	CHECK_EQ_U64(f[18 + 20 + 12] >> 4, 5);
	/* Malformations as given. */
	s = spec(4, 6, 10);
	s.ihl = 3;
	pkt_build(&s, f, sizeof(f));
	CHECK_EQ_U64(f[14], 0x43);
	s.ihl = 15;
	CHECK_EQ_U64(pkt_build(&s, f, sizeof(f)), 14 + 60 + 20 + 10);
	s.truncate = 30;
	CHECK_EQ_U64(pkt_build(&s, f, sizeof(f)), 30);
	s = spec(4, 17, 10);
	s.tot_len_delta = -5;
	pkt_build(&s, f, sizeof(f));
	CHECK_EQ_U64(be16(f + 16), 20 + 8 + 10 - 5);
	CHECK_EQ_U64(inet_sum(NULL, 0, f + 14, 20), 0);
	s = spec(6, 17, 10);
	s.tot_len_delta = 7;
	pkt_build(&s, f, sizeof(f));
	CHECK_EQ_U64(be16(f + 18), 8 + 10 + 7);
	/* ARP. */
	s = spec(0, 0, 0);
	s.ethertype = 0x0806;
	CHECK_EQ_U64(pkt_build(&s, f, sizeof(f)), 14 + 28);
	CHECK_EQ_U64(be16(f + 12), 0x0806);
	CHECK_EQ_U64(be16(f + 20), 1);
	CHECK(memcmp(f + 14 + 14, s.src_ip, 4) == 0);
	CHECK(memcmp(f + 14 + 24, s.dst_ip, 4) == 0);
}

static int find(const struct pkt_set *set, const char *name)
{
	for (size_t i = 0; i < set->cnt; i++)
		if (strcmp(set->name[i], name) == 0)
			return (int)i;
	fprintf(stderr, "no frame named \"%s\"\n", name);
	return -1;
}

#define FRAME(set, nm, i) \
	int i = find(set, nm); \
	CHECK(i >= 0); \
	if (i < 0) \
		return

static void test_runts(const struct pkt_set *set)
{
	char nm[64];

	for (size_t n = 0; n < 14; n++) {
		snprintf(nm, sizeof(nm), "runt of %zu bytes", n);
		FRAME(set, nm, i);
		CHECK_EQ_U64(set->len[i], n);
	}
	FRAME(set, "ethernet header only (14 bytes)", e);
	CHECK_EQ_U64(set->len[e], 14);
	CHECK_EQ_U64(be16(set->data[e] + 12), 0x0800);
}

static void test_bad_ip(const struct pkt_set *set)
{
	FRAME(set, "ipv4 header truncated (10 of 20 bytes)", a);
	CHECK_EQ_U64(set->len[a], 24);
	FRAME(set, "ipv4 header truncated (19 of 20 bytes)", b);
	CHECK_EQ_U64(set->len[b], 33);
	FRAME(set, "tcp header truncated (10 of 20 bytes)", c);
	CHECK_EQ_U64(set->len[c], 44);
	FRAME(set, "ipv4 ihl 3 (< 5)", d);
	CHECK_EQ_U64(set->data[d][14], 0x43);
	FRAME(set, "ipv4 ihl 4 (< 5)", e);
	CHECK_EQ_U64(set->data[e][14], 0x44);
	FRAME(set, "ipv4 ihl 15 (60 bytes) past a 42-byte frame", f);
	CHECK_EQ_U64(set->data[f][14], 0x4f);
	CHECK_EQ_U64(set->len[f], 42);
	FRAME(set, "ipv4 total length 100 past the frame", g);
	CHECK_EQ_U64(be16(set->data[g] + 16), set->len[g] - 14 + 100);
	FRAME(set, "ipv4 total length 10 short of the frame", h);
	CHECK_EQ_U64(be16(set->data[h] + 16), set->len[h] - 14 - 10);
	CHECK_EQ_U64(inet_sum(NULL, 0, set->data[h] + 14, 20), 0);
	FRAME(set, "ipv6 payload length 50 past the frame", k);
	CHECK_EQ_U64(be16(set->data[k] + 18), set->len[k] - 54 + 50);
	FRAME(set, "ipv6 header truncated (30 of 40 bytes)", l);
	CHECK_EQ_U64(set->len[l], 44);
	CHECK_EQ_U64(be16(set->data[l] + 12), 0x86dd);
}

static void test_special(const struct pkt_set *set)
{
	FRAME(set, "ipv4 udp first fragment (MF, offset 0)", a);
	CHECK_EQ_U64(be16(set->data[a] + 20), 0x2000);
	CHECK_EQ_U64(set->len[a], 1514);
	FRAME(set, "ipv4 last fragment (offset 185*8)", b);
	CHECK_EQ_U64(be16(set->data[b] + 20), 185);
	CHECK_EQ_U64(set->len[b], 14 + 20 + 520);
	FRAME(set, "ipv6 hop-by-hop header then udp", c);
	CHECK_EQ_U64(set->data[c][20], 0);	/* next header: HBH */
	CHECK_EQ_U64(set->data[c][54], 17);	/* HBH's next: UDP */
	CHECK_EQ_U64(set->len[c], 14 + 40 + 8 + 8 + 40);
	FRAME(set, "ipv4 udp 1500-byte frame", d);
	CHECK_EQ_U64(set->len[d], 1500);
	FRAME(set, "ipv4 udp 1514-byte frame (IP MTU 1500)", e);
	CHECK_EQ_U64(set->len[e], 1514);
	FRAME(set, "arp request", f);
	CHECK_EQ_U64(be16(set->data[f] + 12), 0x0806);
	FRAME(set, "vlan 100 ipv4 udp", g);
	CHECK_EQ_U64(be16(set->data[g] + 14), 100);
	FRAME(set, "ipv4 icmp echo request", h);
	CHECK_EQ_U64(set->data[h][34], 8);
	FRAME(set, "ipv6 icmpv6 echo request", k);
	CHECK_EQ_U64(set->data[k][54], 128);
}

static void test_standard(void)
{
	struct pkt_set set = { 0 }, again = { 0 }, other = { 0 };
	size_t names_ok = 0, wellformed = 0;

	CHECK_EQ_U64(pkt_set_standard(&set, 7, 300), 0);
	CHECK(set.cnt > 300 + 40);
	test_runts(&set);
	test_bad_ip(&set);
	test_special(&set);
	/* Everything not malformed (the hand-picked ones before the runts,
	 * the big ones and all random ones) has every checksum right. */
	for (size_t i = 0; i < set.cnt; i++) {
		const char *nm = set.name[i];

		names_ok += nm[0] != 0;
		if (strstr(nm, "runt") || strstr(nm, "truncated") ||
		    strstr(nm, "ihl 3") || strstr(nm, "ihl 4") ||
		    strstr(nm, "ihl 15") || strstr(nm, "length") ||
		    strstr(nm, "only"))
			continue;
		wellformed++;
		check_wellformed(set.data[i], set.len[i], nm);
		CHECK(set.len[i] <= 1518);
	}
	CHECK_EQ_U64(names_ok, set.cnt);
	CHECK(wellformed >= 300 + 10);
	/* The same seed gives the same frames; another seed others. */
	CHECK_EQ_U64(pkt_set_standard(&again, 7, 300), 0);
	CHECK_EQ_U64(pkt_set_standard(&other, 8, 300), 0);
	CHECK_EQ_U64(again.cnt, set.cnt);
	size_t same = 0, differ = 0;

	for (size_t i = 0; i < set.cnt && i < again.cnt; i++) {
		same += set.len[i] == again.len[i] &&
			!memcmp(set.data[i], again.data[i], set.len[i]);
		differ += set.len[i] != other.len[i] ||
			  memcmp(set.data[i], other.data[i], set.len[i]);
	}
	CHECK_EQ_U64(same, set.cnt);
	CHECK(differ > 250);
	pkt_set_free(&set);
	pkt_set_free(&again);
	pkt_set_free(&other);
	CHECK(set.cnt == 0 && set.data == NULL);
}

static void test_pcap(void)
{
	char path[] = "/tmp/test_pktgen_XXXXXX";
	struct pkt_set set = { 0 };
	uint8_t buf[1 << 16], a[3] = { 1, 2, 3 }, b[1500];
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	memset(b, 0xab, sizeof(b));
	for (size_t i = 0; i < 1002; i++)
		CHECK_EQ_U64(pkt_set_add(&set, i & 1 ? b : a, i & 1 ? 1500 : 3,
					 "x"), 0);
	CHECK_EQ_U64(pkt_set_add(&set, NULL, 0, "empty"), 0);
	CHECK_EQ_U64(pkt_pcap_write(path, &set), 0);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_EQ_U64(n, sizeof(buf));
	CHECK(memcmp(buf, "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8) == 0);
	CHECK_EQ_U64(le32(buf + 8), 0);
	CHECK_EQ_U64(le32(buf + 12), 0);
	CHECK_EQ_U64(le32(buf + 16), 65535);
	CHECK_EQ_U64(le32(buf + 20), 1);
	/* Records 0 and 1: stamps 0.000000, 0.001000; lengths, bytes. */
	CHECK_EQ_U64(le32(buf + 24), 0);
	CHECK_EQ_U64(le32(buf + 28), 0);
	CHECK_EQ_U64(le32(buf + 32), 3);
	CHECK_EQ_U64(le32(buf + 36), 3);
	CHECK(memcmp(buf + 40, a, 3) == 0);
	CHECK_EQ_U64(le32(buf + 43), 0);
	CHECK_EQ_U64(le32(buf + 47), 1000);
	CHECK_EQ_U64(le32(buf + 51), 1500);
	CHECK_EQ_U64(le32(buf + 55), 1500);
	CHECK(memcmp(buf + 59, b, 1500) == 0);
	pkt_set_free(&set);
	/* The whole file: the size, and record 1001's stamp 1.001000. */
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		long total = 24 + 501 * (16 + 3) + 501 * (16 + 1500) + 16;
		uint8_t rec[16];

		fseek(f, 0, SEEK_END);
		CHECK_EQ_U64(ftell(f), total);
		fseek(f, 24 + 500L * (19 + 1516) + 19, SEEK_SET);
		CHECK_EQ_U64(fread(rec, 1, 16, f), 16);
		CHECK_EQ_U64(le32(rec), 1);
		CHECK_EQ_U64(le32(rec + 4), 1000);
		CHECK_EQ_U64(le32(rec + 8), 1500);
		fclose(f);
	}
	unlink(path);
	CHECK_EQ_U64(pkt_pcap_write("/nonexistent-dir/x.pcap", &set),
		     (uint64_t)-ENOENT);
}

int main(void)
{
	test_known_ip_checksum();
	test_build();
	test_standard();
	test_pcap();
	return check_report();
}
