/* A seeded generator of random, terminating BPF programs for differential
 * testing (bpfvm against the kernel now, the interpreter against the JIT
 * later). Programs follow the conformance convention: r1 = memory of
 * mem_len bytes, r2 = mem_len; they return r0 and may write the memory.
 *
 * What comes out, and why it is shaped so:
 * - straight-line ALU/ALU64 code in every operation, K and X forms, both
 *   widths, with the ISA v4 sdiv/smod, movsx, bswap when opts.v4;
 * - forward branches only (conditional skips and if/else diamonds through
 *   every JMP and JMP32 condition, plus ja and, with v4, gotol), so every
 *   program terminates and every instruction is reachable (the verifier
 *   rejects unreachable code);
 * - loads (plain and, with v4, sign-extending), stores and atomics of
 *   every size to the memory through r1 with constant in-bounds offsets,
 *   and to the stack through r10 at aligned offsets (the verifier requires
 *   aligned stack access and rejects atomics on packet memory, so memory
 *   atomics need opts.mem_atomics);
 * - every register a function reads is written first and its stack area
 *   is initialised first (the kernel's and bpfvm's uninitialised values
 *   would differ); shift immediates stay below the operand width and
 *   division immediates are non-zero (the verifier rejects both);
 * - r1 stays the memory pointer (no pointer arithmetic); with opts.calls
 *   main keeps a copy in r9 to restore r1 after each bpf-to-bpf call.
 *
 * The same seed and options always give the same program. */
#ifndef BPFVM_TESTS_RANDPROG_H
#define BPFVM_TESTS_RANDPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct randprog_opts {
	size_t mem_len;		/* bytes at r1; 0: no memory accesses */
	unsigned body_insns;	/* about this many instructions in main */
	bool v4;		/* sdiv/smod, movsx, ldsx, bswap, gotol */
	bool calls;		/* bpf-to-bpf subprograms */
	bool mem_atomics;	/* atomics on memory (kernel rejects them) */
	bool cmpxchg;		/* BPF_CMPXCHG among the atomics */
};

/* Defaults: 64 bytes of memory, ~48 instructions, v4, calls, cmpxchg on. */
void randprog_default_opts(struct randprog_opts *opts);

/* Generate program number `seed`. *insns is malloc'ed; returns 0 or
 * -ENOMEM. */
int randprog_generate(uint64_t seed, const struct randprog_opts *opts,
		      struct bpf_insn **insns, size_t *cnt);

/* Fill memory with bytes derived from `seed` (mixing in values such as
 * 0, 0xff.. and sign boundaries that make comparisons interesting). */
void randprog_fill_mem(uint64_t seed, uint8_t *mem, size_t len);

#endif
