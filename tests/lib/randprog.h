/* A seeded generator of random, terminating BPF programs for differential
 * testing (bpfvm against the kernel now, the interpreter against the JIT
 * later). Programs follow the conformance convention: r1 = memory of
 * mem_len bytes, r2 = mem_len; they return r0 and may write the memory.
 *
 * What comes out, and why it is shaped so:
 * - straight-line ALU/ALU64 code in every operation, K and X forms, both
 *   widths, with the ISA v4 sdiv/smod, movsx, bswap when opts.v4;
 * - forward branches (conditional skips and if/else diamonds through
 *   every JMP and JMP32 condition, plus ja and, with v4, gotol), so every
 *   instruction is reachable (the verifier rejects unreachable code), and
 *   with opts.loops bounded backward loops: a callee-saved counter the
 *   body never touches runs 1-4 times, so every program terminates;
 * - shifts through a register by 0, 31, 32, 63, 64, 65 and -1, and
 *   division and modulo through a register by 0 and -1, often of INT_MIN
 *   (the cases x86 masks differently or traps on);
 * - loads (plain and, with v4, sign-extending), stores and atomics of
 *   every size to the memory through r1 with constant in-bounds offsets,
 *   and to the stack through r10 at aligned offsets (the verifier requires
 *   aligned stack access and rejects atomics on packet memory, so memory
 *   atomics need opts.mem_atomics);
 * - every register a function reads is written first and its stack area
 *   is initialised first (the kernel's and bpfvm's uninitialised values
 *   would differ); shift immediates stay below the operand width and
 *   division immediates are non-zero (the verifier rejects both);
 * - r1 stays the memory pointer (no pointer arithmetic) and is never read
 *   as a value; a function that calls keeps a copy (main in r9, a
 *   subprogram in r6) to restore r1 after each call, and r2-r5 get fresh
 *   values after it; subprograms call later subprograms with
 *   opts.nested_calls (and themselves with opts.recursion, which ends in
 *   the call depth limit when taken);
 * - bpfvm-only extras the kernel cannot load: helper calls by id
 *   (opts.helpers), callx to subprograms (ld_imm64 src=BPF_PSEUDO_FUNC)
 *   and to helper ids (opts.callx); a function's address never reaches r0
 *   or memory, so results do not depend on the engine's code layout;
 * - with opts.stray_pct, that percentage of memory accesses lands just
 *   outside the memory or above main's stack frame: for checked runs, which
 *   must stop there with -EFAULT.
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
	bool nested_calls;	/* subprograms call later subprograms */
	bool loops;		/* bounded backward loops */
	/* bpfvm only (the kernel cannot load these): */
	bool recursion;		/* subprograms may call themselves */
	bool callx;		/* callx to subprograms and helper ids */
	const uint32_t *helpers;/* helper ids to call (r1-r5 scalars) */
	unsigned nhelpers;
	unsigned stray_pct;	/* out-of-bounds accesses, in percent */
};

/* Defaults: 64 bytes of memory, ~48 instructions, v4, calls, nested calls,
 * loops and cmpxchg on; nothing the kernel cannot load. */
void randprog_default_opts(struct randprog_opts *opts);

/* Generate program number `seed`. *insns is malloc'ed; returns 0 or
 * -ENOMEM. */
int randprog_generate(uint64_t seed, const struct randprog_opts *opts,
		      struct bpf_insn **insns, size_t *cnt);

/* Fill memory with bytes derived from `seed` (mixing in values such as
 * 0, 0xff.. and sign boundaries that make comparisons interesting). */
void randprog_fill_mem(uint64_t seed, uint8_t *mem, size_t len);

#endif
