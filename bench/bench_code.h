/* One benchmark program in its three compiled forms, as the build made them
 * from bench/progs/<name>.c (see bpf_embed.cmake). */
#ifndef BENCH_CODE_H
#define BENCH_CODE_H

#include <stddef.h>
#include <linux/types.h>

/* The program's entry, natively compiled: same convention as the BPF one. */
typedef __u64 (*bench_native_fn)(void *mem, __u64 len);

struct bench_code {
	const char *name;
	const unsigned char *bpf;	/* struct bpf_insn, as clang wrote them */
	size_t bpf_size;		/* bytes, a multiple of 8 */
	bench_native_fn native_scalar;	/* gcc -O2 -fno-tree-vectorize */
	bench_native_fn native_o2;	/* gcc -O2 */
};

#endif
