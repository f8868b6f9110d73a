/* The 10k-instruction program of zoo_big.bpf.c (the loader benchmark's
 * object), as macros the host tests expand too: 2000 unrolled steps of an
 * FNV-like mix, about five instructions each, no branches. */
#ifndef ZOO_BIG_H
#define ZOO_BIG_H

#include <linux/types.h>

#define ZB_STEP(h, i)                                                        \
	h = (h ^ (__u64)(i)) * 0x100000001b3ULL;                             \
	h += h >> ((i) % 29 + 3);
#define ZB_10(h, b)                                                          \
	ZB_STEP(h, (b) * 10 + 0) ZB_STEP(h, (b) * 10 + 1)                    \
	ZB_STEP(h, (b) * 10 + 2) ZB_STEP(h, (b) * 10 + 3)                    \
	ZB_STEP(h, (b) * 10 + 4) ZB_STEP(h, (b) * 10 + 5)                    \
	ZB_STEP(h, (b) * 10 + 6) ZB_STEP(h, (b) * 10 + 7)                    \
	ZB_STEP(h, (b) * 10 + 8) ZB_STEP(h, (b) * 10 + 9)
#define ZB_100(h, b)                                                         \
	ZB_10(h, (b) * 10 + 0) ZB_10(h, (b) * 10 + 1) ZB_10(h, (b) * 10 + 2) \
	ZB_10(h, (b) * 10 + 3) ZB_10(h, (b) * 10 + 4) ZB_10(h, (b) * 10 + 5) \
	ZB_10(h, (b) * 10 + 6) ZB_10(h, (b) * 10 + 7) ZB_10(h, (b) * 10 + 8) \
	ZB_10(h, (b) * 10 + 9)
#define ZB_1000(h, b)                                                        \
	ZB_100(h, (b) * 10 + 0) ZB_100(h, (b) * 10 + 1)                      \
	ZB_100(h, (b) * 10 + 2) ZB_100(h, (b) * 10 + 3)                      \
	ZB_100(h, (b) * 10 + 4) ZB_100(h, (b) * 10 + 5)                      \
	ZB_100(h, (b) * 10 + 6) ZB_100(h, (b) * 10 + 7)                      \
	ZB_100(h, (b) * 10 + 8) ZB_100(h, (b) * 10 + 9)

static inline __attribute__((always_inline)) __u64 zoo_big_calc(__u64 h)
{
	ZB_1000(h, 0)
	ZB_1000(h, 1)
	return h;
}

#endif
