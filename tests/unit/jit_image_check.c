/* Machine-code checks for the JIT differential test; see
 * jit_image_check.h. */
#include "jit_image_check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool fail(uint64_t seed, const char *what)
{
	printf("FAIL seed %" PRIu64 ": %s\n", seed, what);
	return false;
}

/* Offsets rise with the instructions and stay inside the code; asking
 * twice gives the same image (it is compiled once per variant). */
static bool check_map(struct bpfvm_prog *prog, uint32_t flags, size_t cnt,
		      uint64_t seed)
{
	struct bpfvm_jit_info a = { .sz = sizeof(a) }, b = { .sz = sizeof(b) };

	if (bpfvm_prog_jit_info(prog, flags, &a) ||
	    bpfvm_prog_jit_info(prog, flags, &b))
		return fail(seed, "bpfvm_prog_jit_info failed");
	if (!a.code || !a.code_size || !a.insn_off || a.insn_cnt != cnt)
		return fail(seed, "jit info: no code, no map or a wrong count");
	if (a.code != b.code || a.code_size != b.code_size)
		return fail(seed, "jit info: a second call compiled again");
	for (size_t i = 0; i < cnt; i++)
		if (a.insn_off[i] > a.insn_off[i + 1])
			return fail(seed, "jit info: offsets go backwards");
	if (a.insn_off[cnt] > a.code_size)
		return fail(seed, "jit info: an offset past the code");
	return true;
}

/* Is this a value the program chose with enough entropy that finding it
 * in the code cannot be chance? Four bytes with at least three distinct
 * values: small numbers and masks such as 0x80000000, which the JIT may
 * need for itself, stay out. */
static bool distinctive(uint32_t v)
{
	uint8_t b[4];
	int distinct = 0;

	memcpy(b, &v, 4);
	for (int i = 0; i < 4; i++) {
		bool seen = false;

		for (int j = 0; j < i; j++)
			seen |= b[j] == b[i];
		distinct += !seen;
	}
	return distinct >= 3;
}

/* The immediates a blinding JIT must hide: ALU, jump and store constants
 * and both halves of plain ld_imm64. Returns how many were stored. */
static size_t chosen_imms(const struct bpf_insn *insns, size_t cnt,
			  uint32_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cnt && n + 2 <= max; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t cls = in->code & 0x07;

		if (in->code == (BPF_LD | BPF_DW | BPF_IMM)) {
			if (in->src_reg == 0 && i + 1 < cnt) {
				out[n++] = (uint32_t)in->imm;
				out[n++] = (uint32_t)in[1].imm;
			}
			i++;
		} else if (((cls == BPF_ALU || cls == BPF_ALU64) &&
			    (in->code & 0xf0) != BPF_END) ||
			   cls == BPF_ST ||
			   ((cls == BPF_JMP || cls == BPF_JMP32) &&
			    (in->code & 0xf0) != BPF_CALL)) {
			if (!(in->code & BPF_X))
				out[n++] = (uint32_t)in->imm;
		}
	}
	return n;
}

/* Is v in the blinded code of a fresh compile? Blinding keys are random,
 * so a fresh image tells a leak from bytes that met by chance (the
 * pattern b4 48 81 f3 is a key's last byte, then "xor rbx, imm32"). */
static bool in_fresh_image(struct bpfvm_prog *blind,
			   const struct bpf_insn *insns, size_t cnt,
			   uint32_t v)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o),
				     .env = bpfvm_prog_env(blind),
				     .flags = BPFVM_PROG_F_JIT_BLIND };
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	struct bpfvm_prog *p;
	bool found = true;

	if (bpfvm_prog_create(insns, cnt, &o, &p))
		return true;
	if (!bpfvm_prog_jit_info(p, 0, &info))
		found = memmem(info.code, info.code_size, &v, 4) != NULL;
	bpfvm_prog_free(p);
	return found;
}

static bool check_blinded(struct bpfvm_prog *blind,
			  const struct bpf_insn *insns, size_t cnt,
			  uint64_t seed)
{
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	uint32_t imms[512];
	size_t n = chosen_imms(insns, cnt, imms, 512);
	char msg[96];

	if (bpfvm_prog_jit_info(blind, 0, &info))
		return fail(seed, "bpfvm_prog_jit_info (blinded) failed");
	for (size_t i = 0; i < n; i++) {
		if (!distinctive(imms[i]) ||
		    !memmem(info.code, info.code_size, &imms[i], 4) ||
		    !in_fresh_image(blind, insns, cnt, imms[i]) ||
		    !in_fresh_image(blind, insns, cnt, imms[i]))
			continue;
		snprintf(msg, sizeof(msg), "blinded code contains the "
			 "immediate 0x%08x verbatim", imms[i]);
		return fail(seed, msg);
	}
	return true;
}

bool jit_image_check(struct bpfvm_prog *prog, struct bpfvm_prog *blind,
		     const struct bpf_insn *insns, size_t cnt, uint64_t seed)
{
	static const uint32_t variants[] = {
		0, BPFVM_RUN_F_COUNT, BPFVM_RUN_F_CHECKED,
		BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT,
	};

	for (size_t i = 0; i < 4; i++)
		if (!check_map(prog, variants[i], cnt, seed))
			return false;
	return check_blinded(blind, insns, cnt, seed);
}
