/* Atomic instructions on W (32-bit) and DW words, eng_atomic<width>_<OP>.
 * Maps will be shared across threads, so these are real atomics. FETCH
 * forms put the old value in src (zero-extended for W); CMPXCHG compares
 * with r0 (its low 32 bits for W) and leaves the old value in r0. */
#ifndef BPFVM_ENGINE_ATOMIC_H
#define BPFVM_ENGINE_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#define ENG_ATOMIC_RMW_(W, U, OP, builtin)                                  \
	static inline void eng_atomic##W##_A##OP(void *p, uint64_t *src,    \
						 uint64_t *r0)              \
	{                                                                   \
		(void)r0;                                                   \
		builtin((U *)p, (U)*src, __ATOMIC_RELAXED);                 \
	}                                                                   \
	static inline void eng_atomic##W##_AF##OP(void *p, uint64_t *src,   \
						  uint64_t *r0)             \
	{                                                                   \
		(void)r0;                                                   \
		*src = builtin((U *)p, (U)*src, __ATOMIC_SEQ_CST);          \
	}

#define ENG_ATOMIC_DEFS_(W, U)                                              \
	ENG_ATOMIC_RMW_(W, U, ADD, __atomic_fetch_add)                      \
	ENG_ATOMIC_RMW_(W, U, OR, __atomic_fetch_or)                        \
	ENG_ATOMIC_RMW_(W, U, AND, __atomic_fetch_and)                      \
	ENG_ATOMIC_RMW_(W, U, XOR, __atomic_fetch_xor)                      \
	static inline void eng_atomic##W##_AXCHG(void *p, uint64_t *src,    \
						 uint64_t *r0)              \
	{                                                                   \
		(void)r0;                                                   \
		*src = __atomic_exchange_n((U *)p, (U)*src,                 \
					   __ATOMIC_SEQ_CST);               \
	}                                                                   \
	static inline void eng_atomic##W##_ACMPXCHG(void *p, uint64_t *src, \
						    uint64_t *r0)           \
	{                                                                   \
		U old = (U)*r0; /* updated to the old value on failure */   \
		__atomic_compare_exchange_n((U *)p, &old, (U)*src, false,   \
					    __ATOMIC_SEQ_CST,               \
					    __ATOMIC_SEQ_CST);              \
		*r0 = old;                                                  \
	}

ENG_ATOMIC_DEFS_(W, uint32_t)
ENG_ATOMIC_DEFS_(DW, uint64_t)

#endif
