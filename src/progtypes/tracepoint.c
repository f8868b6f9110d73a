/* Placeholder: being written (issue 6). */
#include "progtypes/progtype.h"

const struct pt_ops pt_tracepoint_ops = {
	.type = BPF_PROG_TYPE_TRACEPOINT,
	.name = "tracepoint",
};
