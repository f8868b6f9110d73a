/* The skb helpers of socket filters and tc (net/core/filter.c), on the skb
 * of the current test run (progtypes/skb_ctx.h): r1 must be its ctx, else
 * the helper returns -EINVAL (the kernel's verifier makes that
 * unreachable). Offsets are from skb->data: the network header for a
 * socket filter, the Ethernet header for tc. Helpers that move or grow
 * the packet zero what they add, as the kernel's, and keep the ctx and
 * LD_ABS / LD_IND in step (skb_ctx_sync).
 *
 * Implemented with the kernel's checks and error codes: skb_load_bytes,
 * skb_load_bytes_relative, skb_store_bytes, skb_pull_data,
 * skb_change_head, skb_change_tail, skb_change_proto, skb_change_type,
 * skb_set_tstamp, set_hash,
 * set_hash_invalid, csum_update, csum_level, get_socket_uid,
 * get_route_realm, perf_event_output's packet form, l3/l4_csum_replace
 * (helpers_csum.c). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"
#include "helpers/skb_helpers.h"
#include "maps/perf_event.h"
#include "progtypes/skb_ctx.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's */
#endif
#define ERR(e) ((uint64_t)(int64_t)(e))
#define PTR(r) ((void *)(uintptr_t)(r))

/* long bpf_skb_load_bytes(skb, u32 offset, void *to, u32 len): the
 * destination is zeroed when the bytes are not all in the packet. */
static uint64_t skb_load_bytes(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;

	(void)r5, (void)run;
	if (!c)
		return ERR(-EINVAL);
	if (off > INT_MAX || (uint64_t)off + len > c->sk.len) {
		memset(PTR(r3), 0, len);
		return ERR(-EFAULT);
	}
	memcpy(PTR(r3), skb_ctx_data(c) + off, len);
	return 0;
}

/* long bpf_skb_load_bytes_relative(skb, u32 offset, void *to, u32 len,
 * u32 start_header): from the MAC or the network header, up to the
 * packet's end (a socket filter can read its Ethernet header so). */
static uint64_t skb_load_bytes_relative(uint64_t r1, uint64_t r2, uint64_t r3,
					uint64_t r4, uint64_t r5,
					struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4, hdr = (uint32_t)r5;
	uint64_t start;

	(void)run;
	if (!c)
		return ERR(-EINVAL);
	start = hdr == BPF_HDR_START_MAC ? c->mac_off : c->net_off;
	if (off > 0xffff || hdr > BPF_HDR_START_NET ||
	    start + off + len > (uint64_t)c->data_off + c->sk.len) {
		memset(PTR(r3), 0, len);
		return ERR(-EFAULT);
	}
	memcpy(PTR(r3), c->head + start + off, len);
	return 0;
}

/* long bpf_skb_store_bytes(skb, u32 offset, const void *from, u32 len,
 * u64 flags): BPF_F_RECOMPUTE_CSUM (skb->csum: never CHECKSUM_COMPLETE
 * here) and BPF_F_INVALIDATE_HASH allowed. */
static uint64_t skb_store_bytes(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;

	(void)run;
	if (!c || (r5 & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM |
				    BPF_F_INVALIDATE_HASH)))
		return ERR(-EINVAL);
	if (off > INT_MAX || (uint64_t)off + len > c->sk.len)
		return ERR(-EFAULT);
	memmove(skb_ctx_data(c) + off, PTR(r3), len);
	if (r5 & BPF_F_INVALIDATE_HASH)
		c->sk.hash = 0;
	return 0;
}

/* long bpf_skb_pull_data(skb, u32 len): bpfvm's packets are linear, so
 * only the kernel's check remains: -ENOMEM past the packet. */
static uint64_t skb_pull_data(uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);

	(void)r3, (void)r4, (void)r5;
	if (!c)
		return ERR(-EINVAL);
	skb_ctx_sync(c, run);
	return (uint32_t)r2 > c->sk.len ? ERR(-ENOMEM) : 0;
}

/* long bpf_skb_change_head(skb, u32 head_room, u64 flags): head_room
 * zero bytes before the packet, which becomes the MAC header; the
 * network header stays. At most SKB_CTX_MAX_LEN in all (a GSO skb may
 * grow past it in the kernel; bpfvm's buffer cannot: -ENOMEM). */
static uint64_t skb_change_head(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint32_t room = (uint32_t)r2, new_len;

	(void)r4, (void)r5;
	if (!c)
		return ERR(-EINVAL);
	new_len = c->sk.len + room;
	if (r3 || (!skb_ctx_is_gso(c) && new_len > SKB_CTX_MAX_LEN) ||
	    new_len < c->sk.len)
		return ERR(-EINVAL);
	if (new_len > SKB_CTX_MAX_LEN || !skb_ctx_headroom(c, room))
		return ERR(-ENOMEM);
	skb_ctx_cow(c, room);
	c->data_off -= room;
	c->khead -= room;
	c->sk.len = new_len;
	memset(skb_ctx_data(c), 0, room);
	c->mac_off = c->data_off;
	skb_ctx_sync(c, run);
	return 0;
}

/* long bpf_skb_change_tail(skb, u32 len, u64 flags): grow (zeroed) or
 * trim to len, not below the network or transport header
 * (skb_ctx_min_len); not on an encapsulated skb; a GSO skb stops being
 * one. */
static uint64_t skb_change_tail(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint32_t new_len = (uint32_t)r2, min_len;

	(void)r4, (void)r5;
	if (!c)
		return ERR(-EINVAL);
	min_len = skb_ctx_min_len(c);
	if (r3 || new_len > SKB_CTX_MAX_LEN || new_len < min_len)
		return ERR(-EINVAL);
	if (c->encap)
		return ERR(-ENOTSUPP);
	if (!skb_ctx_tailroom(c, new_len))
		return ERR(-ENOMEM);
	if (new_len > c->sk.len)
		memset(skb_ctx_data(c) + c->sk.len, 0, new_len - c->sk.len);
	c->sk.len = new_len;
	if (skb_ctx_is_gso(c))
		c->sk.gso_size = c->sk.gso_segs = 0;
	skb_ctx_sync(c, run);
	return 0;
}

/* long bpf_skb_change_proto(skb, __be16 proto, u64 flags): IPv4 to IPv6
 * inserts 20 zero bytes after the MAC header (the network header moves
 * back to them), IPv6 to IPv4 removes the 20 there; the program writes
 * the new header. Other changes: -ENOTSUPP. */
static uint64_t skb_change_proto(uint64_t r1, uint64_t r2, uint64_t r3,
				 uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	const uint32_t diff = 20;	/* ipv6hdr - iphdr */
	struct skb_ctx *c = skb_ctx_get(r1);
	uint16_t to = (uint16_t)r2;
	uint32_t off;

	(void)r4, (void)r5;
	if (!c || r3)
		return ERR(-EINVAL);
	off = c->net_off - c->mac_off;	/* skb_mac_header_len */
	if (c->sk.protocol == 0x0008 && to == 0xdd86) {
		skb_ctx_cow(c, diff);
		if (!skb_ctx_hdr_push(c, off, diff))
			return ERR(-ENOMEM);
	} else if (c->sk.protocol == 0xdd86 && to == 0x0008) {
		if (!skb_ctx_hdr_pop(c, off, diff))
			return ERR(-ENOMEM);
	} else {
		return ERR(-ENOTSUPP);
	}
	c->sk.protocol = to;
	c->sk.hash = 0;
	skb_ctx_sync(c, run);
	return 0;
}

/* long bpf_skb_change_type(skb, u32 type): between PACKET_HOST (0) and
 * PACKET_OTHERHOST (3) only. */
static uint64_t skb_change_type(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);

	(void)r3, (void)r4, (void)r5, (void)run;
	if (!c || c->sk.pkt_type > 3 || (uint32_t)r2 > 3)
		return ERR(-EINVAL);
	c->sk.pkt_type = (uint32_t)r2;
	return 0;
}

/* long bpf_skb_set_tstamp(skb, u64 tstamp, u32 tstamp_type): for IPv4
 * and IPv6 packets; BPF_SKB_CLOCK_REALTIME (0) any value, MONOTONIC (1)
 * and TAI (2) a nonzero one; __sk_buff->tstamp_type reads the clock. */
static uint64_t skb_set_tstamp(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint32_t type = (uint32_t)r3;

	(void)r4, (void)r5, (void)run;
	if (!c)
		return ERR(-EINVAL);
	if (c->sk.protocol != 0x0008 && c->sk.protocol != 0xdd86)
		return ERR(-EOPNOTSUPP);
	if (type > 2 || (type && !r2))
		return ERR(-EINVAL);
	c->sk.tstamp = r2;
	c->sk.tstamp_type = (uint8_t)type;
	return 0;
}

/* long bpf_set_hash(skb, u32 hash) / void bpf_set_hash_invalid(skb). */
static uint64_t set_hash(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);

	(void)r3, (void)r4, (void)r5, (void)run;
	if (!c)
		return ERR(-EINVAL);
	c->sk.hash = (uint32_t)r2;
	return 0;
}

static uint64_t set_hash_invalid(uint64_t r1, uint64_t r2, uint64_t r3,
				 uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);

	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	if (c)
		c->sk.hash = 0;
	return 0;
}

/* s64 bpf_csum_update(skb, __wsum csum): only for CHECKSUM_COMPLETE
 * skbs, which bpfvm never has. */
static uint64_t csum_update(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return skb_ctx_get(r1) ? ERR(-ENOTSUPP) : ERR(-EINVAL);
}

/* long bpf_csum_level(skb, u64 level): the CHECKSUM_UNNECESSARY level
 * (__skb_incr / decr / reset_checksum_unnecessary). */
static uint64_t csum_level(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	bool unn;

	(void)r3, (void)r4, (void)r5, (void)run;
	if (!c)
		return ERR(-EINVAL);
	unn = c->ip_summed == SKB_CSUM_UNNECESSARY;
	switch (r2) {
	case BPF_CSUM_LEVEL_INC:
		if (!unn)
			c->ip_summed = SKB_CSUM_UNNECESSARY, c->csum_level = 0;
		else if (c->csum_level < SKB_MAX_CSUM_LEVEL)
			c->csum_level++;
		return 0;
	case BPF_CSUM_LEVEL_DEC:
		if (unn && !c->csum_level)
			c->ip_summed = SKB_CSUM_NONE;
		else if (unn)
			c->csum_level--;
		return 0;
	case BPF_CSUM_LEVEL_RESET:
		c->ip_summed = SKB_CSUM_NONE;
		c->csum_level = 0;
		return 0;
	case BPF_CSUM_LEVEL_QUERY:
		return unn ? c->csum_level : ERR(-EACCES);
	}
	return ERR(-EINVAL);
}

/* u32 bpf_get_socket_uid(skb): the owner of the socket the packet is
 * for; the kernel's test run has a dummy socket owned by uid 0, and so
 * does bpfvm's. */
static uint64_t get_socket_uid(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return 0;
}

/* u32 bpf_get_route_realm(skb): the route's realm; a test run's skb has
 * no route: 0. */
static uint64_t get_route_realm(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return 0;
}

/* The generic bpf_perf_event_output (helpers_ringbuf.c), for programs
 * that are not running on an skb. */
static bpfvm_helper_fn generic_perf_output(void)
{
	for (const struct helper_def *d = hlp_ringbuf; d->id; d++)
		if (d->id == BPF_FUNC_perf_event_output)
			return d->fn;
	return NULL;
}

/* bpf_skb_event_output: BPF_F_CTXLEN_MASK in flags asks for that many
 * bytes of the packet (from skb->data) after the `size` bytes of data,
 * in one sample of a PERF_EVENT_ARRAY. Perf records hold at most 64 KiB
 * (-E2BIG past it). Other programs: the generic helper. */
static uint64_t skb_perf_event_output(uint64_t r1, uint64_t r2, uint64_t r3,
				      uint64_t r4, uint64_t r5,
				      struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint64_t n = (r3 & BPF_F_CTXLEN_MASK) >> 32;
	struct bpfvm_map *m;
	uint8_t *buf;
	long err;

	if (!c) {
		bpfvm_helper_fn fn = generic_perf_output();

		return fn ? fn(r1, r2, r3, r4, r5, run) : ERR(-EINVAL);
	}
	if (r3 & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK))
		return ERR(-EINVAL);
	if (n > c->sk.len)
		return ERR(-EFAULT);
	m = hlp_map_arg(run, r2, "bpf_perf_event_output", 2);
	if (!m)
		return ERR(-EINVAL);
	if (!n)
		return ERR(perf_array_output(m, r3, PTR(r4), r5));
	if (r5 > 65536)
		return ERR(-E2BIG);
	buf = malloc(r5 + n);
	if (!buf)
		return ERR(-ENOMEM);
	memcpy(buf, PTR(r4), r5);
	memcpy(buf + r5, skb_ctx_data(c), n);
	err = perf_array_output(m, r3 & BPF_F_INDEX_MASK, buf, r5 + n);
	free(buf);
	return ERR(err);
}

/* u32 bpf_get_cgroup_classid(skb): the net_cls class of the task (of
 * the socket, in softirq); bpfvm has no cgroups: 0, as for a task in no
 * net_cls cgroup (the cgroup v2 default). */
static uint64_t get_cgroup_classid(uint64_t r1, uint64_t r2, uint64_t r3,
				   uint64_t r4, uint64_t r5,
				   struct bpfvm_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return 0;
}

#define DEF(id, fn, ...)                                                     \
	{ BPF_FUNC_##id, fn, { .ret = HRET_INTEGER, .args = { __VA_ARGS__ } } }
#define CTX HARG_PTR_TO_CTX
#define ANY HARG_ANYTHING

const struct helper_def hlp_skb[] = {
	DEF(skb_load_bytes, skb_load_bytes, CTX, ANY, HARG_PTR_TO_UNINIT_MEM,
	    HARG_CONST_SIZE),
	DEF(skb_load_bytes_relative, skb_load_bytes_relative, CTX, ANY,
	    HARG_PTR_TO_UNINIT_MEM, HARG_CONST_SIZE, ANY),
	DEF(skb_store_bytes, skb_store_bytes, CTX, ANY, HARG_PTR_TO_MEM,
	    HARG_CONST_SIZE, ANY),
	DEF(skb_pull_data, skb_pull_data, CTX, ANY),
	DEF(skb_change_head, skb_change_head, CTX, ANY, ANY),
	DEF(skb_change_tail, skb_change_tail, CTX, ANY, ANY),
	DEF(skb_change_type, skb_change_type, CTX, ANY),
	DEF(skb_change_proto, skb_change_proto, CTX, ANY, ANY),
	DEF(skb_adjust_room, hlp_skb_adjust_room, CTX, ANY, ANY, ANY),
	DEF(skb_vlan_push, hlp_skb_vlan_push, CTX, ANY, ANY),
	DEF(skb_vlan_pop, hlp_skb_vlan_pop, CTX),
	DEF(redirect_peer, hlp_redirect_peer, ANY, ANY),
	DEF(redirect_neigh, hlp_redirect_neigh, ANY, HARG_PTR_TO_MEM_OR_NULL,
	    HARG_CONST_SIZE_OR_ZERO, ANY),
	DEF(set_hash, set_hash, CTX, ANY),
	DEF(skb_set_tstamp, skb_set_tstamp, CTX, ANY, ANY),
	{ BPF_FUNC_set_hash_invalid, set_hash_invalid,
	  { .ret = HRET_VOID, .args = { CTX } } },
	DEF(csum_update, csum_update, CTX, ANY),
	DEF(csum_level, csum_level, CTX, ANY),
	DEF(get_socket_uid, get_socket_uid, CTX),
	DEF(get_route_realm, get_route_realm, CTX),
	DEF(get_cgroup_classid, get_cgroup_classid, CTX),
	DEF(l3_csum_replace, hlp_l3_csum_replace, CTX, ANY, ANY, ANY, ANY),
	DEF(l4_csum_replace, hlp_l4_csum_replace, CTX, ANY, ANY, ANY, ANY),
	/* replaces helpers_ringbuf.c's entry (groups later in table.c win),
	 * which it calls for programs not on an skb; GPL-only as both */
	{ BPF_FUNC_perf_event_output, skb_perf_event_output,
	  { .ret = HRET_INTEGER,
	    .args = { CTX, HARG_CONST_MAP_PTR, ANY, HARG_PTR_TO_MEM,
		      HARG_CONST_SIZE_OR_ZERO },
	    .gpl_only = 1 } },
	{ 0 },
};
