/* The interpreter's handlers: one per (operation, operand kind, width), so
 * nothing is decoded at run time. The lists are X-macros: the decoder maps
 * instructions to these ids, the interpreter makes one label per id.
 * Family lists take F(X, op) so one list serves both the id list (X) and
 * the handler definitions (F ignores X). */
#ifndef BPFVM_ENGINE_OPS_H
#define BPFVM_ENGINE_OPS_H

/* Binary ALU operations: 64/32-bit x K/X handlers each. */
#define ENG_ALU_BINOPS(F, X)                                                \
	F(X, ADD) F(X, SUB) F(X, MUL) F(X, DIV) F(X, SDIV) F(X, MOD)        \
	F(X, SMOD) F(X, OR) F(X, AND) F(X, LSH) F(X, RSH) F(X, ARSH)       \
	F(X, XOR) F(X, MOV)

/* Jump conditions: 64/32-bit x K/X handlers each. */
#define ENG_JMP_CONDS(F, X)                                                 \
	F(X, JEQ) F(X, JNE) F(X, JGT) F(X, JGE) F(X, JLT) F(X, JLE)        \
	F(X, JSET) F(X, JSGT) F(X, JSGE) F(X, JSLT) F(X, JSLE)

/* Atomic read-modify-write operations: W and DW handlers each. */
#define ENG_ATOMIC_OPS(F, X)                                                \
	F(X, AADD) F(X, AOR) F(X, AAND) F(X, AXOR) F(X, AFADD) F(X, AFOR)  \
	F(X, AFAND) F(X, AFXOR) F(X, AXCHG) F(X, ACMPXCHG)

#define ENG_FOUR(X, op) X(op##64K) X(op##64X) X(op##32K) X(op##32X)
#define ENG_W_DW(X, op) X(op##W) X(op##DW)

#define ENG_OPS(X)                                                          \
	X(INVALID)  /* never reached in a validated program */             \
	X(LDDW_HI)  /* lddw's second slot: only a stray callx lands here */ \
	ENG_ALU_BINOPS(ENG_FOUR, X)                                         \
	X(NEG64) X(NEG32)                                                   \
	X(MOVSX8_64) X(MOVSX16_64) X(MOVSX32_64) X(MOVSX8_32) X(MOVSX16_32) \
	X(ZEXT16) X(ZEXT32) X(BSWAP16) X(BSWAP32) X(BSWAP64)                \
	X(LDDW)                                                             \
	X(LDXB) X(LDXH) X(LDXW) X(LDXDW) X(LDXSB) X(LDXSH) X(LDXSW)         \
	X(STB) X(STH) X(STW) X(STDW) X(STXB) X(STXH) X(STXW) X(STXDW)       \
	ENG_ATOMIC_OPS(ENG_W_DW, X)                                         \
	X(NOP) X(JA)                                                        \
	ENG_JMP_CONDS(ENG_FOUR, X)                                          \
	X(CALL) X(CALL_LOCAL) X(CALLX) X(EXIT)

#define ENG_OP_ENUM_(name) ENG_OP_##name,
enum eng_op { ENG_OPS(ENG_OP_ENUM_) ENG_OP_COUNT };

#endif
