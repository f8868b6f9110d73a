/* The disassembler: one instruction in the kernel verifier-log /
 * llvm-objdump syntax. Number formats (docs/assembly.md): ALU and store
 * immediates and memory offsets in signed decimal, jump comparands in hex
 * (as the kernel prints them), lddw values in hex, jump targets as signed
 * relative offsets, ids/indexes/value offsets in unsigned decimal.
 * Everything printed here reads back through the assembler bit for bit. */
#include "isa.h"

#include <bpfvm/isa.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct fmt {
	char *buf;
	size_t size;
};

#define OUT(f, ...) snprintf((f)->buf, (f)->size, __VA_ARGS__)

/* "r1 + 4" / "r10 - 8": the base-plus-offset inside a memory operand. */
static void mem_ref(char *out, size_t size, unsigned reg, int64_t off)
{
	snprintf(out, size, "r%u %c %lld", reg, off < 0 ? '-' : '+',
		 (long long)(off < 0 ? -off : off));
}

static void fmt_alu(struct fmt *f, const struct bpf_insn *in)
{
	bool is64 = ISA_CLASS(in->code) == BPF_ALU64;
	char w = is64 ? 'r' : 'w';
	uint8_t op = ISA_OP(in->code);
	const struct isa_alu_name *n = &isa_alu_names[op >> 4];
	const char *sym = in->off == ISA_OFF_SIGNED && n->sym_s ? n->sym_s
							       : n->sym;

	if (op == BPF_END) {
		const char *kind = is64 ? "bswap" :
				   ISA_SRCBIT(in->code) == BPF_X ? "be" : "le";
		OUT(f, "r%u = %s%d r%u", in->dst_reg, kind, in->imm,
		    in->dst_reg);
	} else if (op == BPF_NEG) {
		OUT(f, "%c%u = -%c%u", w, in->dst_reg, w, in->dst_reg);
	} else if (op == BPF_MOV && ISA_SRCBIT(in->code) == BPF_X &&
		   in->off) {
		OUT(f, "%c%u = (s%d)%c%u", w, in->dst_reg, in->off, w,
		    in->src_reg);
	} else if (ISA_SRCBIT(in->code) == BPF_X) {
		OUT(f, "%c%u %s %c%u", w, in->dst_reg, sym, w, in->src_reg);
	} else {
		OUT(f, "%c%u %s %d", w, in->dst_reg, sym, in->imm);
	}
}

static void fmt_call(struct fmt *f, const struct bpf_insn *in,
		     const struct bpfvm_env *env)
{
	const char *name;

	if (ISA_SRCBIT(in->code) == BPF_X) {
		OUT(f, "callx r%u", in->dst_reg);
	} else if (in->src_reg == BPF_PSEUDO_CALL) {
		OUT(f, "call pc%+d", in->imm);
	} else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		if (in->off)
			OUT(f, "call kfunc[id:%u][btf:%d]", (uint32_t)in->imm,
			    in->off);
		else
			OUT(f, "call kfunc[id:%u]", (uint32_t)in->imm);
	} else if (isa_is_core_poison(in)) {
		/* a failed CO-RE relocation; "name#id" reads back as id */
		OUT(f, "call core_poison#%d", in->imm);
	} else if (!(name = bpfvm_helper_name(env, (uint32_t)in->imm))) {
		OUT(f, "call %d", in->imm);
	} else if (strchr(name, '#')) {
		/* an unnamed host helper is already called "helper#N" */
		OUT(f, "call %s", name);
	} else {
		OUT(f, "call %s#%d", name, in->imm);
	}
}

static void fmt_jmp(struct fmt *f, const struct bpf_insn *in,
		    const struct bpfvm_env *env)
{
	bool is32 = ISA_CLASS(in->code) == BPF_JMP32;
	char w = is32 ? 'w' : 'r';
	uint8_t op = ISA_OP(in->code);
	const char *sym = isa_jmp_names[op >> 4].sym;

	if (op == BPF_JA && is32)
		OUT(f, "gotol %+d", in->imm);
	else if (op == BPF_JA)
		OUT(f, "goto %+d", in->off);
	else if (op == BPF_CALL)
		fmt_call(f, in, env);
	else if (op == BPF_EXIT)
		OUT(f, "exit");
	else if (ISA_SRCBIT(in->code) == BPF_X)
		OUT(f, "if %c%u %s %c%u goto %+d", w, in->dst_reg, sym, w,
		    in->src_reg, in->off);
	else
		OUT(f, "if %c%u %s 0x%x goto %+d", w, in->dst_reg, sym,
		    (uint32_t)in->imm, in->off);
}

static void fmt_lddw(struct fmt *f, const struct bpf_insn *in)
{
	uint32_t lo = (uint32_t)in[0].imm, hi = (uint32_t)in[1].imm;
	unsigned d = in->dst_reg;

	switch (in->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		OUT(f, "r%u = map[fd:%u]", d, lo);
		break;
	case BPF_PSEUDO_MAP_VALUE:
		OUT(f, "r%u = map[fd:%u][0]+%u", d, lo, hi);
		break;
	case BPF_PSEUDO_BTF_ID:
		if (hi)
			OUT(f, "r%u = btf[id:%u][fd:%u]", d, lo, hi);
		else
			OUT(f, "r%u = btf[id:%u]", d, lo);
		break;
	case BPF_PSEUDO_FUNC:
		OUT(f, "r%u = func[pc%+d]", d, in->imm);
		break;
	case BPF_PSEUDO_MAP_IDX:
		OUT(f, "r%u = map[idx:%u]", d, lo);
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
		OUT(f, "r%u = map[idx:%u][0]+%u", d, lo, hi);
		break;
	default:
		OUT(f, "r%u = 0x%llx ll", d,
		    (unsigned long long)((uint64_t)hi << 32 | lo));
	}
}

static void fmt_ld_legacy(struct fmt *f, const struct bpf_insn *in)
{
	const char *ty = isa_size_names[ISA_SIZE(in->code) >> 3].ctype;
	char ref[32];

	if (ISA_MODE(in->code) == BPF_ABS) {
		OUT(f, "r0 = *(%s *)skb[%d]", ty, in->imm);
		return;
	}
	mem_ref(ref, sizeof(ref), in->src_reg, in->imm);
	OUT(f, "r0 = *(%s *)skb[%s]", ty, ref);
}

static void fmt_ldx(struct fmt *f, const struct bpf_insn *in)
{
	const char *ty = isa_size_names[ISA_SIZE(in->code) >> 3].ctype;
	char ref[32];

	mem_ref(ref, sizeof(ref), in->src_reg, in->off);
	/* "s8" for a sign-extending load: the ctype with 'u' turned to 's' */
	OUT(f, "r%u = *(%c%s *)(%s)", in->dst_reg,
	    ISA_MODE(in->code) == BPF_MEMSX ? 's' : 'u', ty + 1, ref);
}

static void fmt_atomic(struct fmt *f, const struct bpf_insn *in)
{
	bool is64 = ISA_SIZE(in->code) == BPF_DW;
	char w = is64 ? 'r' : 'w';
	const char *ty = is64 ? "u64" : "u32";
	const struct isa_atomic_name *a = isa_atomic_lookup(in->imm);
	unsigned s = in->src_reg;
	char ref[32];

	mem_ref(ref, sizeof(ref), in->dst_reg, in->off);
	if (a->imm == BPF_CMPXCHG)
		OUT(f, "%c0 = cmpxchg%s(%s, %c0, %c%u)", w,
		    is64 ? "_64" : "32_32", ref, w, w, s);
	else if (a->imm == BPF_XCHG)
		OUT(f, "%c%u = xchg%s(%s, %c%u)", w, s, is64 ? "_64" : "32_32",
		    ref, w, s);
	else if (in->imm & BPF_FETCH)
		OUT(f, "%c%u = %s((%s *)(%s), %c%u)", w, s, a->fetch, ty, ref,
		    w, s);
	else
		OUT(f, "lock *(%s *)(%s) %s %c%u", ty, ref, a->sym, w, s);
}

static void fmt_store(struct fmt *f, const struct bpf_insn *in)
{
	const char *ty = isa_size_names[ISA_SIZE(in->code) >> 3].ctype;
	char ref[32];

	mem_ref(ref, sizeof(ref), in->dst_reg, in->off);
	if (ISA_CLASS(in->code) == BPF_ST)
		OUT(f, "*(%s *)(%s) = %d", ty, ref, in->imm);
	else
		OUT(f, "*(%s *)(%s) = r%u", ty, ref, in->src_reg);
}

int bpfvm_insn_format(const struct bpf_insn *insns, size_t cnt, size_t idx,
		      char *buf, size_t size,
		      const struct bpfvm_disasm_opts *opts)
{
	const struct bpfvm_env *env = NULL;
	struct fmt f = { buf, size };
	const struct bpf_insn *in;
	const char *why;

	if (opts && opts->sz >= offsetof(struct bpfvm_disasm_opts, env) +
				     sizeof(opts->env))
		env = opts->env;
	if (!insns || !isa_insn_check_flags(insns, cnt, idx,
					    ISA_CHECK_LEGACY_LD, &why)) {
		OUT(&f, "%s", insns ? why : "no instructions");
		return -EINVAL;
	}
	in = &insns[idx];
	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		fmt_alu(&f, in);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		fmt_jmp(&f, in, env);
		break;
	case BPF_LD:
		if (isa_is_lddw(in)) {
			fmt_lddw(&f, in);
			return 2;
		}
		fmt_ld_legacy(&f, in);
		break;
	case BPF_LDX:
		fmt_ldx(&f, in);
		break;
	case BPF_STX:
		if (ISA_MODE(in->code) == BPF_ATOMIC) {
			fmt_atomic(&f, in);
			break;
		}
		/* fall through */
	default:
		fmt_store(&f, in);
	}
	return 1;
}
