/* How fast the JIT compiles: a program of about a million instructions
 * in a realistic mix (tests/lib/randprog), against the JIT issue's goal
 * of 50 million BPF instructions per second. */
#ifndef BENCH_COMPILE_SPEED_H
#define BENCH_COMPILE_SPEED_H

#include <stdbool.h>
#include <stdio.h>

/* Print the section; false when the compile failed. quick: a smaller
 * program, for the smoke test. */
bool compile_speed_report(FILE *f, bool quick);

#endif
