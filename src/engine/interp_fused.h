/* The fast variant's fused handlers (ids in ops.h, picked by fuse.c),
 * included into its body. Each runs several slots in one dispatch and
 * keeps the value one slot hands the next in a machine register, not in
 * R[]: a store and a reload of R[] costs a store-to-load forwarding delay
 * on every dependent step. */

	/* mov d, a; add d, b (b != d) */
L_ADD3:	DST = SRC + R[ip[1].src]; ip += 2; DISPATCH();

	/* mov d, a; add d, b; ldx x, [d + off] */
#define DEF_ADD3_LDX(_, name, T)                                            \
	L_ADD3_##name: {                                                    \
		uint64_t a_ = SRC + R[ip[1].src];                           \
		T v_;                                                       \
		DST = a_;                                                   \
		memcpy(&v_, (void *)(uintptr_t)(a_ + ip[2].off), sizeof(T)); \
		R[ip[2].dst] = (uint64_t)v_;                                \
		ip += 3;                                                    \
		DISPATCH();                                                 \
	}
	ENG_LDX_OPS(DEF_ADD3_LDX, _)
#undef DEF_ADD3_LDX

	/* add d, K; j<op> d, K2, off: a loop counter's step and test */
#define DEF_ADDK_JMP(_, op)                                                 \
	L_ADDK_##op: {                                                      \
		uint64_t v_ = DST + IMM64;                                  \
		DST = v_;                                                   \
		ip++;                                                       \
		if (eng_jmp64_##op(v_, IMM64))                              \
			ip += ip->off;                                      \
		NEXT();                                                     \
	}
	ENG_JMP_CONDS(DEF_ADDK_JMP, _)
#undef DEF_ADDK_JMP

	/* A conditional jump over a run of ALU instructions (if-conversion):
	 * the jump only records whether it is taken, the run computes every
	 * result and keeps the old value where the jump would have skipped
	 * it. Data-dependent jumps mispredict half the time; this has no
	 * branch to mispredict, and the next handler is always the same. */
#define DEF_PJMP(_, op)                                                     \
	L_PJ_##op##64K: skip = -(uint64_t)eng_jmp64_##op(DST, IMM64); NEXT(); \
	L_PJ_##op##64X: skip = -(uint64_t)eng_jmp64_##op(DST, SRC); NEXT();   \
	L_PJ_##op##32K:                                                     \
		skip = -(uint64_t)eng_jmp32_##op((uint32_t)DST, IMM32);     \
		NEXT();                                                     \
	L_PJ_##op##32X:                                                     \
		skip = -(uint64_t)eng_jmp32_##op((uint32_t)DST,             \
						 (uint32_t)SRC);            \
		NEXT();
	ENG_JMP_CONDS(DEF_PJMP, _)
#undef DEF_PJMP

#define PRED_SET(v) (DST = (DST & skip) | ((v) & ~skip))
#define DEF_PALU(_, op)                                                     \
	L_P_##op##64K: PRED_SET(eng_alu64_##op(DST, IMM64)); NEXT();        \
	L_P_##op##64X: PRED_SET(eng_alu64_##op(DST, SRC)); NEXT();          \
	L_P_##op##32K:                                                      \
		PRED_SET((uint64_t)eng_alu32_##op((uint32_t)DST, IMM32));   \
		NEXT();                                                     \
	L_P_##op##32X:                                                      \
		PRED_SET((uint64_t)eng_alu32_##op((uint32_t)DST,            \
						  (uint32_t)SRC));          \
		NEXT();
	ENG_PRED_BINOPS(DEF_PALU, _)
#undef DEF_PALU
#undef PRED_SET
