/* pt_prog_prepare (progtype.h) for given ops rather than a registered
 * type: what it runs, open to tests with ops of their own. */
#ifndef BPFVM_PROGTYPES_PT_PREPARE_H
#define BPFVM_PROGTYPES_PT_PREPARE_H

#include "progtypes/progtype.h"

int pt_prepare_ops(const struct pt_ops *ops, struct bpf_insn *xlated,
		   size_t cnt, uint32_t *ctx_used, char *log, size_t log_size);

#endif
