/* tc's redirects besides bpf_redirect (helpers_xdp.c): to a veth peer
 * and through the neighbour table. Both only record the decision
 * (progtypes/redirect.h) and return TC_ACT_REDIRECT, as the kernel's,
 * whose skb_do_redirect acts on it after the program; the record's flags
 * say which (the kernel's internal BPF_F_PEER / BPF_F_NEIGH /
 * BPF_F_NEXTHOP), for runners. */
#include <stdint.h>

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "helpers/skb_helpers.h"
#include "progtypes/redirect.h"

#define F_NEIGH (1ull << 1)
#define F_PEER (1ull << 2)
#define F_NEXTHOP (1ull << 3)

/* long bpf_redirect_peer(u32 ifindex, u64 flags): no flags allowed. */
uint64_t hlp_redirect_peer(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)r3, (void)r4, (void)r5, (void)run;
	if (r2)
		return TC_ACT_SHOT;
	pt_redirect_set(BPFVM_REDIRECT_DEV, (uint32_t)r1, F_PEER);
	return TC_ACT_REDIRECT;
}

/* long bpf_redirect_neigh(u32 ifindex, struct bpf_redir_neigh *params,
 * int plen, u64 flags): params whole or absent, no flags. */
uint64_t hlp_redirect_neigh(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	int32_t plen = (int32_t)r3;

	(void)r2, (void)r5, (void)run;
	if ((plen && plen < (int32_t)sizeof(struct bpf_redir_neigh)) || r4)
		return TC_ACT_SHOT;
	pt_redirect_set(BPFVM_REDIRECT_DEV, (uint32_t)r1,
			F_NEIGH | (plen ? F_NEXTHOP : 0));
	return TC_ACT_REDIRECT;
}
