/* Multi-buffer XDP frames (xdp_ctx.h): the fragments the kernel's test
 * run makes of a frame longer than one page minus head- and tailroom,
 * and the frame helpers' work on them (net/core/filter.c:
 * bpf_xdp_copy_buf, bpf_xdp_frags_shrink_tail / increase_tail). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "progtypes/xdp_ctx.h"

struct frag_store {
	struct xdp_frags frags;
	uint8_t pages[XDP_CTX_MAX_FRAGS][XDP_CTX_FRAG_SZ];
};

/* One store per thread, made on first use (a test run executes on one
 * thread), freed by the key's destructor when the thread exits. */
static _Thread_local struct frag_store *store;
static pthread_key_t store_key;
static pthread_once_t store_once = PTHREAD_ONCE_INIT;
static int store_key_ok;

static void store_key_init(void)
{
	store_key_ok = !pthread_key_create(&store_key, free);
}

struct xdp_frags *xdp_frags_get(void)
{
	if (__builtin_expect(!store, 0)) {
		pthread_once(&store_once, store_key_init);
		if (!store_key_ok)
			return NULL;
		store = malloc(sizeof(*store));
		if (!store)
			return NULL;
		pthread_setspecific(store_key, store);
	}
	store->frags.nr = 0;
	store->frags.size = 0;
	return &store->frags;
}

int xdp_frags_fill(struct xdp_frags *fr, const uint8_t *src, uint32_t len)
{
	struct frag_store *s = (struct frag_store *)fr;

	while (len) {
		uint32_t n = len < XDP_CTX_FRAG_SZ ? len : XDP_CTX_FRAG_SZ;

		if (fr->nr == XDP_CTX_MAX_FRAGS)
			return -ENOMEM;
		fr->f[fr->nr].addr = s->pages[fr->nr];
		fr->f[fr->nr].size = n;
		memcpy(s->pages[fr->nr], src, n);
		fr->nr++;
		fr->size += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* The segments in order: the linear part, then each fragment. */
void xdp_ctx_copy(struct xdp_ctx *x, uint32_t off, uint8_t *buf, uint32_t len,
		  int to_frame)
{
	uint8_t *seg = x->data;
	uint32_t seg_len = (uint32_t)(x->data_end - x->data), i = 0;
	uint32_t nr = x->frags ? x->frags->nr : 0;

	for (;;) {
		if (off < seg_len) {
			uint32_t n = seg_len - off < len ? seg_len - off : len;

			if (to_frame)
				memmove(seg + off, buf, n);
			else
				memcpy(buf, seg + off, n);
			buf += n;
			len -= n;
			off = seg_len;
		}
		if (!len || i == nr)
			return;
		off -= seg_len;
		seg = x->frags->f[i].addr;
		seg_len = x->frags->f[i].size;
		i++;
	}
}

/* The fragments go from the end; a wholly emptied one is released, and
 * once none is left the rest comes off the linear part (the kernel's
 * check keeps ETH_HLEN bytes in all, not in the linear part). */
int xdp_frags_shrink(struct xdp_ctx *x, int32_t len)
{
	struct xdp_frags *fr = x->frags;
	uint32_t freed = 0;

	if (len > (int32_t)xdp_ctx_len(x) - (int32_t)XDP_CTX_MIN_LEN)
		return -EINVAL;
	for (uint32_t i = fr->nr; i-- > 0 && len > 0;) {
		uint32_t n = (uint32_t)len < fr->f[i].size ? (uint32_t)len
							    : fr->f[i].size;

		fr->size -= n;
		len -= (int32_t)n;
		fr->f[i].size -= n;
		if (!fr->f[i].size)
			freed++;
	}
	fr->nr -= freed;
	if (!fr->nr)
		x->data_end -= len;
	return 0;
}

/* Grown bytes are zeroed, as on the linear part. */
int xdp_frags_grow(struct xdp_ctx *x, int32_t len)
{
	struct xdp_frags *fr = x->frags;
	uint32_t last = fr->nr - 1;
	uint32_t room = XDP_CTX_FRAG_SZ - fr->f[last].size;

	if ((uint32_t)len > room)
		return -EINVAL;
	memset(fr->f[last].addr + fr->f[last].size, 0, (uint32_t)len);
	fr->f[last].size += (uint32_t)len;
	fr->size += (uint32_t)len;
	return 0;
}
