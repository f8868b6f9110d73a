/* Packet sets (see pktgen.h): the standard set of hand-picked and
 * malformed frames, deterministic random frames, and pcap files. */
#include "pktgen_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAX 2048

/* Arrays grow by doubling: the capacity is the next power of two. */
static int set_grow(struct pkt_set *set)
{
	size_t n = set->cnt, cap;
	void *d, *l, *nm;

	if (n && (n & (n - 1)))
		return 0;
	cap = n ? n * 2 : 1;
	d = realloc(set->data, cap * sizeof(*set->data));
	if (d)
		set->data = d;
	l = realloc(set->len, cap * sizeof(*set->len));
	if (l)
		set->len = l;
	nm = realloc(set->name, cap * sizeof(*set->name));
	if (nm)
		set->name = nm;
	return d && l && nm ? 0 : -ENOMEM;
}

int pkt_set_add(struct pkt_set *set, const uint8_t *data, size_t len,
		const char *name)
{
	uint8_t *copy;
	char *nm;

	if (set_grow(set))
		return -ENOMEM;
	copy = malloc(len ? len : 1);
	nm = strdup(name ? name : "");
	if (!copy || !nm) {
		free(copy);
		free(nm);
		return -ENOMEM;
	}
	if (len)
		memcpy(copy, data, len);
	set->data[set->cnt] = copy;
	set->len[set->cnt] = len;
	set->name[set->cnt] = nm;
	set->cnt++;
	return 0;
}

void pkt_set_free(struct pkt_set *set)
{
	for (size_t i = 0; i < set->cnt; i++) {
		free(set->data[i]);
		free(set->name[i]);
	}
	free(set->data);
	free(set->len);
	free(set->name);
	memset(set, 0, sizeof(*set));
}

static int add_x(struct pkt_set *set, const struct pkt_spec *s,
		 const struct pkt_extra *x, const char *name)
{
	uint8_t buf[FRAME_MAX];
	size_t len = pkt_build_x(s, x, buf, sizeof(buf));

	if (len > sizeof(buf))
		return -E2BIG;
	return pkt_set_add(set, buf, len, name);
}

static int add(struct pkt_set *set, const struct pkt_spec *s,
	       const char *name)
{
	const struct pkt_extra none = { 0 };

	return add_x(set, s, &none, name);
}

/* The spec most standard frames start from: 02:00:00:00:00:01 ->
 * 02:00:00:00:00:02, 10.0.0.1 -> 10.0.0.2 or 2001:db8::1 -> ::2. */
static struct pkt_spec base(int ipv, uint8_t proto)
{
	struct pkt_spec s = { .ip_version = ipv, .proto = proto,
			      .sport = 40000, .dport = 80 };

	memcpy(s.src_mac, "\x02\0\0\0\0\x01", 6);
	memcpy(s.dst_mac, "\x02\0\0\0\0\x02", 6);
	if (ipv == 6) {
		pkt_ip6(s.src_ip, 1);
		pkt_ip6(s.dst_ip, 2);
	} else {
		pkt_ip4(s.src_ip, 10, 0, 0, 1);
		pkt_ip4(s.dst_ip, 10, 0, 0, 2);
	}
	return s;
}

enum { TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58 };
enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

static int add_wellformed(struct pkt_set *set)
{
	struct pkt_spec s;
	int err = 0;

	s = base(4, TCP);
	s.tcp_flags = SYN;
	err |= add(set, &s, "ipv4 tcp syn");
	s.tcp_flags = PSH | ACK;
	s.payload_len = 100;
	err |= add(set, &s, "ipv4 tcp psh-ack, 100-byte payload");
	s = base(4, UDP);
	s.dport = 53;
	s.payload_len = 33;
	err |= add(set, &s, "ipv4 udp to port 53, odd length");
	s = base(4, ICMP);
	s.sport = 1;	/* echo id, sequence */
	s.dport = 1;
	s.payload_len = 56;
	err |= add(set, &s, "ipv4 icmp echo request");
	s = base(4, TCP);
	s.ihl = 6;
	s.tcp_flags = ACK;
	err |= add(set, &s, "ipv4 ihl 6 (4 bytes of NOP options) tcp ack");
	s = base(6, TCP);
	s.tcp_flags = SYN;
	err |= add(set, &s, "ipv6 tcp syn");
	s = base(6, UDP);
	s.dport = 443;
	s.payload_len = 200;
	err |= add(set, &s, "ipv6 udp 200-byte payload");
	s = base(6, ICMP6);
	s.payload_len = 56;
	err |= add(set, &s, "ipv6 icmpv6 echo request");
	s = base(0, 0);
	s.ethertype = 0x0806;
	memset(s.dst_mac, 0xff, 6);
	err |= add(set, &s, "arp request");
	s = base(4, UDP);
	s.vlan = 100;
	s.payload_len = 64;
	err |= add(set, &s, "vlan 100 ipv4 udp");
	s = base(6, TCP);
	s.vlan = 4094;
	s.tcp_flags = FIN | ACK;
	err |= add(set, &s, "vlan 4094 ipv6 tcp fin-ack");
	return err;
}

/* Fragments and an IPv6 extension header (struct pkt_extra). */
static int add_ext(struct pkt_set *set)
{
	struct pkt_spec s = base(4, UDP);
	struct pkt_extra x = { .ip_id = 0x1234, .more_frags = true };
	int err = 0;

	s.payload_len = 1472;
	err |= add_x(set, &s, &x, "ipv4 udp first fragment (MF, offset 0)");
	x.more_frags = false;
	x.frag_off = 185;
	s.payload_len = 520;
	err |= add_x(set, &s, &x, "ipv4 last fragment (offset 185*8)");
	s = base(6, UDP);
	s.payload_len = 40;
	x = (struct pkt_extra){ .hbh = true };
	err |= add_x(set, &s, &x, "ipv6 hop-by-hop header then udp");
	return err;
}

/* Runts of 0 to 13 bytes (prefixes of a TCP frame), then exactly 14. */
static int add_runts(struct pkt_set *set)
{
	struct pkt_spec s = base(4, TCP);
	uint8_t buf[FRAME_MAX];
	char name[64];
	int err = 0;

	s.tcp_flags = SYN;
	pkt_build(&s, buf, sizeof(buf));
	for (size_t n = 0; n < 14; n++) {
		snprintf(name, sizeof(name), "runt of %zu bytes", n);
		err |= pkt_set_add(set, buf, n, name);
	}
	err |= pkt_set_add(set, buf, 14, "ethernet header only (14 bytes)");
	return err;
}

static int add_bad_ip(struct pkt_set *set)
{
	struct pkt_spec s = base(4, TCP);
	int err = 0;

	s.tcp_flags = SYN;
	s.truncate = 14 + 10;
	err |= add(set, &s, "ipv4 header truncated (10 of 20 bytes)");
	s.truncate = 14 + 19;
	err |= add(set, &s, "ipv4 header truncated (19 of 20 bytes)");
	s.truncate = 14 + 20 + 10;
	err |= add(set, &s, "tcp header truncated (10 of 20 bytes)");
	s.truncate = 0;
	s.ihl = 3;
	err |= add(set, &s, "ipv4 ihl 3 (< 5)");
	s.ihl = 4;
	err |= add(set, &s, "ipv4 ihl 4 (< 5)");
	s = base(4, UDP);
	s.ihl = 15;
	s.truncate = 14 + 20 + 8;
	err |= add(set, &s, "ipv4 ihl 15 (60 bytes) past a 42-byte frame");
	s = base(4, UDP);
	s.payload_len = 20;
	s.tot_len_delta = 100;
	err |= add(set, &s, "ipv4 total length 100 past the frame");
	s.tot_len_delta = -10;
	err |= add(set, &s, "ipv4 total length 10 short of the frame");
	s = base(6, UDP);
	s.payload_len = 20;
	s.tot_len_delta = 50;
	err |= add(set, &s, "ipv6 payload length 50 past the frame");
	s = base(6, TCP);
	s.truncate = 14 + 30;
	err |= add(set, &s, "ipv6 header truncated (30 of 40 bytes)");
	return err;
}

static int add_big(struct pkt_set *set)
{
	struct pkt_spec s = base(4, UDP);
	int err = 0;

	s.payload_len = 1500 - 14 - 20 - 8;
	err |= add(set, &s, "ipv4 udp 1500-byte frame");
	s.payload_len = 1500 - 20 - 8;
	err |= add(set, &s, "ipv4 udp 1514-byte frame (IP MTU 1500)");
	return err;
}

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t rng_next(uint64_t *st)
{
	uint64_t z = (*st += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *st, uint32_t n)
{
	return (uint32_t)(rng_next(st) % n);
}

/* A random well-formed frame: IPv4 or IPv6 (3:1), TCP / UDP / ICMP,
 * one in eight VLAN-tagged, addresses in 10/8 or 2001:db8::/96. */
static struct pkt_spec random_spec(uint64_t *st)
{
	static const uint8_t protos[] = { TCP, TCP, UDP, UDP, UDP, ICMP };
	int ipv = rng_below(st, 4) ? 4 : 6;
	uint8_t proto = protos[rng_below(st, sizeof(protos))];
	struct pkt_spec s = base(ipv, proto == ICMP && ipv == 6 ? ICMP6 : proto);
	uint32_t r = (uint32_t)rng_next(st);

	s.src_mac[5] = (uint8_t)rng_below(st, 256);
	if (!rng_below(st, 8))
		s.vlan = (uint16_t)(1 + rng_below(st, 4094));
	if (ipv == 4) {
		pkt_ip4(s.src_ip, 10, (uint8_t)(r >> 16), (uint8_t)(r >> 8),
			(uint8_t)r);
		r = (uint32_t)rng_next(st);
		pkt_ip4(s.dst_ip, 10, (uint8_t)(r >> 16), (uint8_t)(r >> 8),
			(uint8_t)r);
	} else {
		pkt_ip6(s.src_ip, r);
		pkt_ip6(s.dst_ip, (uint32_t)rng_next(st));
	}
	s.sport = (uint16_t)(1024 + rng_below(st, 64512));
	s.dport = (uint16_t)(1 + rng_below(st, 65535));
	s.tcp_flags = (uint8_t)(rng_below(st, 2) ? SYN : ACK | PSH);
	s.ttl = (uint8_t)(1 + rng_below(st, 255));
	/* Mostly small packets, some up to a full 1500-byte IP MTU. */
	s.payload_len = rng_below(st, 4) ? rng_below(st, 200)
					 : rng_below(st, 1400);
	return s;
}

static int add_random(struct pkt_set *set, uint32_t seed, size_t n)
{
	static const char *pname[256] = { [ICMP] = "icmp", [TCP] = "tcp",
					   [UDP] = "udp", [ICMP6] = "icmpv6" };
	uint64_t st = seed;
	char name[80];

	for (size_t i = 0; i < n; i++) {
		struct pkt_spec s = random_spec(&st);

		snprintf(name, sizeof(name), "random #%zu (seed %u): ipv%d %s",
			 i, seed, s.ip_version, pname[s.proto]);
		if (add(set, &s, name))
			return -ENOMEM;
	}
	return 0;
}

int pkt_set_standard(struct pkt_set *set, uint32_t seed, size_t n_random)
{
	int err = add_wellformed(set) | add_ext(set) | add_runts(set) |
		  add_bad_ip(set) | add_big(set);

	if (err || add_random(set, seed, n_random)) {
		pkt_set_free(set);
		return -ENOMEM;
	}
	return 0;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Little-endian, as libpcap writes on x86: readers take either order
 * from the magic; one fixed order makes the file the same everywhere. */
static int write_header(FILE *f)
{
	uint8_t h[24];

	le32(h, 0xa1b2c3d4);
	h[4] = 2;	/* version 2.4 */
	h[5] = 0;
	h[6] = 4;
	h[7] = 0;
	le32(h + 8, 0);		/* thiszone */
	le32(h + 12, 0);	/* sigfigs */
	le32(h + 16, 65535);	/* snaplen */
	le32(h + 20, 1);	/* LINKTYPE_ETHERNET */
	return fwrite(h, sizeof(h), 1, f) == 1 ? 0 : -EIO;
}

static int write_record(FILE *f, size_t i, const uint8_t *data, size_t len)
{
	uint32_t incl = len > 65535 ? 65535 : (uint32_t)len;
	uint8_t h[16];

	le32(h, (uint32_t)(i / 1000));
	le32(h + 4, (uint32_t)(i % 1000 * 1000));
	le32(h + 8, incl);
	le32(h + 12, (uint32_t)len);
	if (fwrite(h, sizeof(h), 1, f) != 1)
		return -EIO;
	return !incl || fwrite(data, incl, 1, f) == 1 ? 0 : -EIO;
}

int pkt_pcap_write(const char *path, const struct pkt_set *set)
{
	FILE *f = fopen(path, "wb");
	int err;

	if (!f)
		return -errno;
	err = write_header(f);
	for (size_t i = 0; !err && i < set->cnt; i++)
		err = write_record(f, i, set->data[i], set->len[i]);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
