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

/* Loads: (id, the C type that gives its width and sign extension). */
#define ENG_LDX_OPS(F, X)                                                   \
	F(X, LDXB, uint8_t) F(X, LDXH, uint16_t) F(X, LDXW, uint32_t)       \
	F(X, LDXDW, uint64_t) F(X, LDXSB, int8_t) F(X, LDXSH, int16_t)     \
	F(X, LDXSW, int32_t)

/* ALU operations cheap and branch-free enough to compute speculatively,
 * then keep or drop: the ones a skipped run may hold (see fuse.c). */
#define ENG_PRED_BINOPS(F, X)                                               \
	F(X, ADD) F(X, SUB) F(X, MUL) F(X, OR) F(X, AND) F(X, LSH)          \
	F(X, RSH) F(X, ARSH) F(X, XOR) F(X, MOV)

#define ENG_FOUR(X, op) X(op##64K) X(op##64X) X(op##32K) X(op##32X)
#define ENG_W_DW(X, op) X(op##W) X(op##DW)
#define ENG_LDX_ID_(X, op, T) X(op)

#define ENG_OPS(X)                                                          \
	X(INVALID)  /* never reached in a validated program */             \
	X(LDDW_HI)  /* lddw's second slot: only a stray callx lands here */ \
	ENG_ALU_BINOPS(ENG_FOUR, X)                                         \
	X(NEG64) X(NEG32)                                                   \
	X(MOVSX8_64) X(MOVSX16_64) X(MOVSX32_64) X(MOVSX8_32) X(MOVSX16_32) \
	X(ZEXT16) X(ZEXT32) X(BSWAP16) X(BSWAP32) X(BSWAP64)                \
	X(LDDW)                                                             \
	ENG_LDX_OPS(ENG_LDX_ID_, X)                                         \
	X(STB) X(STH) X(STW) X(STDW) X(STXB) X(STXH) X(STXW) X(STXDW)       \
	ENG_ATOMIC_OPS(ENG_W_DW, X)                                         \
	X(NOP) X(JA)                                                        \
	ENG_JMP_CONDS(ENG_FOUR, X)                                          \
	X(CALL) X(CALL_LOCAL) X(CALLX) X(EXIT)                              \
	X(TAIL_CALL) /* call 12 to the built-in bpf_tail_call */           \
	X(LDABSB) X(LDABSH) X(LDABSW) X(LDINDB) X(LDINDH) X(LDINDW)         \
	X(CORE_POISON) /* call 0xbad2310: a failed CO-RE relocation */

/* Fused handlers, which only the fast variant has (fuse.c picks them):
 * X(id, the op of the first slot it covers). The other variants count or
 * check every instruction, so they run a fused slot as that first op and
 * go on into the following slots, which keep their own ops. */
#define ENG_FUSED_FOUR_(X, p, op)                                           \
	X(p##op##64K, op##64K) X(p##op##64X, op##64X)                        \
	X(p##op##32K, op##32K) X(p##op##32X, op##32X)
#define ENG_FUSED_PJMP_(X, op) ENG_FUSED_FOUR_(X, PJ_, op)
#define ENG_FUSED_PALU_(X, op) ENG_FUSED_FOUR_(X, P_, op)
#define ENG_FUSED_ADDK_(X, op) X(ADDK_##op, ADD64K)
#define ENG_FUSED_ADD3_(X, op, T) X(ADD3_##op, MOV64X)
#define ENG_FUSED_OPS(X)                                                    \
	X(ADD3, MOV64X)       /* mov d, a; add d, b */                      \
	ENG_LDX_OPS(ENG_FUSED_ADD3_, X) /* ... then a load through d */     \
	ENG_JMP_CONDS(ENG_FUSED_ADDK_, X) /* add d, K; jcc d, K */          \
	ENG_JMP_CONDS(ENG_FUSED_PJMP_, X) /* a jump over a skipped run */   \
	ENG_PRED_BINOPS(ENG_FUSED_PALU_, X) /* an insn of a skipped run */  \
	ENG_DSPEC_OPS(ENG_DSPEC_OP_ID_, X) /* one per destination */       \
	ENG_LDX_OPS(ENG_DSPEC_LDX_ID_, X)

/* Destination-specialised handlers (fast variant, picked by fuse.c): the
 * hottest single instructions get one handler per destination register,
 * so R[dst] is at a constant offset from the stack pointer. That takes an
 * indexed load off every step, and lets the CPU forward a register's
 * value from one handler's store to the next one's load by its address
 * (memory renaming on recent AMD and Intel cores). Only r0-r9: r10 is
 * never a destination. ENG_DREGS(F, args) is F(args, n) for each. */
#define ENG_DREG_COUNT 10
#define ENG_DREGS(F, ...)                                                   \
	F(__VA_ARGS__, 0) F(__VA_ARGS__, 1) F(__VA_ARGS__, 2)               \
	F(__VA_ARGS__, 3) F(__VA_ARGS__, 4) F(__VA_ARGS__, 5)               \
	F(__VA_ARGS__, 6) F(__VA_ARGS__, 7) F(__VA_ARGS__, 8)               \
	F(__VA_ARGS__, 9)
/* (family, op, form): the handlers that get them; every load does too.
 * Not the jumps: specialised, they made log2 (data-dependent jumps) a
 * third slower, likely by how their branches share predictor entries. */
#define ENG_DSPEC_OPS(F, X)                                                 \
	F(X, ALU, MOV, 64X) F(X, ALU, MOV, 64K) F(X, ALU, ADD, 64X)         \
	F(X, ALU, ADD, 64K) F(X, ALU, SUB, 64X) F(X, ALU, OR, 64X)          \
	F(X, ALU, OR, 64K) F(X, ALU, AND, 64X) F(X, ALU, AND, 64K)          \
	F(X, ALU, XOR, 64X) F(X, ALU, LSH, 64K) F(X, ALU, RSH, 64K)         \
	F(X, ALU, MOV, 32K) F(X, ALU, MOV, 32X) F(X, ALU, AND, 32K)         \
	F(X, ALU, ADD, 32K)
#define ENG_DSPEC_ID_(X, id, d) X(id##_R##d, id)
#define ENG_DSPEC_OP_ID_(X, fam, op, form)                                  \
	ENG_DREGS(ENG_DSPEC_ID_, X, op##form)
#define ENG_DSPEC_LDX_ID_(X, op, T) ENG_DREGS(ENG_DSPEC_ID_, X, op)

#define ENG_OP_ENUM_(name) ENG_OP_##name,
#define ENG_FUSED_ENUM_(name, first) ENG_OP_##name,
enum eng_op {
	ENG_OPS(ENG_OP_ENUM_) ENG_FUSED_OPS(ENG_FUSED_ENUM_) ENG_OP_COUNT
};

#endif
