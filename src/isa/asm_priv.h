/* The assembler's internal interface: one context per run, a cursor over
 * the current line, the token readers both dialects share (asm_lex.c),
 * labels and their fixups (asm_labels.c), and one statement parser per
 * dialect (asm_llvm.c, asm_ubpf.c). asm_main.c drives them. */
#ifndef BPFVM_ISA_ASM_PRIV_H
#define BPFVM_ISA_ASM_PRIV_H

#include "isa.h"

#include <bpfvm/isa.h>

#define ASM_NAME_MAX 64 /* longest label or helper name */

enum asm_fix_kind {
	ASM_FIX_OFF,	/* jump: off = target - next */
	ASM_FIX_IMM,	/* gotol, local call, lddw func: imm = target - next */
	ASM_FIX_CALL,	/* "call name" that is no helper: a local call */
};

struct asm_label {
	char *name;
	size_t idx;
	unsigned line;
};

struct asm_fixup {
	char *name;
	size_t idx;		/* the instruction to patch */
	unsigned line;
	enum asm_fix_kind kind;
};

struct asm_helper {
	const char *name;	/* without "bpf_" */
	uint32_t id;
};

struct asm_ctx {
	struct bpf_insn *insns;
	size_t cnt, cap;
	struct asm_label *labels;
	size_t nlabels, labels_cap;
	struct asm_fixup *fixups;
	size_t nfixups, fixups_cap;
	long first_exit;	/* the implicit label "exit", -1 if none */
	const struct bpfvm_env *env;
	struct asm_helper *helpers;	/* the env's names, sorted; lazily */
	size_t nhelpers;
	char *log;
	size_t log_size;
	bool failed;
	unsigned line;
	const char *p;		/* cursor in the current line (NUL-ended) */
};

/* A number as written: magnitude, sign and its text for messages. */
struct asm_num {
	uint64_t mag;
	bool neg;
	const char *text;
	int len;
};

/* Record "line N: <msg>" (the first error only); returns -EINVAL. */
int asm_error(struct asm_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report the token at the cursor as unexpected ("expected X"). */
int asm_expected(struct asm_ctx *c, const char *what);

/* Token readers. Each skips leading blanks; the bool ones consume only on
 * a match, the int ones return 0 or an error already reported. */
void asm_blank(struct asm_ctx *c);
bool asm_at_end(struct asm_ctx *c);
int asm_end(struct asm_ctx *c); /* error unless at the end of the line */
bool asm_punct(struct asm_ctx *c, const char *s);
bool asm_word(struct asm_ctx *c, const char *w);
int asm_need(struct asm_ctx *c, const char *s); /* asm_punct or error */
/* Longest of n strings (stride bytes apart, NULL entries skipped) at the
 * cursor; returns its index or -1. */
int asm_longest(struct asm_ctx *c, const void *table, size_t n,
		size_t stride, size_t field);
size_t asm_ident(struct asm_ctx *c, char *buf, size_t size);
bool asm_peek_ident(struct asm_ctx *c);
bool asm_peek_reg(struct asm_ctx *c);
/* "r3", "w3" or "%r3"; *wide is 'r' or 'w'. */
int asm_reg(struct asm_ctx *c, unsigned *reg, char *wide);
int asm_number(struct asm_ctx *c, struct asm_num *n);
int asm_imm32(struct asm_ctx *c, int32_t *out);
int asm_imm64(struct asm_ctx *c, uint64_t *out);
int asm_off16(struct asm_ctx *c, int16_t *out);
/* "reg", "reg + N", "reg - N" (the inside of a memory operand). */
int asm_memref(struct asm_ctx *c, unsigned *reg, int16_t *off);
/* A jump target: "+N", "-N", "N" or a label (patched later). */
int asm_target(struct asm_ctx *c, enum asm_fix_kind kind);

/* Output: n zeroed slots appended, NULL (error reported) on failure. */
struct bpf_insn *asm_emit(struct asm_ctx *c, size_t n);
struct bpf_insn *asm_emit_insn(struct asm_ctx *c, uint8_t code, unsigned dst,
			       unsigned src, int16_t off, int32_t imm);
/* Emit one instruction and require the end of the line. */
#define ASM_EMIT(c, ...) \
	(asm_emit_insn(c, __VA_ARGS__) ? asm_end(c) : -ENOMEM)
/* Both slots of an lddw: value (lo, hi) with pseudo type src. */
struct bpf_insn *asm_emit_lddw(struct asm_ctx *c, unsigned dst, uint8_t src,
			       uint32_t lo, uint32_t hi);

int asm_label_define(struct asm_ctx *c, const char *name);
int asm_fixup_add(struct asm_ctx *c, const char *name,
		  enum asm_fix_kind kind);
int asm_labels_resolve(struct asm_ctx *c);
void asm_labels_free(struct asm_ctx *c);

/* "call NAME" in the last instruction: a helper (by the env's names, then
 * Linux's) or else a local function whose label comes later. */
int asm_call_named(struct asm_ctx *c, const char *name);

/* One statement (labels already consumed). */
int asm_llvm_stmt(struct asm_ctx *c);
int asm_ubpf_stmt(struct asm_ctx *c);
/* Does this statement look like the uBPF dialect? 1 yes, 0 no, -1 can't
 * tell ("exit", "call 1"). */
int asm_ubpf_looks(struct asm_ctx *c);

#endif
