/* libFuzzer target: bytes -> a typed program (XDP, socket filter, tc,
 * tracepoint, raw tracepoint) -> bpfvm_prog_create (helper check, the ctx
 * pass and its rewrites) -> bpfvm_prog_test_run in checked mode on a
 * packet and a ctx_in taken from the input. Whatever the bytes, nothing
 * may crash, hang or touch memory outside the run's regions; errors are
 * fine.
 *
 * Input: byte 0 picks the type, byte 1 the packet length, byte 2 the
 * ctx_in length (0: none), then the packet, the ctx_in, and the program,
 * 8 bytes per instruction. Programs calling helpers are skipped, as in
 * fuzz_run (helpers trust the verifier for their memory arguments), and
 * so are programs that could loop (a backward jump, a call): test runs
 * have no instruction budget, and this target is about the ctx pass, the
 * rewrites and the test runs' input handling. */
#include "insn_scan.h"
#include <bpfvm/bpfvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INSN_MAX 2048u

static const enum bpf_prog_type types[] = {
	BPF_PROG_TYPE_XDP,	  BPF_PROG_TYPE_SOCKET_FILTER,
	BPF_PROG_TYPE_SCHED_CLS,  BPF_PROG_TYPE_SCHED_ACT,
	BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* A backward jump or any call (bpf-to-bpf, callx, helper)? */
static bool may_loop(const struct bpf_insn *insns, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		uint8_t cls = BPF_CLASS(insns[i].code), op = BPF_OP(insns[i].code);

		if (cls != BPF_JMP && cls != BPF_JMP32)
			continue;
		if (op == BPF_CALL)
			return true;
		if (op == BPF_EXIT)
			continue;
		if (insns[i].off < 0 ||
		    (cls == BPF_JMP32 && op == BPF_JA && insns[i].imm < 0))
			return true;
	}
	return false;
}

static void test_run(struct bpfvm_prog *prog, const uint8_t *pkt,
		     size_t pkt_len, const uint8_t *ctx, size_t ctx_len,
		     uint32_t flags)
{
	uint8_t out[4096], ctx_out[256];
	char err[256];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = pkt_len ? pkt : NULL,
		.data_size_in = (uint32_t)pkt_len, .data_out = out,
		.data_size_out = sizeof(out), .ctx_in = ctx_len ? ctx : NULL,
		.ctx_size_in = (uint32_t)ctx_len, .ctx_out = ctx_out,
		.ctx_size_out = sizeof(ctx_out), .repeat = 2, .flags = flags,
		.run_flags = BPFVM_RUN_F_CHECKED, .err_buf = err,
		.err_size = sizeof(err),
	};

	bpfvm_prog_test_run(prog, &o);
	o.engine = BPFVM_ENGINE_JIT; /* the checked JIT variant */
	bpfvm_prog_test_run(prog, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_prog_opts popts = { .sz = sizeof(popts) };
	size_t pkt_len, ctx_len, off, cnt;
	struct bpfvm_prog *prog;
	struct bpf_insn *insns;
	char log[256];

	if (size < 3)
		return 0;
	pkt_len = data[1];
	ctx_len = data[2];
	off = 3 + pkt_len + ctx_len;
	if (size < off + sizeof(struct bpf_insn))
		return 0;
	cnt = (size - off) / sizeof(struct bpf_insn);
	if (cnt > INSN_MAX)
		cnt = INSN_MAX;
	/* A copy: instructions must be aligned, fuzzer data need not be. */
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data + off, cnt * sizeof(*insns));
	popts.prog_type = types[data[0] % NTYPES];
	popts.log_buf = log;
	popts.log_size = sizeof(log);
	if (!insn_scan_calls_helper(insns, cnt) && !may_loop(insns, cnt) &&
	    bpfvm_prog_create(insns, cnt, &popts, &prog) == 0) {
		/* socket filters: also the AF_PACKET view */
		test_run(prog, data + 3, pkt_len, data + 3 + pkt_len, ctx_len,
			 data[0] & 0x80 ? BPFVM_TEST_RUN_F_L2 : 0);
		bpfvm_prog_free(prog);
	}
	free(insns);
	return 0;
}
