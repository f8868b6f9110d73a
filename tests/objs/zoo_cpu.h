/* The computation of zoo_cpu.cpuv.bpf.c, shared with the host tests that
 * check its result (the host's compiler gives the expected value). Its
 * shapes compile differently per -mcpu: 32-bit compares (jmp32 from v3),
 * atomics with fetch (v3), sign-extending loads and moves, byte swaps and
 * signed division (v4 with clang-19). */
#ifndef ZOO_CPU_H
#define ZOO_CPU_H

#include <linux/types.h>

struct zoo_cpu_in {
	__s64 a;
	__s64 b;
	__s8 c;
	__s16 d;
	__s32 e;
	__u64 f;
	__u64 cell;	/* the atomics' target */
};

/* clang 14 says nothing of -mcpu: the build defines BPFVM_OBJ_MCPU_vN. */
#if !defined(BPFVM_OBJ_MCPU_v1) && !defined(BPFVM_OBJ_MCPU_v2)
#define ZOO_FETCH_ADD(p, v) __sync_fetch_and_add((p), (v))
#define ZOO_FETCH_OR(p, v) __sync_fetch_and_or((p), (v))
#define ZOO_XCHG(p, v) __sync_lock_test_and_set((p), (v))
#define ZOO_CMPXCHG(p, o, n) __sync_val_compare_and_swap((p), (o), (n))
#else
/* v1 / v2 have only XADD without a result: the same values, unlocked. */
static inline __u64 zoo_fetch_add(__u64 *p, __u64 v)
{
	__u64 old = *p;

	__sync_fetch_and_add(p, v);
	return old;
}
static inline __u64 zoo_fetch_or(__u64 *p, __u64 v)
{
	__u64 old = *p;

	*p = old | v;
	return old;
}
static inline __u64 zoo_xchg(__u64 *p, __u64 v)
{
	__u64 old = *p;

	*p = v;
	return old;
}
static inline __u64 zoo_cmpxchg(__u64 *p, __u64 o, __u64 n)
{
	__u64 old = *p;

	if (old == o)
		*p = n;
	return old;
}
#define ZOO_FETCH_ADD(p, v) zoo_fetch_add((p), (v))
#define ZOO_FETCH_OR(p, v) zoo_fetch_or((p), (v))
#define ZOO_XCHG(p, v) zoo_xchg((p), (v))
#define ZOO_CMPXCHG(p, o, n) zoo_cmpxchg((p), (o), (n))
#endif

/* Signed division: a real sdiv only from v4; before, the same quotient
 * (C truncates toward zero) from unsigned division. */
static inline __s64 zoo_sdiv(__s64 a, __s64 b)
{
#if !defined(__bpf__) || defined(__BPF_FEATURE_SDIV_SMOD)
	return a / b;
#else
	__u64 ua = a < 0 ? -(__u64)a : (__u64)a;
	__u64 ub = b < 0 ? -(__u64)b : (__u64)b;
	__u64 q = ua / ub;

	return (a < 0) != (b < 0) ? -(__s64)q : (__s64)q;
#endif
}

static inline __s64 zoo_smod(__s64 a, __s64 b)
{
	return a - zoo_sdiv(a, b) * b;
}

static inline __u64 zoo_cpu_calc(struct zoo_cpu_in *in)
{
	__u64 h = 0, old;
	__s64 sa = in->a, sb = in->b | 1;	/* never divide by 0 */
	__s32 e = in->e;

	/* 32-bit compares and sign extension of narrow values */
	if (e < (__s32)in->c)
		h += 1;
	if ((__u32)e > (__u32)in->d)
		h += 2;
	if (in->d < -5)
		h += 4;
	h += (__s64)in->c * 3 + (__s64)in->d * 5 + (__s64)e;
	h ^= (__u64)(__s64)(__s32)(in->f & 0xffffffffu);
	/* signed division and modulo */
	h += (__u64)zoo_sdiv(sa, sb);
	h ^= (__u64)zoo_smod(sa, sb) << 7;
	h += (__u64)zoo_sdiv((__s32)in->e, -7);
	/* byte swaps */
	h += __builtin_bswap64(in->f);
	h ^= __builtin_bswap32((__u32)in->f);
	h += __builtin_bswap16((__u16)in->d);
	/* atomics on memory the caller gave */
	old = ZOO_FETCH_ADD(&in->cell, 10);
	h += old;
	old = ZOO_FETCH_OR(&in->cell, 0x100);
	h ^= old << 1;
	old = ZOO_XCHG(&in->cell, in->f);
	h += old;
	old = ZOO_CMPXCHG(&in->cell, in->f, 77);
	h += old + in->cell;
	return h;
}

#endif
