/* A 64-case switch on a selector byte, once per byte of a 256-byte input:
 * BPF has no indirect jump, so clang lowers the switch to a tree of
 * compares; native code uses a jump table. */
#include "bench_prog.h"

#define SWITCH_STEPS 256

/* Per-case constants, different in every case. */
#define K(n) (0x9e3779b97f4a7c15ull * ((n) + 1))
#define S(n) ((n) % 29 + 1)

/* Eight different kinds of operation, so no two neighbouring cases share a
 * shape: compilers merge same-shaped cases into a lookup table, which for
 * BPF would be a .rodata relocation (and no longer a switch). */
#define CASES8(n)                                                    \
	case (n) + 0: acc += K(n); break;                            \
	case (n) + 1: acc ^= K(n + 1); break;                        \
	case (n) + 2: acc *= K(n + 2) | 1; break;                    \
	case (n) + 3: acc = (acc << S(n)) | (acc >> (64 - S(n))); break; \
	case (n) + 4: acc -= acc >> S(n + 4); break;                 \
	case (n) + 5: acc = ~acc + K(n + 5); break;                  \
	case (n) + 6: acc ^= acc << S(n + 6); break;                 \
	case (n) + 7: acc += (acc >> S(n + 7)) ^ K(n + 7); break;

SEC("xdp")
__u64 bench_prog(void *mem, __u64 len)
{
	const __u8 *sel = mem;
	__u64 acc = 1;

	if (len < SWITCH_STEPS)
		return 0;
	for (int i = 0; i < SWITCH_STEPS; i++) {
		switch (sel[i] & 63) {
		CASES8(0)
		CASES8(8)
		CASES8(16)
		CASES8(24)
		CASES8(32)
		CASES8(40)
		CASES8(48)
		CASES8(56)
		}
	}
	return acc;
}
