/* Pre-decoding: each validated instruction becomes one eng_insn naming its
 * specialised handler, with lddw values folded in, jump deltas widened and
 * helpers resolved, so the interpreter never looks at an opcode. The
 * input is the xlated program: a map lddw is a plain 64-bit value. */
#include <errno.h>
#include <stdlib.h>

#include "engine/engine.h"
#include "helpers/helpers_flow.h"
#include "isa/isa.h"

/* First handler of each ALU family (64K; then 64X, 32K, 32X), by op >> 4. */
static const uint16_t alu_family[16] = {
	[BPF_ADD >> 4] = ENG_OP_ADD64K, [BPF_SUB >> 4] = ENG_OP_SUB64K,
	[BPF_MUL >> 4] = ENG_OP_MUL64K, [BPF_DIV >> 4] = ENG_OP_DIV64K,
	[BPF_OR >> 4] = ENG_OP_OR64K,	[BPF_AND >> 4] = ENG_OP_AND64K,
	[BPF_LSH >> 4] = ENG_OP_LSH64K, [BPF_RSH >> 4] = ENG_OP_RSH64K,
	[BPF_MOD >> 4] = ENG_OP_MOD64K, [BPF_XOR >> 4] = ENG_OP_XOR64K,
	[BPF_MOV >> 4] = ENG_OP_MOV64K, [BPF_ARSH >> 4] = ENG_OP_ARSH64K,
};

/* Same for jump conditions; 0 marks JA, CALL, EXIT and JCOND. */
static const uint16_t jmp_family[16] = {
	[BPF_JEQ >> 4] = ENG_OP_JEQ64K,	  [BPF_JGT >> 4] = ENG_OP_JGT64K,
	[BPF_JGE >> 4] = ENG_OP_JGE64K,	  [BPF_JSET >> 4] = ENG_OP_JSET64K,
	[BPF_JNE >> 4] = ENG_OP_JNE64K,	  [BPF_JSGT >> 4] = ENG_OP_JSGT64K,
	[BPF_JSGE >> 4] = ENG_OP_JSGE64K, [BPF_JLT >> 4] = ENG_OP_JLT64K,
	[BPF_JLE >> 4] = ENG_OP_JLE64K,	  [BPF_JSLT >> 4] = ENG_OP_JSLT64K,
	[BPF_JSLE >> 4] = ENG_OP_JSLE64K,
};

/* Indexed by ISA_SIZE >> 3: W, H, B, DW. */
static const uint16_t ldx_op[4] = { ENG_OP_LDXW, ENG_OP_LDXH, ENG_OP_LDXB,
				    ENG_OP_LDXDW };
static const uint16_t ldxsx_op[4] = { ENG_OP_LDXSW, ENG_OP_LDXSH,
				      ENG_OP_LDXSB, ENG_OP_INVALID };
static const uint16_t ld_abs_op[4] = { ENG_OP_LDABSW, ENG_OP_LDABSH,
				       ENG_OP_LDABSB, ENG_OP_INVALID };
static const uint16_t ld_ind_op[4] = { ENG_OP_LDINDW, ENG_OP_LDINDH,
				       ENG_OP_LDINDB, ENG_OP_INVALID };
static const uint16_t st_op[4] = { ENG_OP_STW, ENG_OP_STH, ENG_OP_STB,
				   ENG_OP_STDW };
static const uint16_t stx_op[4] = { ENG_OP_STXW, ENG_OP_STXH, ENG_OP_STXB,
				    ENG_OP_STXDW };

static uint16_t decode_alu(const struct bpf_insn *in)
{
	bool is64 = ISA_CLASS(in->code) == BPF_ALU64;
	unsigned op = ISA_OP(in->code);
	unsigned variant = (is64 ? 0 : 2) + (ISA_SRCBIT(in->code) ? 1 : 0);

	switch (op) {
	case BPF_NEG:
		return is64 ? ENG_OP_NEG64 : ENG_OP_NEG32;
	case BPF_END:
		if (is64 || ISA_SRCBIT(in->code) == BPF_TO_BE)
			return in->imm == 16 ? ENG_OP_BSWAP16 :
			       in->imm == 32 ? ENG_OP_BSWAP32 : ENG_OP_BSWAP64;
		/* to-LE on a little-endian host only truncates */
		return in->imm == 16 ? ENG_OP_ZEXT16 :
		       in->imm == 32 ? ENG_OP_ZEXT32 : ENG_OP_NOP;
	case BPF_MOV:
		if (in->off == 8)
			return is64 ? ENG_OP_MOVSX8_64 : ENG_OP_MOVSX8_32;
		if (in->off == 16)
			return is64 ? ENG_OP_MOVSX16_64 : ENG_OP_MOVSX16_32;
		if (in->off == 32)
			return ENG_OP_MOVSX32_64;
		break;
	case BPF_DIV:
		if (in->off == ISA_OFF_SIGNED)
			return ENG_OP_SDIV64K + variant;
		break;
	case BPF_MOD:
		if (in->off == ISA_OFF_SIGNED)
			return ENG_OP_SMOD64K + variant;
		break;
	}
	return alu_family[op >> 4] + variant;
}

static uint16_t decode_atomic(const struct bpf_insn *in)
{
	bool dw = ISA_SIZE(in->code) == BPF_DW;
	uint16_t op;

	switch (in->imm) {
	case BPF_ADD: op = ENG_OP_AADDW; break;
	case BPF_OR: op = ENG_OP_AORW; break;
	case BPF_AND: op = ENG_OP_AANDW; break;
	case BPF_XOR: op = ENG_OP_AXORW; break;
	case BPF_ADD | BPF_FETCH: op = ENG_OP_AFADDW; break;
	case BPF_OR | BPF_FETCH: op = ENG_OP_AFORW; break;
	case BPF_AND | BPF_FETCH: op = ENG_OP_AFANDW; break;
	case BPF_XOR | BPF_FETCH: op = ENG_OP_AFXORW; break;
	case BPF_XCHG: op = ENG_OP_AXCHGW; break;
	case BPF_CMPXCHG: op = ENG_OP_ACMPXCHGW; break;
	default: return ENG_OP_INVALID;
	}
	return op + dw;
}

/* Fills everything but op for jumps and calls; returns the op. */
static uint16_t decode_jmp(const struct bpf_insn *in, struct eng_insn *out)
{
	bool is32 = ISA_CLASS(in->code) == BPF_JMP32;
	unsigned op = ISA_OP(in->code);

	switch (op) {
	case BPF_JA:
		out->off = is32 ? in->imm : in->off; /* gotol: imm */
		return ENG_OP_JA;
	case BPF_JCOND:
		return ENG_OP_NOP; /* may_goto: no loop budget to run out */
	case BPF_EXIT:
		return ENG_OP_EXIT;
	case BPF_CALL:
		if (ISA_SRCBIT(in->code))
			return ENG_OP_CALLX;
		if (in->src_reg == BPF_PSEUDO_CALL) {
			out->off = in->imm;
			return ENG_OP_CALL_LOCAL;
		}
		if (isa_is_core_poison(in))
			return ENG_OP_CORE_POISON;
		return ENG_OP_CALL; /* fn resolved by the caller */
	}
	return jmp_family[op >> 4] + (is32 ? 2 : 0) +
	       (ISA_SRCBIT(in->code) ? 1 : 0);
}

static uint16_t decode_one(const struct bpf_insn *in, struct eng_insn *out)
{
	unsigned sz = ISA_SIZE(in->code) >> 3;

	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return decode_alu(in);
	case BPF_JMP:
	case BPF_JMP32:
		return decode_jmp(in, out);
	case BPF_LDX:
		return ISA_MODE(in->code) == BPF_MEMSX ? ldxsx_op[sz] :
							  ldx_op[sz];
	case BPF_ST:
		return st_op[sz];
	case BPF_STX:
		return ISA_MODE(in->code) == BPF_ATOMIC ? decode_atomic(in) :
							   stx_op[sz];
	case BPF_LD:
		if (isa_is_lddw(in))
			return ENG_OP_LDDW;
		/* LD_ABS / LD_IND (validated: B, H or W) */
		return (ISA_MODE(in->code) == BPF_ABS ? ld_abs_op :
							 ld_ind_op)[sz];
	}
	return ENG_OP_INVALID;
}

static void decode_lddw(const struct bpf_insn *in, struct eng_insn *dec,
			size_t i)
{
	if (in[i].src_reg == BPF_PSEUDO_FUNC) {
		/* A function's address is its decoded entry: callx
		 * recognises it by range without any lookup. */
		dec[i].u64 = (uintptr_t)&dec[i + 1 + in[i].imm];
		return;
	}
	dec[i].u64 = (uint32_t)in[i].imm | (uint64_t)(uint32_t)in[i + 1].imm
						   << 32;
}

int eng_decode(const struct bpf_insn *insns, size_t cnt,
	       const struct bpfvm_env *env, struct eng_code **out)
{
	struct eng_code *code = calloc(1, sizeof(*code));
	struct eng_insn *dec = calloc(cnt, sizeof(*dec));

	if (!code || !dec) {
		free(code);
		free(dec);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];

		dec[i].dst = in->dst_reg;
		dec[i].src = in->src_reg;
		dec[i].imm = in->imm;
		dec[i].off = in->off;
		dec[i].op = decode_one(in, &dec[i]);
		if (dec[i].op == ENG_OP_CALL) {
			dec[i].fn = bpfvm_helper_find(env, (uint32_t)in->imm);
			if (hlp_is_tail_call(dec[i].fn))
				dec[i].op = ENG_OP_TAIL_CALL;
		}
		if (dec[i].op == ENG_OP_LDDW) {
			decode_lddw(insns, dec, i);
			dec[++i].op = ENG_OP_LDDW_HI;
		}
	}
	if (eng_fuse(insns, dec, cnt)) {
		free(code);
		free(dec);
		return -ENOMEM;
	}
	code->insns = dec;
	code->cnt = cnt;
	code->env = env;
	*out = code;
	return 0;
}

void eng_code_free(struct eng_code *code)
{
	if (!code)
		return;
	free(code->insns);
	free(code);
}
