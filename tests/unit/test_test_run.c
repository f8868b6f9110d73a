/* bpfvm_prog_test_run's frame (src/progtypes/test_run.c, plain.c): the
 * plain run of a program of no type, data_out and its -ENOSPC rule,
 * repeat on one buffer, duration, the redirect decision cleared before
 * each run, argument checks, the opts size rule, run errors, and the
 * helper check of a type at creation. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"
#include "progtypes/redirect.h"

static struct bpfvm_prog *make(const struct bpf_insn *insns, size_t cnt,
			       enum bpf_prog_type type, char *log,
			       size_t log_size, int *err)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .prog_type = type,
				     .log_buf = log, .log_size = log_size };
	struct bpfvm_prog *prog = NULL;

	*err = bpfvm_prog_create(insns, cnt, &o, &prog);
	return *err ? NULL : prog;
}

/* make() for a program that must be created (checked). */
static struct bpfvm_prog *make_ok(const struct bpf_insn *insns, size_t cnt,
				  enum bpf_prog_type type)
{
	int err;
	struct bpfvm_prog *prog = make(insns, cnt, type, NULL, 0, &err);

	CHECK(err == 0);
	return prog;
}

/* r0 = data[0] + len; data[1] = 0x55 */
static const struct bpf_insn peek[] = {
	LDX(BPF_B, 0, 1, 0),
	ST_IMM(BPF_B, 1, 1, 0x55),
	ALU64_REG(BPF_ADD, 0, 2),
	EXIT(),
};

/* data[0] += 1; r0 = data[0] */
static const struct bpf_insn count[] = {
	LDX(BPF_B, 0, 1, 0),
	ALU64_IMM(BPF_ADD, 0, 1),
	STX(BPF_B, 1, 0, 0),
	ALU64_IMM(BPF_AND, 0, 0xff),
	EXIT(),
};

static void test_plain(enum bpf_prog_type type, enum bpfvm_engine engine)
{
	uint8_t in[4] = { 7, 0, 0, 0 }, out[16];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = in, .data_size_in = sizeof(in),
		.data_out = out, .data_size_out = sizeof(out), .engine = engine,
	};
	struct bpfvm_prog *prog;

	prog = make_ok(peek, ARRAY_LEN(peek), type);
	if (!prog)
		return;
	memset(out, 0xee, sizeof(out));
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK(o.retval == 7 + 4);
	CHECK(o.data_size_out == 4);
	CHECK(out[0] == 7 && out[1] == 0x55 && out[2] == 0 && out[4] == 0xee);
	CHECK(in[1] == 0); /* the input is copied */

	/* a short data_out: as much as fits, the full size, -ENOSPC */
	memset(out, 0xee, sizeof(out));
	o.data_size_out = 2;
	CHECK(bpfvm_prog_test_run(prog, &o) == -ENOSPC);
	CHECK(o.data_size_out == 4 && o.retval == 11);
	CHECK(out[0] == 7 && out[1] == 0x55 && out[2] == 0xee);

	/* no data_out: only the size */
	o.data_out = NULL;
	o.data_size_out = 0;
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK(o.data_size_out == 4 && o.retval == 11);
	bpfvm_prog_free(prog);
}

/* One buffer for every run (nothing reset), the last r0, a duration. */
static void test_repeat(enum bpfvm_engine engine)
{
	uint8_t in[1] = { 0 }, out[1];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = in, .data_size_in = 1,
		.data_out = out, .data_size_out = 1, .repeat = 100000,
		.engine = engine,
	};
	struct bpfvm_prog *prog;

	prog = make_ok(count, ARRAY_LEN(count), 0);
	if (!prog)
		return;
	pt_redirect_set(BPFVM_REDIRECT_DEV, 5, 0);
	o.redirect.kind = BPFVM_REDIRECT_CPU;
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK(o.retval == 100000 % 256);
	CHECK(out[0] == 100000 % 256);
	CHECK(o.duration > 0 && o.duration < 1000000);
	CHECK(o.redirect.kind == BPFVM_REDIRECT_NONE); /* cleared per run */
	o.repeat = 0; /* counts as 1 */
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK(o.retval == 1 && out[0] == 1);
	bpfvm_prog_free(prog);
}

static void test_bad_args(void)
{
	uint8_t in[4] = { 0 };
	char err_buf[128];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = in, .data_size_in = 4,
		.err_buf = err_buf, .err_size = sizeof(err_buf),
	};
	struct bpfvm_prog *prog;

	prog = make_ok(peek, ARRAY_LEN(peek), 0);
	if (!prog)
		return;
	CHECK(bpfvm_prog_test_run(prog, NULL) == -EINVAL);
	CHECK(bpfvm_prog_test_run(NULL, &o) == -EINVAL);
	CHECK_STREQ(err_buf, "no program");
	o.data_in = NULL;
	CHECK(bpfvm_prog_test_run(prog, &o) == -EINVAL);
	o.data_in = in;
	o.ctx_in = in;
	o.ctx_size_in = 4;
	CHECK(bpfvm_prog_test_run(prog, &o) == -EINVAL);
	CHECK(strstr(err_buf, "no ctx_in") != NULL);
	o.ctx_in = NULL;
	o.ctx_size_in = 0;
	o.flags = 0x80;
	CHECK(bpfvm_prog_test_run(prog, &o) == -EINVAL);
	CHECK_STREQ(err_buf, "unknown flags 0x80");
	o.flags = 0;
	o.engine = 7;
	CHECK(bpfvm_prog_test_run(prog, &o) == -EOPNOTSUPP);
	CHECK_STREQ(err_buf, "unknown engine 7");
	o.engine = BPFVM_ENGINE_INTERP;
	o.sz = 0;
	CHECK(bpfvm_prog_test_run(prog, &o) == -EINVAL);
	bpfvm_prog_free(prog);
}

/* An older caller's smaller struct gets nothing past its sz; a newer
 * one's larger struct must have zeros past ours. */
static void test_opts_size(void)
{
	struct {
		struct bpfvm_test_run_opts o;
		uint64_t extra;
	} big = { .o = { .sz = sizeof(big) } };
	struct bpfvm_test_run_opts old = {
		.sz = offsetof(struct bpfvm_test_run_opts, retval),
		.retval = 0xdeadbeef,
	};
	uint8_t in[4] = { 9 };
	struct bpfvm_prog *prog;

	prog = make_ok(peek, ARRAY_LEN(peek), 0);
	if (!prog)
		return;
	old.data_in = in;
	old.data_size_in = 4;
	CHECK(bpfvm_prog_test_run(prog, &old) == 0);
	CHECK(old.retval == 0xdeadbeef);
	CHECK(old.sz == offsetof(struct bpfvm_test_run_opts, retval));
	big.o.data_in = in;
	big.o.data_size_in = 4;
	big.extra = 1;
	CHECK(bpfvm_prog_test_run(prog, &big.o) == -EINVAL);
	big.extra = 0;
	CHECK(bpfvm_prog_test_run(prog, &big.o) == 0);
	CHECK(big.o.retval == 13 && big.o.sz == sizeof(big));
	bpfvm_prog_free(prog);
}

/* A checked run reading past the data fails as bpfvm_prog_run does. */
static void test_run_error(void)
{
	static const struct bpf_insn oob[] = {
		LDX(BPF_W, 0, 1, 4),
		EXIT(),
	};
	uint8_t in[4] = { 0 };
	char err_buf[256];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = in, .data_size_in = 4,
		.run_flags = BPFVM_RUN_F_CHECKED, .err_buf = err_buf,
		.err_size = sizeof(err_buf), .repeat = 3,
	};
	struct bpfvm_prog *prog;

	prog = make_ok(oob, ARRAY_LEN(oob), 0);
	if (!prog)
		return;
	CHECK(bpfvm_prog_test_run(prog, &o) == -EFAULT);
	CHECK(strncmp(err_buf, "insn 0: 4-byte load from", 24) == 0);
	bpfvm_prog_free(prog);
}

/* Typed programs at creation (pt_prog_prepare from bpfvm_prog_create):
 * the type's helper rule, the ctx rewrite in xlated, ambiguous ctx use;
 * and a typed test run is the type's (tc: skb->len is the frame's). */
static void test_typed(void)
{
	static const struct bpf_insn store[] = {
		CALL_HELPER(BPF_FUNC_skb_store_bytes),
		EXIT(),
	};
	static const struct bpf_insn len[] = {
		LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, len)),
		LDX(BPF_W, 2, 1, offsetof(struct __sk_buff, data)),
		EXIT(),
	};
	static const struct bpf_insn ambiguous[] = {
		MOV64_REG(3, 1),
		JMP_IMM(BPF_JEQ, 2, 0, 1),
		MOV64_REG(3, 10),
		LDX(BPF_W, 0, 3, -8),
		EXIT(),
	};
	uint8_t frame[64] = { 0 };
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = frame, .data_size_in = 64,
	};
	struct bpfvm_prog *prog;
	char log[256];
	int err;

	prog = make(store, ARRAY_LEN(store), BPF_PROG_TYPE_SOCKET_FILTER, log,
		    sizeof(log), &err);
	CHECK(err == -EINVAL && !prog);
	CHECK_STREQ(log, "insn 0: program type socket_filter may not call "
			 "bpf_skb_store_bytes");
	prog = make(ambiguous, ARRAY_LEN(ambiguous), BPF_PROG_TYPE_SCHED_CLS,
		    log, sizeof(log), &err);
	CHECK(err == -EINVAL && !prog);
	CHECK_STREQ(log, "insn 3: r3 is the context on some paths and not "
			 "on others");
	prog = make(len, ARRAY_LEN(len), BPF_PROG_TYPE_SCHED_CLS, log,
		    sizeof(log), &err);
	CHECK(err == 0);
	if (!prog)
		return;
	/* the packet pointer becomes an 8-byte load; len stays in place */
	CHECK(bpfvm_prog_insns(prog)[1].code == (BPF_LDX | BPF_MEM | BPF_W));
	CHECK(bpfvm_prog_xlated_insns(prog)[1].code ==
	      (BPF_LDX | BPF_MEM | BPF_DW));
	CHECK(bpfvm_prog_xlated_insns(prog)[0].off ==
	      offsetof(struct __sk_buff, len));
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK(o.retval == 64);
	bpfvm_prog_free(prog);
}

int main(void)
{
	test_plain(BPF_PROG_TYPE_UNSPEC, BPFVM_ENGINE_INTERP);
	test_plain(BPF_PROG_TYPE_UNSPEC, BPFVM_ENGINE_JIT);
	/* a type bpfvm has no rules for runs as plain memory too */
	test_plain(BPF_PROG_TYPE_KPROBE, BPFVM_ENGINE_INTERP);
	test_repeat(BPFVM_ENGINE_INTERP);
	test_repeat(BPFVM_ENGINE_JIT);
	test_bad_args();
	test_opts_size();
	test_run_error();
	test_typed();
	return check_report();
}
