/* The ctx pass without a verifier (src/verifier/ctx_track.h): which
 * accesses it finds through copies, spills, calls and joins, what it
 * refuses, the rewrites it applies, the helper check before it, and that
 * a program of a million instructions takes one bounded pass. The type
 * is a fake one, so the pass is tested apart from the real types. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "insn_build.h"
#include "progtypes/pt_prepare.h"
#include "verifier/ctx_track.h"

/* The fake ctx: u32 a at 0 (read-write), u32 b at 4 (read-only), u32 p
 * at 8 (a pointer: loads become 8-byte loads at 16), nothing else. */
static int calls;
static struct pt_ctx_access last;

static int fake_access(const struct pt_ctx_access *a, struct bpf_insn *insn,
		       char *why, size_t why_size)
{
	calls++;
	last = *a;
	if (a->off == 0 && a->size == 4)
		return 0;
	if (a->off == 4 && a->size == 4 && !a->write)
		return 0;
	if (a->off == 4 && a->size == 4) {
		snprintf(why, why_size, "write to fake->b is not allowed");
		return -EACCES;
	}
	if (a->off == 8 && a->size == 4 && !a->write && !a->sign_ext) {
		insn->off = 16;
		insn->code = (uint8_t)((insn->code & ~0x18) | BPF_DW);
		return 0;
	}
	snprintf(why, why_size, "invalid access to fake at %u size %u",
		 a->off, a->size);
	return -EACCES;
}

static bool fake_helper_ok(uint32_t id)
{
	return pt_base_helper_ok(id) || id == BPF_FUNC_get_socket_cookie;
}

static const struct pt_ops fake = {
	.type = BPF_PROG_TYPE_XDP, .name = "fake", .ctx_name = "struct fake",
	.ctx_access = fake_access, .helper_ok = fake_helper_ok,
};

/* Read-only plain memory of 16 bytes (a tracepoint's record). */
static const struct pt_ops plain = {
	.type = BPF_PROG_TYPE_TRACEPOINT, .name = "plain",
	.ctx_name = "the record", .ctx_max = 16, .helper_ok = pt_base_helper_ok,
};

static char log_buf[512];
static uint32_t used;

static int track(const struct pt_ops *ops, struct bpf_insn *insns, size_t cnt)
{
	log_buf[0] = 0;
	calls = 0;
	used = 12345;
	return ctx_track_run(ops, insns, cnt, &used, log_buf, sizeof(log_buf));
}

#define TRACK(ops, insns) track(ops, insns, ARRAY_LEN(insns))
#define IS_DW8(in) ((in).code == (BPF_LDX | BPF_MEM | BPF_DW) && (in).off == 16)
#define LOG_HAS(s) CHECK(strstr(log_buf, s) != NULL)

static void test_direct_and_copies(void)
{
	struct bpf_insn p[] = {
		LDX(BPF_W, 0, 1, 8),	 /* rewritten */
		MOV64_REG(6, 1),
		MOV64_REG(7, 6),
		LDX(BPF_W, 2, 7, 8),	 /* through two copies */
		LDX(BPF_W, 3, 6, 4),
		ST_IMM(BPF_W, 6, 0, 5),	 /* a write, allowed */
		MOVSX64(8, 1, 32),	 /* movsx: no longer the ctx */
		ALU32_REG(BPF_MOV, 9, 1), /* 32-bit copy: neither */
		LDX(BPF_W, 0, 8, 8),	 /* not visited */
		LDX(BPF_W, 0, 9, 8),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == 0);
	CHECK(calls == 4);
	CHECK(IS_DW8(p[0]) && IS_DW8(p[3]));
	CHECK(p[0].dst_reg == 0 && p[0].src_reg == 1);
	CHECK(p[3].dst_reg == 2 && p[3].src_reg == 7);
	CHECK(p[4].off == 4 && p[8].off == 8 && p[9].off == 8);
	CHECK(last.write && last.off == 0 && last.size == 4);
	CHECK(used == 12); /* reads end at 8 + 4; the store does not count */
}

static void test_spill_fill(void)
{
	struct bpf_insn p[] = {
		STX(BPF_DW, 10, 1, -8),	 /* spill */
		STX(BPF_DW, 10, 1, -16), /* spill, then clobbered */
		ST_IMM(BPF_W, 10, -12, 0),
		MOV64_IMM(1, 0),
		LDX(BPF_DW, 2, 10, -8),	 /* fill */
		LDX(BPF_W, 0, 2, 8),	 /* rewritten */
		LDX(BPF_DW, 3, 10, -16), /* else */
		LDX(BPF_W, 0, 3, 8),
		LDX(BPF_W, 4, 10, -8),	 /* not a fill: a 4-byte load */
		LDX(BPF_W, 0, 4, 8),
		LDX(BPF_DW, 5, 10, -4),	 /* unaligned: not a fill */
		LDX(BPF_W, 0, 5, 8),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == 0);
	CHECK(calls == 1);
	CHECK(IS_DW8(p[5]));
	CHECK(p[7].off == 8 && p[9].off == 8 && p[11].off == 8);
}

/* A spill survives a call (our stack is kept) and r6 is kept; the
 * callee's stack is fresh, its r1 the caller's, and r1-r5 are gone
 * after the call. */
static void test_calls(void)
{
	struct bpf_insn p[] = {
		STX(BPF_DW, 10, 1, -8),
		MOV64_REG(6, 1),
		CALL_LOCAL(6),		/* sub at 9 */
		LDX(BPF_DW, 2, 10, -8),
		LDX(BPF_W, 0, 2, 8),	/* rewritten */
		LDX(BPF_W, 0, 6, 8),	/* rewritten */
		LDX(BPF_W, 0, 1, 8),	/* r1 is not the ctx after a call */
		MOV64_IMM(0, 0),
		EXIT(),
		/* sub: */
		LDX(BPF_W, 0, 1, 8),	/* rewritten */
		LDX(BPF_DW, 3, 10, -8),	/* fresh stack: else */
		LDX(BPF_W, 0, 3, 8),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == 0);
	CHECK(calls == 3);
	CHECK(IS_DW8(p[4]) && IS_DW8(p[5]) && IS_DW8(p[9]));
	CHECK(p[6].off == 8 && p[11].off == 8);
}

/* A function called with the ctx once and a stack pointer once. */
static void test_call_join(void)
{
	struct bpf_insn p[] = {
		CALL_LOCAL(5),		/* r1 = ctx */
		MOV64_REG(1, 10),
		ALU64_IMM(BPF_ADD, 1, -8),
		CALL_LOCAL(2),		/* r1 = stack */
		MOV64_IMM(0, 0),
		EXIT(),
		/* sub at 6 */
		LDX(BPF_W, 0, 1, 0),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == -EINVAL);
	CHECK_STREQ(log_buf, "insn 6: r1 is the context on some paths and "
			     "not on others");
	CHECK(used == 0);
}

static void test_branch_join(void)
{
	struct bpf_insn p[] = {
		LDX(BPF_W, 2, 1, 0),
		MOV64_REG(3, 1),
		JMP_IMM(BPF_JEQ, 2, 0, 1),
		MOV64_REG(3, 10),
		LDX(BPF_W, 0, 3, 0),
		EXIT(),
	};
	struct bpf_insn q[] = { /* both ways the ctx: fine */
		JMP_IMM(BPF_JEQ, 1, 0, 2),
		MOV64_REG(3, 1),
		JA(1),
		MOV64_REG(3, 1),
		LDX(BPF_W, 0, 3, 8),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == -EINVAL);
	CHECK_STREQ(log_buf, "insn 4: r3 is the context on some paths and "
			     "not on others");
	CHECK(TRACK(&fake, q) == 0);
	CHECK(calls == 1 && IS_DW8(q[4]));
}

/* The back edge makes r6 a stack pointer at the loop head's load. */
static void test_loop_join(void)
{
	struct bpf_insn p[] = {
		MOV64_REG(6, 1),
		MOV64_IMM(7, 3),
		LDX(BPF_W, 0, 6, 0),
		MOV64_REG(6, 10),
		ALU64_IMM(BPF_ADD, 7, -1),
		JMP_IMM(BPF_JNE, 7, 0, -4),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == -EINVAL);
	CHECK_STREQ(log_buf, "insn 2: r6 is the context on some paths and "
			     "not on others");
}

static void test_modified(void)
{
	struct bpf_insn p[] = {
		ALU64_IMM(BPF_ADD, 1, 8),
		LDX(BPF_W, 0, 1, 0),
		EXIT(),
	};
	struct bpf_insn q[] = { /* ctx + a register, spilled and filled */
		MOV64_IMM(2, 4),
		ALU64_REG(BPF_ADD, 2, 1),
		STX(BPF_DW, 10, 2, -8),
		LDX(BPF_DW, 3, 10, -8),
		ST_IMM(BPF_W, 3, 0, 1),
		EXIT(),
	};
	struct bpf_insn r[] = { /* modified, not dereferenced: fine */
		MOV64_REG(2, 1),
		ALU64_IMM(BPF_ADD, 2, 8),
		LDX(BPF_W, 0, 1, 0),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == -EACCES);
	LOG_HAS("insn 1: dereference of modified ctx ptr r1");
	CHECK(TRACK(&fake, q) == -EACCES);
	LOG_HAS("insn 4: dereference of modified ctx ptr r3");
	CHECK(TRACK(&fake, r) == 0 && calls == 1);
}

static void test_refused(void)
{
	struct bpf_insn atomic[] = {
		MOV64_IMM(2, 1),
		ATOMIC(BPF_W, BPF_ADD, 1, 2, 0),
		EXIT(),
	};
	struct bpf_insn write[] = {
		MOV64_IMM(2, 1),
		STX(BPF_W, 1, 2, 4),
		EXIT(),
	};
	struct bpf_insn neg[] = { LDX(BPF_W, 0, 1, -4), EXIT() };
	struct bpf_insn size[] = { LDX(BPF_H, 0, 1, 8), EXIT() };
	struct bpf_insn sx[] = { LDXSX(BPF_W, 0, 1, 8), EXIT() };

	CHECK(TRACK(&fake, atomic) == -EACCES);
	LOG_HAS("insn 1: atomic operation on struct fake (r1)");
	CHECK(calls == 0);
	CHECK(TRACK(&fake, write) == -EACCES);
	CHECK_STREQ(log_buf, "insn 1: write to fake->b is not allowed");
	CHECK(last.write && last.off == 4 && last.size == 4);
	CHECK(TRACK(&fake, neg) == -EACCES);
	LOG_HAS("insn 0: invalid access to struct fake at offset -4");
	CHECK(TRACK(&fake, size) == -EACCES);
	CHECK_STREQ(log_buf, "insn 0: invalid access to fake at 8 size 2");
	CHECK(size[0].off == 8); /* refused: left alone */
	CHECK(TRACK(&fake, sx) == -EACCES); /* sign_ext reached the type */
	CHECK(last.sign_ext && !last.write && last.size == 4);
}

/* A callback's r1 is never the ctx; dead code is not looked at. */
static void test_callback_and_dead(void)
{
	struct bpf_insn p[] = {
		LD_FUNC(2, 5),		/* function at 6 */
		MOV64_IMM(0, 0),
		EXIT(),
		LDX(BPF_W, 0, 1, 30),	/* 4: dead */
		EXIT(),
		/* 6: the callback */
		LDX(BPF_W, 0, 1, 8),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == 0);
	CHECK(calls == 0);
	CHECK(p[6].off == 8 && p[4].off == 30);
}

static void test_plain_type(void)
{
	struct bpf_insn ok[] = {
		LDX(BPF_W, 0, 1, 12),
		LDX(BPF_B, 0, 1, 2),
		LDXSX(BPF_H, 0, 1, 6),
		EXIT(),
	};
	struct bpf_insn past[] = { LDX(BPF_DW, 0, 1, 9), EXIT() };
	struct bpf_insn write[] = { ST_IMM(BPF_B, 1, 0, 1), EXIT() };

	CHECK(TRACK(&plain, ok) == 0);
	CHECK(used == 16);
	CHECK(ok[0].code == (BPF_LDX | BPF_MEM | BPF_W) && ok[0].off == 12);
	CHECK(TRACK(&plain, past) == -EACCES);
	CHECK_STREQ(log_buf, "insn 0: invalid access to the record: 8 bytes "
			     "at offset 9, past its 16 bytes");
	CHECK(TRACK(&plain, write) == -EACCES);
	LOG_HAS("insn 0: the record is read-only");
}

/* Fetching atomics on the stack make the fetched register "else". */
static void test_atomic_stack(void)
{
	struct bpf_insn p[] = {
		STX(BPF_DW, 10, 1, -8),
		MOV64_REG(2, 1),
		ATOMIC(BPF_DW, BPF_XCHG, 10, 2, -8), /* r2 = old slot (ctx) */
		LDX(BPF_DW, 3, 10, -8),		     /* slot: else */
		LDX(BPF_W, 0, 3, 8),
		LDX(BPF_W, 0, 2, 8),
		EXIT(),
	};

	CHECK(TRACK(&fake, p) == 0);
	CHECK(calls == 0);
}

static void test_helpers(void)
{
	struct bpf_insn ok[] = {
		CALL_HELPER(BPF_FUNC_ktime_get_ns),
		CALL_HELPER(BPF_FUNC_get_socket_cookie),
		CALL_HELPER(__BPF_FUNC_MAX_ID + 5), /* the host's own */
		EXIT(),
	};
	struct bpf_insn bad[] = {
		MOV64_IMM(0, 0),
		CALL_HELPER(BPF_FUNC_skb_store_bytes),
		EXIT(),
	};
	struct bpf_insn ctx[] = { LDX(BPF_W, 0, 1, 8), EXIT() };
	uint32_t u = 7;

	CHECK(pt_prepare_ops(&fake, ok, ARRAY_LEN(ok), &u, log_buf,
			     sizeof(log_buf)) == 0);
	CHECK(pt_prepare_ops(&fake, bad, ARRAY_LEN(bad), &u, log_buf,
			     sizeof(log_buf)) == -EINVAL);
	CHECK_STREQ(log_buf, "insn 1: program type fake may not call "
			     "bpf_skb_store_bytes");
	CHECK(pt_prepare_ops(&fake, ctx, ARRAY_LEN(ctx), &u, log_buf,
			     sizeof(log_buf)) == 0);
	CHECK(u == 12 && IS_DW8(ctx[0]));
	CHECK(pt_base_helper_ok(BPF_FUNC_map_lookup_elem));
	CHECK(pt_base_helper_ok(BPF_FUNC_loop));
	CHECK(pt_base_helper_ok(BPF_FUNC_trace_printk));
	CHECK(!pt_base_helper_ok(BPF_FUNC_skb_load_bytes));
	CHECK(!pt_base_helper_ok(BPF_FUNC_xdp_adjust_head));
	CHECK(!pt_base_helper_ok(BPF_FUNC_perf_event_output));
}

/* A million instructions: the ctx in r6 read in every block of a loop
 * over the whole program, with a spill and fill per block. */
static void test_big(void)
{
	size_t cnt = 1000000, i = 0, loads = 0, rewritten = 0;
	struct bpf_insn *p = malloc(cnt * sizeof(*p));
	struct timespec t0, t1;
	int err;

	if (!p) {
		CHECK(p != NULL);
		return;
	}
	p[i++] = MOV64_REG(6, 1);
	p[i++] = MOV64_IMM(7, 2);
	while (i + 8 < cnt) {
		p[i++] = LDX(BPF_W, 0, 6, 8);
		p[i++] = JMP_IMM(BPF_JEQ, 0, 0, 2);
		p[i++] = STX(BPF_DW, 10, 6, -16);
		p[i++] = LDX(BPF_DW, 6, 10, -16);
		p[i++] = ALU64_IMM(BPF_ADD, 0, 1);
		loads++;
	}
	p[i++] = ALU64_IMM(BPF_ADD, 7, -1);
	p[i++] = JMP_IMM(BPF_JEQ, 7, 0, 1);
	p[i] = GOTOL((int32_t)(2 - (int64_t)i - 1)); /* a far back edge */
	i++;
	p[i++] = EXIT();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = track(&fake, p, i);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(err == 0);
	CHECK(calls == (int)loads);
	for (size_t j = 0; j < i; j++)
		rewritten += IS_DW8(p[j]);
	CHECK(rewritten == loads);
	printf("ctx pass over %zu insns: %.1f ms\n", i,
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
		       1e6);
	free(p);
}

int main(void)
{
	test_direct_and_copies();
	test_spill_fill();
	test_calls();
	test_call_join();
	test_branch_join();
	test_loop_join();
	test_modified();
	test_refused();
	test_callback_and_dead();
	test_plain_type();
	test_atomic_stack();
	test_helpers();
	test_big();
	return check_report();
}
