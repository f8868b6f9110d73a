/* tc test objects (SCHED_CLS, SCHED_ACT): every field tc may read, the
 * writable ones written and read back (u16 fields keep 16 bits), narrow
 * loads, direct packet access, and the skb helpers with the arguments the
 * frame carries at byte 14: loads and stores, checksum replacement on
 * IPv4 / IPv6 TCP and UDP, change_head / change_tail / pull_data, hash,
 * checksum level, packet type, redirect. Run by test_skb and, against the
 * kernel's BPF_PROG_TEST_RUN, by test_kernel_pt_skb. */
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>

#include "pt_skb.h"

#define ARGS 14

static __always_inline struct pt_args args(struct __sk_buff *s)
{
	struct pt_args a = {};

	bpf_skb_load_bytes(s, ARGS, &a, sizeof(a));
	return a;
}

SEC("tc")
int tc_fields(struct __sk_buff *s)
{
	void *data = (void *)(long)s->data;
	void *end = (void *)(long)s->data_end;
	void *meta = (void *)(long)s->data_meta;
	__u32 h = 0x811c9dc5u, *w = data;

	MIX_COMMON(h, s);
	h = mix(h, s->tc_classid);
	h = mix(h, s->wire_len);
	h = mix(h, (__u32)s->tstamp);
	h = mix(h, (__u32)(s->tstamp >> 32));
	h = mix(h, (__u32)s->hwtstamp);
	h = mix(h, s->tstamp_type);
	h = mix(h, (__u32)(end - data));
	h = mix(h, (__u32)(data - meta));
	if (data + 24 <= end) {
		w[0] = s->len;
		w[1] = s->protocol;
		w[2] = s->pkt_type;
		w[3] = s->wire_len;
		w[4] = s->ifindex;
		w[5] = h;
	}
	return h;
}

SEC("tc")
int tc_narrow(struct __sk_buff *s)
{
	__u32 h = 1;

	s->tc_index = 0xabcd1234;
	s->tc_classid = 0x5678abcd;
	s->mark = 0x11223344;
	MIX_NARROW(h, s, len);
	MIX_NARROW(h, s, pkt_type);
	MIX_NARROW(h, s, protocol);
	MIX_NARROW(h, s, queue_mapping);
	MIX_NARROW(h, s, tc_index);
	MIX_NARROW(h, s, tc_classid);
	MIX_NARROW(h, s, mark);
	MIX_NARROW(h, s, wire_len);
	MIX_NARROW(h, s, gso_segs);
	MIX_NARROW(h, s, gso_size);
	MIX_NARROW(h, s, vlan_tci);
	MIX_NARROW(h, s, napi_id);
	MIX_NARROW(h, s, cb[4]);
	return h;
}

SEC("tc")
int tc_write(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u32 h = 5;

	s->mark = a.a;
	s->priority = a.b;
	s->tc_index = a.c;
	s->tc_classid = a.d;
	s->cb[0] = a.a ^ a.b;
	s->cb[2] = s->cb[2] + a.c;
	s->cb[4] = s->len;
	s->tstamp = ((__u64)a.a << 32) | a.d;
	h = mix(h, s->tc_index);
	h = mix(h, s->tc_classid);
	h = mix(h, s->mark);
	h = mix(h, s->priority);
	h = mix(h, (__u32)(s->tstamp >> 16));
	return h;
}

SEC("action")
int act_bytes(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u8 buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u32 h = 3;

	h = mix(h, (__u32)bpf_skb_load_bytes(s, a.a, buf, 8));
	s->cb[0] = *(__u32 *)buf;
	h = mix(h, (__u32)bpf_skb_load_bytes_relative(s, a.b & 0x1ffff, buf,
						      4, a.c & 3));
	s->cb[1] = *(__u32 *)buf;
	buf[0] ^= 0x5a;
	h = mix(h, (__u32)bpf_skb_store_bytes(s, a.d & 0xffff, buf, 6,
					      a.d >> 28));
	h = mix(h, (__u32)bpf_skb_store_bytes(s, a.a, buf, 3, 0));
	h = mix(h, (__u32)bpf_skb_pull_data(s, a.b));
	h = mix(h, s->len);
	return h;
}

/* One L3 and one L4 rewrite: addresses (4 bytes, pseudo header), the
 * TTL (2 bytes), by difference (csum_diff), then the error codes. */
static __always_inline __u32 csum_v4(struct __sk_buff *s, __u32 h, __u64 f)
{
	void *data = (void *)(long)s->data;
	void *end = (void *)(long)s->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u32 l4, old, new = bpf_htonl(0x0a000001 + (h & 0xff));
	__u16 oldw, neww;
	__s64 diff;

	if ((void *)(ip + 1) > end || ip->ihl != 5)
		return h;
	l4 = ETH_HLEN + 20 + (ip->protocol == IPPROTO_TCP ? 16 : 6);
	old = ip->daddr;
	oldw = *(__u16 *)&ip->ttl;
	bpf_skb_store_bytes(s, ETH_HLEN + 16, &new, 4, 0);
	h = mix(h, bpf_l3_csum_replace(s, ETH_HLEN + 10, old, new, 4));
	h = mix(h, bpf_l4_csum_replace(s, l4, old, new,
				       BPF_F_PSEUDO_HDR | 4 | f));
	data = (void *)(long)s->data;
	end = (void *)(long)s->data_end;
	ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end)
		return h;
	ip->ttl--;
	neww = *(__u16 *)&ip->ttl;
	h = mix(h, bpf_l3_csum_replace(s, ETH_HLEN + 10, oldw, neww, 2));
	h = mix(h, bpf_l4_csum_replace(s, l4, oldw, neww, 2 | f));
	old = new;
	new = bpf_htonl(0xc0a80000 + h % 251);
	diff = bpf_csum_diff(&old, 4, &new, 4, 0);
	bpf_skb_store_bytes(s, ETH_HLEN + 16, &new, 4, 0);
	h = mix(h, bpf_l3_csum_replace(s, ETH_HLEN + 10, 0, diff, 0));
	h = mix(h, bpf_l4_csum_replace(s, l4, 0, diff, BPF_F_PSEUDO_HDR | f));
	return h;
}

static __always_inline __u32 csum_v6(struct __sk_buff *s, __u32 h, __u64 f)
{
	__u32 old, new = bpf_htonl(0x20010db8 + h % 1000);
	__u8 nh = 0;
	__u32 l4;

	if (bpf_skb_load_bytes(s, ETH_HLEN + 6, &nh, 1) ||
	    bpf_skb_load_bytes(s, ETH_HLEN + 24, &old, 4))
		return h;
	l4 = ETH_HLEN + 40 + (nh == IPPROTO_TCP ? 16 : 6);
	bpf_skb_store_bytes(s, ETH_HLEN + 24, &new, 4, 0);
	h = mix(h, bpf_l4_csum_replace(s, l4, old, new,
				       BPF_F_PSEUDO_HDR | BPF_F_IPV6 | 4 | f));
	return h;
}

SEC("tc")
int tc_csum(struct __sk_buff *s)
{
	__u64 f = s->len & 1 ? BPF_F_MARK_MANGLED_0 : 0;
	__u32 h = 9;

	if (s->protocol == bpf_htons(ETH_P_IP))
		h = csum_v4(s, h, f);
	else if (s->protocol == bpf_htons(ETH_P_IPV6))
		h = csum_v6(s, h, f);
	h = mix(h, bpf_l3_csum_replace(s, 13, 0, 1, 0));
	h = mix(h, bpf_l3_csum_replace(s, s->len - 1, 0, 1, 0));
	h = mix(h, bpf_l3_csum_replace(s, s->len - 2, 0, 0x1234, 0));
	h = mix(h, bpf_l3_csum_replace(s, 12, 0, 1, 3));
	h = mix(h, bpf_l3_csum_replace(s, 12, 1, 1, 0));
	h = mix(h, bpf_l3_csum_replace(s, 12, 0, 1, BPF_F_PSEUDO_HDR));
	h = mix(h, bpf_l4_csum_replace(s, 0x10000, 0, 1, 0));
	h = mix(h, bpf_l4_csum_replace(s, 12, 0xffff, 0, 2 |
				       BPF_F_MARK_MANGLED_0 |
				       BPF_F_MARK_ENFORCE));
	h = mix(h, bpf_l4_csum_replace(s, 12, 0, 1, 1ull << 8));
	return h;
}

/* Arguments: head room, new length, flags for both; the new head
 * carries a marker, and LD_ABS-free reads check the pointers. */
SEC("tc")
int tc_head_tail(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u32 h = 11;
	void *data, *end;

	h = mix(h, (__u32)bpf_skb_change_head(s, a.a, a.c & 1));
	h = mix(h, s->len);
	data = (void *)(long)s->data;
	end = (void *)(long)s->data_end;
	if (data + 4 <= end)
		*(__u32 *)data ^= 0xa5a5a5a5;
	h = mix(h, (__u32)bpf_skb_change_tail(s, a.b, a.c & 2));
	h = mix(h, s->len);
	h = mix(h, s->gso_size);
	data = (void *)(long)s->data;
	end = (void *)(long)s->data_end;
	h = mix(h, (__u32)(end - data));
	if (data + 40 <= end)
		*(__u8 *)(data + 39) = 0x77;
	h = mix(h, (__u32)bpf_skb_pull_data(s, a.d));
	h = mix(h, (__u32)bpf_skb_change_tail(s, s->len + 3, 0));
	return h;
}

SEC("action")
int act_misc(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u32 h = 13;
	__u8 b = 0;

	h = mix(h, s->hash);
	h = mix(h, (__u32)bpf_set_hash(s, a.a));
	h = mix(h, s->hash);
	h = mix(h, (__u32)bpf_skb_store_bytes(s, 0, &b, 1,
					      BPF_F_INVALIDATE_HASH));
	h = mix(h, s->hash);
	bpf_set_hash(s, a.a + 1);
	bpf_set_hash_invalid(s);
	h = mix(h, s->hash);
	h = mix(h, bpf_get_route_realm(s));
	h = mix(h, bpf_get_socket_uid(s));
	h = mix(h, bpf_get_cgroup_classid(s));
	h = mix(h, (__u32)bpf_csum_update(s, a.b));
	h = mix(h, (__u32)bpf_csum_level(s, BPF_CSUM_LEVEL_QUERY));
	for (int i = 0; i < 5; i++) {
		__u32 op = (a.c >> (2 * i)) & 3;

		h = mix(h, (__u32)bpf_csum_level(s, op == 0 ? 4 : op));
		h = mix(h, (__u32)bpf_csum_level(s, BPF_CSUM_LEVEL_QUERY));
	}
	h = mix(h, (__u32)bpf_skb_change_type(s, a.d & 7));
	h = mix(h, s->pkt_type);
	h = mix(h, (__u32)bpf_skb_set_tstamp(s, a.b & 0xff00, a.d >> 8));
	h = mix(h, (__u32)s->tstamp);
	h = mix(h, s->tstamp_type);
	return h;
}

/* LD_ABS / LD_IND before and after the packet moves and grows. */
SEC("tc")
int tc_ld_abs(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u32 h = 17;

	h = mix(h, load_word(s, a.a & 0xff));
	h = mix(h, (__u32)bpf_skb_change_head(s, a.b & 0x3f, 0));
	h = mix(h, load_half(s, a.c & 0x7f));
	h = mix(h, (__u32)bpf_skb_change_tail(s, a.d & 0xff, 0));
	h = mix(h, load_byte(s, (a.d & 0xff) - 1));
	h = mix(h, load_word(s, 0));
	return h | 1;
}

/* IPv4 <-> IPv6 as the arguments ask (twice), then the protocol, the
 * header offsets and the bytes the program sees. */
SEC("tc")
int tc_proto(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u32 h = 19;
	__u8 b[4] = {};

	if (a.c & 1)
		h = mix(h, (__u32)bpf_skb_change_head(s, a.c & 0x1e, 0));
	h = mix(h, (__u32)bpf_skb_change_proto(s, a.a, a.d & 0x100));
	h = mix(h, s->protocol);
	h = mix(h, s->len);
	h = mix(h, (__u32)bpf_skb_load_bytes_relative(s, 0, b, 4,
						      BPF_HDR_START_NET));
	h = mix(h, *(__u32 *)b);
	h = mix(h, (__u32)bpf_skb_change_proto(s, a.b, 0));
	h = mix(h, s->protocol);
	h = mix(h, (__u32)bpf_skb_load_bytes_relative(s, 2, b, 4,
						      BPF_HDR_START_MAC));
	h = mix(h, *(__u32 *)b);
	h = mix(h, (__u32)bpf_skb_change_tail(s, 20, 0));
	return h;
}

/* adjust_room(a, mode b, flags c | L2 length d << 56) twice, then what
 * it left: protocol, length, the network header's first bytes, whether
 * change_tail still works (not when encapsulated), the checksum level. */
SEC("tc")
int tc_room(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u64 flags = a.c | ((__u64)(a.d & 0xff) << 56);
	__u32 h = 23;
	__u8 b[4] = {};

	bpf_csum_level(s, BPF_CSUM_LEVEL_INC);
	h = mix(h, (__u32)bpf_skb_adjust_room(s, (__s32)a.a, a.b, flags));
	h = mix(h, s->protocol);
	h = mix(h, s->len);
	h = mix(h, (__u32)bpf_csum_level(s, BPF_CSUM_LEVEL_QUERY));
	h = mix(h, (__u32)bpf_skb_load_bytes_relative(s, 0, b, 4,
						      BPF_HDR_START_NET));
	h = mix(h, *(__u32 *)b);
	h = mix(h, (__u32)bpf_skb_adjust_room(s, (__s32)a.a, a.b, flags));
	h = mix(h, s->len);
	h = mix(h, (__u32)bpf_skb_change_tail(s, s->len - 1, 0));
	h = mix(h, (__u32)bpf_skb_change_tail(s, 50, 0));
	return h;
}

/* VLAN tags pushed and popped as the arguments ask (a: ops, 2 bits
 * each: push, pop, nothing), with what the skb and packet show after. */
SEC("tc")
int tc_vlan(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	__u32 h = 29;
	__u8 b[4] = {};

	for (int i = 0; i < 4; i++) {
		__u32 op = (a.a >> (2 * i)) & 3;

		if (op == 1)
			h = mix(h, (__u32)bpf_skb_vlan_push(s, a.b >> (8 * i),
							    a.c + i));
		else if (op == 2)
			h = mix(h, (__u32)bpf_skb_vlan_pop(s));
		h = mix(h, s->vlan_present);
		h = mix(h, LD8(s, SKB(vlan_present) + 1));
		h = mix(h, LD16(s, SKB(vlan_present) + 2));
		h = mix(h, s->vlan_tci);
		h = mix(h, s->vlan_proto);
		h = mix(h, s->protocol);
		h = mix(h, s->len);
	}
	h = mix(h, (__u32)bpf_skb_load_bytes_relative(s, 0, b, 4,
						      BPF_HDR_START_NET));
	h = mix(h, *(__u32 *)b);
	h = mix(h, (__u32)bpf_skb_change_tail(s, a.d & 0x3f, 0));
	return h;
}

SEC("tc")
int tc_redirect(struct __sk_buff *s)
{
	struct pt_args a = args(s);

	return bpf_redirect(a.a, (__u64)a.b << (a.c & 31));
}

SEC("tc")
int tc_redirect_peer(struct __sk_buff *s)
{
	struct pt_args a = args(s);

	return bpf_redirect_peer(a.a, (__u64)a.b << (a.c & 31));
}

SEC("tc")
int tc_redirect_neigh(struct __sk_buff *s)
{
	struct pt_args a = args(s);
	struct bpf_redir_neigh nh = { .nh_family = 2, .ipv4_nh = a.d };
	__u32 h = 31;

	h = mix(h, bpf_redirect_neigh(a.a, &nh, sizeof(nh), a.b & 3));
	h = mix(h, bpf_redirect_neigh(a.a, 0, 0, a.c & 1));
	h = mix(h, bpf_redirect_neigh(a.a, &nh, a.d & 0x1f, 0));
	return h;
}

char _license[] SEC("license") = "GPL";
