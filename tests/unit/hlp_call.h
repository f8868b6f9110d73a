/* Calling a built-in helper directly, as a program would, in tests. */
#ifndef BPFVM_TESTS_HLP_CALL_H
#define BPFVM_TESTS_HLP_CALL_H

#include <stdint.h>
#include <linux/bpf.h>
#include "helpers/helpers.h"

#define P(x) ((uint64_t)(uintptr_t)(x))
#define HCALL_MISSING 0xdead0000dead0000ull

/* The helper's r0, or HCALL_MISSING when id is not built in. */
static inline uint64_t hcall(uint32_t id, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct helper_def *d = helper_def_find(id);

	return d ? d->fn(r1, r2, r3, r4, r5, NULL) : HCALL_MISSING;
}

#define HCALL0(id) hcall(id, 0, 0, 0, 0, 0)

#endif
