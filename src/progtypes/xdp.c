/* Placeholder: being written (issue 6). */
#include "progtypes/progtype.h"

const struct pt_ops pt_xdp_ops = {
	.type = BPF_PROG_TYPE_XDP,
	.name = "xdp",
};
