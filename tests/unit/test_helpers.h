/* Host helpers the unit tests register. */
#ifndef BPFVM_TESTS_TEST_HELPERS_H
#define BPFVM_TESTS_TEST_HELPERS_H

#include <bpfvm/env.h>

/* Weighs each argument by a power of ten, so a result shows which
 * register reached which parameter. */
static inline uint64_t test_helper_sum5(uint64_t a, uint64_t b, uint64_t c,
					uint64_t d, uint64_t e,
					struct bpfvm_run *run)
{
	(void)run;
	return a + 10 * b + 100 * c + 1000 * d + 10000 * e;
}

#endif
