/* examples/tc_rewrite.bpf.c through bpfvm, on both engines: UDP gets
 * DSCP EF (ECN bits kept) with a valid IP checksum and mark 1; TCP to
 * 8080 goes to port 80 with a valid TCP checksum and mark 2 (IP options
 * and VLAN tags too); everything else leaves byte for byte as it came,
 * mark 0; the NAT's ports come from .rodata set before load. The
 * checksums are verified here, independently of bpfvm. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "check.h"
#include "ex_util.h"

static size_t ip_off(const struct pkt_spec *s)
{
	return 14 + (s->vlan ? 4 : 0);
}

/* Run one frame; *mark gets __sk_buff.mark out. */
static int64_t run(struct bpfvm_prog *p, int eng, const uint8_t *in,
		   size_t len, uint8_t *out, uint32_t *mark)
{
	struct __sk_buff skb;
	size_t out_len = 0;
	int64_t r;

	memset(&skb, 0xff, sizeof(skb));
	r = ex_run(p, ex_engines[eng], in, len, out, &out_len, &skb,
		   sizeof(skb));
	CHECK_EQ_U64(out_len, len);
	*mark = skb.mark;
	return r;
}

/* The frame with tos set (IP checksum fixed). */
static size_t frame_tos(const struct pkt_spec *s, uint8_t tos, uint8_t *f)
{
	size_t len = ex_frame(s, f);
	uint8_t *ip = f + ip_off(s);
	uint16_t sum;

	ip[1] = tos;
	ip[10] = ip[11] = 0;
	sum = ex_csum(ip, (ip[0] & 0xf) * 4u, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	return len;
}

static void dscp(struct bpfvm_prog *p, int eng, uint8_t tos, uint8_t want)
{
	struct pkt_spec s = ex_spec(4, 17, 5060, 5060);
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
	size_t len;
	uint32_t mark;

	pkt_ip4(s.src_ip, 10, 0, 0, 1);
	pkt_ip4(s.dst_ip, 10, 0, 0, 2);
	len = frame_tos(&s, tos, in);
	CHECK_EQ_U64(run(p, eng, in, len, out, &mark), TC_ACT_OK);
	CHECK_EQ_U64(out[14 + 1], want);
	CHECK(ex_ip4_csum_ok(out + 14));
	CHECK(ex_l4_csum_ok(out + 14));
	CHECK_EQ_U64(mark, tos == want ? 0 : 1);
	/* only the TOS byte and the checksum changed */
	CHECK(memcmp(in, out, 15) == 0 && memcmp(in + 16, out + 16, 8) == 0);
	CHECK(memcmp(in + 26, out + 26, len - 26) == 0);
}

static void nat(struct bpfvm_prog *p, int eng, uint16_t dport, int vlan,
		int ihl, uint16_t want_port)
{
	struct pkt_spec s = ex_spec(4, 6, 40000, dport);
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
	size_t len, l3, l4;
	uint32_t mark;

	pkt_ip4(s.src_ip, 10, 0, 0, 1);
	pkt_ip4(s.dst_ip, 10, 0, 0, 2);
	s.vlan = (uint16_t)vlan;
	s.ihl = (uint8_t)ihl;
	len = ex_frame(&s, in);
	l3 = ip_off(&s);
	l4 = l3 + (in[l3] & 0xf) * 4u;
	CHECK_EQ_U64(run(p, eng, in, len, out, &mark), TC_ACT_OK);
	CHECK_EQ_U64((uint32_t)out[l4 + 2] << 8 | out[l4 + 3], want_port);
	CHECK(ex_ip4_csum_ok(out + l3));
	CHECK(ex_l4_csum_ok(out + l3));
	CHECK_EQ_U64(mark, want_port == dport ? 0 : 2);
	CHECK(memcmp(in, out, l4 + 2) == 0);	/* through the source port */
	CHECK(memcmp(in + l4 + 4, out + l4 + 4, 12) == 0);
	CHECK(memcmp(in + l4 + 18, out + l4 + 18, len - l4 - 18) == 0);
}

static void untouched(struct bpfvm_prog *p, int eng)
{
	struct pkt_spec s = ex_spec(6, 17, 5060, 5060);
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
	size_t len;
	uint32_t mark;

	pkt_ip6(s.src_ip, 1);
	pkt_ip6(s.dst_ip, 2);
	len = ex_frame(&s, in);		/* IPv6: no DSCP rewrite here */
	CHECK_EQ_U64(run(p, eng, in, len, out, &mark), TC_ACT_OK);
	CHECK(memcmp(in, out, len) == 0);
	CHECK_EQ_U64(mark, 0);
}

int main(void)
{
	for (int eng = 0; eng < 2; eng++) {
		struct bpfvm_object *obj = ex_open_load("tc_rewrite");
		struct bpfvm_prog *p = obj ? ex_prog(obj, "tc_rewrite") : NULL;
		uint16_t *from;
		size_t sz = 0;

		CHECK(p != NULL);
		if (p) {
			dscp(p, eng, 0x00, 0xb8);
			dscp(p, eng, 0x03, 0xbb);	/* ECN kept */
			dscp(p, eng, 0xb8, 0xb8);	/* already EF */
			nat(p, eng, 8080, 0, 0, 80);
			nat(p, eng, 8080, 0, 6, 80);	/* ip options */
			nat(p, eng, 8080, 300, 0, 80);	/* vlan */
			nat(p, eng, 8081, 0, 0, 8081);
			untouched(p, eng);
		}
		bpfvm_object_close(obj);
		/* nat_from = 9000 before load */
		obj = ex_open("tc_rewrite");
		from = obj ? bpfvm_object_global(obj, "nat_from", &sz) : NULL;
		CHECK(from && sz == 2);
		if (from) {
			*from = 9000;
			CHECK(ex_load(obj, NULL) == 0);
			p = ex_prog(obj, "tc_rewrite");
			nat(p, eng, 9000, 0, 0, 80);
			nat(p, eng, 8080, 0, 0, 8080);
		}
		bpfvm_object_close(obj);
	}
	return check_report();
}
