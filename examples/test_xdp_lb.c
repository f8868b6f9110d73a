/* examples/xdp_lb.bpf.c through bpfvm, on both engines: each TCP / UDP
 * flow goes to the backend its 5-tuple hash picks (recomputed here), the
 * same one every time; the frame leaves with the backend's MAC and IP,
 * every other byte as it came except the IP and TCP / UDP checksums,
 * which verify (checked here, not by bpfvm); the backend whose DEVMAP
 * slot names a device is redirected there, the others go back out
 * (XDP_TX); the per-protocol stages run as tail calls (emptying a slot
 * of the program array leaves the packet untouched and counts it); a
 * VIP set in .rodata before load limits what is balanced. */
#include <linux/bpf.h>
#include <stdlib.h>

#include "check.h"
#include "ex_util.h"
#include "xdp_lb.h"

#define N_BACKENDS 3
#define REDIRECT_IFINDEX 5	/* tx_ports slot 1 */

static const uint8_t backend_ip[N_BACKENDS][4] = {
	{ 10, 1, 0, 1 }, { 10, 1, 0, 2 }, { 10, 1, 0, 3 } };

/* The program's FNV-1a over saddr, daddr, ports (as it loads them). */
static uint32_t flow_backend(const uint8_t *ip)
{
	const uint8_t *l4 = ip + (ip[0] & 0xf) * 4;
	uint32_t words[3], h = 2166136261u;
	uint16_t sp, dp;
	uint8_t b[12];

	memcpy(&words[0], ip + 12, 4);
	memcpy(&words[1], ip + 16, 4);
	memcpy(&sp, l4, 2);
	memcpy(&dp, l4 + 2, 2);
	words[2] = (uint32_t)sp << 16 | dp;
	memcpy(b, words, sizeof(b));
	for (int i = 0; i < 12; i++)
		h = (h ^ b[i]) * 16777619u;
	h = (h ^ ip[9]) * 16777619u;
	return h % N_BACKENDS;
}

static struct pkt_spec flow(int i, uint8_t proto)
{
	struct pkt_spec s = ex_spec(4, proto, (uint16_t)(30000 + i * 7), 80);

	pkt_ip4(s.src_ip, 172, 16, (uint8_t)i, (uint8_t)(i * 3 + 1));
	pkt_ip4(s.dst_ip, 10, 0, 0, 100);
	s.payload_len = (size_t)(10 + i);
	return s;
}

/* The output of one balanced frame against the input and the backend
 * the test computed. */
static void check_rewrite(const uint8_t *in, const uint8_t *out, size_t len,
			  uint32_t be, int udp_nocsum)
{
	const uint8_t *ip = out + 14;
	size_t ihl = (ip[0] & 0xf) * 4u, l4h;

	CHECK(memcmp(out, "\x02\0\0\0\x01", 5) == 0 && out[5] == be + 1);
	CHECK(memcmp(out + 6, in, 6) == 0);	/* old destination MAC */
	CHECK(memcmp(out + 12, in + 12, 2 + 10) == 0); /* up to the csum */
	CHECK(memcmp(ip + 12, in + 14 + 12, 4) == 0);	/* source kept */
	CHECK(memcmp(ip + 16, backend_ip[be], 4) == 0);
	CHECK(ex_ip4_csum_ok(ip));
	if (udp_nocsum)
		CHECK(ip[ihl + 6] == 0 && ip[ihl + 7] == 0);
	else
		CHECK(ex_l4_csum_ok(ip));
	/* ports and payload as they were (checksum bytes excepted) */
	l4h = ip[9] == 17 ? 8 : (ip[ihl + 12] >> 4) * 4u;
	CHECK(memcmp(ip + ihl, in + 14 + ihl, 4) == 0);
	CHECK(memcmp(ip + ihl + l4h, in + 14 + ihl + l4h,
		     len - 14 - ihl - l4h) == 0);
}

static int64_t run(struct bpfvm_prog *p, int eng, const struct pkt_spec *s,
		   uint8_t *in, uint8_t *out, size_t *len)
{
	size_t out_len = 0;
	int64_t r;

	*len = ex_frame(s, in);
	r = ex_run(p, ex_engines[eng], in, *len, out, &out_len, NULL, 0);
	CHECK_EQ_U64(out_len, *len);
	return r;
}

static void balance(int eng)
{
	struct bpfvm_object *obj = ex_open_load("xdp_lb");
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX], again[EX_FRAME_MAX];
	uint64_t want[LB_STAT_MAX] = { 0 };
	uint32_t slot = 1, ifindex = REDIRECT_IFINDEX, used = 0;
	struct bpfvm_prog *p;
	struct bpfvm_map *stats;
	size_t len;

	CHECK(obj != NULL);
	if (!obj)
		return;
	p = ex_prog(obj, "xdp_lb");
	stats = ex_map(obj, "lb_stats");
	CHECK(p && stats);
	CHECK(bpfvm_map_update(ex_map(obj, "tx_ports"), &slot, &ifindex, 0) ==
	      0);
	for (int i = 0; p && stats && i < 40; i++) {
		struct pkt_spec s = flow(i, i & 1 ? 17 : 6);
		int64_t r = run(p, eng, &s, in, out, &len);
		uint32_t be = flow_backend(in + 14);

		CHECK_EQ_U64(r, be == 1 ? XDP_REDIRECT : XDP_TX);
		if (be == 1) {
			CHECK_EQ_U64(ex_last_redirect.kind, BPFVM_REDIRECT_DEV);
			CHECK_EQ_U64(ex_last_redirect.index, REDIRECT_IFINDEX);
		}
		check_rewrite(in, out, len, be, 0);
		want[be]++;
		used |= 1u << be;
		/* the same flow again: the same backend, the same bytes */
		CHECK_EQ_U64(run(p, eng, &s, in, again, &len), r);
		CHECK(memcmp(out, again, len) == 0);
		want[be]++;
	}
	CHECK_EQ_U64(used, 7);	/* 40 flows reach all three backends */
	for (uint32_t k = 0; stats && k < LB_STAT_MAX; k++)
		CHECK_EQ_U64(ex_percpu_u64(stats, k, 0), want[k]);
	bpfvm_object_close(obj);
}

/* Frames the balancer leaves alone, a UDP datagram without a checksum,
 * and a missing stage. */
static void edges(int eng)
{
	struct bpfvm_object *obj = ex_open_load("xdp_lb");
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX];
	struct pkt_spec s;
	struct bpfvm_prog *p;
	struct bpfvm_map *stats;
	uint32_t key = LB_STAGE_TCP;
	size_t len, out_len;

	CHECK(obj != NULL);
	if (!obj)
		return;
	p = ex_prog(obj, "xdp_lb");
	stats = ex_map(obj, "lb_stats");
	s = flow(1, 1);		/* ICMP: not balanced */
	CHECK_EQ_U64(run(p, eng, &s, in, out, &len), XDP_PASS);
	CHECK(memcmp(in, out, len) == 0);
	s = flow(2, 17);	/* UDP without a checksum keeps none */
	len = ex_frame(&s, in);
	in[14 + 20 + 6] = in[14 + 20 + 7] = 0;
	CHECK_EQ_U64(ex_run(p, ex_engines[eng], in, len, out, &out_len, NULL,
			    0),
		     XDP_TX);
	check_rewrite(in, out, len, flow_backend(in + 14), 1);
	CHECK(bpfvm_map_delete(ex_map(obj, "lb_stages"), &key) == 0);
	s = flow(3, 6);		/* TCP with its stage gone */
	CHECK_EQ_U64(run(p, eng, &s, in, out, &len), XDP_PASS);
	CHECK(memcmp(in, out, len) == 0);
	CHECK_EQ_U64(ex_percpu_u64(stats, LB_STAT_NOT_VIP, 0), 1);
	CHECK_EQ_U64(ex_percpu_u64(stats, LB_STAT_NO_STAGE, 0), 1);
	bpfvm_object_close(obj);
}

/* vip = 10.0.0.100 and vip_port = 80 in .rodata before load: only
 * that service is balanced. */
static void vip_only(int eng)
{
	static const uint8_t vip_addr[4] = { 10, 0, 0, 100 };
	struct bpfvm_object *obj = ex_open("xdp_lb");
	uint8_t in[EX_FRAME_MAX], out[EX_FRAME_MAX], *vip;
	uint16_t *port;
	struct bpfvm_prog *p;
	struct pkt_spec s;
	size_t sz = 0, len;

	CHECK(obj != NULL);
	if (!obj)
		return;
	vip = bpfvm_object_global(obj, "vip", &sz);
	CHECK(vip && sz == 4);
	port = bpfvm_object_global(obj, "vip_port", &sz);
	CHECK(port && sz == 2);
	if (vip && port) {
		memcpy(vip, vip_addr, 4);
		*port = 80;
	}
	CHECK(ex_load(obj, NULL) == 0);
	p = ex_prog(obj, "xdp_lb");
	CHECK(p != NULL);
	if (!p) {
		bpfvm_object_close(obj);
		return;
	}
	s = flow(4, 6);				/* 10.0.0.100:80 */
	CHECK_EQ_U64(run(p, eng, &s, in, out, &len), XDP_TX);
	check_rewrite(in, out, len, flow_backend(in + 14), 0);
	s.dport = 443;				/* another port */
	CHECK_EQ_U64(run(p, eng, &s, in, out, &len), XDP_PASS);
	CHECK(memcmp(in, out, len) == 0);
	s = flow(5, 17);
	pkt_ip4(s.dst_ip, 10, 0, 0, 2);		/* another address */
	CHECK_EQ_U64(run(p, eng, &s, in, out, &len), XDP_PASS);
	CHECK(memcmp(in, out, len) == 0);
	bpfvm_object_close(obj);
}

int main(void)
{
	for (int eng = 0; eng < 2; eng++) {
		balance(eng);
		edges(eng);
		vip_only(eng);
	}
	return check_report();
}
