/* The skb helpers that insert or remove headers: bpf_skb_adjust_room
 * and bpf_skb_vlan_push / pop (net/core/filter.c, skbuff.c).
 *
 * bpf_skb_adjust_room: room added or removed at the
 * MAC header's end (BPF_ADJ_ROOM_MAC) or after the fixed network header
 * (BPF_ADJ_ROOM_NET) of an IPv4 / IPv6 packet, with the encapsulation
 * flags (the network header moves to the new outer header, the transport
 * header after it for GRE / UDP, the protocol to the outer family, the
 * skb marked encapsulated: a second encapsulation is -EALREADY,
 * skb_change_tail -ENOTSUPP) and the decapsulation ones (the protocol to
 * the inner family). bpfvm's skbs are GSO only when ctx_in gives a
 * gso_size, and then of no GSO type, which the kernel refuses here
 * (-ENOTSUPP). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/bpf.h>

#include "helpers/skb_helpers.h"
#include "progtypes/skb_ctx.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's */
#endif
#define ERR(e) ((uint64_t)(int64_t)(e))

#define IP_BE 0x0008u	/* htons(ETH_P_IP) */
#define IPV6_BE 0xdd86u
#define DECAP_IPV4 (1ull << 7)	/* BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (6.4) */
#define DECAP_IPV6 (1ull << 8)
#define DECAP_L3 (DECAP_IPV4 | DECAP_IPV6)
#define ENCAP_L3 (BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
#define ENCAP_L4 (BPF_F_ADJ_ROOM_ENCAP_L4_GRE | BPF_F_ADJ_ROOM_ENCAP_L4_UDP)
#define ROOM_MASK                                                            \
	(BPF_F_ADJ_ROOM_FIXED_GSO | ENCAP_L3 | ENCAP_L4 |                    \
	 BPF_F_ADJ_ROOM_ENCAP_L2_ETH |                                       \
	 BPF_F_ADJ_ROOM_ENCAP_L2(BPF_ADJ_ROOM_ENCAP_L2_MASK) | DECAP_L3 |    \
	 BPF_F_ADJ_ROOM_NO_CSUM_RESET)

/* bpf_skb_net_base_len */
static uint32_t base_len(uint16_t proto)
{
	return proto == IP_BE ? 20 : proto == IPV6_BE ? 40 : UINT32_MAX;
}

static int encap_check(const struct skb_ctx *c, uint32_t diff, uint64_t flags)
{
	uint32_t inner_mac = (uint32_t)(flags >> BPF_ADJ_ROOM_ENCAP_L2_SHIFT);

	if ((flags & ENCAP_L3) == ENCAP_L3 || (flags & ENCAP_L4) == ENCAP_L4)
		return -EINVAL;
	if ((flags & BPF_F_ADJ_ROOM_ENCAP_L2_ETH) && inner_mac < 14)
		return -EINVAL;
	if (c->encap)
		return -EALREADY;
	return inner_mac > diff ? -EINVAL : 0;
}

/* bpf_skb_net_grow */
static int room_grow(struct skb_ctx *c, uint32_t off, uint32_t diff,
		     uint64_t flags)
{
	bool encap = flags & ENCAP_L3;
	uint32_t mac_len = c->net_off - c->mac_off;
	int err;

	if (skb_ctx_is_gso(c))
		return -ENOTSUPP;	/* GSO of no TCP / UDP_L4 type */
	skb_ctx_cow(c, diff);	/* skb_cow_head, before the checks */
	if (encap) {
		err = encap_check(c, diff, flags);
		if (err)
			return err;
	}
	if (!skb_ctx_hdr_push(c, off, diff))
		return -ENOMEM;
	if (!encap)
		return 0;
	c->encap = 1;
	c->net_off = c->data_off + mac_len;
	if (flags & ENCAP_L4) {
		c->trans_set = true;
		c->trans_pos = c->net_off +
			       (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 ? 40 : 20);
	}
	if (c->sk.protocol == IP_BE && (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6))
		c->sk.protocol = IPV6_BE;
	else if (c->sk.protocol == IPV6_BE &&
		 (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		c->sk.protocol = IP_BE;
	return 0;
}

/* bpf_skb_net_shrink */
static int room_shrink(struct skb_ctx *c, uint32_t off, uint32_t diff,
		       uint64_t flags)
{
	if (flags & ~(BPF_F_ADJ_ROOM_FIXED_GSO | DECAP_L3 |
		      BPF_F_ADJ_ROOM_NO_CSUM_RESET))
		return -EINVAL;
	if (skb_ctx_is_gso(c))
		return -ENOTSUPP;
	if (!skb_ctx_hdr_pop(c, off, diff))
		return -ENOMEM;
	if (c->sk.protocol == IP_BE && (flags & DECAP_IPV6))
		c->sk.protocol = IPV6_BE;
	else if (c->sk.protocol == IPV6_BE && (flags & DECAP_IPV4))
		c->sk.protocol = IP_BE;
	return 0;
}

/* The checks before the packet changes: 0 with *off, or the error. */
static int room_check(const struct skb_ctx *c, int32_t len_diff,
		      uint32_t mode, uint64_t flags, uint32_t *off)
{
	uint32_t abs = len_diff < 0 ? 0u - (uint32_t)len_diff
				    : (uint32_t)len_diff;
	uint32_t len_min = base_len(c->sk.protocol), len_cur;
	bool shrink = len_diff < 0;

	if (flags & ~ROOM_MASK)
		return -EINVAL;
	if (abs > 0xfff)
		return -EFAULT;
	if (c->sk.protocol != IP_BE && c->sk.protocol != IPV6_BE)
		return -ENOTSUPP;
	*off = c->net_off - c->mac_off;
	if (mode == BPF_ADJ_ROOM_NET)
		*off += len_min;
	else if (mode != BPF_ADJ_ROOM_MAC)
		return -ENOTSUPP;
	if (flags & DECAP_L3) {
		if (!shrink || (flags & DECAP_L3) == DECAP_L3)
			return -EINVAL;
		len_min = flags & DECAP_IPV4 ? 20 : 40;
	}
	len_cur = c->sk.len - (c->net_off - c->data_off);
	if ((shrink && (abs >= len_cur || len_cur - abs < len_min)) ||
	    (!shrink && c->sk.len + abs > SKB_CTX_MAX_LEN &&
	     !skb_ctx_is_gso(c)))
		return -ENOTSUPP;
	return 0;
}

/* long bpf_skb_adjust_room(skb, s32 len_diff, u32 mode, u64 flags) */
uint64_t hlp_skb_adjust_room(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	int32_t len_diff = (int32_t)r2;
	uint32_t off, abs;
	int err;

	(void)r5;
	if (!c)
		return ERR(-EINVAL);
	err = room_check(c, len_diff, (uint32_t)r3, r4, &off);
	if (err)
		return ERR(err);
	abs = len_diff < 0 ? 0u - (uint32_t)len_diff : (uint32_t)len_diff;
	err = len_diff < 0 ? room_shrink(c, off, abs, r4)
			   : room_grow(c, off, abs, r4);
	if (!err && !(r4 & BPF_F_ADJ_ROOM_NO_CSUM_RESET) &&
	    c->ip_summed == SKB_CSUM_UNNECESSARY) {
		c->ip_summed = SKB_CSUM_NONE;	/* reset_checksum_unnecessary */
		c->csum_level = 0;
	}
	skb_ctx_sync(c, run);
	return ERR(err);
}

/* --- VLAN tags: the skb's (vlan_present / vlan_tci / vlan_proto, the
 * kernel's hardware-accelerated tag) and the packet's 802.1Q / 802.1ad
 * headers after the MAC addresses. --- */

#define VLAN_HLEN 4u
#define P8021Q_BE 0x0081u	/* htons(ETH_P_8021Q) */
#define P8021AD_BE 0xa888u	/* htons(ETH_P_8021AD) */

static bool eth_type_vlan(uint16_t proto)
{
	return proto == P8021Q_BE || proto == P8021AD_BE;
}

static void put_tag(struct skb_ctx *c, uint16_t proto, uint16_t tci)
{
	c->sk.vlan_present = 1;
	c->sk.vlan_proto = proto;
	c->sk.vlan_tci = tci;
}

/* skb_vlan_flush: the skb's tag into the packet (__vlan_insert_tag):
 * the addresses move 4 bytes back, then TPID and TCI. */
static int vlan_flush(struct skb_ctx *c)
{
	uint16_t tci = (uint16_t)(c->sk.vlan_tci >> 8 | c->sk.vlan_tci << 8);
	uint16_t proto = (uint16_t)c->sk.vlan_proto;
	uint8_t *d;

	if (c->data_off != c->mac_off)
		return -EINVAL;
	skb_ctx_cow(c, VLAN_HLEN);
	if (!skb_ctx_headroom(c, VLAN_HLEN))
		return -ENOMEM;
	c->data_off -= VLAN_HLEN;
	c->khead -= VLAN_HLEN;
	c->sk.len += VLAN_HLEN;
	c->mac_off -= VLAN_HLEN;
	d = skb_ctx_data(c);
	memmove(d, d + VLAN_HLEN, 12);
	memcpy(d + 12, &proto, 2);
	memcpy(d + 14, &tci, 2);
	c->sk.protocol = proto;
	c->net_off -= VLAN_HLEN;
	return 0;
}

/* long bpf_skb_vlan_push(skb, __be16 vlan_proto, u16 vlan_tci): a tag
 * already on the skb goes into the packet first. */
uint64_t hlp_skb_vlan_push(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint16_t proto = (uint16_t)r2;
	int err = 0;

	(void)r4, (void)r5;
	if (!c)
		return ERR(-EINVAL);
	if (!eth_type_vlan(proto))
		proto = P8021Q_BE;
	if (c->sk.vlan_present)
		err = vlan_flush(c);
	if (!err)
		put_tag(c, proto, (uint16_t)r3);
	skb_ctx_sync(c, run);
	return ERR(err);
}

/* __skb_vlan_pop: the packet's outer tag out; its TCI in *tci. */
static int vlan_pop_packet(struct skb_ctx *c, uint16_t *tci)
{
	uint8_t *d = skb_ctx_data(c);
	uint16_t encap;

	if (c->data_off != c->mac_off)
		return -EINVAL;
	if (c->sk.len < 18)	/* skb_ensure_writable(VLAN_ETH_HLEN) */
		return -ENOMEM;
	*tci = (uint16_t)(d[14] << 8 | d[15]);
	memcpy(&encap, d + 16, 2);
	memmove(d + VLAN_HLEN, d, 12);
	c->data_off += VLAN_HLEN;
	c->khead += VLAN_HLEN;
	c->sk.len -= VLAN_HLEN;
	d += VLAN_HLEN;
	if ((d[12] << 8 | d[13]) >= 0x600)	/* vlan_set_encap_proto */
		c->sk.protocol = encap;
	else if (c->sk.len >= 16 && d[14] == 0xff && d[15] == 0xff)
		c->sk.protocol = 0x0100;	/* htons(ETH_P_802_3) */
	else
		c->sk.protocol = 0x0400;	/* htons(ETH_P_802_2) */
	c->mac_off += VLAN_HLEN;
	if ((int64_t)c->net_off - c->data_off < 14)
		c->net_off = c->data_off + 14;
	return 0;
}

/* long bpf_skb_vlan_pop(skb): the skb's tag if it has one, else the
 * packet's; then a further packet tag becomes the skb's. */
uint64_t hlp_skb_vlan_pop(uint64_t r1, uint64_t r2, uint64_t r3,
			  uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint16_t tci, proto;
	int err = 0;

	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!c)
		return ERR(-EINVAL);
	if (c->sk.vlan_present) {
		c->sk.vlan_present = c->sk.vlan_tci = c->sk.vlan_proto = 0;
	} else if (eth_type_vlan((uint16_t)c->sk.protocol)) {
		err = vlan_pop_packet(c, &tci);
	} else {
		return 0;
	}
	if (!err && eth_type_vlan((uint16_t)c->sk.protocol)) {
		proto = (uint16_t)c->sk.protocol;
		err = vlan_pop_packet(c, &tci);
		if (!err)
			put_tag(c, proto, tci);
	}
	skb_ctx_sync(c, run);
	return ERR(err);
}
