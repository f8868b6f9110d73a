/* Test runs of socket filters and tc in bpfvm alone, on the interpreter,
 * the JIT and the checked interpreter: the input the kernel refuses, what
 * a socket filter sees with and without BPFVM_TEST_RUN_F_L2, LD_ABS after
 * helpers that move the packet (and across repeated runs), the skb
 * helpers' error codes, a helper given something other than the ctx, and
 * checked mode catching an access outside the packet buffer. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <bpfvm/bpfvm.h>
#include <bpfvm/ringbuf.h>

#include "check.h"
#include "insn_build.h"

#define SKB(f) ((int16_t)offsetof(struct __sk_buff, f))
#define SF BPF_PROG_TYPE_SOCKET_FILTER
#define CLS BPF_PROG_TYPE_SCHED_CLS
#define LD_ABS(size, imm) INSN(BPF_LD | BPF_ABS | (size), 0, 0, 0, imm)
#define ENOTSUPP 524

static const struct {
	enum bpfvm_engine e;
	uint32_t flags;
} engines[] = {
	{ BPFVM_ENGINE_INTERP, 0 },
	{ BPFVM_ENGINE_JIT, 0 },
	{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED },
};

static uint8_t frame[200], out[20000];
static char err_buf[256];

static struct bpfvm_prog *create(enum bpf_prog_type t,
				 const struct bpf_insn *in, size_t n)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .prog_type = t,
				     .log_buf = err_buf,
				     .log_size = sizeof(err_buf) };
	struct bpfvm_prog *p = NULL;

	if (bpfvm_prog_create(in, n, &o, &p))
		fprintf(stderr, "create: %s\n", err_buf);
	return p;
}

/* One test run on engine e; the result code, r0 in *r0. */
static int run(struct bpfvm_prog *p, size_t e, uint32_t len, uint32_t flags,
	       const struct __sk_buff *ctx, uint32_t repeat, uint32_t *r0,
	       uint32_t *out_len)
{
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = frame, .data_size_in = len,
		.data_out = out, .data_size_out = sizeof(out),
		.ctx_in = ctx, .ctx_size_in = ctx ? sizeof(*ctx) : 0,
		.repeat = repeat, .flags = flags, .engine = engines[e].e,
		.run_flags = engines[e].flags, .err_buf = err_buf,
		.err_size = sizeof(err_buf),
	};
	int err = bpfvm_prog_test_run(p, &o);

	*r0 = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return err;
}

static void frame_init(uint16_t ethertype)
{
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i + 1);
	frame[12] = (uint8_t)(ethertype >> 8);
	frame[13] = (uint8_t)ethertype;
}

/* r0 = the byte at 0 (the packet's first), len in cb[0]. */
static void input_checks(void)
{
	struct bpf_insn p[] = {
		MOV64_REG(6, 1), LDX(BPF_W, 2, 1, SKB(len)),
		STX(BPF_W, 1, 2, SKB(cb[0])), LD_ABS(BPF_B, 0), EXIT(),
	};
	struct bpfvm_prog *sf = create(SF, p, ARRAY_LEN(p));
	struct bpfvm_prog *tc = create(CLS, p, ARRAY_LEN(p));
	struct __sk_buff ctx = { 0 };
	uint32_t r0, n;

	frame_init(0x0800);
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		CHECK_EQ_U64(run(sf, e, 100, 0, NULL, 1, &r0, &n), 0);
		CHECK_EQ_U64(r0, 15);	/* after the Ethernet header */
		CHECK_EQ_U64(n, 100);
		CHECK_EQ_U64(out[0] | out[13], 0); /* header zeroed */
		CHECK_EQ_U64(out[14], 15);
		CHECK_EQ_U64(run(sf, e, 100, BPFVM_TEST_RUN_F_L2, NULL, 1, &r0,
				 &n), 0);
		CHECK_EQ_U64(r0, 1);	/* the frame itself */
		CHECK_EQ_U64(out[0], 1);
		CHECK_EQ_U64(n, 100);
		CHECK_EQ_U64(run(tc, e, 100, 0, NULL, 1, &r0, &n), 0);
		CHECK_EQ_U64(r0, 1);
		CHECK_EQ_U64(run(tc, e, 100, BPFVM_TEST_RUN_F_L2, NULL, 1, &r0,
				 &n), -EINVAL);
		CHECK_EQ_U64(run(tc, e, 13, 0, NULL, 1, &r0, &n), -EINVAL);
		CHECK(strstr(err_buf, "shorter than an Ethernet header"));
		CHECK_EQ_U64(run(tc, e, 3713, 0, NULL, 1, &r0, &n), -EINVAL);
		/* IPv4 with less than its header: refused, but not with F_L2 */
		CHECK_EQ_U64(run(sf, e, 33, 0, NULL, 1, &r0, &n), -EINVAL);
		CHECK(strstr(err_buf, "shorter than its header"));
		CHECK_EQ_U64(run(sf, e, 33, BPFVM_TEST_RUN_F_L2, NULL, 1, &r0,
				 &n), 0);
		CHECK_EQ_U64(run(sf, e, 34, 0, NULL, 1, &r0, &n), 0);
		ctx = (struct __sk_buff){ .ifindex = 2 };
		CHECK_EQ_U64(run(tc, e, 100, 0, &ctx, 1, &r0, &n), -ENODEV);
		ctx = (struct __sk_buff){ .tc_index = 1 };
		CHECK_EQ_U64(run(tc, e, 100, 0, &ctx, 1, &r0, &n), -EINVAL);
		CHECK(strstr(err_buf, "must be zero"));
		ctx = (struct __sk_buff){ .wire_len = 99 };
		CHECK_EQ_U64(run(tc, e, 100, 0, &ctx, 1, &r0, &n), -EINVAL);
	}
	frame_init(0x86dd);
	CHECK_EQ_U64(run(sf, 0, 53, 0, NULL, 1, &r0, &n), -EINVAL);
	CHECK_EQ_U64(run(sf, 0, 54, 0, NULL, 1, &r0, &n), 0);
	bpfvm_prog_free(sf);
	bpfvm_prog_free(tc);
}

/* change_head(r7) then LD_ABS at 0 (a new zero byte) and at r7 (the old
 * first byte), with change_tail(len + 10) and LD_ABS past the old end:
 * LD_ABS follows the moved packet. r0 = byte at r7 << 8 | the rest. */
static void ld_abs_follows(void)
{
	struct bpf_insn p[] = {
		MOV64_REG(6, 1), MOV64_IMM(2, 4), MOV64_IMM(3, 0),
		CALL_HELPER(BPF_FUNC_skb_change_head),
		JMP_IMM(BPF_JNE, 0, 0, 12),
		LD_ABS(BPF_B, 4), MOV64_REG(8, 0), ALU64_IMM(BPF_LSH, 8, 8),
		LD_ABS(BPF_B, 0), ALU64_REG(BPF_OR, 8, 0),
		MOV64_REG(1, 6), LDX(BPF_W, 2, 6, SKB(len)),
		ALU64_IMM(BPF_ADD, 2, 10), MOV64_IMM(3, 0),
		CALL_HELPER(BPF_FUNC_skb_change_tail),
		LD_ABS(BPF_W, 104), ALU64_REG(BPF_OR, 0, 8), EXIT(),
	};
	struct bpfvm_prog *tc = create(CLS, p, ARRAY_LEN(p));
	uint32_t r0, n;

	frame_init(0x0800);
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		CHECK_EQ_U64(run(tc, e, 100, 0, NULL, 1, &r0, &n), 0);
		CHECK_EQ_U64(r0, 0x100);	/* zeros at 104..107 */
		CHECK_EQ_U64(n, 114);
		CHECK_EQ_U64(out[4], 1);
		/* each run works on the skb the last one left */
		CHECK_EQ_U64(run(tc, e, 100, 0, NULL, 3, &r0, &n), 0);
		CHECK_EQ_U64(n, 142);
		/* 104 is now the input's 92 (three 4-byte heads) */
		CHECK_EQ_U64(r0, 0x5d5e5f60);
	}
	bpfvm_prog_free(tc);
}

/* r0 = helper(ctx, a2, a3, a4, a5) with r3 pointing at a stack buffer
 * when ptr; the 8 buffer bytes (after the call) into cb[0..1]. */
static int64_t call(int id, int64_t a2, int64_t a3, int64_t a4, int64_t a5,
		    int ptr, size_t e, uint8_t buf_out[8])
{
	struct bpf_insn p[] = {
		MOV64_REG(6, 1), ST_IMM(BPF_W, 10, -8, 0x55555555),
		ST_IMM(BPF_W, 10, -4, 0x55555555),
		LD_IMM64(2, a2), LD_IMM64(3, a3), LD_IMM64(4, a4),
		LD_IMM64(5, a5), MOV64_REG(1, 6),
		ptr ? MOV64_REG(3, 10) : MOV64_REG(3, 3),
		ptr ? ALU64_IMM(BPF_ADD, 3, -8) : MOV64_REG(3, 3),
		CALL_HELPER(id), LDX(BPF_W, 2, 10, -8),
		STX(BPF_W, 6, 2, SKB(cb[0])), LDX(BPF_W, 2, 10, -4),
		STX(BPF_W, 6, 2, SKB(cb[1])), EXIT(),
	};
	struct bpfvm_prog *tc = create(CLS, p, ARRAY_LEN(p));
	struct __sk_buff ctx = { 0 };
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = frame, .data_size_in = 100,
		.ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .ctx_out = &ctx,
		.ctx_size_out = sizeof(ctx), .engine = engines[e].e,
		.run_flags = engines[e].flags, .err_buf = err_buf,
		.err_size = sizeof(err_buf),
	};
	int err = tc ? bpfvm_prog_test_run(tc, &o) : -1;

	bpfvm_prog_free(tc);
	if (buf_out)
		memcpy(buf_out, ctx.cb, 8);
	return err ? -1000 + err : (int32_t)o.retval;
}

static void helper_errors(void)
{
	uint8_t b[8];

	frame_init(0x0800);
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
#define H(id, ...) call(BPF_FUNC_##id, __VA_ARGS__, e, b)
		CHECK_EQ_U64(H(skb_load_bytes, 96, 0, 4, 0, 1), 0);
		CHECK_EQ_U64(b[0], 97);
		CHECK_EQ_U64(H(skb_load_bytes, 97, 0, 4, 0, 1), -EFAULT);
		CHECK_EQ_U64(b[0] | b[3], 0);	/* cleared */
		CHECK_EQ_U64(b[4], 0x55);	/* only len bytes */
		CHECK_EQ_U64(H(skb_load_bytes, 0x80000000, 0, 4, 0, 1),
			     -EFAULT);
		CHECK_EQ_U64(H(skb_load_bytes_relative, 0, 0, 4,
			       BPF_HDR_START_NET, 1), 0);
		CHECK_EQ_U64(b[0], 15);
		CHECK_EQ_U64(H(skb_load_bytes_relative, 0, 0, 4, 2, 1),
			     -EFAULT);
		CHECK_EQ_U64(H(skb_load_bytes_relative, 0x10000, 0, 4, 0, 1),
			     -EFAULT);
		CHECK_EQ_U64(H(skb_store_bytes, 0, 0, 4, 4, 1), -EINVAL);
		CHECK_EQ_U64(H(skb_store_bytes, 97, 0, 4, 0, 1), -EFAULT);
		CHECK_EQ_U64(H(skb_store_bytes, 96, 0, 4,
			       BPF_F_RECOMPUTE_CSUM, 1), 0);
		CHECK_EQ_U64(H(l3_csum_replace, 13, 0, 1, 0, 0), -EFAULT);
		CHECK_EQ_U64(H(l3_csum_replace, 98, 0, 1, 0, 0), 0);
		CHECK_EQ_U64(H(l3_csum_replace, 100, 0, 1, 0, 0), -EFAULT);
		CHECK_EQ_U64(H(l3_csum_replace, 12, 0, 1, 0x10, 0), -EINVAL);
		CHECK_EQ_U64(H(l3_csum_replace, 12, 1, 1, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(l3_csum_replace, 12, 1, 1, 3, 0), -EINVAL);
		CHECK_EQ_U64(H(l4_csum_replace, 12, 0, 1, 0x100, 0), -EINVAL);
		CHECK_EQ_U64(H(l4_csum_replace, 12, 0, 1, BPF_F_IPV6, 0), 0);
		CHECK_EQ_U64(H(skb_change_head, 1, 1, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_change_head, 16064 - 99, 0, 0, 0, 0),
			     -EINVAL);
		CHECK_EQ_U64(H(skb_change_head, 16064 - 100, 0, 0, 0, 0), 0);
		CHECK_EQ_U64(H(skb_change_head, 0xffffffff, 0, 0, 0, 0),
			     -EINVAL);
		CHECK_EQ_U64(H(skb_change_tail, 13, 0, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_change_tail, 14, 0, 0, 0, 0), 0);
		CHECK_EQ_U64(H(skb_change_tail, 16064, 0, 0, 0, 0), 0);
		CHECK_EQ_U64(H(skb_change_tail, 16065, 0, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_change_tail, 50, 1, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_pull_data, 100, 0, 0, 0, 0), 0);
		CHECK_EQ_U64(H(skb_pull_data, 101, 0, 0, 0, 0), -ENOMEM);
		CHECK_EQ_U64(H(skb_change_type, 4, 0, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(csum_update, 1, 0, 0, 0, 0), -ENOTSUPP);
		CHECK_EQ_U64(H(csum_level, 9, 0, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(csum_level, BPF_CSUM_LEVEL_QUERY, 0, 0, 0, 0),
			     -EACCES);
		CHECK_EQ_U64(H(set_hash, 77, 0, 0, 0, 0), 0);
		CHECK_EQ_U64(H(skb_change_proto, 0x0008, 0, 0, 0, 0),
			     -ENOTSUPP);
		CHECK_EQ_U64(H(skb_change_proto, 0xdd86, 1, 0, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_change_proto, 0xdd86, 0, 0, 0, 0), 0);
		CHECK_EQ_U64(H(skb_adjust_room, 8, 0, 1 << 9, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_adjust_room, 0x1000, 0, 0, 0, 0), -EFAULT);
		CHECK_EQ_U64(H(skb_adjust_room, 8, 2, 0, 0, 0), -ENOTSUPP);
		CHECK_EQ_U64(H(skb_adjust_room, 8, 0, 0x80, 0, 0), -EINVAL);
		CHECK_EQ_U64(H(skb_adjust_room, -67, 0, 0, 0, 0), -ENOTSUPP);
		CHECK_EQ_U64(H(skb_adjust_room, -66, 0, 0, 0, 0), 0);
#undef H
	}
}

/* A helper given a pointer that is not the ctx, and a packet access
 * outside the buffer (checked mode only). */
static void misuse(void)
{
	struct bpf_insn not_ctx[] = {
		MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -64), MOV64_IMM(2, 0),
		CALL_HELPER(BPF_FUNC_skb_pull_data), EXIT(),
	};
	struct bpf_insn far[] = {
		LDX(BPF_W, 2, 1, SKB(data)), ALU64_IMM(BPF_ADD, 2, 20000),
		LDX(BPF_B, 0, 2, 0), EXIT(),
	};
	struct bpfvm_prog *a = create(CLS, not_ctx, ARRAY_LEN(not_ctx));
	struct bpfvm_prog *b = create(CLS, far, ARRAY_LEN(far));
	uint32_t r0;

	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		CHECK_EQ_U64(run(a, e, 60, 0, NULL, 1, &r0, NULL), 0);
		CHECK_EQ_U64(r0, (uint32_t)-EINVAL);
	}
	CHECK_EQ_U64(run(b, 2, 60, 0, NULL, 1, &r0, NULL), -EFAULT);
	bpfvm_prog_free(a);
	bpfvm_prog_free(b);
}

static uint8_t sample[256];
static uint32_t sample_size;
static int samples;

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)ctx, (void)cpu;
	samples++;
	sample_size = size;
	memcpy(sample, data, size < sizeof(sample) ? size : sizeof(sample));
}

/* perf_event_output with BPF_F_CTXLEN_MASK: 8 bytes of data then the
 * packet's first n bytes (from skb->data) in one sample. */
static int64_t perf_out(struct bpfvm_map *m, uint64_t flags, size_t e)
{
	struct bpf_insn p[] = {
		MOV64_REG(6, 1), LD_IMM64(7, 0x8877665544332211ull),
		STX(BPF_DW, 10, 7, -8),
		LD_IMM64_RAW(2, BPF_PSEUDO_MAP_FD, bpfvm_map_id(m), 0),
		LD_IMM64(3, flags), MOV64_REG(4, 10),
		ALU64_IMM(BPF_ADD, 4, -8), MOV64_IMM(5, 8),
		CALL_HELPER(BPF_FUNC_perf_event_output), EXIT(),
	};
	struct bpfvm_prog *sf = create(SF, p, ARRAY_LEN(p));
	uint32_t r0 = 0;
	int err = sf ? run(sf, e, 100, 0, NULL, 1, &r0, NULL) : -1;

	bpfvm_prog_free(sf);
	return err ? -1000 + err : (int32_t)r0;
}

static void perf_output(void)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_perfbuf_opts o = { .sz = sizeof(o) };
	unsigned cpus[1] = { 0 };
	uint32_t keys[1] = { 0 };
	struct bpfvm_perfbuf *pb = NULL;

	CHECK(bpfvm_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, NULL,
			       &m) == 0);
	o.cpu_cnt = 1, o.cpus = cpus, o.map_keys = keys;
	bpfvm_thread_set_cpu(0);
	CHECK(bpfvm_perfbuf_new(m, 1, on_sample, NULL, NULL, &o, &pb) == 0);
	frame_init(0x0800);
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		samples = 0;
		CHECK_EQ_U64(perf_out(m, 20ull << 32, e), 0);
		bpfvm_perfbuf_consume(pb);
		CHECK_EQ_U64(samples, 1);
		CHECK(sample_size >= 28);
		CHECK_EQ_U64(sample[0], 0x11);
		CHECK_EQ_U64(sample[8], 15);	/* the network header on */
		CHECK_EQ_U64(sample[27], 34);
		CHECK_EQ_U64(perf_out(m, 86ull << 32, e), 0);
		CHECK_EQ_U64(perf_out(m, 87ull << 32, e), -EFAULT);
		CHECK_EQ_U64(perf_out(m, 1ull << 52, e), -EINVAL);
		CHECK_EQ_U64(perf_out(m, 1ull << 31, e), -E2BIG);
		CHECK_EQ_U64(perf_out(m, 0, e), 0);
		CHECK_EQ_U64(perf_out(m, 1, e), -E2BIG);
		bpfvm_perfbuf_consume(pb);
		CHECK_EQ_U64(samples, 3);
		CHECK(sample_size >= 8 && sample_size < 16);
	}
	bpfvm_perfbuf_free(pb);
	bpfvm_map_free(m);
}

/* redirect_peer / redirect_neigh: TC_ACT_REDIRECT and the decision
 * runners read (BPF_F_PEER 4, BPF_F_NEIGH 2, BPF_F_NEXTHOP 8). */
static void redirects(void)
{
	struct bpf_insn peer[] = { MOV64_IMM(1, 5), MOV64_IMM(2, 0),
				   CALL_HELPER(BPF_FUNC_redirect_peer), EXIT() };
	struct bpf_insn neigh[] = {
		ST_IMM(BPF_DW, 10, -8, 0), ST_IMM(BPF_DW, 10, -16, 0),
		ST_IMM(BPF_DW, 10, -24, 0), MOV64_IMM(1, 9),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -24), MOV64_IMM(3, 20),
		MOV64_IMM(4, 0), CALL_HELPER(BPF_FUNC_redirect_neigh), EXIT(),
	};
	struct bpfvm_prog *a = create(CLS, peer, ARRAY_LEN(peer));
	struct bpfvm_prog *b = create(CLS, neigh, ARRAY_LEN(neigh));

	frame_init(0x0800);
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		struct bpfvm_test_run_opts o = {
			.sz = sizeof(o), .data_in = frame, .data_size_in = 60,
			.engine = engines[e].e, .run_flags = engines[e].flags,
		};

		CHECK_EQ_U64(bpfvm_prog_test_run(a, &o), 0);
		CHECK_EQ_U64(o.retval, 7);
		CHECK_EQ_U64(o.redirect.kind, BPFVM_REDIRECT_DEV);
		CHECK_EQ_U64(o.redirect.index, 5);
		CHECK_EQ_U64(o.redirect.flags, 4);
		CHECK_EQ_U64(bpfvm_prog_test_run(b, &o), 0);
		CHECK_EQ_U64(o.retval, 7);
		CHECK_EQ_U64(o.redirect.index, 9);
		CHECK_EQ_U64(o.redirect.flags, 2 | 8);
	}
	bpfvm_prog_free(a);
	bpfvm_prog_free(b);
}

int main(void)
{
	input_checks();
	ld_abs_follows();
	helper_errors();
	misuse();
	perf_output();
	redirects();
	return check_report();
}
