/* Writing a CO-RE result into the instruction clang marked: the imm of
 * an ALU/ALU64 op with a constant, the offset (and, where the field's
 * size changed, the size) of a load or store, or the 64-bit constant of
 * an lddw. A poisoned relocation turns the instruction into a call to
 * helper LD_CORE_POISON_HELPER, as libbpf does: harmless in dead code,
 * a failure if reached. */
#include <errno.h>
#include <limits.h>

#include "loader/ld_core.h"
#include "loader/ld_core_priv.h"

static void poison_one(struct bpf_insn *in)
{
	*in = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
				 .imm = LD_CORE_POISON_HELPER };
}

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static int poison(struct bpf_insn *insns, size_t cnt, size_t idx)
{
	if (is_lddw(&insns[idx]) && idx + 1 < cnt)
		poison_one(&insns[idx + 1]);
	poison_one(&insns[idx]);
	return 0;
}

static int size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

static int patch_alu(struct bpf_insn *in, const struct ld_core_res *res,
		     struct ld_core_why *why)
{
	if (BPF_SRC(in->code) != BPF_K)
		return ld_core_why(why, -EINVAL, "ALU instruction with a "
				   "register operand");
	if (res->validate && (uint32_t)in->imm != (uint32_t)res->orig_val)
		return ld_core_why(why, -EINVAL, "instruction holds %u, "
				   "expected %llu", (uint32_t)in->imm,
				   (unsigned long long)res->orig_val);
	in->imm = (int32_t)(uint32_t)res->new_val;
	return 0;
}

static int patch_mem(struct bpf_insn *insns, size_t cnt, size_t idx,
		     const struct ld_core_res *res, struct ld_core_why *why)
{
	struct bpf_insn *in = &insns[idx];
	int sz;

	if (res->validate && (uint64_t)(int64_t)in->off != res->orig_val)
		return ld_core_why(why, -EINVAL, "instruction offset is %d, "
				   "expected %llu", in->off,
				   (unsigned long long)res->orig_val);
	if (res->new_val > SHRT_MAX)
		return ld_core_why(why, -ERANGE, "offset %llu does not fit "
				   "the instruction",
				   (unsigned long long)res->new_val);
	if (res->fail_memsz_adjust) /* wrong-size access: fail if run */
		return poison(insns, cnt, idx);
	in->off = (int16_t)res->new_val;
	if (res->new_sz == res->orig_sz)
		return 0;
	if (size_bytes(in->code) != (int)res->orig_sz)
		return ld_core_why(why, -EINVAL, "access of %d bytes to a "
				   "field of %u", size_bytes(in->code),
				   res->orig_sz);
	sz = size_code(res->new_sz);
	if (sz < 0)
		return ld_core_why(why, -EINVAL, "target field of %u bytes "
				   "cannot be loaded", res->new_sz);
	in->code = (uint8_t)(BPF_CLASS(in->code) | BPF_MODE(in->code) | sz);
	return 0;
}

static int patch_lddw(struct bpf_insn *insns, size_t cnt, size_t idx,
		      const struct ld_core_res *res, struct ld_core_why *why)
{
	struct bpf_insn *in = &insns[idx];
	uint64_t imm;

	if (!is_lddw(in) || idx + 1 >= cnt || in->src_reg || in->off ||
	    in[1].code || in[1].dst_reg || in[1].src_reg || in[1].off)
		return ld_core_why(why, -EINVAL, "not a plain 64-bit "
				   "constant load");
	imm = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	if (res->validate && imm != res->orig_val)
		return ld_core_why(why, -EINVAL, "instruction holds %llu, "
				   "expected %llu", (unsigned long long)imm,
				   (unsigned long long)res->orig_val);
	in[0].imm = (int32_t)(uint32_t)res->new_val;
	in[1].imm = (int32_t)(uint32_t)(res->new_val >> 32);
	return 0;
}

int ld_core_patch(struct bpf_insn *insns, size_t cnt, size_t idx,
		  const struct ld_core_res *res, struct ld_core_why *why)
{
	struct bpf_insn *in = &insns[idx];

	if (res->poison)
		return poison(insns, cnt, idx);
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return patch_alu(in, res, why);
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return patch_mem(insns, cnt, idx, res, why);
	case BPF_LD:
		return patch_lddw(insns, cnt, idx, res, why);
	default:
		return ld_core_why(why, -EINVAL, "instruction of class 0x%x "
				   "cannot be relocated", BPF_CLASS(in->code));
	}
}
