/* Internal view of the instruction encoding (RFC 9669), shared by the
 * validator, the disassembler, the assembler and the engines. Opcode
 * constants come from <linux/bpf.h>; the ISA v4 ones older headers lack are
 * filled in here. */
#ifndef BPFVM_ISA_ISA_H
#define BPFVM_ISA_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load (v4) */
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_PSEUDO_MAP_IDX
#define BPF_PSEUDO_MAP_IDX 5
#endif
#ifndef BPF_PSEUDO_MAP_IDX_VALUE
#define BPF_PSEUDO_MAP_IDX_VALUE 6
#endif
#ifndef BPF_PSEUDO_FUNC
#define BPF_PSEUDO_FUNC 4
#endif
#ifndef BPF_PSEUDO_BTF_ID
#define BPF_PSEUDO_BTF_ID 3
#endif

/* Field accessors for the 8-bit opcode. */
#define ISA_CLASS(code) ((code) & 0x07)
#define ISA_OP(code) ((code) & 0xf0)	  /* ALU/JMP operation */
#define ISA_SRCBIT(code) ((code) & 0x08)  /* BPF_K or BPF_X */
#define ISA_SIZE(code) ((code) & 0x18)	  /* LD/ST size */
#define ISA_MODE(code) ((code) & 0xe0)	  /* LD/ST mode */

/* Encodings that the v4 ISA distinguishes by the offset field. */
#define ISA_OFF_SIGNED 1 /* sdiv, smod: off == 1 */

/* Bytes accessed by a BPF_SIZE value: 1, 2, 4 or 8. */
static inline unsigned isa_size_bytes(uint8_t code)
{
	static const unsigned char bytes[4] = { 4, 2, 1, 8 };
	return bytes[ISA_SIZE(code) >> 3];
}

/* libbpf's poisoned CO-RE instruction (a relocation that failed):
 * "call 0xbad2310", src 0, a helper id no helper can have (it is above
 * BPFVM_HELPER_ID_MAX); it fails the run when reached. */
#define ISA_CORE_POISON_ID 0xbad2310

static inline bool isa_is_core_poison(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0 &&
	       insn->imm == ISA_CORE_POISON_ID;
}

static inline bool isa_is_lddw(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* Is insns[i] a valid instruction on its own (opcode, registers, the
 * fields the opcode leaves unused, lddw's second slot present and well
 * formed)? Control flow (jump/call targets) is checked by the validator.
 * On failure returns false and points *why at a static reason such as
 * "unknown opcode 0xff" or "invalid dst register r11". */
bool isa_insn_check(const struct bpf_insn *insns, size_t cnt, size_t i,
		    const char **why);

/* isa_insn_check_flags: also accept well-formed legacy LD_ABS/LD_IND,
 * which only the program types with skb access (the kernel's
 * may_access_skb) allow; the disassembler and the assembler always do. */
#define ISA_CHECK_LEGACY_LD 0x1u
bool isa_insn_check_flags(const struct bpf_insn *insns, size_t cnt, size_t i,
			  unsigned flags, const char **why);

/* Names of operations, indexed by ISA_OP(code) >> 4, shared by the checker,
 * the disassembler and the assembler. NULL ubpf marks an unknown op. */
struct isa_alu_name {
	const char *ubpf;	/* "add"; "32" is appended for BPF_ALU */
	const char *sym;	/* "+=" in "r0 += r1" */
	const char *ubpf_s;	/* signed variant (off == 1): "sdiv" */
	const char *sym_s;	/* "s/=" */
};
extern const struct isa_alu_name isa_alu_names[16];

struct isa_jmp_name {
	const char *ubpf;	/* "jeq"; NULL for unknown ops */
	const char *sym;	/* "==" in "if r1 == r2 goto +1"; NULL for
				 * ja, call, exit */
};
extern const struct isa_jmp_name isa_jmp_names[16];

/* "u8" / "b" for a BPF_SIZE value, indexed by ISA_SIZE(code) >> 3. */
struct isa_size_name {
	const char *ctype;	/* "u8" (and "s8" with 's') */
	const char *ubpf;	/* "b", "h", "w", "dw" */
	unsigned bits;
};
extern const struct isa_size_name isa_size_names[4];

/* Atomic operations (the imm of BPF_STX | BPF_ATOMIC). */
struct isa_atomic_name {
	int32_t imm;		/* without BPF_FETCH */
	const char *ubpf;	/* "add" in "lock add [%r1], %r2" */
	const char *sym;	/* "+=" in "lock *(u64 *)(r1 + 0) += r2", or
				 * NULL when the op always fetches */
	const char *fetch;	/* "atomic_fetch_add" / "xchg" / "cmpxchg" */
};
extern const struct isa_atomic_name isa_atomic_names[6];
/* The entry for an atomic imm (with or without BPF_FETCH), NULL if
 * none. */
const struct isa_atomic_name *isa_atomic_lookup(int32_t imm);

/* "bpf_map_lookup_elem" for a Linux helper id, NULL when unknown. */
const char *isa_linux_helper_name(uint32_t id);
/* The id of a Linux helper name (with or without "bpf_"), 0 when unknown. */
uint32_t isa_linux_helper_id(const char *name);

#endif
