/* The registry of program types. */
#include "progtypes/progtype.h"

static const struct pt_ops *const types[] = {
	&pt_xdp_ops,	      &pt_socket_filter_ops, &pt_sched_cls_ops,
	&pt_sched_act_ops,    &pt_tracepoint_ops,    &pt_raw_tracepoint_ops,
};

const struct pt_ops *pt_find(enum bpf_prog_type type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		/* a type without helper_ok is still being written */
		if (types[i]->type == type && types[i]->helper_ok)
			return types[i];
	return NULL;
}
