/* ALU semantics, the kernel's exactly: division by zero gives 0, modulo by
 * zero leaves dst alone, INT_MIN / -1 stays INT_MIN, INT_MIN % -1 is 0 (no
 * operation here can trap), shift counts are masked to the width. Named
 * eng_alu<width>_<OP> to match the handler ids in ops.h. The 32-bit forms
 * return 32 bits; the caller zero-extends. */
#ifndef BPFVM_ENGINE_ALU_H
#define BPFVM_ENGINE_ALU_H

#include <stdbool.h>
#include <stdint.h>

#define ENG_ALU_DEFS_(W, U, S)                                              \
	static inline U eng_alu##W##_ADD(U a, U b) { return a + b; }        \
	static inline U eng_alu##W##_SUB(U a, U b) { return a - b; }        \
	static inline U eng_alu##W##_MUL(U a, U b) { return a * b; }        \
	static inline U eng_alu##W##_OR(U a, U b) { return a | b; }         \
	static inline U eng_alu##W##_AND(U a, U b) { return a & b; }        \
	static inline U eng_alu##W##_XOR(U a, U b) { return a ^ b; }        \
	static inline U eng_alu##W##_MOV(U a, U b) { (void)a; return b; }   \
	static inline U eng_alu##W##_LSH(U a, U b)                          \
	{                                                                   \
		return a << (b & (W - 1));                                  \
	}                                                                   \
	static inline U eng_alu##W##_RSH(U a, U b)                          \
	{                                                                   \
		return a >> (b & (W - 1));                                  \
	}                                                                   \
	static inline U eng_alu##W##_ARSH(U a, U b)                         \
	{                                                                   \
		return (U)((S)a >> (b & (W - 1))); /* gcc: arithmetic */    \
	}                                                                   \
	static inline U eng_alu##W##_DIV(U a, U b)                          \
	{                                                                   \
		return b ? a / b : 0;                                       \
	}                                                                   \
	static inline U eng_alu##W##_MOD(U a, U b)                          \
	{                                                                   \
		return b ? a % b : a;                                       \
	}                                                                   \
	static inline U eng_alu##W##_SDIV(U a, U b)                         \
	{                                                                   \
		if (!b)                                                     \
			return 0;                                           \
		if ((S)b == -1) /* MIN / -1 overflows: negate, wrapping */  \
			return -a;                                          \
		return (U)((S)a / (S)b);                                    \
	}                                                                   \
	static inline U eng_alu##W##_SMOD(U a, U b)                         \
	{                                                                   \
		if (!b)                                                     \
			return a;                                           \
		if ((S)b == -1) /* MIN % -1 overflows; x % -1 is 0 */       \
			return 0;                                           \
		return (U)((S)a % (S)b);                                    \
	}

ENG_ALU_DEFS_(64, uint64_t, int64_t)
ENG_ALU_DEFS_(32, uint32_t, int32_t)

/* Jump conditions, eng_jmp<width>_<OP>: JMP32 compares the low 32 bits,
 * signed conditions as s32. */
#define ENG_JMP_DEF_(W, U, S, op, expr)                                     \
	static inline bool eng_jmp##W##_##op(U a, U b)                      \
	{                                                                   \
		S sa = (S)a, sb = (S)b;                                     \
		(void)sa, (void)sb;                                         \
		return expr;                                                \
	}
#define ENG_JMP_DEFS_(W, U, S)                                              \
	ENG_JMP_DEF_(W, U, S, JEQ, a == b)                                  \
	ENG_JMP_DEF_(W, U, S, JNE, a != b)                                  \
	ENG_JMP_DEF_(W, U, S, JGT, a > b)                                   \
	ENG_JMP_DEF_(W, U, S, JGE, a >= b)                                  \
	ENG_JMP_DEF_(W, U, S, JLT, a < b)                                   \
	ENG_JMP_DEF_(W, U, S, JLE, a <= b)                                  \
	ENG_JMP_DEF_(W, U, S, JSET, (a & b) != 0)                           \
	ENG_JMP_DEF_(W, U, S, JSGT, sa > sb)                                \
	ENG_JMP_DEF_(W, U, S, JSGE, sa >= sb)                               \
	ENG_JMP_DEF_(W, U, S, JSLT, sa < sb)                                \
	ENG_JMP_DEF_(W, U, S, JSLE, sa <= sb)

ENG_JMP_DEFS_(64, uint64_t, int64_t)
ENG_JMP_DEFS_(32, uint32_t, int32_t)

#endif
