/* examples/socket_filter.bpf.c through bpfvm, on both engines: the
 * filter keeps SNAP_WEB (128) bytes of TCP port 80 / 443 traffic in
 * either direction over IPv4 (with options too) and IPv6, whole DNS
 * queries (the skb's length: the frame without its Ethernet header),
 * and nothing of DNS responses, DNS datagrams too short for a header,
 * other ports, non-first fragments, ARP, or frames whose ports lie past
 * the end (an LD_IND out of bounds ends the filter with 0). */
#include <linux/bpf.h>

#include "check.h"
#include "ex_util.h"

#define SNAP_WEB 128

struct sf_case {
	const char *what;
	struct pkt_spec spec;
	int dns_flags;		/* -1: leave the payload */
	int frag;		/* make it a non-first fragment */
	size_t cut;		/* truncate the frame to this many bytes */
	int64_t want;		/* -1: the frame's length minus 14 */
};

static struct sf_case c(const char *what, int ipv, uint8_t proto,
			uint16_t sport, uint16_t dport, int64_t want)
{
	struct sf_case x = { .what = what, .dns_flags = -1, .want = want };

	x.spec = ex_spec(ipv, proto, sport, dport);
	if (ipv == 6) {
		pkt_ip6(x.spec.src_ip, 1);
		pkt_ip6(x.spec.dst_ip, 2);
	} else {
		pkt_ip4(x.spec.src_ip, 10, 0, 0, 1);
		pkt_ip4(x.spec.dst_ip, 10, 0, 0, 2);
	}
	return x;
}

static size_t make(struct sf_case *v)
{
	size_t n = 0;

	v[n++] = c("tcp to 80", 4, 6, 40000, 80, SNAP_WEB);
	v[n++] = c("tcp from 443", 4, 6, 443, 40000, SNAP_WEB);
	v[n++] = c("ipv6 tcp to 443", 6, 6, 40000, 443, SNAP_WEB);
	v[n] = c("tcp to 80, ip options", 4, 6, 40000, 80, SNAP_WEB);
	v[n++].spec.ihl = 6;
	v[n++] = c("tcp to 22", 4, 6, 40000, 22, 0);
	v[n] = c("dns query", 4, 17, 5353, 53, -1);
	v[n++].dns_flags = 0x01;
	v[n] = c("ipv6 dns query", 6, 17, 5353, 53, -1);
	v[n++].dns_flags = 0x01;
	v[n] = c("dns response", 4, 17, 5353, 53, 0);
	v[n++].dns_flags = 0x81;
	v[n] = c("udp to 53, 2 bytes", 4, 17, 5353, 53, 0);
	v[n++].spec.payload_len = 2;
	v[n++] = c("udp to 123", 4, 17, 123, 123, 0);
	v[n] = c("arp", 0, 0, 0, 0, 0);
	v[n++].spec.ethertype = 0x0806;
	v[n] = c("non-first fragment to 80", 4, 6, 40000, 80, 0);
	v[n++].frag = 1;
	v[n] = c("ports cut off", 4, 6, 40000, 80, 0);
	v[n++].cut = 14 + 20 + 3;
	return n;
}

static size_t build(const struct sf_case *x, uint8_t *f)
{
	size_t len = ex_frame(&x->spec, f), l4 = 14 + 20;

	if (x->spec.ip_version == 6)
		l4 = 14 + 40;
	if (x->dns_flags >= 0)
		f[l4 + 8 + 2] = (uint8_t)x->dns_flags;
	if (x->frag) {		/* fragment offset 100 * 8 */
		f[14 + 6] = 0;
		f[14 + 7] = 100;
	}
	return x->cut ? x->cut : len;
}

int main(void)
{
	struct sf_case v[16];
	size_t n = make(v);

	for (int eng = 0; eng < 2; eng++) {
		struct bpfvm_object *obj = ex_open_load("socket_filter");
		struct bpfvm_prog *p = obj ? ex_prog(obj, "web_dns_filter")
					   : NULL;

		CHECK(p != NULL);
		for (size_t i = 0; p && i < n; i++) {
			uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
			size_t len = build(&v[i], in);
			int64_t want = v[i].want < 0 ? (int64_t)len - 14
						     : v[i].want;
			int64_t r = ex_run(p, ex_engines[eng], in, len, out,
					   NULL, NULL, 0);

			if (r != want)
				fprintf(stderr, "%s: %s: kept %lld, want %lld\n",
					ex_engine_names[eng], v[i].what,
					(long long)r, (long long)want);
			CHECK_EQ_U64(r, want);
		}
		bpfvm_object_close(obj);
	}
	return check_report();
}
