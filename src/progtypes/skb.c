/* The skb state helpers share: which skb this thread runs, and keeping its
 * pointers, length and LD_ABS view in step when a helper moves the
 * packet. */
#include <string.h>

#include "engine/run.h"
#include "progtypes/skb_ctx.h"

/* Per thread: a run executes on one thread, callbacks and tail calls
 * included. */
static _Thread_local struct skb_ctx *skb_current;

void skb_ctx_set_current(struct skb_ctx *c)
{
	skb_current = c;
}

struct skb_ctx *skb_ctx_get(uint64_t r1)
{
	struct skb_ctx *c = skb_current;

	return c && (uintptr_t)c == r1 ? c : NULL;
}

void skb_ctx_sync(struct skb_ctx *c, struct bpfvm_run *run)
{
	uint8_t *data = skb_ctx_data(c);

	c->data = (uintptr_t)data;
	c->data_meta = c->data;
	c->data_end = (uintptr_t)(data + c->sk.len);
	if (run) {
		run->pkt = data;
		run->pkt_len = c->sk.len;
	}
	if (c->prun) {
		c->prun->pkt = data;
		c->prun->pkt_len = c->sk.len;
	}
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Move the used part of the buffer (lowest header to the packet's end)
 * so the packet starts at new_data; headers move with it, as the
 * kernel's pskb_expand_head keeps them relative to the data. */
static bool skb_ctx_move(struct skb_ctx *c, uint32_t new_data)
{
	uint32_t lo = min3(c->data_off, c->mac_off, c->net_off);
	uint32_t end = c->data_off + c->sk.len;
	uint32_t new_lo;

	if (new_data < c->data_off - lo)
		return false;
	new_lo = new_data - (c->data_off - lo);
	if ((uint64_t)new_lo + (end - lo) > SKB_CTX_BUF)
		return false;
	memmove(c->head + new_lo, c->head + lo, end - lo);
	c->mac_off = c->mac_off - lo + new_lo;
	c->net_off = c->net_off - lo + new_lo;
	c->trans_pos = c->trans_pos - lo + new_lo;
	c->data_off = new_data;
	return true;
}

bool skb_ctx_headroom(struct skb_ctx *c, uint32_t need)
{
	if (c->data_off >= need)
		return true;
	/* everything to the end of the buffer */
	if ((uint64_t)need + c->sk.len > SKB_CTX_BUF)
		return false;
	return skb_ctx_move(c, SKB_CTX_BUF - c->sk.len);
}

bool skb_ctx_tailroom(struct skb_ctx *c, uint32_t new_len)
{
	uint32_t lo = min3(c->data_off, c->mac_off, c->net_off);

	if ((uint64_t)c->data_off + new_len <= SKB_CTX_BUF)
		return true;
	/* the headers to the start of the buffer */
	return skb_ctx_move(c, c->data_off - lo) &&
	       (uint64_t)c->data_off + new_len <= SKB_CTX_BUF;
}

void skb_ctx_cow(struct skb_ctx *c, uint32_t need)
{
	if (need <= c->khead)
		return;
	if (!c->trans_set) {
		c->trans_set = true;
		c->trans_pos = (int64_t)c->data_off - c->khead - 1;
	}
	c->khead += (need - c->khead + 63) & ~63u;
}

uint32_t skb_ctx_min_len(const struct skb_ctx *c)
{
	int64_t net = (int64_t)c->net_off - c->data_off;
	int64_t trans = c->trans_pos - c->data_off;

	return (uint32_t)(c->trans_set && trans > net ? trans : net);
}

static bool trans_same(const struct skb_ctx *c)
{
	return c->trans_set && c->trans_pos == c->net_off;
}

bool skb_ctx_hdr_push(struct skb_ctx *c, uint32_t off, uint32_t len)
{
	bool same = trans_same(c);
	uint8_t *data;

	if (!skb_ctx_headroom(c, len))
		return false;
	c->data_off -= len;
	data = skb_ctx_data(c);
	memmove(data, data + len, off);
	memset(data + off, 0, len);
	c->sk.len += len;
	c->mac_off -= len;
	c->net_off -= len;
	c->khead -= len;
	if (same)
		c->trans_pos = c->net_off;
	return true;
}

bool skb_ctx_hdr_pop(struct skb_ctx *c, uint32_t off, uint32_t len)
{
	bool same = trans_same(c);
	uint8_t *data = skb_ctx_data(c);

	if ((uint64_t)off + len > c->sk.len)
		return false;
	memmove(data + len, data, off);
	c->data_off += len;
	c->sk.len -= len;
	c->mac_off += len;
	c->net_off += len;
	c->khead += len;
	if (same)
		c->trans_pos = c->net_off;
	return true;
}
