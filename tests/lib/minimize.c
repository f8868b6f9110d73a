/* Program shrinking for differential tests; see minimize.h. */
#include "minimize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* Where a relative target lives (jump, bpf-to-bpf call, ld_imm64 of a
 * function), or NULL. 16-bit offsets go through *tmp. */
static int32_t *branch_field(struct bpf_insn *in, int32_t *tmp)
{
	uint8_t cls = in->code & 0x07, op = in->code & 0xf0;

	if (is_lddw(in))
		return in->src_reg == BPF_PSEUDO_FUNC ? &in->imm : NULL;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return NULL;
	if (op == BPF_EXIT)
		return NULL;
	if (op == BPF_CALL)
		return in->src_reg == BPF_PSEUDO_CALL ? &in->imm : NULL;
	if (cls == BPF_JMP32 && op == BPF_JA)
		return &in->imm; /* gotol */
	*tmp = in->off;
	return tmp;
}

/* Index x after deleting slots [at, at + n). */
static size_t shifted(size_t x, size_t at, size_t n)
{
	return x < at ? x : x >= at + n ? x - n : at;
}

/* Delete slots [at, at + n) of a copy; jumps into them land after them.
 * Returns the new count, 0 when a target falls outside the program. */
static size_t delete_slots(const struct bpf_insn *in, size_t cnt,
			   struct bpf_insn *out, size_t at, size_t n)
{
	size_t j, k = 0;

	for (j = 0; j < cnt; j++) {
		int32_t tmp, *f;

		if (j >= at && j < at + n)
			continue;
		out[k] = in[j];
		f = j > 0 && is_lddw(&in[j - 1]) ? NULL
						  : branch_field(&out[k], &tmp);
		if (f) {
			int64_t t = (int64_t)j + 1 + *f;

			if (t < 0 || t > (int64_t)cnt)
				return 0;
			*f = (int32_t)((int64_t)shifted((size_t)t, at, n) -
				       (int64_t)k - 1);
			if (f == &tmp)
				out[k].off = (int16_t)tmp;
		}
		k++;
	}
	return k;
}

static bool writes_stack(const struct bpf_insn *in)
{
	uint8_t cls = in->code & 0x07;

	return (cls == BPF_ST || cls == BPF_STX) &&
	       (in->code & 0xe0) == BPF_MEM && in->dst_reg == BPF_REG_10;
}

size_t minimize_prog(struct bpf_insn *insns, size_t cnt, minimize_pred still,
		     void *ctx)
{
	struct bpf_insn *try = malloc(cnt * sizeof(*try));
	bool progress = try != NULL;

	while (progress) {
		progress = false;
		for (size_t i = 0; i < cnt; i++) {
			size_t n = is_lddw(&insns[i]) ? 2 : 1;
			size_t k = writes_stack(&insns[i]) ? 0 :
				   delete_slots(insns, cnt, try, i, n);

			if (k && still(ctx, try, k)) {
				memcpy(insns, try, k * sizeof(*try));
				cnt = k;
				progress = true;
				i--; /* the same index holds the next one now */
			} else if (n == 2) {
				i++;
			}
		}
	}
	free(try);
	return cnt;
}
