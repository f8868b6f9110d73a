/* The real ctx of the skb program types (socket filters, tc), shared by
 * the types (socket_filter.c, tc.c, skb_access.c, skb_run.c) and the skb
 * helpers (helpers_skb.c, helpers_csum.c): the kernel's struct sk_buff as
 * bpfvm keeps it.
 *
 * It starts with the uapi struct __sk_buff, so plain fields are read and
 * written in place (each holding what the kernel's field holds, zero-
 * extended: a u16 field never has bits past 16); the packet pointers follow
 * as u64s (a 4-byte load of __sk_buff->data / data_end / data_meta is
 * rewritten into an 8-byte load of them); then the state only helpers see
 * (the buffer, header offsets, checksum state), past what programs may
 * touch.
 *
 * The packet lives in one buffer of SKB_CTX_BUF bytes the runner owns (on
 * its stack): data_off bytes of headroom, then len bytes. Helpers that
 * move or grow the packet keep everything in sync through skb_ctx_sync:
 * the pointers, __sk_buff->len, and the run's LD_ABS / LD_IND view. */
#ifndef BPFVM_PROGTYPES_SKB_CTX_H
#define BPFVM_PROGTYPES_SKB_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "progtypes/progtype.h"

struct bpfvm_run;

/* bpf_prog_test_run_skb's buffer on x86-64: NET_SKB_PAD (64; NET_IP_ALIGN
 * is 0) of headroom, a page in all with SKB_DATA_ALIGN(sizeof(struct
 * skb_shared_info)) = 320 kept at the end. */
#define SKB_CTX_HEADROOM 64u
#define SKB_CTX_TAILROOM 320u
#define SKB_CTX_MAX_IN (4096u - SKB_CTX_HEADROOM - SKB_CTX_TAILROOM)
#define SKB_CTX_ETH_HLEN 14u
/* BPF_SKB_MAX_LEN (SKB_MAX_ALLOC: 4 pages minus the shared info): the
 * largest packet skb_change_head / skb_change_tail make. */
#define SKB_CTX_MAX_LEN (16384u - SKB_CTX_TAILROOM)
/* The buffer: any packet up to SKB_CTX_MAX_LEN with room before it for
 * the Ethernet header a socket filter's output gets back. */
#define SKB_CTX_BUF (SKB_CTX_MAX_LEN + 2 * SKB_CTX_HEADROOM)

/* qdisc_skb_cb's pkt_len limit for __sk_buff->wire_len
 * (GSO_LEGACY_MAX_SIZE) and skb_shared_info's gso_segs limit. */
#define SKB_CTX_WIRE_MAX 65536u
#define SKB_CTX_GSO_SEGS_MAX 65535u

/* skb->ip_summed values bpfvm's skbs take (csum_level moves between
 * them). */
#define SKB_CSUM_NONE 0
#define SKB_CSUM_UNNECESSARY 1
#define SKB_MAX_CSUM_LEVEL 3

struct skb_ctx {
	struct __sk_buff sk;	/* uapi prefix; data* fields unused */
	uint64_t data;		/* where __sk_buff->data loads read */
	uint64_t data_end;
	uint64_t data_meta;	/* = data: test runs carry no metadata */
	/* --- helpers only (past SKB_CTX_PROG_LEN) --- */
	uint8_t *head;		/* the buffer, SKB_CTX_BUF bytes */
	uint32_t data_off;	/* skb->data - head */
	uint32_t mac_off;	/* skb->mac_header, from head */
	uint32_t net_off;	/* skb->network_header, from head */
	/* skb->transport_header, from head, when trans_set (it may lie
	 * before the buffer: see skb_ctx_cow) */
	int64_t trans_pos;
	bool trans_set;
	uint8_t encap;		/* skb->encapsulation (adjust_room) */
	uint32_t khead;		/* the kernel's headroom (skb_ctx_cow) */
	uint8_t ip_summed;	/* SKB_CSUM_* */
	uint8_t csum_level;
	struct pt_run *prun;	/* the runner's LD_ABS view, for repeats */
};

_Static_assert(offsetof(struct skb_ctx, data) == sizeof(struct __sk_buff),
	       "the pointers follow the uapi struct");

/* What a program may touch (checked runs): the uapi struct and the
 * pointers. */
#define SKB_CTX_PROG_LEN offsetof(struct skb_ctx, head)

static inline uint8_t *skb_ctx_data(const struct skb_ctx *c)
{
	return c->head + c->data_off;
}

/* skb_is_gso: a gso_size from ctx_in */
static inline bool skb_ctx_is_gso(const struct skb_ctx *c)
{
	return c->sk.gso_size != 0;
}

/* --- skb.c --- */

/* The skb of the test run on this thread when r1 is its ctx, else NULL
 * (a helper called with something else in r1, or outside an skb test
 * run: it returns -EINVAL, which the kernel's verifier makes
 * unreachable). */
struct skb_ctx *skb_ctx_get(uint64_t r1);
/* The runner: the skb helpers of this thread work on c (NULL: none). */
void skb_ctx_set_current(struct skb_ctx *c);

/* After data_off or len changed: the pointers, and the LD_ABS / LD_IND
 * view of run (may be NULL) and of the runner. */
void skb_ctx_sync(struct skb_ctx *c, struct bpfvm_run *run);

/* Make room for `need` bytes before the packet (moving everything from
 * the lowest header on toward the end of the buffer); false when the
 * packet and its headers cannot fit. Offsets follow the move. */
bool skb_ctx_headroom(struct skb_ctx *c, uint32_t need);
/* The same for `new_len` bytes of packet after data_off. */
bool skb_ctx_tailroom(struct skb_ctx *c, uint32_t new_len);

/* skb_cow(skb, need) as the kernel's skb would do it, for what programs
 * can see of it: with less than `need` bytes of headroom the kernel
 * reallocates the head (pskb_expand_head, headroom grown by `need` minus
 * the headroom rounded up to 64), which moves an unset transport header
 * (0xffff, a u16) to one byte before the old head: it becomes set, and
 * bpf_skb_change_tail's minimum length may follow it. bpfvm's buffer
 * has room enough (skb_ctx_headroom); only that accounting is kept. */
void skb_ctx_cow(struct skb_ctx *c, uint32_t need);
/* __bpf_skb_min_len: the network header's offset, or the transport
 * header's when set and larger (signed). */
uint32_t skb_ctx_min_len(const struct skb_ctx *c);

/* bpf_skb_net_hdr_push / _pop: insert `len` zero bytes at `off` from
 * skb->data (the MAC header before them moves back) or remove them
 * (false: not within the packet, or no room); the MAC, network and (when
 * it was the network header) transport headers follow. */
bool skb_ctx_hdr_push(struct skb_ctx *c, uint32_t off, uint32_t len);
bool skb_ctx_hdr_pop(struct skb_ctx *c, uint32_t off, uint32_t len);

/* --- skb_access.c: the kernel's sk_filter_is_valid_access (tc false)
 * and tc_cls_act_is_valid_access (tc true) with bpf_convert_ctx_access's
 * rewrite, as pt_ops.ctx_access. --- */
int skb_ctx_access(bool tc, const struct pt_ctx_access *a,
		   struct bpf_insn *insn, char *why, size_t why_size);

/* The helpers a socket filter may call (sk_filter_func_proto with
 * bpf_sk_base_func_proto); tc adds its own. */
bool skb_sk_filter_helper_ok(uint32_t id);

/* --- skb_run.c: bpf_prog_test_run_skb for tc (tc true: the program
 * sees the Ethernet header) or socket filters (from the network header,
 * or the Ethernet header with BPFVM_TEST_RUN_F_L2). --- */
int skb_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *o,
		 bool tc);

#endif
