/* Socket filters and tc against the kernel: the pt_skb_* test objects
 * loaded into the kernel with libbpf and into bpfvm, each program run with
 * BPF_PROG_TEST_RUN in the kernel and bpfvm_prog_test_run on the same
 * input (interpreter, JIT, checked interpreter): the error code, the
 * return value, data_out's size and bytes and ctx_out must agree. Input:
 * the standard packet set (pktgen.h: well-formed, runts, truncated and
 * malformed headers), frames carrying the helpers' arguments at byte 14,
 * ctx_in variants (each settable field, fields that must be zero,
 * wire_len and gso limits, short and long ctx buffers), frame sizes at
 * the limits, a short data_out and repeated runs. The first mismatch of
 * each program prints both sides. SKIP (77) without bpf(). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfvm/bpfvm.h>

#include "pktgen.h"
#include "ptdiff.h"

#define MAX_FRAME 3712u	/* 4096 - 64 headroom - 320 tailroom */
#define OUT_CAP 20000u

/* --- inputs --- */

static struct pkt_set std_set;

/* Every standard frame, without and with a ctx (in and out). */
static void each_std(struct ptd_side *s)
{
	static struct __sk_buff ctx = { .mark = 7, .priority = 3,
					.cb = { 1, 2, 3, 4, 5 } };

	for (size_t i = 0; i < std_set.cnt; i++) {
		struct ptd_input in = { std_set.data[i],
					(uint32_t)std_set.len[i], NULL, 0, 0,
					OUT_CAP, 1, std_set.name[i] };

		if (in.len > MAX_FRAME)
			continue;
		ptd_compare(s, &in);
		in.ctx_in = &ctx;
		in.ctx_size_in = sizeof(ctx);
		in.ctx_out = 1;
		ptd_compare(s, &in);
	}
}

/* A frame of len bytes (a pattern, IPv4's EtherType) with args at
 * byte 14. */
static uint32_t frame(uint8_t *buf, uint32_t len, const void *args,
		      size_t args_len)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	if (len >= 14)
		buf[12] = 0x08, buf[13] = 0x00;
	if (len >= 14 + args_len)
		memcpy(buf + 14, args, args_len);
	return len;
}

/* A len-byte frame carrying a at byte 14, with IPv6's EtherType when
 * v6, on both sides. */
static void compare_args(struct ptd_side *s, uint8_t *buf, uint32_t len,
			 const uint32_t a[4], int v6, const char *what)
{
	struct ptd_input in = { buf, frame(buf, len, a, 4 * sizeof(a[0])),
				NULL, 0, 0, OUT_CAP, 1, what };

	if (v6)
		buf[12] = 0x86, buf[13] = 0xdd;
	ptd_compare(s, &in);
}

static void args_inputs(struct ptd_side *s)
{
	static const uint32_t vals[] = { 0, 1, 2, 13, 14, 20, 34, 60, 99, 100,
					 0xffff, 0x10000, 3700, 16000, 16100,
					 0x7fffffff, 0x80000000u, 0xffffffffu,
					 0x10000000u, 0x20000000u,
					 0xdd86, 0x0008, 0x100dd86, 0x100, 0x2ab,
					 0x1200 };
	static uint8_t buf[256];
	char what[96];
	size_t n = sizeof(vals) / sizeof(vals[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j += 1 + i % 3) {
			uint32_t a[4] = { vals[i], vals[j], (uint32_t)(i * 7 + j),
					  vals[(i + j) % n] };

			snprintf(what, sizeof(what), "args %u %u %u %u", a[0],
				 a[1], a[2], a[3]);
			compare_args(s, buf, 100, a, 0, what);
		}
}

/* IPv4 and IPv6 frames (proto translation in both directions). */
static void proto_inputs(struct ptd_side *s)
{
	static const uint32_t protos[] = { 0x0008, 0xdd86, 0x0608, 0 };
	static const uint32_t lens[] = { 34, 54, 60, 74, 100 };
	static uint8_t buf[128];
	char what[96];

	for (int v6 = 0; v6 < 2; v6++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (size_t i = 0; i < 4; i++)
				for (size_t j = 0; j < 4; j++) {
					uint32_t a[4] = { protos[i], protos[j],
							  (uint32_t)(i + l),
							  (uint32_t)j << 8 };

					snprintf(what, sizeof(what),
						 "IPv%d %u bytes, to 0x%x then "
						 "0x%x, head %u", v6 ? 6 : 4,
						 lens[l], a[0], a[1], a[2]);
					compare_args(s, buf, lens[l], a, v6,
						     what);
				}
}

/* adjust_room's sizes, modes and flags on IPv4 and IPv6 frames. */
static void room_inputs(struct ptd_side *s)
{
	static const int32_t diffs[] = { 0, 1, 4, 20, 40, 0xfff, 0x1000, -4,
					 -20, -40, -60, -0x1000, INT32_MIN };
	static const uint32_t flags[] = {
		0, 1, 2, 4, 6, 2 | 8, 4 | 16, 2 | 8 | 16, 2 | 64, 32, 128,
		256, 384, 512, 4 | 64, 128 | 32 | 1,
	};
	static const uint32_t l2[] = { 0, 14, 10, 200 };
	static uint8_t buf[128];
	char what[96];

	for (int v6 = 0; v6 < 2; v6++)
		for (size_t d = 0; d < sizeof(diffs) / sizeof(diffs[0]); d++)
			for (uint32_t mode = 0; mode < 3; mode++)
				for (size_t f = 0;
				     f < sizeof(flags) / sizeof(flags[0]); f++) {
					uint32_t a[4] = { (uint32_t)diffs[d],
							  mode, flags[f],
							  l2[(d + f) % 4] };

					snprintf(what, sizeof(what),
						 "IPv%d room %d mode %u flags "
						 "0x%x l2 %u", v6 ? 6 : 4,
						 diffs[d], mode, flags[f], a[3]);
					compare_args(s, buf, 100, a, v6, what);
				}
}

/* VLAN push / pop sequences on untagged, 802.1Q and QinQ frames. */
static void vlan_inputs(struct ptd_side *s)
{
	static const uint32_t ops[] = { 0x1, 0x2, 0x5, 0x9, 0x6, 0x15, 0xa,
					0x29, 0x19, 0x55, 0xaa, 0x66 };
	static const uint32_t protos[] = { 0x81, 0xa888a888, 0x0008, 0x81a8 };
	static const uint16_t types[][2] = { { 0x0800, 0 }, { 0x8100, 0x0800 },
					     { 0x88a8, 0x8100 },
					     { 0x8100, 0x0042 } };
	static uint8_t buf[128];
	char what[96];

	for (size_t t = 0; t < 4; t++)
		for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
			for (size_t p = 0; p < 4; p++) {
				uint32_t a[4] = { ops[o], protos[p],
						  (uint32_t)(0x1234 * (o + 1)),
						  (uint32_t)(o * 7 + p) };
				struct ptd_input in = { buf, 0, NULL, 0, 0,
							OUT_CAP, 1, what };

				in.len = frame(buf, 20 + 30 * (uint32_t)(p % 3),
					       "", 0);
				buf[12] = (uint8_t)(types[t][0] >> 8);
				buf[13] = (uint8_t)types[t][0];
				if (in.len >= 18) {
					buf[16] = (uint8_t)(types[t][1] >> 8);
					buf[17] = (uint8_t)types[t][1];
				}
				if (in.len >= 30)
					memcpy(buf + 14, a, sizeof(a));
				buf[16] = (uint8_t)(types[t][1] >> 8);
				buf[17] = (uint8_t)types[t][1];
				snprintf(what, sizeof(what),
					 "type 0x%x/0x%x len %u ops 0x%x proto "
					 "0x%x", types[t][0], types[t][1],
					 in.len, a[0], a[1]);
				ptd_compare(s, &in);
			}
}

static void ctx_inputs(struct ptd_side *s)
{
	static uint8_t buf[MAX_FRAME + 16];
	static const uint32_t sizes[] = { 0, 13, 14, 15, 33, 34, 54, 60,
					  MAX_FRAME - 1, MAX_FRAME,
					  MAX_FRAME + 1 };
	struct __sk_buff c;
	uint8_t big[256];
	struct ptd_input in = { buf, frame(buf, 100, "", 0), &c, sizeof(c), 1,
				OUT_CAP, 1, "" };
	char what[96];

	in.what = what;
	for (uint32_t off = 0; off < sizeof(c); off += 4) {
		memset(&c, 0, sizeof(c));
		((uint32_t *)&c)[off / 4] = 0x100 + off;
		snprintf(what, sizeof(what), "ctx_in word at %u set", off);
		ptd_compare(s, &in);
	}
	memset(&c, 0, sizeof(c));
	c.wire_len = 99;
	snprintf(what, sizeof(what), "wire_len below len");
	ptd_compare(s, &in);
	c.wire_len = 65536;
	snprintf(what, sizeof(what), "wire_len 65536");
	ptd_compare(s, &in);
	c.wire_len = 65537;
	snprintf(what, sizeof(what), "wire_len 65537");
	ptd_compare(s, &in);
	c = (struct __sk_buff){ .gso_segs = 65536 };
	snprintf(what, sizeof(what), "gso_segs 65536");
	ptd_compare(s, &in);
	c = (struct __sk_buff){ .gso_segs = 3, .gso_size = 0x12345,
				.ifindex = 1, .ingress_ifindex = 9,
				.tstamp = 123456789, .hwtstamp = 42 };
	snprintf(what, sizeof(what), "gso, ifindex 1, tstamps");
	ptd_compare(s, &in);
	memset(big, 0, sizeof(big));
	memcpy(big, &c, sizeof(c));
	in.ctx_in = big;
	in.ctx_size_in = sizeof(big);
	snprintf(what, sizeof(what), "ctx_in 256 bytes, zero tail");
	ptd_compare(s, &in);
	big[200] = 1;
	snprintf(what, sizeof(what), "ctx_in 256 bytes, nonzero tail");
	ptd_compare(s, &in);
	in.ctx_size_in = 8;
	snprintf(what, sizeof(what), "ctx_in 8 bytes");
	ptd_compare(s, &in);
	in = (struct ptd_input){ buf, 100, NULL, 0, 1, OUT_CAP, 1,
				 "ctx_out without ctx_in" };
	ptd_compare(s, &in);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		in = (struct ptd_input){ buf, frame(buf, sizes[i], "", 0),
					 NULL, 0, 0, OUT_CAP, 1, what };
		snprintf(what, sizeof(what), "%u-byte IPv4 frame", sizes[i]);
		ptd_compare(s, &in);
		buf[12] = 0x86, buf[13] = 0xdd;
		snprintf(what, sizeof(what), "%u-byte IPv6 frame", sizes[i]);
		ptd_compare(s, &in);
		buf[12] = 0x05, buf[13] = 0xff;
		snprintf(what, sizeof(what), "%u-byte 802.3 frame", sizes[i]);
		ptd_compare(s, &in);
	}
	in = (struct ptd_input){ buf, frame(buf, 200, "", 0), NULL, 0, 0, 50, 1,
				 "data_out of 50 bytes" };
	ptd_compare(s, &in);
	c = (struct __sk_buff){ .mark = 1 };
	in = (struct ptd_input){ buf, 200, &c, sizeof(c), 1, 50, 1,
				 "data_out of 50 bytes with ctx_out" };
	ptd_compare(s, &in);
	in = (struct ptd_input){ buf, 200, NULL, 0, 0, OUT_CAP, 7, "repeat 7" };
	ptd_compare(s, &in);
}

/* --- objects --- */

static void run_object(const char *name, int *rc)
{
	struct ptd_objs o;
	struct bpf_program *kp;
	int err = ptd_open_both(BPFVM_OBJ_DIR, name, &o);

	if (err) {
		if (!*rc || err == 1)
			*rc = err;
		return;
	}
	bpf_object__for_each_program(kp, o.k) {
		struct ptd_side s;

		if (ptd_side_find(&o, bpf_program__name(kp), &s))
			continue;
		each_std(&s);
		args_inputs(&s);
		proto_inputs(&s);
		room_inputs(&s);
		vlan_inputs(&s);
		ctx_inputs(&s);
		printf("%s: %s\n", s.prog, s.mismatched ? "MISMATCH" : "ok");
	}
	ptd_close_both(&o);
}

int main(void)
{
	int rc = 0;

	ptd_init(sizeof(struct __sk_buff), 3);
	if (pkt_set_standard(&std_set, 6, 40)) {
		fprintf(stderr, "FAIL: packet set\n");
		return 1;
	}
	run_object("pt_skb_sf", &rc);
	if (rc != 77)
		run_object("pt_skb_tc", &rc);
	pkt_set_free(&std_set);
	if (rc == 77)
		return 77;
	printf("%d compared (%d inputs the kernel ran), %d failed\n",
	       ptd_compared, ptd_kernel_ok, ptd_failed);
	return ptd_failed || rc ? 1 : 0;
}
