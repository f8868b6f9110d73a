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

#define MAX_FRAME 3712u	/* 4096 - 64 headroom - 320 tailroom */
#define OUT_CAP 20000u

struct input {
	const uint8_t *data;
	uint32_t len;
	const void *ctx_in;		/* NULL: none */
	uint32_t ctx_size_in;
	int ctx_out;			/* ask for ctx_out */
	uint32_t cap;			/* data_out's capacity */
	uint32_t repeat;
	const char *what;
};

struct result {
	int err;
	uint32_t retval, size, ctx_size;
	uint8_t data[OUT_CAP];
	struct __sk_buff ctx;
};

struct side {
	const char *prog;
	int fd;				/* the kernel's */
	struct bpfvm_prog *vm;
	int mismatched;
};

static int failed, compared, kernel_ok;

static void kernel_run(int fd, const struct input *in, struct result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->data,
		    .data_size_in = in->len, .data_out = r->data,
		    .data_size_out = in->cap, .ctx_in = in->ctx_in,
		    .ctx_size_in = in->ctx_in ? in->ctx_size_in : 0,
		    .ctx_out = in->ctx_out ? &r->ctx : NULL,
		    .ctx_size_out = in->ctx_out ? sizeof(r->ctx) : 0,
		    .repeat = in->repeat);

	memset(r, 0, sizeof(*r));
	r->err = bpf_prog_test_run_opts(fd, &o);
	if (r->err)
		r->err = -errno;
	r->retval = o.retval;
	r->size = o.data_size_out;
	r->ctx_size = o.ctx_size_out;
}

static void vm_run(struct bpfvm_prog *p, const struct input *in,
		   enum bpfvm_engine e, uint32_t flags, struct result *r,
		   char *err, size_t err_size)
{
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = in->data, .data_size_in = in->len,
		.data_out = r->data, .data_size_out = in->cap,
		.ctx_in = in->ctx_in,
		.ctx_size_in = in->ctx_in ? in->ctx_size_in : 0,
		.ctx_out = in->ctx_out ? &r->ctx : NULL,
		.ctx_size_out = in->ctx_out ? sizeof(r->ctx) : 0,
		.repeat = in->repeat, .engine = e, .run_flags = flags,
		.err_buf = err, .err_size = err_size,
	};

	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	r->err = bpfvm_prog_test_run(p, &o);
	r->retval = o.retval;
	r->size = o.data_size_out;
	r->ctx_size = o.ctx_size_out;
}

static void hexdump(const char *who, const uint8_t *d, uint32_t n)
{
	fprintf(stderr, "    %s:", who);
	for (uint32_t i = 0; i < n && i < 96; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n      ", d[i]);
	fprintf(stderr, "%s\n", n > 96 ? " ..." : "");
}

/* Where k and v differ first, or NULL when they agree. */
static const char *differ(const struct input *in, const struct result *k,
			  const struct result *v, uint32_t *at)
{
	uint32_t n = k->size < in->cap ? k->size : in->cap;
	const uint8_t *kc = (const void *)&k->ctx, *vc = (const void *)&v->ctx;

	*at = 0;
	if (k->err != v->err)
		return "error";
	if (k->err && k->err != -ENOSPC)
		return NULL;
	if (k->retval != v->retval)
		return "retval";
	if (k->size != v->size)
		return "data_size_out";
	for (uint32_t i = 0; i < n; i++)
		if (k->data[i] != v->data[i]) {
			*at = i;
			return "data_out";
		}
	if (!in->ctx_out || k->err)
		return NULL;
	if (k->ctx_size != v->ctx_size)
		return "ctx_size_out";
	for (uint32_t i = 0; i < sizeof(k->ctx); i++)
		if (kc[i] != vc[i]) {
			*at = i;
			return "ctx_out";
		}
	return NULL;
}

static void report(struct side *s, const struct input *in, const char *eng,
		   const char *what, uint32_t at, const struct result *k,
		   const struct result *v, const char *msg)
{
	failed++;
	if (s->mismatched++)
		return;
	fprintf(stderr, "FAIL %s on %s (%u bytes, %s): %s differs", s->prog,
		in->what, in->len, eng, what);
	if (!strcmp(what, "data_out") || !strcmp(what, "ctx_out"))
		fprintf(stderr, " at byte %u", at);
	fprintf(stderr, "\n  kernel: err %d retval 0x%x size %u\n"
		"  bpfvm:  err %d retval 0x%x size %u (%s)\n", k->err,
		k->retval, k->size, v->err, v->retval, v->size, msg);
	hexdump("in", in->data, in->len);
	hexdump("kernel", k->data, k->size < in->cap ? k->size : in->cap);
	hexdump("bpfvm", v->data, v->size < in->cap ? v->size : in->cap);
	if (in->ctx_out) {
		hexdump("kernel ctx", (const void *)&k->ctx, sizeof(k->ctx));
		hexdump("bpfvm ctx", (const void *)&v->ctx, sizeof(v->ctx));
	}
}

static void compare(struct side *s, const struct input *in)
{
	static const struct {
		enum bpfvm_engine e;
		uint32_t flags;
		const char *name;
	} eng[] = {
		{ BPFVM_ENGINE_INTERP, 0, "interpreter" },
		{ BPFVM_ENGINE_JIT, 0, "JIT" },
		{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED, "checked" },
	};
	static struct result k, v;
	char msg[256];
	uint32_t at;

	kernel_run(s->fd, in, &k);
	kernel_ok += !k.err;
	for (size_t i = 0; i < sizeof(eng) / sizeof(eng[0]); i++) {
		const char *what;

		vm_run(s->vm, in, eng[i].e, eng[i].flags, &v, msg,
		       sizeof(msg));
		compared++;
		what = differ(in, &k, &v, &at);
		if (what)
			report(s, in, eng[i].name, what, at, &k, &v, msg);
	}
}

/* --- inputs --- */

static struct pkt_set std_set;

/* Every standard frame, without and with a ctx (in and out). */
static void each_std(struct side *s)
{
	static struct __sk_buff ctx = { .mark = 7, .priority = 3,
					.cb = { 1, 2, 3, 4, 5 } };

	for (size_t i = 0; i < std_set.cnt; i++) {
		struct input in = { std_set.data[i], (uint32_t)std_set.len[i],
				    NULL, 0, 0, OUT_CAP, 1,
				    std_set.name[i] };

		if (in.len > MAX_FRAME)
			continue;
		compare(s, &in);
		in.ctx_in = &ctx;
		in.ctx_size_in = sizeof(ctx);
		in.ctx_out = 1;
		compare(s, &in);
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

static void args_inputs(struct side *s)
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
			struct input in = { buf, frame(buf, 100, a, sizeof(a)),
					    NULL, 0, 0, OUT_CAP, 1, what };

			snprintf(what, sizeof(what), "args %u %u %u %u", a[0],
				 a[1], a[2], a[3]);
			compare(s, &in);
		}
}

/* IPv4 and IPv6 frames (proto translation in both directions). */
static void proto_inputs(struct side *s)
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
					struct input in = {
						buf, frame(buf, lens[l], a,
							   sizeof(a)),
						NULL, 0, 0, OUT_CAP, 1, what };

					if (v6)
						buf[12] = 0x86, buf[13] = 0xdd;
					snprintf(what, sizeof(what),
						 "IPv%d %u bytes, to 0x%x then "
						 "0x%x, head %u", v6 ? 6 : 4,
						 lens[l], a[0], a[1], a[2]);
					compare(s, &in);
				}
}

/* adjust_room's sizes, modes and flags on IPv4 and IPv6 frames. */
static void room_inputs(struct side *s)
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
					struct input in = {
						buf, frame(buf, 100, a,
							   sizeof(a)),
						NULL, 0, 0, OUT_CAP, 1, what };

					if (v6)
						buf[12] = 0x86, buf[13] = 0xdd;
					snprintf(what, sizeof(what),
						 "IPv%d room %d mode %u flags "
						 "0x%x l2 %u", v6 ? 6 : 4,
						 diffs[d], mode, flags[f], a[3]);
					compare(s, &in);
				}
}

/* VLAN push / pop sequences on untagged, 802.1Q and QinQ frames. */
static void vlan_inputs(struct side *s)
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
				struct input in = { buf, 0, NULL, 0, 0,
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
				compare(s, &in);
			}
}

static void ctx_inputs(struct side *s)
{
	static uint8_t buf[MAX_FRAME + 16];
	static const uint32_t sizes[] = { 0, 13, 14, 15, 33, 34, 54, 60,
					  MAX_FRAME - 1, MAX_FRAME,
					  MAX_FRAME + 1 };
	struct __sk_buff c;
	uint8_t big[256];
	struct input in = { buf, frame(buf, 100, "", 0), &c, sizeof(c), 1,
			    OUT_CAP, 1, "" };
	char what[96];

	in.what = what;
	for (uint32_t off = 0; off < sizeof(c); off += 4) {
		memset(&c, 0, sizeof(c));
		((uint32_t *)&c)[off / 4] = 0x100 + off;
		snprintf(what, sizeof(what), "ctx_in word at %u set", off);
		compare(s, &in);
	}
	memset(&c, 0, sizeof(c));
	c.wire_len = 99;
	snprintf(what, sizeof(what), "wire_len below len");
	compare(s, &in);
	c.wire_len = 65536;
	snprintf(what, sizeof(what), "wire_len 65536");
	compare(s, &in);
	c.wire_len = 65537;
	snprintf(what, sizeof(what), "wire_len 65537");
	compare(s, &in);
	c = (struct __sk_buff){ .gso_segs = 65536 };
	snprintf(what, sizeof(what), "gso_segs 65536");
	compare(s, &in);
	c = (struct __sk_buff){ .gso_segs = 3, .gso_size = 0x12345,
				.ifindex = 1, .ingress_ifindex = 9,
				.tstamp = 123456789, .hwtstamp = 42 };
	snprintf(what, sizeof(what), "gso, ifindex 1, tstamps");
	compare(s, &in);
	memset(big, 0, sizeof(big));
	memcpy(big, &c, sizeof(c));
	in.ctx_in = big;
	in.ctx_size_in = sizeof(big);
	snprintf(what, sizeof(what), "ctx_in 256 bytes, zero tail");
	compare(s, &in);
	big[200] = 1;
	snprintf(what, sizeof(what), "ctx_in 256 bytes, nonzero tail");
	compare(s, &in);
	in.ctx_size_in = 8;
	snprintf(what, sizeof(what), "ctx_in 8 bytes");
	compare(s, &in);
	in = (struct input){ buf, 100, NULL, 0, 1, OUT_CAP, 1,
			     "ctx_out without ctx_in" };
	compare(s, &in);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		in = (struct input){ buf, frame(buf, sizes[i], "", 0), NULL, 0,
				     0, OUT_CAP, 1, what };
		snprintf(what, sizeof(what), "%u-byte IPv4 frame", sizes[i]);
		compare(s, &in);
		buf[12] = 0x86, buf[13] = 0xdd;
		snprintf(what, sizeof(what), "%u-byte IPv6 frame", sizes[i]);
		compare(s, &in);
		buf[12] = 0x05, buf[13] = 0xff;
		snprintf(what, sizeof(what), "%u-byte 802.3 frame", sizes[i]);
		compare(s, &in);
	}
	in = (struct input){ buf, frame(buf, 200, "", 0), NULL, 0, 0, 50, 1,
			     "data_out of 50 bytes" };
	compare(s, &in);
	c = (struct __sk_buff){ .mark = 1 };
	in = (struct input){ buf, 200, &c, sizeof(c), 1, 50, 1,
			     "data_out of 50 bytes with ctx_out" };
	compare(s, &in);
	in = (struct input){ buf, 200, NULL, 0, 0, OUT_CAP, 7, "repeat 7" };
	compare(s, &in);
}

/* --- objects --- */

struct objs {
	struct bpf_object *k;
	struct bpfvm_object *v;
};

/* 0, 77 when the kernel cannot load BPF, 1 on failure. */
static int open_both(const char *name, struct objs *o)
{
	char path[512], log[1024] = "";
	struct bpfvm_object_open_opts oo = { .sz = sizeof(oo),
					     .log_buf = log,
					     .log_size = sizeof(log) };
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo),
					     .log_buf = log,
					     .log_size = sizeof(log) };
	int err;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	o->k = bpf_object__open_file(path, NULL);
	if (!o->k) {
		fprintf(stderr, "FAIL %s: libbpf open: %s\n", path,
			strerror(errno));
		return 1;
	}
	err = bpf_object__load(o->k);
	if (err == -EPERM || err == -ENOSYS || err == -EACCES) {
		printf("SKIP: the kernel does not load BPF here (%s)\n",
		       strerror(-err));
		return 77;
	}
	if (err) {
		fprintf(stderr, "FAIL %s: kernel load: %s\n", name,
			strerror(-err));
		return 1;
	}
	if (bpfvm_object_open_file(path, &oo, &o->v) ||
	    bpfvm_object_load(o->v, &lo)) {
		fprintf(stderr, "FAIL %s: bpfvm: %s\n", name, log);
		return 1;
	}
	return 0;
}

static void run_object(const char *name, int *rc)
{
	struct objs o;
	struct bpf_program *kp;
	int err = open_both(name, &o);

	if (err) {
		if (!*rc || err == 1)
			*rc = err;
		return;
	}
	bpf_object__for_each_program(kp, o.k) {
		const char *prog = bpf_program__name(kp);
		struct bpfvm_obj_prog *vp = bpfvm_object_find_prog(o.v, prog);
		struct side s = { prog, bpf_program__fd(kp),
				  vp ? bpfvm_obj_prog_prog(vp) : NULL, 0 };

		if (s.fd < 0 || !s.vm) {
			fprintf(stderr, "FAIL %s: program missing\n", prog);
			failed++;
			continue;
		}
		each_std(&s);
		args_inputs(&s);
		proto_inputs(&s);
		room_inputs(&s);
		vlan_inputs(&s);
		ctx_inputs(&s);
		printf("%s: %s\n", prog, s.mismatched ? "MISMATCH" : "ok");
	}
	bpf_object__close(o.k);
	bpfvm_object_close(o.v);
}

int main(void)
{
	int rc = 0;

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
	       compared, kernel_ok, failed);
	return failed || rc ? 1 : 0;
}
