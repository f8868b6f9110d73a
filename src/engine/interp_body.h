/* The interpreter, compiled once per variant by interp.c with:
 *   INTERP_FN       the function's name
 *   INTERP_COUNTED  count executed instructions against run->budget
 *   INTERP_CHECKED  bounds-check every load, store and atomic
 *   INTERP_FUSED    run fused slots as one (interp_fused.h); otherwise a
 *                   fused slot runs as its first instruction alone
 * Threaded dispatch: each handler ends by jumping straight to the next
 * instruction's handler through the label table. */

int INTERP_FN(struct bpfvm_run *run, uint64_t *r0_out)
{
#define LABEL_ADDR_(name) [ENG_OP_##name] = &&L_##name,
#if INTERP_FUSED
#define FUSED_ADDR_(name, first) [ENG_OP_##name] = &&L_##name,
#else
#define FUSED_ADDR_(name, first) [ENG_OP_##name] = &&L_##first,
#endif
	static const void *const labels[ENG_OP_COUNT] = {
		ENG_OPS(LABEL_ADDR_) ENG_FUSED_OPS(FUSED_ADDR_)
	};
#undef LABEL_ADDR_
#undef FUSED_ADDR_
	/* The running program: a tail call replaces it, a call saves it. */
	const struct eng_code *code = run->code;
	const struct eng_insn *base = code->insns;
	const struct eng_insn *ip = base, *target;
	/* Uninitialised like a real stack: reading it before writing is a
	 * program bug, and clearing 4 KiB per run costs more than short
	 * programs take to run. */
	uint64_t stack[BPFVM_MAX_CALL_DEPTH * BPFVM_STACK_SIZE / 8];
	uint64_t stack_hi = (uintptr_t)(stack + ENG_ARRAY_SIZE(stack));
	struct eng_frame frames[BPFVM_MAX_CALL_DEPTH];
	/* frames pushed by calls (the main one is not); a callback's nested
	 * run starts at its caller's depth + 1 and returns at that depth */
	unsigned depth = 0, depth0 = 0;
	/* r0-r9 start at 0, r10 below: zeroing 80 bytes (not 88) keeps the
	 * compiler on vector stores rather than a slow-starting rep stos */
	uint64_t R[11] __attribute__((aligned(16)));
#if INTERP_FUSED
	uint64_t skip = 0; /* all ones while a skipped run's jump is taken */
#endif
	bpfvm_helper_fn fn;
	int err = 0;
#if INTERP_COUNTED
	uint64_t left = run->budget;
#define COUNT_STEP()                                                        \
	do {                                                                \
		if (eng_unlikely(left-- == 0))                              \
			goto budget_exceeded;                               \
	} while (0)
#else
#define COUNT_STEP() do { } while (0)
#endif
#if INTERP_CHECKED
#define MEM(reg, size, write, atomic)                                       \
	({                                                                  \
		uint64_t a_ = R[reg] + ip->off;                             \
		err = eng_check_access(run, ip - base, a_, size, write,     \
				       atomic, R[10] - BPFVM_STACK_SIZE,    \
				       stack_hi);                           \
		if (eng_unlikely(err))                                      \
			goto out;                                           \
		(void *)(uintptr_t)a_;                                      \
	})
#else
#define MEM(reg, size, write, atomic) ((void *)(uintptr_t)(R[reg] + ip->off))
#endif
#define DISPATCH()                                                          \
	do {                                                                \
		COUNT_STEP();                                               \
		goto *labels[ip->op];                                       \
	} while (0)
#define NEXT()                                                              \
	do {                                                                \
		ip++;                                                       \
		DISPATCH();                                                 \
	} while (0)
#define DST R[ip->dst]
#define SRC R[ip->src]
#define IMM64 ((uint64_t)(int64_t)ip->imm)
#define IMM32 ((uint32_t)ip->imm)

	memset(R, 0, 10 * sizeof(R[0]));
	if (eng_unlikely(run->cb_req != NULL)) {
		/* A callback (eng_run_callback): the caller's stack, frames
		 * and budget go on. */
		const struct eng_cb_req *cb = run->cb_req;

		run->cb_req = NULL;
		code = cb->code;
		base = code->insns;
		ip = cb->entry;
		memcpy(&R[1], cb->args, 5 * sizeof(R[0]));
		R[10] = cb->r10;
		stack_hi = run->stack_hi;
		depth = depth0 = cb->depth;
#if INTERP_COUNTED
		left = run->left;
#endif
	} else {
		R[1] = (uintptr_t)run->mem;
		R[2] = run->mem_len;
		R[10] = stack_hi;
		run->stack_hi = stack_hi;
	}
	DISPATCH();

	/* Handler bodies by destination register d (here ip->dst), shared
	 * with the destination-specialised handlers (interp_dspec.h); so are
	 * the jumps' JMP_<form>. */
#define ALU_64K(op, d) R[d] = eng_alu64_##op(R[d], IMM64)
#define ALU_64X(op, d) R[d] = eng_alu64_##op(R[d], SRC)
#define ALU_32K(op, d) R[d] = eng_alu32_##op((uint32_t)R[d], IMM32)
#define ALU_32X(op, d) R[d] = eng_alu32_##op((uint32_t)R[d], (uint32_t)SRC)
	/* memcpy: accesses may be unaligned; it compiles to one move. A
	 * signed T sign-extends on the way into the register. */
#define LDX(T, d)                                                           \
	do {                                                                \
		T v_;                                                       \
		memcpy(&v_, MEM(ip->src, sizeof(T), false, false), sizeof(T)); \
		R[d] = (uint64_t)v_;                                        \
	} while (0)

#define DEF_ALU(_, op)                                                      \
	L_##op##64K: ALU_64K(op, ip->dst); NEXT();                          \
	L_##op##64X: ALU_64X(op, ip->dst); NEXT();                          \
	L_##op##32K: ALU_32K(op, ip->dst); NEXT();                          \
	L_##op##32X: ALU_32X(op, ip->dst); NEXT();
	ENG_ALU_BINOPS(DEF_ALU, _)
#undef DEF_ALU

L_NEG64:	DST = -DST; NEXT();
L_NEG32:	DST = (uint32_t)-(uint32_t)DST; NEXT();
L_MOVSX8_64:	DST = (uint64_t)(int8_t)SRC; NEXT();
L_MOVSX16_64:	DST = (uint64_t)(int16_t)SRC; NEXT();
L_MOVSX32_64:	DST = (uint64_t)(int32_t)SRC; NEXT();
L_MOVSX8_32:	DST = (uint32_t)(int8_t)SRC; NEXT();
L_MOVSX16_32:	DST = (uint32_t)(int16_t)SRC; NEXT();
L_ZEXT16:	DST = (uint16_t)DST; NEXT();
L_ZEXT32:	DST = (uint32_t)DST; NEXT();
L_BSWAP16:	DST = __builtin_bswap16((uint16_t)DST); NEXT();
L_BSWAP32:	DST = __builtin_bswap32((uint32_t)DST); NEXT();
L_BSWAP64:	DST = __builtin_bswap64(DST); NEXT();
L_LDDW:		DST = ip->u64; ip += 2; DISPATCH();

#define DEF_LDX(_, name, T) L_##name: LDX(T, ip->dst); NEXT();
#define DEF_ST(name, T, value)                                              \
	L_##name: {                                                         \
		T v_ = (T)(value);                                          \
		memcpy(MEM(ip->dst, sizeof(T), true, false), &v_, sizeof(T)); \
		NEXT();                                                     \
	}
	ENG_LDX_OPS(DEF_LDX, _)
	DEF_ST(STB, uint8_t, ip->imm) DEF_ST(STH, uint16_t, ip->imm)
	DEF_ST(STW, uint32_t, ip->imm) DEF_ST(STDW, uint64_t, IMM64)
	DEF_ST(STXB, uint8_t, SRC) DEF_ST(STXH, uint16_t, SRC)
	DEF_ST(STXW, uint32_t, SRC) DEF_ST(STXDW, uint64_t, SRC)
#undef DEF_LDX
#undef DEF_ST

#define DEF_ATOMIC(_, op)                                                   \
	L_##op##W:                                                          \
		eng_atomicW_##op(MEM(ip->dst, 4, true, true), &SRC, &R[0]); \
		NEXT();                                                     \
	L_##op##DW:                                                         \
		eng_atomicDW_##op(MEM(ip->dst, 8, true, true), &SRC, &R[0]); \
		NEXT();
	ENG_ATOMIC_OPS(DEF_ATOMIC, _)
#undef DEF_ATOMIC

L_NOP:	NEXT();
L_JA:	ip += ip->off; NEXT();

#define JMP_TAKE(c) do { if (c) ip += ip->off; } while (0)
#define JMP_64K(op, d) JMP_TAKE(eng_jmp64_##op(R[d], IMM64))
#define JMP_64X(op, d) JMP_TAKE(eng_jmp64_##op(R[d], SRC))
#define JMP_32K(op, d) JMP_TAKE(eng_jmp32_##op((uint32_t)R[d], IMM32))
#define JMP_32X(op, d)                                                      \
	JMP_TAKE(eng_jmp32_##op((uint32_t)R[d], (uint32_t)SRC))
#define DEF_JMP(_, op)                                                      \
	L_##op##64K: JMP_64K(op, ip->dst); NEXT();                          \
	L_##op##64X: JMP_64X(op, ip->dst); NEXT();                          \
	L_##op##32K: JMP_32K(op, ip->dst); NEXT();                          \
	L_##op##32X: JMP_32X(op, ip->dst); NEXT();
	ENG_JMP_CONDS(DEF_JMP, _)
#undef DEF_JMP

L_CALL:
	fn = ip->fn;
call_helper:
	/* r1-r5 keep whatever they hold: the verifier makes them unreadable
	 * after a call, so nothing correct depends on them. Where the
	 * program is goes into the run first: a helper may call back into
	 * it (eng_run_callback). */
	run->cb_r10 = R[10];
	run->cb_depth = depth;
	run->cb_insn = (size_t)(ip - base);
#if INTERP_COUNTED
	run->left = left;
#endif
	R[0] = fn(R[1], R[2], R[3], R[4], R[5], run);
#if INTERP_COUNTED
	left = run->left;
#endif
	if (eng_unlikely(run->stopped)) {
		if (run->stopped != ENG_STOP) {
			err = run->abort_err;
			goto out;
		}
		R[0] = run->stop_r0;
		goto done;
	}
	NEXT();

L_TAIL_CALL: {
	/* bpf_tail_call: the target starts over in this frame with r1 (the
	 * context) as it is; failing, the call falls through with r0 as it
	 * was (the kernel's interpreter). */
	struct bpfvm_prog *t = eng_tail_call(run, ip - base, R[2], R[3], &err);

	if (eng_unlikely(err))
		goto out;
	if (!t)
		NEXT();
	code = eng_prog_code(t);
	base = ip = code->insns;
#if INTERP_FUSED
	skip = 0;
#endif
	DISPATCH();
}

	/* Legacy packet loads (ld_pkt.h): out of bounds, the whole run
	 * ends with r0 = 0, as a bpfvm_run_stop(run, 0) would. */
#define DEF_LDPKT(name, size, off)                                          \
	L_##name:                                                           \
		if (eng_unlikely(!eng_pkt_load(run, off, size, &R[0]))) {  \
			eng_pkt_stop(run);                                  \
			R[0] = 0;                                           \
			goto done;                                          \
		}                                                           \
		NEXT();
	DEF_LDPKT(LDABSB, 1, IMM32) DEF_LDPKT(LDABSH, 2, IMM32)
	DEF_LDPKT(LDABSW, 4, IMM32)
	DEF_LDPKT(LDINDB, 1, (uint32_t)SRC + IMM32)
	DEF_LDPKT(LDINDH, 2, (uint32_t)SRC + IMM32)
	DEF_LDPKT(LDINDW, 4, (uint32_t)SRC + IMM32)
#undef DEF_LDPKT

L_CORE_POISON:
	err = eng_fail_core_poison(run, ip - base);
	goto out;

L_CALL_LOCAL:
	target = ip + 1 + ip->off;
call_local:
#if INTERP_FUSED
	skip = 0; /* a stray callx into a skipped run runs it unskipped */
#endif
	if (eng_unlikely(depth + 1 >= BPFVM_MAX_CALL_DEPTH)) {
		err = eng_fail_depth(run, ip - base);
		goto out;
	}
	frames[depth].ret = ip + 1;
	frames[depth].code = code;
	memcpy(frames[depth].callee_saved, &R[6], sizeof(frames[0].callee_saved));
	depth++;
	R[10] -= BPFVM_STACK_SIZE;
	ip = target;
	DISPATCH();

L_CALLX: {
	/* A function's value is its decoded entry (see decode_lddw). */
	uint64_t v = DST, rel = v - (uintptr_t)base;

	if (rel < code->cnt * sizeof(*base) && rel % sizeof(*base) == 0) {
		target = base + rel / sizeof(*base);
		goto call_local;
	}
	fn = v <= BPFVM_HELPER_ID_MAX ?
		     bpfvm_helper_find(code->env, (uint32_t)v) : NULL;
	if (fn)
		goto call_helper;
	err = eng_fail_callx(run, ip - base, v);
	goto out;
}

L_EXIT:
	if (depth == depth0)
		goto done;
	depth--;
	ip = frames[depth].ret;
	code = frames[depth].code;
	base = code->insns;
	memcpy(&R[6], frames[depth].callee_saved, sizeof(frames[0].callee_saved));
	R[10] += BPFVM_STACK_SIZE;
	DISPATCH();

#if INTERP_FUSED
#include "engine/interp_fused.h"
#include "engine/interp_dspec.h"
#endif

L_INVALID:
L_LDDW_HI:
	err = eng_fail_invalid(run, ip - base);
	goto out;

#if INTERP_COUNTED
budget_exceeded:
	err = eng_fail_budget(run, ip - base);
	left = 0;
	goto out;
#endif
done:
	*r0_out = R[0];
out:
#if INTERP_COUNTED
	run->left = left;
	run->executed = run->budget - left;
#endif
	return err;
}

#undef COUNT_STEP
#undef MEM
#undef DISPATCH
#undef NEXT
#undef DST
#undef SRC
#undef IMM64
#undef IMM32
#undef ALU_64K
#undef ALU_64X
#undef ALU_32K
#undef ALU_32X
#undef LDX
#undef JMP_TAKE
#undef JMP_64K
#undef JMP_64X
#undef JMP_32K
#undef JMP_32X
