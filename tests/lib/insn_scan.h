/* Questions tests ask about a program's instructions. */
#ifndef BPFVM_TESTS_INSN_SCAN_H
#define BPFVM_TESTS_INSN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

/* Does the program call a helper by id? (Such programs depend on what the
 * helper is, so differential tests and fuzzers treat them apart.) */
bool insn_scan_calls_helper(const struct bpf_insn *insns, size_t cnt);

#endif
