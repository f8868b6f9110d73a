/* Shared by every benchmark program. Each program is compiled twice from
 * the same source: by clang -target bpf into bytecode (for bpfvm and the
 * kernel), and by the host compiler as the native reference, so both sides
 * compute exactly the same thing.
 *
 * Calling convention (bpfvm's, and the kernel oracle's wrapper): one entry
 * function, r1 = memory, r2 = its length in bytes, result in r0. There are
 * no globals, maps or calls: everything is inlined, so the bytecode needs
 * no relocations (the build checks).
 *
 * Memory-safety idiom: every access is checked against `len` (bpfvm runs
 * the program on whatever the harness passes), and every loop is bounded by
 * a count derived from `len` and by a constant. In the kernel oracle's
 * wrapper r2 is a constant the verifier knows and the whole packet has been
 * bounds-checked before the call, so the same checks let the verifier prove
 * every access in range and every loop finite. (Comparing against
 * `end = mem + len` proves nothing to the verifier there: `end` is not its
 * packet-end pointer.) */
#ifndef BENCH_PROG_H
#define BENCH_PROG_H

#include <linux/bpf.h>
#include <linux/types.h>

#ifdef __bpf__
#define SEC(name) __attribute__((section(name), used))
#else
#define SEC(name)
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The entry point. The native builds give each copy its own symbol
 * (-Dbench_prog=bench_native_<variant>_<program>); for BPF the name is
 * irrelevant, only the "xdp" section's code is extracted. */
__u64 bench_prog(void *mem, __u64 len);

#endif
