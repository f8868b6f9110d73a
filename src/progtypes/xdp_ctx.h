/* The real ctx of an XDP program (the kernel's struct xdp_buff as bpfvm
 * keeps it), shared by the program type (xdp.c) and the XDP helpers
 * (helpers_xdp.c).
 *
 * It starts with the uapi struct xdp_md, so ingress_ifindex,
 * rx_queue_index and egress_ifindex are read in place; the packet
 * pointers follow as u64s, and the type rewrites a 4-byte load of
 * md->data / data_end / data_meta into an 8-byte load of them. */
#ifndef BPFVM_PROGTYPES_XDP_CTX_H
#define BPFVM_PROGTYPES_XDP_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* The kernel's frame: XDP_PACKET_HEADROOM of headroom, a page in all,
 * the end kept free for struct skb_shared_info (SKB_DATA_ALIGN of its
 * 320 bytes on x86-64: xdp_data_hard_end). */
#define XDP_CTX_HEADROOM 256u
#define XDP_CTX_FRAME_SZ 4096u
#define XDP_CTX_TAILROOM 320u
/* sizeof(struct xdp_frame) on x86-64: adjust_head / adjust_meta keep the
 * start of the headroom for it (a redirected frame is written there). */
#define XDP_CTX_FRAME_HDR 40u
/* The smallest frame adjust_head / adjust_tail leave (ETH_HLEN). */
#define XDP_CTX_MIN_LEN 14u
/* xdp_metalen_invalid: a multiple of 4 up to skb_shared_info's u8
 * meta_len (255). */
#define XDP_CTX_META_MAX 255u

struct xdp_ctx {
	struct xdp_md md;	/* uapi prefix; data* fields unused */
	uint8_t *data;		/* where md->data loads read */
	uint8_t *data_end;
	uint8_t *data_meta;
	uint8_t *hard_start;	/* the frame: hard_start + frame_sz */
	uint32_t frame_sz;
};

_Static_assert(offsetof(struct xdp_ctx, data) == sizeof(struct xdp_md),
	       "the pointers follow the uapi struct");

static inline uint8_t *xdp_ctx_hard_end(const struct xdp_ctx *x)
{
	return x->hard_start + x->frame_sz - XDP_CTX_TAILROOM;
}

static inline int xdp_ctx_metalen_invalid(uint64_t len)
{
	return (len & 3) || len > XDP_CTX_META_MAX;
}

#endif
