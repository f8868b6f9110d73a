/* BPF_PROG_TYPE_XDP in bpfvm alone: xdp_md access rules and their
 * messages, the rewrite of the packet pointer loads, the helper list,
 * bpf_prog_test_run's input rules (frame sizes, ctx_in fields, ctx_out,
 * short buffers, repeated runs on the same frame), the frame helpers'
 * limits called directly on a frame, redirect decisions, and checked
 * runs refusing a bogus ctx; programs on the interpreter and the JIT.
 * The kernel comparison is tests/kernel/test_kernel_pt_xdp.c. */
#include "check.h"
#include "hlp_call.h"
#include "insn_build.h"

#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <linux/pkt_cls.h>

#include "progtypes/xdp_ctx.h"

static const struct {
	enum bpfvm_engine e;
	uint32_t flags;
} engines[] = {
	{ BPFVM_ENGINE_INTERP, 0 },
	{ BPFVM_ENGINE_JIT, 0 },
	{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED },
	{ BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED },
};

static int create(const struct bpf_insn *insns, size_t cnt,
		  struct bpfvm_prog **prog, char *log, size_t log_size)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o),
				     .prog_type = BPF_PROG_TYPE_XDP,
				     .log_buf = log, .log_size = log_size };

	log[0] = '\0';
	*prog = NULL;
	return bpfvm_prog_create(insns, cnt, &o, prog);
}

/* create() for a program that must load (checked); NULL otherwise. */
static struct bpfvm_prog *create_ok(const struct bpf_insn *insns, size_t cnt)
{
	struct bpfvm_prog *prog;
	char log[256];

	CHECK_EQ_U64(create(insns, cnt, &prog, log, sizeof(log)), 0);
	return prog;
}

/* A program refused at creation with -EACCES and `msg` in the log. */
static void refused(const struct bpf_insn *insns, size_t cnt,
		    const char *msg)
{
	struct bpfvm_prog *p;
	char log[512];
	int err = create(insns, cnt, &p, log, sizeof(log));

	CHECK(err < 0);
	if (!strstr(log, msg)) {
		fprintf(stderr, "  want '%s' in '%s'\n", msg, log);
		CHECK(0);
	}
	bpfvm_prog_free(p);
}

static void test_ctx_access(void)
{
	struct bpf_insn write[] = { ST_IMM(BPF_W, 1, 0, 0), MOV64_IMM(0, 2),
				    EXIT() };
	struct bpf_insn stx[] = { STX(BPF_W, 1, 1, 12), MOV64_IMM(0, 2),
				  EXIT() };
	struct bpf_insn narrow[] = { LDX(BPF_B, 0, 1, 12), EXIT() };
	struct bpf_insn half[] = { LDX(BPF_H, 0, 1, 16), EXIT() };
	struct bpf_insn wide[] = { LDX(BPF_DW, 0, 1, 0), EXIT() };
	struct bpf_insn past[] = { LDX(BPF_W, 0, 1, 24), EXIT() };
	struct bpf_insn egress[] = { LDX(BPF_W, 0, 1, 20), EXIT() };
	struct bpf_insn sx[] = { LDXSX(BPF_W, 0, 1, 4), EXIT() };
	struct bpf_insn helper[] = { MOV64_IMM(2, 0), MOV64_IMM(3, 0),
				     MOV64_IMM(4, 0),
				     CALL_HELPER(BPF_FUNC_skb_load_bytes),
				     EXIT() };

	refused(write, ARRAY_LEN(write), "write to xdp_md->data is not "
					 "allowed");
	refused(stx, ARRAY_LEN(stx), "write to xdp_md->ingress_ifindex");
	refused(narrow, ARRAY_LEN(narrow), "1-byte load at xdp_md+12");
	refused(half, ARRAY_LEN(half), "2-byte load at xdp_md+16");
	refused(wide, ARRAY_LEN(wide), "8-byte load at xdp_md+0");
	refused(past, ARRAY_LEN(past), "offset 24 is past struct xdp_md");
	refused(egress, ARRAY_LEN(egress), "egress_ifindex is readable "
					   "only");
	refused(sx, ARRAY_LEN(sx), "sign-extending load of the packet "
				   "pointer xdp_md->data_end");
	refused(helper, ARRAY_LEN(helper), "skb_load_bytes");
}

/* data, data_end, data_meta loads become 8-byte loads of the pointers
 * after the uapi struct; the other fields stay. */
static void test_rewrite(void)
{
	struct bpf_insn insns[] = {
		LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4), LDX(BPF_W, 4, 1, 8),
		LDX(BPF_W, 5, 1, 12), LDX(BPF_W, 0, 1, 16), EXIT(),
	};
	const struct bpf_insn *x;
	struct bpfvm_prog *p;

	p = create_ok(insns, ARRAY_LEN(insns));
	if (!p)
		return;
	x = bpfvm_prog_xlated_insns(p);
	CHECK_EQ_U64(x[0].code, BPF_LDX | BPF_MEM | BPF_DW);
	CHECK_EQ_U64(x[0].off, offsetof(struct xdp_ctx, data));
	CHECK_EQ_U64(x[1].off, offsetof(struct xdp_ctx, data_end));
	CHECK_EQ_U64(x[2].off, offsetof(struct xdp_ctx, data_meta));
	CHECK_EQ_U64(x[2].code, BPF_LDX | BPF_MEM | BPF_DW);
	CHECK_EQ_U64(x[3].code, BPF_LDX | BPF_MEM | BPF_W);
	CHECK_EQ_U64(x[3].off, 12);
	CHECK_EQ_U64(x[4].off, 16);
	bpfvm_prog_free(p);
}

/* Returns data_end - data + 1000 * (data - data_meta), and copies
 * ingress_ifindex * 16 + rx_queue_index into the packet's first byte. */
static const struct bpf_insn len_prog[] = {
	LDX(BPF_W, 2, 1, 0),		/* data */
	LDX(BPF_W, 3, 1, 4),		/* data_end */
	LDX(BPF_W, 4, 1, 8),		/* data_meta */
	LDX(BPF_W, 5, 1, 12),		/* ingress_ifindex */
	LDX(BPF_W, 6, 1, 16),		/* rx_queue_index */
	ALU64_IMM(BPF_LSH, 5, 4),
	ALU64_REG(BPF_ADD, 5, 6),
	STX(BPF_B, 2, 5, 0),
	MOV64_REG(0, 3),
	ALU64_REG(BPF_SUB, 0, 2),
	ALU64_REG(BPF_SUB, 2, 4),
	ALU64_IMM(BPF_MUL, 2, 1000),
	ALU64_REG(BPF_ADD, 0, 2),
	EXIT(),
};

struct tr {
	struct bpfvm_test_run_opts o;
	uint8_t out[80000];
	struct xdp_md ctx;
	char err[256];
};

static int trun(struct bpfvm_prog *p, struct tr *t, const void *data,
		uint32_t len, const struct xdp_md *ctx_in, size_t e)
{
	t->o = (struct bpfvm_test_run_opts){
		.sz = sizeof(t->o), .data_in = data, .data_size_in = len,
		.data_out = t->out, .data_size_out = sizeof(t->out),
		.ctx_in = ctx_in, .ctx_size_in = ctx_in ? sizeof(*ctx_in) : 0,
		.ctx_out = &t->ctx, .ctx_size_out = ctx_in ? sizeof(t->ctx) : 0,
		.engine = engines[e].e, .run_flags = engines[e].flags,
		.err_buf = t->err, .err_size = sizeof(t->err),
	};
	if (!ctx_in)
		t->o.ctx_out = NULL;
	memset(&t->ctx, 0, sizeof(t->ctx));
	return bpfvm_prog_test_run(p, &t->o);
}

/* ctx_in refused (-EINVAL) for a len-byte frame, the message naming
 * why where given. */
static const struct {
	struct xdp_md md;
	uint32_t len;
	const char *why;
} bad_ctx[] = {
	{ { .data = 2, .data_end = 60 }, 60, NULL },
	{ { .data = 256, .data_end = 300 }, 300, NULL },
	{ { .data_end = 60, .data_meta = 4 }, 60, "data_meta" },
	{ { .data_end = 61 }, 60, "past data_in" },
	{ { .data_end = 60, .egress_ifindex = 2 }, 60, "egress_ifindex" },
	{ { .data_end = 60, .rx_queue_index = 2 }, 60, NULL },
};

static void test_run_rules(void)
{
	static uint8_t pkt[4096];
	static struct tr t;
	struct bpfvm_prog *p;
	struct xdp_md md;

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	p = create_ok(len_prog, ARRAY_LEN(len_prog));
	if (!p)
		return;
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		/* sizes: an Ethernet header to a page minus 576 */
		CHECK_EQ_U64(trun(p, &t, pkt, 13, NULL, e), -EINVAL);
		CHECK(strstr(t.err, "shorter than an Ethernet header"));
		CHECK_EQ_U64(trun(p, &t, pkt, 14, NULL, e), 0);
		CHECK_EQ_U64(t.o.retval, 14);
		CHECK_EQ_U64(t.out[0], 16); /* loopback, queue 0 */
		CHECK_EQ_U64(trun(p, &t, pkt, 3520, NULL, e), 0);
		CHECK_EQ_U64(t.o.retval, 3520);
		CHECK_EQ_U64(t.o.data_size_out, 3520);
		/* past that, fragments: data_end is the linear part's */
		CHECK_EQ_U64(trun(p, &t, pkt, 3521, NULL, e), 0);
		CHECK_EQ_U64(t.o.retval, 3520);
		CHECK_EQ_U64(t.o.data_size_out, 3521);
		CHECK_EQ_U64(t.out[3520], pkt[3520]);
		/* metadata from the start of data_in: 3520 + 32 fit then */
		md = (struct xdp_md){ .data = 32, .data_end = 3552,
				      .ingress_ifindex = 7,
				      .rx_queue_index = 3 };
		CHECK_EQ_U64(trun(p, &t, pkt, 3552, &md, e), 0);
		CHECK_EQ_U64(t.o.retval, 3520 + 32000);
		CHECK_EQ_U64(t.o.data_size_out, 3552);
		CHECK_EQ_U64(t.out[32], 7 * 16 + 3);
		CHECK_EQ_U64(t.out[0], 0);
		CHECK_EQ_U64(t.ctx.data, 32);
		CHECK_EQ_U64(t.ctx.data_end, 3552);
		CHECK_EQ_U64(t.ctx.ingress_ifindex, 7);
		CHECK_EQ_U64(t.ctx.rx_queue_index, 3);
		md.data_end = 3553;
		CHECK_EQ_U64(trun(p, &t, pkt, 3553, &md, e), 0);
		CHECK_EQ_U64(t.o.retval, 3520 + 32000);
		CHECK_EQ_U64(t.ctx.data_end, 3552);
		/* a linear part shorter than data_in: the rest in fragments */
		md = (struct xdp_md){ .data = 8, .data_end = 50 };
		CHECK_EQ_U64(trun(p, &t, pkt, 100, &md, e), 0);
		CHECK_EQ_U64(t.o.retval, 42 + 8000);
		CHECK_EQ_U64(t.o.data_size_out, 100);
		CHECK_EQ_U64(t.ctx.data_end, 50);
		CHECK_EQ_U64(t.out[99], 99);
		/* 14 bytes after the metadata at least, in all */
		md = (struct xdp_md){ .data = 16, .data_end = 29 };
		CHECK_EQ_U64(trun(p, &t, pkt, 29, &md, e), -EINVAL);
		md = (struct xdp_md){ .data = 16, .data_end = 20 };
		CHECK_EQ_U64(trun(p, &t, pkt, 30, &md, e), 0);
		CHECK_EQ_U64(t.o.retval, 4 + 16000);
		/* the fields that must be zero or consistent */
		for (size_t i = 0; i < ARRAY_LEN(bad_ctx); i++) {
			CHECK_EQ_U64(trun(p, &t, pkt, bad_ctx[i].len,
					  &bad_ctx[i].md, e),
				     -EINVAL);
			if (bad_ctx[i].why)
				CHECK(strstr(t.err, bad_ctx[i].why));
		}
		md = (struct xdp_md){ .data = 252, .data_end = 300 };
		CHECK_EQ_U64(trun(p, &t, pkt, 300, &md, e), 0);
		CHECK_EQ_U64(t.o.retval, 48 + 252000);
		/* ctx_out alone: ctx_in counts as zeroes (data_end 0): an
		 * empty linear part, the whole frame in fragments */
		trun(p, &t, pkt, 60, NULL, e);
		t.o.ctx_out = &t.ctx;
		t.o.ctx_size_out = sizeof(t.ctx);
		t.o.data_size_out = sizeof(t.out);
		CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), 0);
		CHECK_EQ_U64(t.o.retval, 0);
		CHECK_EQ_U64(t.o.data_size_out, 60);
		CHECK_EQ_U64(t.ctx.data_end, 0);
		/* a longer ctx_in: its tail must be zero */
		{
			uint8_t big[40] = { 0 };

			md = (struct xdp_md){ .data_end = 60 };
			memcpy(big, &md, sizeof(md));
			trun(p, &t, pkt, 60, &md, e);
			t.o.ctx_in = big;
			t.o.ctx_size_in = sizeof(big);
			CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), 0);
			big[39] = 1;
			t.o.data_size_out = sizeof(t.out);
			CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), -E2BIG);
		}
		/* short data_out: cut, full size reported, -ENOSPC */
		trun(p, &t, pkt, 100, NULL, e);
		t.o.data_size_out = 10;
		memset(t.out, 0xee, 16);
		CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), -ENOSPC);
		CHECK_EQ_U64(t.o.data_size_out, 100);
		CHECK_EQ_U64(t.out[9], 9);
		CHECK_EQ_U64(t.out[10], 0xee);
		CHECK_EQ_U64(t.o.retval, 100);
	}
	bpfvm_prog_free(p);
}

/* r0 = bpf_xdp_adjust_head(ctx, -4); repeated runs keep moving the
 * same frame's head (nothing is reset between runs, as the kernel). */
static void test_repeat(void)
{
	struct bpf_insn insns[] = {
		MOV64_IMM(2, -4),
		CALL_HELPER(BPF_FUNC_xdp_adjust_head),
		EXIT(),
	};
	static uint8_t pkt[64];
	static struct tr t;
	struct bpfvm_prog *p;

	p = create_ok(insns, ARRAY_LEN(insns));
	if (!p)
		return;
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		trun(p, &t, pkt, 64, NULL, e);
		t.o.repeat = 10;
		t.o.data_size_out = sizeof(t.out);
		CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), 0);
		CHECK_EQ_U64(t.o.retval, 0);
		CHECK_EQ_U64(t.o.data_size_out, 64 + 40);
		/* 216 bytes of headroom above the xdp_frame: 54 moves */
		t.o.repeat = 55;
		t.o.data_size_out = sizeof(t.out);
		CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), 0);
		CHECK_EQ_U64(t.o.retval, (uint32_t)-EINVAL);
		CHECK_EQ_U64(t.o.data_size_out, 64 + 216);
	}
	bpfvm_prog_free(p);
}

/* --- the helpers, called directly on a frame --- */

static uint8_t page[XDP_CTX_FRAME_SZ];

static void frame(struct xdp_ctx *x, uint32_t len, uint32_t meta)
{
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 3);
	memset(x, 0, sizeof(*x));
	x->hard_start = page;
	x->frame_sz = XDP_CTX_FRAME_SZ;
	x->data = page + XDP_CTX_HEADROOM;
	x->data_meta = x->data - meta;
	x->data_end = x->data + len;
}

#define H2(id, x, a) hcall(BPF_FUNC_##id, P(x), (uint64_t)(int64_t)(a), 0, 0, 0)
#define EINV ((uint64_t)(int64_t)-EINVAL)

static void test_adjust_head(void)
{
	struct xdp_ctx x;

	frame(&x, 100, 0);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, -216), 0);
	CHECK(x.data == page + 40 && x.data_meta == x.data);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, -1), EINV);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, 216 + 100 - 14), 0);
	CHECK_EQ_U64(x.data_end - x.data, 14);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, 1), EINV);
	/* metadata moves with data and is kept out of the reservation */
	frame(&x, 100, 8);
	memcpy(x.data_meta, "metadata", 8);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, -209), EINV);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, -208), 0);
	CHECK(x.data_meta == page + 40 && !memcmp(x.data_meta, "metadata", 8));
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, 50), 0);
	CHECK(!memcmp(x.data - 8, "metadata", 8));
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, INT32_MIN), EINV);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, INT32_MAX), EINV);
}

static void test_adjust_tail(void)
{
	struct xdp_ctx x;

	frame(&x, 100, 0);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 3520 - 100), 0);
	CHECK_EQ_U64(x.data_end - x.data, 3520);
	CHECK_EQ_U64(x.data[3519], 0); /* grown bytes are zeroed */
	CHECK_EQ_U64(x.data[3420 - 1], 0);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 1), EINV);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, -(3520 - 14)), 0);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, -1), EINV);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, INT32_MIN), EINV);
	/* the limit follows data: a moved head leaves the tail's room */
	frame(&x, 100, 0);
	CHECK_EQ_U64(H2(xdp_adjust_head, &x, 50), 0);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 3420), 0);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 1), EINV);
}

static void test_adjust_meta(void)
{
	struct xdp_ctx x;

	frame(&x, 100, 0);
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, 4), EINV); /* past data */
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, -3),
		     (uint64_t)(int64_t)-EACCES);
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, -32), 0);
	CHECK_EQ_U64(x.data - x.data_meta, 32);
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, -184), 0); /* 216 */
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, -4), EINV); /* the xdp_frame */
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, 216), 0);
	CHECK(x.data_meta == x.data);
	/* room for 252 bytes of metadata: more is -EACCES */
	frame(&x, 100, 0);
	x.data += 100;
	x.data_meta = x.data;
	x.data_end += 100;
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, -252), 0);
	CHECK_EQ_U64(H2(xdp_adjust_meta, &x, -4),
		     (uint64_t)(int64_t)-EACCES);
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_get_buff_len, P(&x), 0, 0, 0, 0),
		     100);
}

static void test_bytes(void)
{
	uint8_t buf[64];
	struct xdp_ctx x;

	frame(&x, 100, 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 96, P(buf), 4, 0),
		     0);
	CHECK(!memcmp(buf, x.data + 96, 4));
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 97, P(buf), 4, 0),
		     EINV);
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 0x10000, P(buf),
			   1, 0), (uint64_t)(int64_t)-EFAULT);
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 0, P(buf),
			   0x10000, 0), (uint64_t)(int64_t)-EFAULT);
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 0xffff, P(buf), 1,
			   0), EINV);
	memcpy(buf, "abcd", 4);
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_store_bytes, P(&x), 10, P(buf), 4, 0),
		     0);
	CHECK(!memcmp(x.data + 10, "abcd", 4));
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_store_bytes, P(&x), 98, P(buf), 4, 0),
		     EINV);
}

/* Multi-buffer frames: 100 linear bytes and fragments of 4096, 10. */
static void test_frags(void)
{
	static uint8_t src[5000];
	struct xdp_frags *fr = xdp_frags_get();
	uint8_t buf[64];
	struct xdp_ctx x;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 5 + 1);
	CHECK(fr != NULL);
	if (!fr)
		return;
	frame(&x, 100, 0);
	memcpy(x.data, src, 100);
	CHECK_EQ_U64(xdp_frags_fill(fr, src + 100, 4106), 0);
	x.frags = fr;
	CHECK_EQ_U64(fr->nr, 2);
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_get_buff_len, P(&x), 0, 0, 0, 0),
		     4206);
	/* load and store across the linear part and both fragments */
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 90, P(buf), 20, 0),
		     0);
	CHECK(!memcmp(buf, src + 90, 20));
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 4190, P(buf), 16,
			   0), 0);
	CHECK(!memcmp(buf, src + 4190, 16));
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_load_bytes, P(&x), 4191, P(buf), 16,
			   0), EINV);
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ_U64(hcall(BPF_FUNC_xdp_store_bytes, P(&x), 4190, P(buf), 16,
			   0), 0);
	CHECK_EQ_U64(fr->f[0].addr[4095], 0xaa);
	CHECK_EQ_U64(fr->f[1].addr[9], 0xaa);
	/* the tail is the last fragment's: it grows within its page */
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 4086), 0);
	CHECK_EQ_U64(fr->f[1].size, 4096);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 1), EINV);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, 0), 0);
	/* shrinking releases fragments, then takes from the linear part */
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, -4096 - 10), 0);
	CHECK_EQ_U64(fr->nr, 1);
	CHECK_EQ_U64(fr->f[0].size, 4086);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, -(4086 + 100 - 14)), 0);
	CHECK_EQ_U64(fr->nr, 0);
	CHECK_EQ_U64(x.data_end - x.data, 14);
	CHECK_EQ_U64(H2(xdp_adjust_tail, &x, -1), EINV);
	/* the kernel's limit: MAX_SKB_FRAGS pages */
	fr = xdp_frags_get();
	CHECK_EQ_U64(xdp_frags_fill(fr, page, 4096), 0);
	for (int i = 0; i < 16; i++)
		CHECK_EQ_U64(xdp_frags_fill(fr, page, 4096), 0);
	CHECK_EQ_U64(xdp_frags_fill(fr, page, 1), -ENOMEM);
}

/* Test runs of multi-buffer frames: sizes, data_out cut as the kernel
 * cuts it (the fragments first), too many fragments. */
static void test_frags_run(void)
{
	static uint8_t pkt[80000];
	static struct tr t;
	struct bpf_insn insns[] = {
		MOV64_REG(6, 1),
		CALL_HELPER(BPF_FUNC_xdp_get_buff_len), EXIT(),
	};
	struct bpfvm_prog *p;
	char log[256];

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 13);
	CHECK_EQ_U64(create(insns, ARRAY_LEN(insns), &p, log, sizeof(log)),
		     0);
	for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
		CHECK_EQ_U64(trun(p, &t, pkt, 3520 + 17 * 4096, NULL, e), 0);
		CHECK_EQ_U64(t.o.retval, 3520 + 17 * 4096);
		CHECK_EQ_U64(trun(p, &t, pkt, 3521 + 17 * 4096, NULL, e),
			     -ENOMEM);
		CHECK_EQ_U64(trun(p, &t, pkt, 4000, NULL, e), 0);
		CHECK_EQ_U64(t.o.data_size_out, 4000);
		CHECK(!memcmp(t.out, pkt, 4000));
		/* cut at 3800: 3800 - 480 linear bytes, then 480 of the
		 * fragment */
		trun(p, &t, pkt, 4000, NULL, e);
		t.o.data_size_out = 3800;
		memset(t.out, 0, sizeof(t.out));
		CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), -ENOSPC);
		CHECK_EQ_U64(t.o.data_size_out, 4000);
		CHECK_EQ_U64(t.o.retval, 4000);
		CHECK(!memcmp(t.out, pkt, 3320));
		CHECK(!memcmp(t.out + 3320, pkt + 3520, 480));
		/* cut within the fragments' size: nothing at all */
		t.o.data_size_out = 400;
		CHECK_EQ_U64(bpfvm_prog_test_run(p, &t.o), -ENOSPC);
		CHECK_EQ_U64(t.o.data_size_out, 400);
		CHECK_EQ_U64(t.o.retval, 0);
	}
	bpfvm_prog_free(p);
}

struct samples {
	int n;
	uint32_t size;
	uint8_t data[256];
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct samples *g = ctx;

	(void)cpu;
	g->n++;
	g->size = size;
	memcpy(g->data, data, size < sizeof(g->data) ? size : sizeof(g->data));
}

/* bpf_perf_event_output from XDP (bpf_xdp_event_output): 8 bytes of
 * meta then the packet's first (flags >> 32) bytes; flag bits past
 * BPF_F_CTXLEN_MASK -EINVAL, more bytes than the packet has -EFAULT, an
 * index past the map -E2BIG. */
static void test_event_output(void)
{
	static const uint64_t flags[] = { 0, 20ull << 32, 64ull << 32,
					  65ull << 32, 1ull << 60, 1ull << 20 };
	static const int64_t want[] = { 0, 0, 0, -EFAULT, -EINVAL, -E2BIG };
	struct bpfvm_perfbuf_opts po = { .sz = sizeof(po) };
	unsigned cpus[1] = { 0 };
	uint32_t keys[1] = { 0 };
	struct bpfvm_perfbuf *pb = NULL;
	struct bpfvm_map *map = NULL;
	static uint8_t pkt[64];
	static struct tr t;
	struct samples g;
	char log[256];

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i + 100);
	bpfvm_thread_set_cpu(0);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1,
				      NULL, &map), 0);
	po.cpu_cnt = 1, po.cpus = cpus, po.map_keys = keys;
	CHECK_EQ_U64(bpfvm_perfbuf_new(map, 1, on_sample, NULL, &g, &po, &pb),
		     0);
	for (size_t f = 0; pb && f < ARRAY_LEN(flags); f++) {
		struct bpf_insn prog[] = {
			MOV64_REG(6, 1),
			LD_IMM64(2, 0x1122334455667788ull),
			STX(BPF_DW, 10, 2, -8),
			MOV64_REG(1, 6),
			LD_IMM64_RAW(2, BPF_PSEUDO_MAP_IDX, 0, 0),
			LD_IMM64(3, flags[f]),
			MOV64_REG(4, 10), ALU64_IMM(BPF_ADD, 4, -8),
			MOV64_IMM(5, 8),
			CALL_HELPER(BPF_FUNC_perf_event_output), EXIT(),
		};
		struct bpfvm_prog_opts o = { .sz = sizeof(o),
					     .prog_type = BPF_PROG_TYPE_XDP,
					     .maps = &map, .map_cnt = 1,
					     .log_buf = log,
					     .log_size = sizeof(log) };
		struct bpfvm_prog *p = NULL;
		uint32_t n = (uint32_t)(flags[f] >> 32);

		CHECK_EQ_U64(bpfvm_prog_create(prog, ARRAY_LEN(prog), &o, &p),
			     0);
		for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
			memset(&g, 0, sizeof(g));
			CHECK_EQ_U64(trun(p, &t, pkt, sizeof(pkt), NULL, e), 0);
			CHECK_EQ_U64(t.o.retval, (uint32_t)want[f]);
			CHECK_EQ_U64(bpfvm_perfbuf_consume(pb), 0);
			CHECK_EQ_U64(g.n, want[f] ? 0 : 1);
			if (want[f] || g.n != 1)
				continue;
			CHECK(g.size >= 8 + n);
			CHECK(!memcmp(g.data, "\x88\x77\x66\x55\x44\x33\x22"
					      "\x11", 8));
			CHECK(!memcmp(g.data + 8, pkt, n));
		}
		bpfvm_prog_free(p);
	}
	bpfvm_perfbuf_free(pb);
	bpfvm_map_free(map);
}

/* bpf_redirect_map on a map that is no redirect map (the kernel's
 * verifier refuses it): XDP_ABORTED, and a checked run ends -EINVAL. */
static void test_redirect_not_redirect_map(void)
{
	struct bpf_insn prog[] = {
		LD_IMM64_RAW(1, BPF_PSEUDO_MAP_IDX, 0, 0), MOV64_IMM(2, 0),
		MOV64_IMM(3, XDP_PASS), CALL_HELPER(BPF_FUNC_redirect_map),
		EXIT(),
	};
	static uint8_t pkt[64];
	static struct tr t;
	struct bpfvm_map *map = NULL;
	struct bpfvm_prog *p = NULL;
	char log[256];
	struct bpfvm_prog_opts o = { .sz = sizeof(o),
				     .prog_type = BPF_PROG_TYPE_XDP,
				     .log_buf = log, .log_size = sizeof(log) };

	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, NULL,
				      &map), 0);
	o.maps = &map;
	o.map_cnt = 1;
	CHECK_EQ_U64(bpfvm_prog_create(prog, ARRAY_LEN(prog), &o, &p), 0);
	for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
		int err = trun(p, &t, pkt, 64, NULL, e);

		if (engines[e].flags & BPFVM_RUN_F_CHECKED) {
			CHECK_EQ_U64(err, -EINVAL);
			CHECK(strstr(t.err, "no redirect map"));
		} else {
			CHECK_EQ_U64(err, 0);
			CHECK_EQ_U64(t.o.retval, XDP_ABORTED);
		}
	}
	bpfvm_prog_free(p);
	bpfvm_map_free(map);
}

/* Fragments are per thread: threads running multi-buffer frames at
 * once each get their own frame back (r0 = get_buff_len, and the byte at
 * 5000, in a fragment, written from the frame's first byte). */
struct frag_job {
	struct bpfvm_prog *prog;
	uint8_t id;
	int bad;
};

static void *frag_thread(void *arg)
{
	struct frag_job *j = arg;
	static _Thread_local uint8_t pkt[9000], out[9000];

	memset(pkt, j->id, sizeof(pkt));
	for (int i = 0; i < 3000; i++) {
		struct bpfvm_test_run_opts o = {
			.sz = sizeof(o), .data_in = pkt,
			.data_size_in = sizeof(pkt) - (uint32_t)i % 1000,
			.data_out = out, .data_size_out = sizeof(out),
			.engine = i % 2 ? BPFVM_ENGINE_JIT
					: BPFVM_ENGINE_INTERP,
		};

		pkt[0] = (uint8_t)(j->id + i);
		pkt[5000] = pkt[0];
		if (bpfvm_prog_test_run(j->prog, &o) ||
		    o.retval != sizeof(pkt) - (uint32_t)i % 1000 ||
		    memcmp(out, pkt, o.retval))
			j->bad++;
		pkt[5000] = j->id;
	}
	return NULL;
}

static void test_frags_threads(void)
{
	struct bpf_insn insns[] = {
		MOV64_REG(6, 1),
		LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4),
		MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 1),
		JMP_REG(BPF_JGT, 4, 3, 8),
		MOV64_REG(1, 6), MOV64_REG(3, 2), MOV64_IMM(2, 5000),
		MOV64_IMM(4, 1), CALL_HELPER(BPF_FUNC_xdp_store_bytes),
		MOV64_REG(1, 6), CALL_HELPER(BPF_FUNC_xdp_get_buff_len),
		EXIT(),
		MOV64_IMM(0, 0), EXIT(),
	};
	struct frag_job jobs[4];
	pthread_t th[4];
	struct bpfvm_prog *p;

	p = create_ok(insns, ARRAY_LEN(insns));
	if (!p)
		return;
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct frag_job){ p, (uint8_t)(0x10 * (i + 1)), 0 };
		CHECK_EQ_U64(pthread_create(&th[i], NULL, frag_thread,
					    &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_U64(jobs[i].bad, 0);
	}
	bpfvm_prog_free(p);
}

/* bpf_redirect and bpf_redirect_map through test runs, reading the
 * decision in opts.redirect. */
static void test_redirect(void)
{
	struct bpf_insn dev[] = {
		LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4),
		MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 16),
		JMP_REG(BPF_JGT, 4, 3, 4),
		LDX(BPF_W, 1, 2, 0), LDX(BPF_DW, 2, 2, 4),
		CALL_HELPER(BPF_FUNC_redirect), EXIT(),
		MOV64_IMM(0, 99), EXIT(),
	};
	static const enum bpf_map_type types[] = {
		BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH,
		BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP,
	};
	static const enum bpfvm_redirect_kind kinds[] = {
		BPFVM_REDIRECT_DEV, BPFVM_REDIRECT_DEV, BPFVM_REDIRECT_CPU,
		BPFVM_REDIRECT_XSK,
	};
	static uint8_t pkt[64];
	static struct tr t;
	struct bpfvm_prog *p;
	char log[256];
	uint64_t flags;
	uint32_t v;

	CHECK_EQ_U64(create(dev, ARRAY_LEN(dev), &p, log, sizeof(log)), 0);
	for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
		v = 9;
		flags = 0;
		memcpy(pkt, &v, 4);
		memcpy(pkt + 4, &flags, 8);
		CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
		CHECK_EQ_U64(t.o.retval, XDP_REDIRECT);
		CHECK_EQ_U64(t.o.redirect.kind, BPFVM_REDIRECT_DEV);
		CHECK_EQ_U64(t.o.redirect.index, 9);
		flags = BPF_F_INGRESS;
		memcpy(pkt + 4, &flags, 8);
		CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
		CHECK_EQ_U64(t.o.retval, XDP_ABORTED);
		CHECK_EQ_U64(t.o.redirect.kind, BPFVM_REDIRECT_NONE);
	}
	bpfvm_prog_free(p);

	for (size_t m = 0; m < ARRAY_LEN(types); m++) {
		struct bpfvm_map *map = NULL;
		uint32_t key = m == 1 ? 77 : 1, val = m == 2 ? 64 : 5;
		struct bpf_insn prog[] = {
			LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4),
			MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 16),
			JMP_REG(BPF_JGT, 4, 3, 5),
			LDX(BPF_DW, 3, 2, 4), LDX(BPF_W, 2, 2, 0),
			LD_IMM64_RAW(1, BPF_PSEUDO_MAP_IDX, 0, 0),
			CALL_HELPER(BPF_FUNC_redirect_map), EXIT(),
			MOV64_IMM(0, 99), EXIT(),
		};
		struct bpfvm_prog_opts o = { .sz = sizeof(o),
					     .prog_type = BPF_PROG_TYPE_XDP,
					     .log_buf = log,
					     .log_size = sizeof(log) };

		CHECK_EQ_U64(bpfvm_map_create(types[m], 4, 4, 8, NULL, &map),
			     0);
		if (!map)
			continue;
		CHECK_EQ_U64(bpfvm_map_update(map, &key, &val, 0), 0);
		o.maps = &map;
		o.map_cnt = 1;
		p = NULL;
		CHECK_EQ_U64(bpfvm_prog_create(prog, ARRAY_LEN(prog), &o, &p),
			     0);
		for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
			flags = 0;
			memcpy(pkt, &key, 4);
			memcpy(pkt + 4, &flags, 8);
			CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
			CHECK_EQ_U64(t.o.retval, XDP_REDIRECT);
			CHECK_EQ_U64(t.o.redirect.kind, kinds[m]);
			CHECK_EQ_U64(t.o.redirect.index, m < 2 ? 5 : key);
			/* a miss: the low bits of flags are the verdict */
			v = key + 1;
			flags = XDP_PASS;
			memcpy(pkt, &v, 4);
			memcpy(pkt + 4, &flags, 8);
			CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
			CHECK_EQ_U64(t.o.retval, XDP_PASS);
			CHECK_EQ_U64(t.o.redirect.kind, BPFVM_REDIRECT_NONE);
			/* broadcast: devmaps only */
			flags = BPF_F_BROADCAST;
			memcpy(pkt + 4, &flags, 8);
			CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
			CHECK_EQ_U64(t.o.retval,
				     m < 2 ? XDP_REDIRECT : XDP_ABORTED);
			flags = 4;
			memcpy(pkt + 4, &flags, 8);
			CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
			CHECK_EQ_U64(t.o.retval, XDP_ABORTED);
		}
		bpfvm_prog_free(p);
		bpfvm_map_free(map);
	}
	test_redirect_not_redirect_map();
}

/* tc's bpf_redirect: BPF_F_INGRESS kept in the decision, any other
 * flag TC_ACT_SHOT with no decision. */
static void test_redirect_tc(void)
{
	static uint8_t pkt[64];
	char log[256], err[256];

	for (int f = 0; f < 3; f++) {
		struct bpf_insn insns[] = {
			MOV64_IMM(1, 5), MOV64_IMM(2, f),
			CALL_HELPER(BPF_FUNC_redirect), EXIT(),
		};
		struct bpfvm_prog_opts po = {
			.sz = sizeof(po), .prog_type = BPF_PROG_TYPE_SCHED_CLS,
			.log_buf = log, .log_size = sizeof(log) };
		struct bpfvm_prog *p = NULL;

		CHECK_EQ_U64(bpfvm_prog_create(insns, ARRAY_LEN(insns), &po,
					       &p), 0);
		for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
			struct bpfvm_test_run_opts o = {
				.sz = sizeof(o), .data_in = pkt,
				.data_size_in = sizeof(pkt),
				.engine = engines[e].e,
				.run_flags = engines[e].flags,
				.err_buf = err, .err_size = sizeof(err) };

			CHECK_EQ_U64(bpfvm_prog_test_run(p, &o), 0);
			CHECK_EQ_U64(o.retval, f == 2 ? TC_ACT_SHOT
						      : TC_ACT_REDIRECT);
			CHECK_EQ_U64(o.redirect.kind, f == 2
					? BPFVM_REDIRECT_NONE
					: BPFVM_REDIRECT_DEV);
			CHECK_EQ_U64(o.redirect.index, f == 2 ? 0 : 5);
			CHECK_EQ_U64(o.redirect.flags, f == 2 ? 0 : f);
		}
		bpfvm_prog_free(p);
	}
}

/* Checked runs: a frame helper given something else than the run's ctx
 * ends the run with -EINVAL; a read past the frame ends it -EFAULT. */
static void test_checked(void)
{
	struct bpf_insn bogus[] = {
		MOV64_REG(6, 1), ALU64_IMM(BPF_ADD, 1, 8), MOV64_IMM(2, 0),
		CALL_HELPER(BPF_FUNC_xdp_adjust_head), EXIT(),
	};
	struct bpf_insn past[] = {
		LDX(BPF_W, 2, 1, 4), LDX(BPF_B, 0, 2, 400), EXIT(),
	};
	static uint8_t pkt[64];
	static struct tr t;
	struct bpfvm_prog *p;
	char log[256];

	CHECK_EQ_U64(create(bogus, ARRAY_LEN(bogus), &p, log, sizeof(log)),
		     0);
	for (size_t e = 2; p && e < ARRAY_LEN(engines); e++) {
		CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), -EINVAL);
		CHECK(strstr(t.err, "bpf_xdp_adjust_head: r1"));
	}
	bpfvm_prog_free(p);
	CHECK_EQ_U64(create(past, ARRAY_LEN(past), &p, log, sizeof(log)), 0);
	for (size_t e = 0; p && e < ARRAY_LEN(engines); e++) {
		/* data_end + 400 is still in the page */
		CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), 0);
	}
	bpfvm_prog_free(p);
	past[1].off = 4096;
	CHECK_EQ_U64(create(past, ARRAY_LEN(past), &p, log, sizeof(log)), 0);
	for (size_t e = 2; p && e < ARRAY_LEN(engines); e++)
		CHECK_EQ_U64(trun(p, &t, pkt, 64, NULL, e), -EFAULT);
	bpfvm_prog_free(p);
}

int main(void)
{
	test_ctx_access();
	test_rewrite();
	test_run_rules();
	test_repeat();
	test_adjust_head();
	test_adjust_tail();
	test_adjust_meta();
	test_bytes();
	test_frags();
	test_frags_run();
	test_frags_threads();
	test_redirect();
	test_redirect_tc();
	test_event_output();
	test_checked();
	return check_report();
}
