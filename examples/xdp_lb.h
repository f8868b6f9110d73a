/* What the XDP load balancer (xdp_lb.bpf.c) shares with user space. */
#ifndef EXAMPLES_XDP_LB_H
#define EXAMPLES_XDP_LB_H

#include <linux/types.h>

#define LB_MAX_BACKENDS 8

/* A real server behind the virtual IP: where a flow's packets go. */
struct lb_backend {
	__be32 ip;		/* new destination address */
	__u8 mac[6];		/* new destination MAC */
	__u16 pad;
};

/* Slots of the `lb_stages` program array. */
enum lb_stage {
	LB_STAGE_TCP = 0,
	LB_STAGE_UDP = 1,
	LB_STAGE_MAX,
};

/* Per-CPU counters (`lb_stats`): one per backend, then these. */
enum lb_stat {
	LB_STAT_NOT_VIP = LB_MAX_BACKENDS,	/* passed: not for the VIP */
	LB_STAT_NO_STAGE,			/* tail call failed */
	LB_STAT_MAX,
};

#endif
