/* LD_ABS / LD_IND (legacy packet loads) and the CO-RE poison call, on
 * every engine and variant: the interpreter's and the JIT's plain,
 * checked, counted and checked+counted runs, and the JIT's direct entry.
 * The packet is the run's memory (engine/ld_pkt.h). */
#include "check.h"

#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <string.h>

#define I(c, d, s, o, i)                                                    \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),     \
			    .off = (o), .imm = (i) })
#define LDABS(sz, imm) I(BPF_LD | BPF_ABS | (sz), 0, 0, 0, imm)
#define LDIND(sz, src, imm) I(BPF_LD | BPF_IND | (sz), 0, src, 0, imm)
#define MOV(d, imm) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, imm)
#define MOVX(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADDK(d, imm) I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, imm)
#define ADDX(d, s) I(BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define CALL_LOCAL(delta) I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, delta)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define POISON() I(BPF_JMP | BPF_CALL, 0, 0, 0, 0xbad2310)
#define N(p) (sizeof(p) / sizeof((p)[0]))

#define PKT_LEN 64
static uint8_t pkt[PKT_LEN];

/* The ways a program runs; the direct entry last. */
static const struct {
	enum bpfvm_engine engine;
	uint32_t flags;
} cfgs[] = {
	{ BPFVM_ENGINE_INTERP, 0 },
	{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED },
	{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_COUNT },
	{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT },
	{ BPFVM_ENGINE_JIT, 0 },
	{ BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED },
	{ BPFVM_ENGINE_JIT, BPFVM_RUN_F_COUNT },
	{ BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT },
};

static uint32_t prog_flags; /* BPFVM_PROG_F_JIT_BLIND for a second pass */

static struct bpfvm_prog *create(const struct bpf_insn *insns, size_t cnt,
				 enum bpf_prog_type type, char *log,
				 size_t log_size, int *err)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .prog_type = type,
				     .flags = prog_flags,
				     .log_buf = log, .log_size = log_size };
	struct bpfvm_prog *prog = NULL;

	*err = bpfvm_prog_create(insns, cnt, &o, &prog);
	return prog;
}

/* Run on every engine and variant with the packet of len bytes: each
 * must give err and (when 0) r0, the same message prefix "insn N:" when
 * it fails, and the counted ones the same instruction count. */
static void run_all(const struct bpf_insn *insns, size_t cnt, size_t len,
		    int want_err, uint64_t want_r0, const char *want_msg)
{
	char log[256] = "";
	int err;
	struct bpfvm_prog *prog = create(insns, cnt,
					 BPF_PROG_TYPE_SOCKET_FILTER, log,
					 sizeof(log), &err);
	uint64_t executed = 0;
	bpfvm_jit_fn fn;

	CHECK(err == 0);
	if (!prog) {
		fprintf(stderr, "create: %s\n", log);
		return;
	}
	for (size_t c = 0; c < N(cfgs); c++) {
		char msg[256] = "";
		struct bpfvm_run_opts ro = { .sz = sizeof(ro),
					     .engine = cfgs[c].engine,
					     .flags = cfgs[c].flags,
					     .err_buf = msg,
					     .err_size = sizeof(msg) };
		uint64_t r0 = 0xdeadbeef;

		err = bpfvm_prog_run(prog, pkt, len, &r0, &ro);
		if (err == -EOPNOTSUPP && cfgs[c].engine == BPFVM_ENGINE_JIT)
			continue; /* no JIT on this host */
		CHECK(err == want_err);
		if (!want_err)
			CHECK_EQ_U64(r0, want_r0);
		if (want_msg)
			CHECK(strstr(msg, want_msg) == msg);
		if (err != want_err || (!want_err && r0 != want_r0))
			fprintf(stderr, "  cfg %zu: err %d r0 0x%llx '%s'\n",
				c, err, (unsigned long long)r0, msg);
		if (cfgs[c].flags & BPFVM_RUN_F_COUNT) {
			if (!executed)
				executed = ro.insn_executed;
			CHECK_EQ_U64(ro.insn_executed, executed);
		}
	}
	if (bpfvm_prog_jit_fn(prog, &fn) == 0) /* errors come back as -errno */
		CHECK_EQ_U64(fn(pkt, len), want_err ? (uint64_t)(int64_t)want_err
						     : want_r0);
	bpfvm_prog_free(prog);
}

static uint64_t be(size_t off, unsigned size)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < size; k++)
		v = v << 8 | pkt[off + k];
	return v;
}

static const int sizes[3] = { BPF_B, BPF_H, BPF_W };
static const unsigned bytes[3] = { 1, 2, 4 };

/* r0 = load + 1, so a load that ended the run (r0 = 0) stands out. */
static void test_abs(void)
{
	for (int s = 0; s < 3; s++) {
		int32_t offs[] = { 0, 7, PKT_LEN - (int)bytes[s],
				   PKT_LEN - (int)bytes[s] + 1, PKT_LEN,
				   PKT_LEN + 100, 0x7fffffff, -1, -4,
				   INT32_MIN, -0x100000 /* SKF_NET_OFF */ };

		for (size_t k = 0; k < N(offs); k++) {
			struct bpf_insn p[] = { LDABS(sizes[s], offs[k]),
						ADDK(0, 1), EXIT() };
			bool in = offs[k] >= 0 &&
				  offs[k] + (int64_t)bytes[s] <= PKT_LEN;

			run_all(p, N(p), PKT_LEN, 0,
				in ? be((size_t)offs[k], bytes[s]) + 1 : 0, NULL);
		}
		/* no packet at all: every offset is out */
		struct bpf_insn p0[] = { LDABS(sizes[s], 0), ADDK(0, 1), EXIT() };
		run_all(p0, N(p0), 0, 0, 0, NULL);
	}
}

/* IND: src + imm as a 32-bit sum, read as a signed offset. */
static void test_ind(void)
{
	static const struct {
		int64_t src;
		int32_t imm;
		int64_t off; /* -1: out of bounds */
	} cases[] = {
		{ 2, 1, 3 },
		{ 0, 60, 60 },
		{ -1, 5, 4 },			/* wraps to 4 */
		{ 0x100000002ll, 1, 3 },	/* upper half ignored */
		{ 0xfffffff0ll, 0x14, 4 },	/* 32-bit carry dropped */
		{ 0, -2, -1 },
		{ 5, -10, -1 },
		{ 0x7fffffff, 1, -1 },		/* INT32_MIN */
		{ 62, 0, 62 },
		{ 63, 0, 63 },
		{ 64, 0, -1 },
	};

	for (int s = 0; s < 3; s++) {
		for (size_t k = 0; k < N(cases); k++) {
			struct bpf_insn p[] = {
				I(BPF_LD | BPF_DW | BPF_IMM, 7, 0, 0,
				  (int32_t)cases[k].src),
				I(0, 0, 0, 0, (int32_t)(cases[k].src >> 32)),
				LDIND(sizes[s], 7, cases[k].imm), ADDK(0, 1),
				EXIT(),
			};
			int64_t off = cases[k].off;
			bool in = off >= 0 && off + bytes[s] <= PKT_LEN;

			run_all(p, N(p), PKT_LEN, 0,
				in ? be((size_t)off, bytes[s]) + 1 : 0, NULL);
		}
	}
}

/* r1-r5 keep their values across a packet load (both engines). */
static void test_regs_kept(void)
{
	struct bpf_insn p[] = {
		MOVX(6, 1), MOV(2, 1000), MOV(3, 20000), MOV(4, 300000),
		MOV(5, 4000000), MOV(9, 3),
		LDIND(BPF_W, 9, 1),		/* r0 = be32 at 4 */
		ADDX(0, 2), ADDX(0, 3), ADDX(0, 4), ADDX(0, 5),
		I(BPF_JMP | BPF_JEQ | BPF_X, 1, 6, 1, 0), MOV(0, 0), EXIT(),
	};

	run_all(p, N(p), PKT_LEN, 0, be(4, 4) + 4321000, NULL);
}

/* Out of bounds in a nested call ends the whole run with r0 = 0. */
static void test_nested(void)
{
	struct bpf_insn p[] = {
		CALL_LOCAL(2), MOV(0, 77), EXIT(),
		/* sub: */ CALL_LOCAL(2), MOV(0, 55), EXIT(),
		/* sub2: */ LDABS(BPF_B, PKT_LEN - 1), LDABS(BPF_H, PKT_LEN - 1),
		MOV(0, 99), EXIT(),
	};
	struct bpf_insn ok[] = {
		CALL_LOCAL(2), ADDK(0, 7), EXIT(),
		/* sub: */ LDABS(BPF_H, 10), EXIT(),
	};

	run_all(p, N(p), PKT_LEN, 0, 0, NULL);
	run_all(ok, N(ok), PKT_LEN, 0, be(10, 2) + 7, NULL);
}

/* In a bpf_loop callback: out of bounds ends the run, not the loop. */
static void test_callback(void)
{
	struct bpf_insn p[] = {
		MOV(1, 4),
		I(BPF_LD | BPF_DW | BPF_IMM, 2, BPF_PSEUDO_FUNC, 0, 6),
		I(0, 0, 0, 0, 0),
		MOV(3, 0), MOV(4, 0),
		I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_loop),
		MOV(0, 42), EXIT(),
		/* cb(i, ctx): loads byte 20 * i, up to 60 */
		MOVX(7, 1), I(BPF_ALU64 | BPF_MUL | BPF_K, 7, 0, 0, 20),
		LDIND(BPF_B, 7, 0), MOV(0, 0), EXIT(),
	};

	run_all(p, N(p), 60, 0, 0, NULL);  /* i = 3: byte 60 is out */
	run_all(p, N(p), 61, 0, 42, NULL); /* i = 3 reads byte 60 */
}

/* Only program types with skb access accept them (may_access_skb). */
static void test_types(void)
{
	struct bpf_insn p[] = { LDABS(BPF_B, 0), EXIT() };
	static const enum bpf_prog_type ok[] = {
		BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS,
		BPF_PROG_TYPE_SCHED_ACT,
	};
	static const enum bpf_prog_type bad[] = {
		BPF_PROG_TYPE_UNSPEC, BPF_PROG_TYPE_XDP,
		BPF_PROG_TYPE_KPROBE,
	};
	char log[256];
	int err;

	for (size_t k = 0; k < N(ok); k++) {
		bpfvm_prog_free(create(p, N(p), ok[k], log, sizeof(log), &err));
		CHECK(err == 0);
	}
	for (size_t k = 0; k < N(bad); k++) {
		struct bpfvm_prog *prog = create(p, N(p), bad[k], log,
						 sizeof(log), &err);

		CHECK(err == -EINVAL && prog == NULL);
		CHECK_STREQ(log, "insn 0: LD_ABS/LD_IND need a packet program "
				 "type");
	}
}

/* The poisoned CO-RE call: accepted, harmless until reached, then
 * -EINVAL naming the instruction. */
static void test_poison(void)
{
	static const char msg[] = "insn 3: CO-RE relocation failed: the "
				  "field or type this instruction uses is "
				  "missing in the target BTF";
	struct bpf_insn p[] = {
		MOV(0, 5), I(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 2, 0),
		MOV(0, 6), POISON(), EXIT(),
	};
	struct bpf_insn nested[] = {
		CALL_LOCAL(1), EXIT(),
		/* sub: */ MOV(0, 1), POISON(), EXIT(),
	};
	char log[256];
	int err;
	struct bpfvm_prog *prog = create(p, N(p), BPF_PROG_TYPE_UNSPEC, log,
					 sizeof(log), &err);

	CHECK(err == 0);
	bpfvm_prog_free(prog);
	run_all(p, N(p), 0, 0, 5, NULL);
	run_all(p, N(p), 4, -EINVAL, 0, msg);
	run_all(nested, N(nested), 0, -EINVAL, 0, "insn 3: CO-RE relocation");
	/* the disassembler names it, in a form the assembler reads back */
	char buf[128];
	CHECK(bpfvm_insn_format(&p[3], 1, 0, buf, sizeof(buf), NULL) == 1);
	CHECK_STREQ(buf, "call core_poison#195896080");
}

int main(void)
{
	for (size_t k = 0; k < PKT_LEN; k++)
		pkt[k] = (uint8_t)(0x81 + 7 * k);
	/* again with the JIT's constants blinded (imm is blinded too) */
	for (int blind = 0; blind < 2; blind++) {
		prog_flags = blind ? BPFVM_PROG_F_JIT_BLIND : 0;
		test_abs();
		test_ind();
		test_regs_kept();
		test_nested();
		test_callback();
		test_poison();
	}
	test_types();
	return check_report();
}
