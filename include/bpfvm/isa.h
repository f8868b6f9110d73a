/* Reading and writing bytecode: the disassembler and the assembler. */
#ifndef BPFVM_ISA_H
#define BPFVM_ISA_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpfvm/env.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_disasm_opts {
	size_t sz;			/* sizeof(struct bpfvm_disasm_opts) */
	const struct bpfvm_env *env;	/* names of host helpers; may be NULL */
};

/* Format insns[idx] in the kernel verifier-log / llvm-objdump syntax
 * ("r0 = *(u32 *)(r1 + 4)", "if r1 > 0x5 goto +3",
 * "r1 = 0x1122334455667788 ll"). Reads insns[idx + 1] for lddw. Returns the
 * number of instruction slots consumed (1 or 2) or -EINVAL for an
 * instruction that is not valid (buf then explains why). */
int bpfvm_insn_format(const struct bpf_insn *insns, size_t cnt, size_t idx,
		      char *buf, size_t size,
		      const struct bpfvm_disasm_opts *opts);

enum bpfvm_asm_dialect {
	BPFVM_ASM_AUTO = 0,	/* guess per file from the first instruction */
	BPFVM_ASM_LLVM,		/* what bpfvm_insn_format prints */
	BPFVM_ASM_UBPF,		/* "mov %r0, 1", "ldxw %r0, [%r1+2]" */
};

struct bpfvm_asm_opts {
	size_t sz;			/* sizeof(struct bpfvm_asm_opts) */
	enum bpfvm_asm_dialect dialect;
	const struct bpfvm_env *env;	/* resolves "call my_helper" */
	char *log_buf;			/* "line N: reason" on error */
	size_t log_size;
};

/* Assemble `text` (labels "name:" allowed, '#', ';' and "//" comments).
 * On success *insns is a malloc'ed array the caller frees. */
int bpfvm_asm_assemble(const char *text, const struct bpfvm_asm_opts *opts,
		       struct bpf_insn **insns, size_t *cnt);

#ifdef __cplusplus
}
#endif
#endif
