/* libFuzzer target: bytes -> instructions -> bpfvm_prog_create -> the
 * checked interpreter and the checked JIT, with a budget, and counted;
 * both must agree on the error, the instruction it names, the count, r0
 * and memory (tests/lib/engdiff). Loop-free programs also run without a
 * budget. Until the JIT is available only the interpreter runs.
 *
 * Input: byte 0 picks the memory length (0..64, 0 meaning no memory),
 * the rest is the program, 8 bytes per instruction, after a prologue that
 * zeroes r0, r3-r9 and main's stack frame (what a program reads before
 * writing it is the one thing two correct engines may disagree on).
 *
 * Only crashes count, not disagreements, where results may legitimately
 * depend on the engine: programs that read r10 as a value (stack
 * addresses differ), take a function's address (ld_imm64 src=4), call
 * subprograms (their frames are not zeroed) or call helpers (which trust
 * the verifier with pointers: those are skipped entirely). */
#include "fuzz_input.h"
#include <stdlib.h>
#include <string.h>

#include "engdiff.h"

#define MEM_MAX 64u
#define INSN_MAX 4096u
#define BUDGET 20000u
#define STACK_SLOTS (BPFVM_STACK_SIZE / 8)
#define PROLOGUE (8 + STACK_SLOTS)	/* r0, r3-r9, then the stack */

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_DW | BPF_IMM);
}

static bool is_call(const struct bpf_insn *in)
{
	return (in->code & 0x07) == BPF_JMP && (in->code & 0xf0) == BPF_CALL;
}

/* r10 as an operand value rather than as a load/store base. */
static bool reads_r10(const struct bpf_insn *in)
{
	uint8_t cls = in->code & 0x07;
	bool x = in->code & BPF_X;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return (x && in->src_reg == BPF_REG_10) ||
		       in->dst_reg == BPF_REG_10;
	case BPF_JMP:
	case BPF_JMP32:
		return in->dst_reg == BPF_REG_10 ||
		       (x && in->src_reg == BPF_REG_10);
	case BPF_STX:
		return in->src_reg == BPF_REG_10;
	}
	return false;
}

struct shape {
	bool helper, compare, loop_free;
};

static struct shape inspect(const struct bpf_insn *insns, size_t cnt)
{
	struct shape s = { .compare = true, .loop_free = true };

	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t cls = in->code & 0x07;

		if (is_call(in)) {
			s.helper |= in->src_reg == 0 && !(in->code & BPF_X);
			s.compare = false;
			s.loop_free = false;
		}
		if (is_lddw(in) && in->src_reg == BPF_PSEUDO_FUNC)
			s.compare = false;
		if (reads_r10(in))
			s.compare = false;
		if ((cls == BPF_JMP || cls == BPF_JMP32) && !is_call(in) &&
		    (in->code & 0xf0) != BPF_EXIT &&
		    (cls == BPF_JMP32 && (in->code & 0xf0) == BPF_JA ? in->imm
								     : in->off) < 0)
			s.loop_free = false;
		if (is_lddw(in))
			i++;
	}
	return s;
}

/* Zero the registers besides r1, r2 and r10, and main's whole frame,
 * then the program. */
static struct bpf_insn *with_prologue(const uint8_t *data, size_t cnt)
{
	static const uint8_t regs[8] = { 0, 3, 4, 5, 6, 7, 8, 9 };
	struct bpf_insn *p = calloc(PROLOGUE + cnt, sizeof(*p));

	if (!p)
		return NULL;
	for (int i = 0; i < 8; i++)
		p[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
					  .dst_reg = regs[i] };
	for (int i = 0; i < (int)STACK_SLOTS; i++)
		p[8 + i] = (struct bpf_insn){ .code = BPF_ST | BPF_DW | BPF_MEM,
					      .dst_reg = BPF_REG_10,
					      .off = (int16_t)(-8 * (i + 1)) };
	/* a copy: instructions must be aligned, fuzzer data need not be */
	memcpy(p + PROLOGUE, data, cnt * sizeof(*p));
	return p;
}

static void run_pair(struct bpfvm_prog *prog, const struct engdiff_cfg *cfg,
		     const uint8_t *mem, size_t mem_len, bool compare)
{
	static struct engdiff_result a, b;
	struct engdiff_cfg jit = *cfg;

	engdiff_run(prog, cfg, mem, mem_len, &a);
	if (!engdiff_jit_available(NULL, 0))
		return;
	jit.engine = BPFVM_ENGINE_JIT;
	engdiff_run(prog, &jit, mem, mem_len, &b);
	if (compare && !engdiff_same(&a, &b, mem_len)) {
		const struct bpf_insn *insns = bpfvm_prog_insns(prog);

		fprintf(stderr, "interpreter and JIT disagree:\n");
		engdiff_disasm(stderr, insns, bpfvm_prog_insn_cnt(prog));
		engdiff_report(stderr, &a, &b, mem, mem_len);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct engdiff_cfg budgeted = {
		BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT,
		BUDGET
	};
	static const struct engdiff_cfg plain = {
		BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED, 0
	};
	struct bpfvm_prog_opts popts = { .sz = sizeof(popts) };
	uint8_t mem[MEM_MAX];
	struct bpfvm_prog *prog;
	struct bpf_insn *insns;
	struct shape shape;
	size_t cnt, mem_len;

	if (!fuzz_input_split(data, size, MEM_MAX, INSN_MAX, &mem_len, &cnt))
		return 0;
	insns = with_prologue(data + 1, cnt);
	if (!insns)
		return 0;
	shape = inspect(insns + PROLOGUE, cnt);
	for (size_t i = 0; i < mem_len; i++)
		mem[i] = (uint8_t)(i * 37 + 1);
	if (!shape.helper &&
	    bpfvm_prog_create(insns, PROLOGUE + cnt, &popts, &prog) == 0) {
		run_pair(prog, &budgeted, mem_len ? mem : NULL, mem_len,
			 shape.compare);
		if (shape.loop_free)
			run_pair(prog, &plain, mem_len ? mem : NULL, mem_len,
				 shape.compare);
		bpfvm_prog_free(prog);
	}
	free(insns);
	return 0;
}
