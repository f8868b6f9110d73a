/* The test run of a program of no type (UNSPEC), and of types bpfvm has
 * no rules for (kprobe, ...): data_in as plain memory. */
#ifndef BPFVM_PROGTYPES_PLAIN_H
#define BPFVM_PROGTYPES_PLAIN_H

#include <bpfvm/test_run.h>

/* data_in copied into a buffer; r1 = the buffer (NULL when empty), r2 =
 * its length; data_out = the buffer after the last run. ctx_in is
 * refused (-EINVAL): the data is the program's only input. */
int pt_plain_test_run(struct bpfvm_prog *prog,
		      struct bpfvm_test_run_opts *opts);

#endif
