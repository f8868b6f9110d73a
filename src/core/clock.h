/* A cheap monotonic clock for timing runs (BPF_PROG_TEST_RUN's
 * duration): clock_gettime costs ~40 ns under kvm-clock, as much as a
 * short program's run. On x86-64 with an invariant TSC (CPUID
 * 0x80000007 EDX bit 8: constant rate, running in every C-state) it is
 * rdtsc scaled by a factor calibrated once against CLOCK_MONOTONIC;
 * elsewhere CLOCK_MONOTONIC itself. */
#ifndef BPFVM_CORE_CLOCK_H
#define BPFVM_CORE_CLOCK_H

#include <stdint.h>

/* Nanoseconds from an arbitrary origin, never decreasing within a
 * thread. Only differences mean anything. Thread-safe; the first call
 * in the process calibrates (about a millisecond). */
uint64_t core_clock_ns(void);

#endif
