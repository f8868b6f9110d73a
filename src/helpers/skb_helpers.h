/* The skb helper group's pieces in helpers_csum.c (the checksum
 * rewrites) and helpers_skb_room.c (adjust_room, VLAN tags) and
 * helpers_skb_redirect.c (redirect_peer / _neigh), listed in
 * helpers_skb.c's table. */
#ifndef BPFVM_HELPERS_SKB_HELPERS_H
#define BPFVM_HELPERS_SKB_HELPERS_H

#include <stdint.h>

struct bpfvm_run;

uint64_t hlp_l3_csum_replace(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run);
uint64_t hlp_l4_csum_replace(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run);
uint64_t hlp_skb_adjust_room(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run);
uint64_t hlp_skb_vlan_push(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5, struct bpfvm_run *run);
uint64_t hlp_skb_vlan_pop(uint64_t r1, uint64_t r2, uint64_t r3,
			  uint64_t r4, uint64_t r5, struct bpfvm_run *run);
uint64_t hlp_redirect_peer(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5, struct bpfvm_run *run);
uint64_t hlp_redirect_neigh(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5, struct bpfvm_run *run);

#endif
