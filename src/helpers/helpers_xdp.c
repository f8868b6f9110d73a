/* Built-in helpers: XDP group — moving the frame's head, tail and
 * metadata, copying bytes in and out of it, and redirecting it (the
 * kernel's net/core/filter.c, with its limits and error codes).
 * r1 of the frame helpers is the real ctx (progtypes/xdp_ctx.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpfvm/map.h>

#include "core/log.h"
#include "engine/run.h"
#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"
#include "maps/perf_event.h"
#include "maps/redirect_map.h"
#include "progtypes/redirect.h"
#include "progtypes/xdp_ctx.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

/* The frame argument. Without a verifier anything can arrive in r1: a
 * checked run accepts only the ctx it was started with (else it ends
 * with -EINVAL and this returns NULL: the helper returns at once, its
 * result unused); other runs trust it. */
static struct xdp_ctx *xdp_arg(struct bpfvm_run *run, uint64_t r1,
			       const char *helper)
{
	if (__builtin_expect(!run || !run->checked, 1) ||
	    ((void *)(uintptr_t)r1 == run->mem &&
	     run->mem_len == sizeof(struct xdp_ctx)))
		return (struct xdp_ctx *)(uintptr_t)r1;
	eng_run_abort(run, core_logf(run->err_buf, run->err_size, -EINVAL,
				     "%s: r1 (0x%" PRIx64 ") is not the xdp "
				     "ctx of this run", helper, r1));
	return NULL;
}

/* Positions in the frame, from hard_start: pointer arithmetic that goes
 * out of the buffer would be undefined, these are plain numbers. */
static int64_t pos(const struct xdp_ctx *x, const uint8_t *p)
{
	return p - x->hard_start;
}

/* bpf_xdp_adjust_head: data moves by offset, the metadata with it; data
 * stays past the xdp_frame reservation and the metadata, and at least
 * ETH_HLEN before data_end. The bytes a grown head exposes are as they
 * were (no zeroing, as the kernel). */
static uint64_t xdp_adjust_head(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct xdp_ctx *x = xdp_arg(run, r1, "bpf_xdp_adjust_head");
	int32_t off = (int32_t)r2;
	int64_t meta, data;

	(void)r3, (void)r4, (void)r5;
	if (!x)
		return 0;
	meta = pos(x, x->data) - pos(x, x->data_meta);
	data = pos(x, x->data) + off;
	if (data < XDP_CTX_FRAME_HDR + meta ||
	    data > pos(x, x->data_end) - XDP_CTX_MIN_LEN)
		return ERR(-EINVAL);
	if (meta)
		memmove(x->hard_start + data - meta, x->data_meta,
			(size_t)meta);
	x->data_meta = x->hard_start + data - meta;
	x->data = x->hard_start + data;
	return 0;
}

/* bpf_xdp_adjust_tail: data_end moves by offset, up to the tailroom kept
 * for skb_shared_info and down to ETH_HLEN past data; grown bytes are
 * zeroed. A multi-buffer frame's tail is its last fragment's
 * (xdp_frags.c). */
static uint64_t xdp_adjust_tail(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct xdp_ctx *x = xdp_arg(run, r1, "bpf_xdp_adjust_tail");
	int32_t off = (int32_t)r2;
	int64_t end;

	(void)r3, (void)r4, (void)r5;
	if (!x)
		return 0;
	/* the kernel negates an int: INT_MIN stays negative */
	if (xdp_ctx_has_frags(x))
		return ERR(off < 0 ? xdp_frags_shrink(x, (int32_t)(0u -
								   (uint32_t)off))
				   : xdp_frags_grow(x, off));
	end = pos(x, x->data_end) + off;
	if (end > pos(x, xdp_ctx_hard_end(x)) ||
	    end < pos(x, x->data) + XDP_CTX_MIN_LEN)
		return ERR(-EINVAL);
	if (off > 0)
		memset(x->data_end, 0, (size_t)off);
	x->data_end = x->hard_start + end;
	return 0;
}

/* bpf_xdp_adjust_meta: data_meta moves by offset, not before the
 * xdp_frame reservation nor past data (-EINVAL); the metadata stays a
 * multiple of 4 within skb_shared_info's meta_len (-EACCES). */
static uint64_t xdp_adjust_meta(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct xdp_ctx *x = xdp_arg(run, r1, "bpf_xdp_adjust_meta");
	int32_t off = (int32_t)r2;
	int64_t meta;

	(void)r3, (void)r4, (void)r5;
	if (!x)
		return 0;
	meta = pos(x, x->data_meta) + off;
	if (meta < XDP_CTX_FRAME_HDR || meta > pos(x, x->data))
		return ERR(-EINVAL);
	if (xdp_ctx_metalen_invalid((uint64_t)(pos(x, x->data) - meta)))
		return ERR(-EACCES);
	x->data_meta = x->hard_start + meta;
	return 0;
}

static uint64_t xdp_get_buff_len(uint64_t r1, uint64_t r2, uint64_t r3,
				 uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	struct xdp_ctx *x = xdp_arg(run, r1, "bpf_xdp_get_buff_len");

	(void)r2, (void)r3, (void)r4, (void)r5;
	return x ? xdp_ctx_len(x) : 0;
}

/* bpf_xdp_load_bytes / store_bytes (bpf_xdp_pointer's checks: offset
 * and len up to 0xffff, else -EFAULT; the range inside the packet,
 * fragments included, else -EINVAL), then the copy. */
static uint64_t xdp_bytes(struct bpfvm_run *run, uint64_t r1, uint64_t r2,
			  uint64_t r3, uint64_t r4, int to_frame)
{
	struct xdp_ctx *x = xdp_arg(run, r1, to_frame ? "bpf_xdp_store_bytes"
						      : "bpf_xdp_load_bytes");
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;

	if (!x)
		return 0;
	if (off > 0xffff || len > 0xffff)
		return ERR(-EFAULT);
	if (off + len > xdp_ctx_len(x))
		return ERR(-EINVAL);
	xdp_ctx_copy(x, off, (uint8_t *)(uintptr_t)r3, len, to_frame);
	return 0;
}

static uint64_t xdp_load_bytes(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)r5;
	return xdp_bytes(run, r1, r2, r3, r4, 0);
}

static uint64_t xdp_store_bytes(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	(void)r5;
	return xdp_bytes(run, r1, r2, r3, r4, 1);
}

/* The types whose bpf_redirect is the skb one (tc_cls_act_func_proto,
 * lwt_xmit_func_proto); the others (XDP, and untyped runs) get XDP's. */
static bool run_is_skb(const struct bpfvm_run *run)
{
	switch (run ? bpfvm_prog_type(run->prog) : BPF_PROG_TYPE_XDP) {
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_LWT_XMIT:
		return true;
	default:
		return false;
	}
}

/* bpf_redirect: XDP's (bpf_xdp_redirect) takes no flags (XDP_ABORTED
 * otherwise) and returns XDP_REDIRECT; tc's takes only BPF_F_INGRESS
 * (TC_ACT_SHOT otherwise) and returns TC_ACT_REDIRECT. */
static uint64_t redirect(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5, struct bpfvm_run *run)
{
	(void)r3, (void)r4, (void)r5;
	if (!run_is_skb(run)) {
		if (r2)
			return XDP_ABORTED;
		pt_redirect_set(BPFVM_REDIRECT_DEV, (uint32_t)r1, 0);
		return XDP_REDIRECT;
	}
	if (r2 & ~(uint64_t)BPF_F_INGRESS)
		return TC_ACT_SHOT;
	pt_redirect_set(BPFVM_REDIRECT_DEV, (uint32_t)r1, r2);
	return TC_ACT_REDIRECT;
}

/* bpf_redirect_map (__bpf_xdp_redirect_map): the low two bits of flags
 * are the verdict when the slot is empty; DEVMAP / DEVMAP_HASH also take
 * BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS; other bits: XDP_ABORTED.
 * An empty slot clears the decision so the last lookup counts. With
 * BPF_F_BROADCAST the decision is the key's slot with the flags: bpfvm's
 * decision names one target, a runner wanting every slot reads the map. */
static uint64_t redirect_map(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	const uint64_t actions = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
	struct bpfvm_map *m = hlp_map_arg(run, r1, "bpf_redirect_map", 1);
	struct bpfvm_redirect to;
	uint64_t mask = actions;
	enum bpf_map_type t;
	int err;

	(void)r4, (void)r5;
	if (!m)
		return 0;
	t = bpfvm_map_type(m);
	if (t == BPF_MAP_TYPE_DEVMAP || t == BPF_MAP_TYPE_DEVMAP_HASH)
		mask |= BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
	if (r3 & ~mask)
		return XDP_ABORTED;
	err = map_redirect_lookup(m, (uint32_t)r2, &to);
	if (err == -EINVAL) {
		if (run && run->checked)
			eng_run_abort(run, core_logf(run->err_buf,
				      run->err_size, -EINVAL,
				      "bpf_redirect_map: map type %d is no "
				      "redirect map", t));
		return XDP_ABORTED;
	}
	if (r3 & BPF_F_BROADCAST) {
		pt_redirect_set(BPFVM_REDIRECT_DEV, (uint32_t)r2, r3);
		return XDP_REDIRECT;
	}
	if (err) {
		pt_redirect_clear();
		return r3 & actions;
	}
	pt_redirect_set(to.kind, to.index, 0);
	return XDP_REDIRECT;
}

long xdp_event_output(struct bpfvm_run *run, uint64_t ctx,
		      struct bpfvm_map *map, uint64_t flags, const void *meta,
		      uint64_t meta_size)
{
	uint64_t pkt = (flags & BPF_F_CTXLEN_MASK) >> 32, n = meta_size + pkt;
	struct xdp_ctx *x;
	uint8_t small[512], *rec = small;
	long err;

	if (flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK))
		return -EINVAL;
	x = xdp_arg(run, ctx, "bpf_perf_event_output");
	if (!x)
		return 0;
	if (pkt > xdp_ctx_len(x))
		return -EFAULT;
	if (!pkt)
		return perf_array_output(map, flags, meta, meta_size);
	/* past a perf record's 64 KiB: refused before anything is read */
	if (n > 0x10000)
		return perf_array_output(map, flags & BPF_F_INDEX_MASK, meta, n);
	if (n > sizeof(small) && !(rec = malloc(n)))
		return -ENOMEM;
	memcpy(rec, meta, meta_size);
	xdp_ctx_copy(x, 0, rec + meta_size, (uint32_t)pkt, 0);
	err = perf_array_output(map, flags & BPF_F_INDEX_MASK, rec, n);
	if (rec != small)
		free(rec);
	return err;
}

#define DEF(id, fn, ...)                                                     \
	{ BPF_FUNC_##id, fn,                                                 \
	  { .ret = HRET_INTEGER, .args = { __VA_ARGS__ } } }

const struct helper_def hlp_xdp[] = {
	DEF(xdp_adjust_head, xdp_adjust_head, HARG_PTR_TO_CTX, HARG_ANYTHING),
	DEF(xdp_adjust_tail, xdp_adjust_tail, HARG_PTR_TO_CTX, HARG_ANYTHING),
	DEF(xdp_adjust_meta, xdp_adjust_meta, HARG_PTR_TO_CTX, HARG_ANYTHING),
	DEF(xdp_get_buff_len, xdp_get_buff_len, HARG_PTR_TO_CTX),
	DEF(xdp_load_bytes, xdp_load_bytes, HARG_PTR_TO_CTX, HARG_ANYTHING,
	    HARG_PTR_TO_UNINIT_MEM, HARG_CONST_SIZE),
	DEF(xdp_store_bytes, xdp_store_bytes, HARG_PTR_TO_CTX, HARG_ANYTHING,
	    HARG_PTR_TO_MEM, HARG_CONST_SIZE),
	DEF(redirect, redirect, HARG_ANYTHING, HARG_ANYTHING),
	DEF(redirect_map, redirect_map, HARG_CONST_MAP_PTR, HARG_ANYTHING,
	    HARG_ANYTHING),
	{ 0 },
};
