/* Placeholder: being written (issue 6). */
#include "progtypes/progtype.h"

const struct pt_ops pt_raw_tracepoint_ops = {
	.type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.name = "raw_tracepoint",
};
