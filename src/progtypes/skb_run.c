/* BPF_PROG_TEST_RUN for socket filters and tc, as the kernel's
 * bpf_prog_test_run_skb (net/bpf/test_run.c) on the loopback device:
 *   - data_in of ETH_HLEN to SKB_CTX_MAX_IN bytes, copied after 64 bytes
 *     of headroom (the buffer lives on this function's stack: nothing is
 *     allocated per call);
 *   - eth_type_trans: protocol from the EtherType (802.3 / 802.2 below
 *     0x600), pkt_type from the destination (lo's address and broadcast
 *     address are all zero: host for 00:..:00, multicast for any group
 *     address, ff:..:ff included, otherhost for the rest); then an IPv4
 *     or IPv6 packet shorter than its fixed header is -EINVAL;
 *   - tc sees the frame from its Ethernet header; a socket filter from the
 *     network header, and on output the kernel pushes back 14 zero bytes
 *     where the Ethernet header was; with BPFVM_TEST_RUN_F_L2 a socket
 *     filter sees (and gives back) the whole frame, as on an AF_PACKET
 *     socket;
 *   - ctx_in may set mark, priority, ingress_ifindex, ifindex (0 or 1:
 *     bpfvm has only the loopback device), cb, tstamp, wire_len, gso_segs,
 *     gso_size and hwtstamp; every other byte must be zero (-EINVAL);
 *   - ctx_out: ctx_in with mark, priority, ingress_ifindex, ifindex,
 *     tstamp, cb, wire_len, gso_segs and hwtstamp as the run left them. */
#include <errno.h>
#include <string.h>

#include "progtypes/skb_ctx.h"

#define O(f) ((uint32_t)offsetof(struct __sk_buff, f))
#define ETH_P_IP_BE 0x0008	/* htons(0x0800) */
#define ETH_P_IPV6_BE 0xdd86	/* htons(0x86dd) */
#define PACKET_HOST 0
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

/* On the stack of one test run. */
struct skb_frame {
	struct skb_ctx c;
	struct pt_run run;
	_Alignas(64) uint8_t buf[SKB_CTX_BUF];
};

static int check_opts(struct bpfvm_test_run_opts *o, bool tc)
{
	uint32_t ok_flags = tc ? 0 : BPFVM_TEST_RUN_F_L2;
	uint32_t n = o->data_size_in;

	if (o->flags & ~ok_flags)
		return pt_fail(o, -EINVAL, "flags 0x%x: %s", o->flags, tc ?
			       "none is for tc" : "only BPFVM_TEST_RUN_F_L2 "
			       "is for socket filters");
	if (n < SKB_CTX_ETH_HLEN || n > SKB_CTX_MAX_IN)
		return pt_fail(o, -EINVAL, "data_in: %u bytes, %s", n,
			       n < SKB_CTX_ETH_HLEN ? "shorter than an "
			       "Ethernet header (14)" : "more than a page "
			       "minus head- and tailroom (3712)");
	if (!o->data_in)
		return pt_fail(o, -EFAULT, "data_in is NULL");
	return 0;
}

/* bpf_ctx_init: ctx_in zero-extended to struct __sk_buff; bytes past it
 * must be zero (bpf_check_uarg_tail_zero). */
static int ctx_from_user(struct bpfvm_test_run_opts *o, struct __sk_buff *in)
{
	int err = pt_ctx_init(o, in, sizeof(*in), "__sk_buff");

	if (err)
		return err;
	if (in->ifindex > 1)
		return pt_fail(o, -ENODEV, "ctx_in: ifindex %u: bpfvm has only "
			       "the loopback device (1)", in->ifindex);
	return 0;
}

/* eth_type_trans on the loopback device. */
static void eth_type_trans(struct skb_ctx *c)
{
	const uint8_t *eth = skb_ctx_data(c);
	static const uint8_t zero[6];
	uint16_t proto;

	c->mac_off = c->data_off;
	c->data_off += SKB_CTX_ETH_HLEN;
	c->khead += SKB_CTX_ETH_HLEN;
	c->sk.len -= SKB_CTX_ETH_HLEN;
	c->net_off = c->data_off;
	if (eth[0] & 1)
		c->sk.pkt_type = PACKET_MULTICAST;
	else if (memcmp(eth, zero, 6))
		c->sk.pkt_type = PACKET_OTHERHOST;
	else
		c->sk.pkt_type = PACKET_HOST;
	memcpy(&proto, eth + 12, 2);
	if (((eth[12] << 8) | eth[13]) >= 0x600)
		c->sk.protocol = proto;
	else if (c->sk.len >= 2 && eth[14] == 0xff && eth[15] == 0xff)
		c->sk.protocol = 0x0100;	/* htons(ETH_P_802_3) */
	else
		c->sk.protocol = 0x0400;	/* htons(ETH_P_802_2) */
}

static void frame_init(struct skb_frame *f, const struct bpfvm_test_run_opts *o)
{
	struct skb_ctx *c = &f->c;

	memset(c, 0, sizeof(*c));
	memset(f->buf, 0, SKB_CTX_HEADROOM);
	memcpy(f->buf + SKB_CTX_HEADROOM, o->data_in, o->data_size_in);
	c->head = f->buf;
	c->data_off = SKB_CTX_HEADROOM;
	c->sk.len = o->data_size_in;
	c->sk.ifindex = 1;
	c->khead = SKB_CTX_HEADROOM;
	eth_type_trans(c);
}

/* The sk setup reads the addresses of an IPv4 / IPv6 packet: one
 * shorter than the fixed header is refused. */
static int check_l3(struct bpfvm_test_run_opts *o, const struct skb_ctx *c)
{
	uint32_t need = c->sk.protocol == ETH_P_IP_BE ? 20 :
			c->sk.protocol == ETH_P_IPV6_BE ? 40 : 0;

	if (c->sk.len < need)
		return pt_fail(o, -EINVAL, "data_in: an IPv%d packet of %u "
			       "bytes after the Ethernet header, shorter than "
			       "its header (%u)", need == 20 ? 4 : 6,
			       c->sk.len, need);
	return 0;
}

/* convert___skb_to_skb. */
static int ctx_to_skb(struct bpfvm_test_run_opts *o, struct skb_ctx *c,
		      const struct __sk_buff *in)
{
	static const struct { uint32_t from, to; } zero[] = {
		{ 0, O(mark) },
		{ O(mark) + 4, O(priority) },
		{ O(ifindex) + 4, O(cb) },
		{ O(cb) + 20, O(tstamp) },
		{ O(gso_segs) + 4, O(gso_size) },
		{ O(gso_size) + 4, O(hwtstamp) },
		{ O(hwtstamp) + 8, sizeof(struct __sk_buff) },
	};

	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (!pt_range_is_zero(in, zero[i].from, zero[i].to))
			return pt_fail(o, -EINVAL, "ctx_in: bytes %u-%u of "
				       "struct __sk_buff must be zero",
				       zero[i].from, zero[i].to - 1);
	if (in->wire_len && (in->wire_len < c->sk.len ||
			     in->wire_len > SKB_CTX_WIRE_MAX))
		return pt_fail(o, -EINVAL, "ctx_in: wire_len %u is not in "
			       "[len %u, %u]", in->wire_len, c->sk.len,
			       SKB_CTX_WIRE_MAX);
	if (in->gso_segs > SKB_CTX_GSO_SEGS_MAX)
		return pt_fail(o, -EINVAL, "ctx_in: gso_segs %u > %u",
			       in->gso_segs, SKB_CTX_GSO_SEGS_MAX);
	c->sk.mark = in->mark;
	c->sk.priority = in->priority;
	c->sk.ingress_ifindex = in->ingress_ifindex;
	c->sk.tstamp = in->tstamp;
	memcpy(c->sk.cb, in->cb, sizeof(in->cb));
	c->sk.wire_len = in->wire_len ? in->wire_len : c->sk.len;
	c->sk.gso_segs = in->gso_segs;
	c->sk.gso_size = (uint16_t)in->gso_size;
	c->sk.hwtstamp = in->hwtstamp;
	return 0;
}

/* convert_skb_to___skb into a copy of ctx_in. */
static void skb_to_ctx(const struct skb_ctx *c, struct __sk_buff *out)
{
	out->mark = c->sk.mark;
	out->priority = c->sk.priority;
	out->ingress_ifindex = c->sk.ingress_ifindex;
	out->ifindex = c->sk.ifindex;
	out->tstamp = c->sk.tstamp;
	memcpy(out->cb, c->sk.cb, sizeof(out->cb));
	out->wire_len = c->sk.wire_len;
	out->gso_segs = c->sk.gso_segs;
	out->hwtstamp = c->sk.hwtstamp;
}

/* A socket filter's output starts with a zeroed Ethernet header again. */
static void push_eth(struct skb_ctx *c)
{
	skb_ctx_headroom(c, SKB_CTX_ETH_HLEN);	/* len <= MAX: fits */
	c->data_off -= SKB_CTX_ETH_HLEN;
	c->sk.len += SKB_CTX_ETH_HLEN;
	memset(skb_ctx_data(c), 0, SKB_CTX_ETH_HLEN);
}

static int run_frame(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *o,
		     struct skb_frame *f, bool is_l2)
{
	struct skb_ctx *c = &f->c;
	struct bpfvm_region region = { f->buf, sizeof(f->buf), 1 };
	uint64_t retval;
	int err;

	f->run = (struct pt_run){ c, SKB_CTX_PROG_LEN, NULL, 0, &region, 1 };
	c->prun = &f->run;
	skb_ctx_sync(c, NULL);
	skb_ctx_set_current(c);
	err = pt_run_repeat(prog, &f->run, o, &retval);
	skb_ctx_set_current(NULL);
	if (err)
		return err;
	o->retval = (uint32_t)retval;
	if (!is_l2)
		push_eth(c);
	return pt_copy_out(o->data_out, &o->data_size_out, skb_ctx_data(c),
			   c->sk.len);
}

int skb_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *o,
		 bool tc)
{
	bool is_l2 = tc || (o->flags & BPFVM_TEST_RUN_F_L2);
	bool has_ctx = o->ctx_in || o->ctx_out;
	struct __sk_buff in;
	struct skb_frame f;
	int err;

	err = check_opts(o, tc);
	if (!err && has_ctx)
		err = ctx_from_user(o, &in);
	if (err)
		return err;
	frame_init(&f, o);
	if (!(o->flags & BPFVM_TEST_RUN_F_L2)) {
		err = check_l3(o, &f.c);
		if (err)
			return err;
	}
	if (is_l2) {
		f.c.data_off -= SKB_CTX_ETH_HLEN;
		f.c.khead -= SKB_CTX_ETH_HLEN;
		f.c.sk.len += SKB_CTX_ETH_HLEN;
	}
	if (has_ctx) {
		err = ctx_to_skb(o, &f.c, &in);
		if (err)
			return err;
	}
	err = run_frame(prog, o, &f, is_l2);
	if (err || !o->ctx_out)
		return err;
	skb_to_ctx(&f.c, &in);
	return pt_copy_out(o->ctx_out, &o->ctx_size_out, &in, sizeof(in));
}
