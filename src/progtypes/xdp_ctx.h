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

/* A multi-buffer frame's fragments (the kernel's skb_shared_info frags
 * of an xdp_buff): the packet goes on past data_end in up to
 * MAX_SKB_FRAGS pages, which programs reach through the helpers only. */
#define XDP_CTX_MAX_FRAGS 17u
#define XDP_CTX_FRAG_SZ 4096u	/* a page, and the rxq's frag_size */

struct xdp_frags {
	uint32_t nr;		/* 0: the frame is linear */
	uint32_t size;		/* bytes in all of them (xdp_frags_size) */
	struct {
		uint8_t *addr;	/* a page of XDP_CTX_FRAG_SZ bytes */
		uint32_t size;
	} f[XDP_CTX_MAX_FRAGS];
};

struct xdp_ctx {
	struct xdp_md md;	/* uapi prefix; data* fields unused */
	uint8_t *data;		/* where md->data loads read */
	uint8_t *data_end;
	uint8_t *data_meta;
	uint8_t *hard_start;	/* the frame: hard_start + frame_sz */
	uint32_t frame_sz;
	struct xdp_frags *frags; /* NULL or nr 0: linear */
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

static inline int xdp_ctx_has_frags(const struct xdp_ctx *x)
{
	return x->frags && x->frags->nr;
}

/* xdp_get_buff_len: data to data_end, then the fragments. */
static inline uint32_t xdp_ctx_len(const struct xdp_ctx *x)
{
	return (uint32_t)(x->data_end - x->data) +
	       (xdp_ctx_has_frags(x) ? x->frags->size : 0);
}

/* helpers_xdp.c: bpf_perf_event_output from an XDP program (the
 * kernel's bpf_xdp_event_output): the record is meta_size bytes of meta,
 * then the first (flags & BPF_F_CTXLEN_MASK) >> 32 bytes of the packet. */
struct bpfvm_run;
struct bpfvm_map;
long xdp_event_output(struct bpfvm_run *run, uint64_t ctx,
		      struct bpfvm_map *map, uint64_t flags, const void *meta,
		      uint64_t meta_size);

/* xdp_frags.c */

/* This thread's fragment pages (made on its first multi-buffer frame,
 * freed when it exits), emptied; NULL without memory. */
struct xdp_frags *xdp_frags_get(void);
/* Append len bytes of src as fragments of a page each; -ENOMEM past
 * XDP_CTX_MAX_FRAGS (as the kernel's test run). */
int xdp_frags_fill(struct xdp_frags *fr, const uint8_t *src, uint32_t len);
/* bpf_xdp_copy_buf: len bytes at offset off of the packet (data on,
 * fragments included) to buf, or from buf when to_frame; the range is
 * inside the packet. */
void xdp_ctx_copy(struct xdp_ctx *x, uint32_t off, uint8_t *buf, uint32_t len,
		  int to_frame);
/* bpf_xdp_adjust_tail of a multi-buffer frame: shrink by len (from the
 * last fragment on; the linear part once they are gone) or grow the last
 * fragment by len within its page. 0 or -EINVAL. */
int xdp_frags_shrink(struct xdp_ctx *x, int32_t len);
int xdp_frags_grow(struct xdp_ctx *x, int32_t len);

#endif
