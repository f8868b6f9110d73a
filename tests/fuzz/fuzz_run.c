/* libFuzzer target: bytes -> instructions -> bpfvm_prog_create -> checked
 * interpretation with an instruction budget over a small memory buffer.
 * Whatever the bytes, bpfvm must not crash, hang or touch memory outside
 * its regions (ASan and UBSan watch); errors are fine.
 *
 * Input: byte 0 picks the memory length (0..64, 0 meaning no memory),
 * the rest is the program, 8 bytes per instruction. Programs calling
 * helpers by id are skipped: helpers trust the verifier for their pointer
 * arguments, and the target is the validator and the interpreter. */
#include "fuzz_input.h"
#include "insn_scan.h"
#include <bpfvm/bpfvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MEM_MAX 64u
#define INSN_MAX 4096u
#define BUDGET 20000u

static void run(struct bpfvm_prog *prog, size_t mem_len)
{
	uint8_t mem[MEM_MAX];
	char err[256];
	struct bpfvm_run_opts opts = {
		.sz = sizeof(opts), .flags = BPFVM_RUN_F_CHECKED,
		.insn_budget = BUDGET, .err_buf = err, .err_size = sizeof(err),
	};
	uint64_t r0;

	for (size_t i = 0; i < mem_len; i++)
		mem[i] = (uint8_t)(i * 37 + 1);
	bpfvm_prog_run(prog, mem_len ? mem : NULL, mem_len, &r0, &opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_prog_opts popts = { .sz = sizeof(popts) };
	struct bpfvm_prog *prog;
	struct bpf_insn *insns;
	size_t cnt, mem_len;
	char log[256];

	if (!fuzz_input_split(data, size, MEM_MAX, INSN_MAX, &mem_len, &cnt))
		return 0;
	/* A copy: instructions must be aligned, fuzzer data need not be. */
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data + 1, cnt * sizeof(*insns));
	popts.log_buf = log;
	popts.log_size = sizeof(log);
	if (!insn_scan_calls_helper(insns, cnt) &&
	    bpfvm_prog_create(insns, cnt, &popts, &prog) == 0) {
		run(prog, mem_len);
		bpfvm_prog_free(prog);
	}
	free(insns);
	return 0;
}
