/* Placeholder: being written (issue 6). */
#include "progtypes/progtype.h"

const struct pt_ops pt_socket_filter_ops = {
	.type = BPF_PROG_TYPE_SOCKET_FILTER,
	.name = "socket_filter",
};
