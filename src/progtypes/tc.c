/* Placeholder: being written (issue 6). */
#include "progtypes/progtype.h"

const struct pt_ops pt_sched_cls_ops = {
	.type = BPF_PROG_TYPE_SCHED_CLS,
	.name = "sched_cls",
};

const struct pt_ops pt_sched_act_ops = {
	.type = BPF_PROG_TYPE_SCHED_ACT,
	.name = "sched_act",
};
