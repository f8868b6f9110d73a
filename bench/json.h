/* JSON output shared by the benchmark programs. */
#ifndef BPFVM_BENCH_JSON_H
#define BPFVM_BENCH_JSON_H

#include <stdio.h>

/* s as a JSON string: quotes, backslashes and control characters escaped
 * (notes may quote a verifier's message). */
void bench_json_string(FILE *f, const char *s);

#endif
