/* The skb helper group's pieces in helpers_csum.c (the checksum
 * rewrites) and helpers_skb_room.c (adjust_room, VLAN tags) and
 * helpers_skb_redirect.c (redirect_peer / _neigh), listed in
 * helpers_skb.c's table. */
#ifndef BPFVM_HELPERS_SKB_HELPERS_H
#define BPFVM_HELPERS_SKB_HELPERS_H

#include <stdint.h>

struct bpfvm_run;

/* Each has a helper's signature (bpfvm_helper_fn's). */
typedef uint64_t hlp_skb_helper(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run);

hlp_skb_helper hlp_l3_csum_replace, hlp_l4_csum_replace;
hlp_skb_helper hlp_skb_adjust_room, hlp_skb_vlan_push, hlp_skb_vlan_pop;
hlp_skb_helper hlp_redirect_peer, hlp_redirect_neigh;

#endif
