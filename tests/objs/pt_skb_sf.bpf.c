/* Socket filter test objects: every field a socket filter may read,
 * cb[] written, narrow loads, LD_ABS / LD_IND, skb_load_bytes and
 * skb_load_bytes_relative (the MAC header before the packet). Run by
 * test_skb and, against the kernel's BPF_PROG_TEST_RUN, by
 * test_kernel_pt_skb. */
#include "pt_skb.h"

SEC("socket")
int sf_fields(struct __sk_buff *s)
{
	__u32 h = 0x811c9dc5u;

	MIX_COMMON(h, s);
	s->cb[0] = h;
	s->cb[1] = s->len;
	s->cb[2] = s->protocol;
	s->cb[3] = s->pkt_type;
	s->cb[4] = s->cb[4] + 1;
	return h;
}

SEC("socket")
int sf_narrow(struct __sk_buff *s)
{
	__u32 h = 1;

	MIX_NARROW(h, s, len);
	MIX_NARROW(h, s, pkt_type);
	MIX_NARROW(h, s, protocol);
	MIX_NARROW(h, s, queue_mapping);
	MIX_NARROW(h, s, tc_index);
	MIX_NARROW(h, s, ifindex);
	MIX_NARROW(h, s, gso_segs);
	MIX_NARROW(h, s, gso_size);
	MIX_NARROW(h, s, cb[1]);
	*(volatile __u8 *)((void *)s + SKB(cb[2]) + 1) = 0xab;
	*(volatile __u16 *)((void *)s + SKB(cb[3]) + 2) = 0xcdef;
	*(volatile __u64 *)((void *)s + SKB(cb[0])) = 0x1122334455667788ull;
	return h;
}

/* LD_ABS of every size at the offsets the frame's arguments give, then
 * LD_IND from them; out of bounds ends the program with 0. */
SEC("socket")
int sf_ld_abs(struct __sk_buff *s)
{
	__u32 h = 7;
	__u64 a = load_word(s, 0), b;

	h = mix(h, (__u32)a);
	h = mix(h, load_byte(s, 4));
	h = mix(h, load_half(s, 5));
	b = a & 0x3f;
	h = mix(h, load_byte(s, b));
	h = mix(h, load_half(s, b + 1));
	h = mix(h, load_word(s, b + 3));
	h = mix(h, load_word(s, 20));
	h = mix(h, load_half(s, 46));
	return h | 1;
}

/* skb_load_bytes / skb_load_bytes_relative at the offsets and header
 * the arguments give; results and bytes into cb[], codes into r0. */
SEC("socket")
int sf_bytes(struct __sk_buff *s)
{
	struct pt_args a = {};
	__u8 buf[8];
	__u32 h = 3;
	long rc;

	rc = bpf_skb_load_bytes(s, 0, &a, sizeof(a));
	h = mix(h, (__u32)rc);
	rc = bpf_skb_load_bytes(s, a.a, buf, 8);
	h = mix(h, (__u32)rc);
	s->cb[0] = *(__u32 *)buf;
	s->cb[1] = *(__u32 *)(buf + 4);
	rc = bpf_skb_load_bytes_relative(s, a.b & 0x1ffff, buf, 4, a.c);
	h = mix(h, (__u32)rc);
	s->cb[2] = *(__u32 *)buf;
	rc = bpf_skb_load_bytes_relative(s, 0, buf, 8, BPF_HDR_START_MAC);
	h = mix(h, (__u32)rc);
	s->cb[3] = *(__u32 *)(buf + 4);
	rc = bpf_skb_load_bytes(s, s->len - 2, buf, 2);
	h = mix(h, (__u32)rc);
	s->cb[4] = *(__u16 *)buf;
	return h;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 4);
} pt_events SEC(".maps");

/* perf_event_output with packet bytes (BPF_F_CTXLEN_MASK) as the
 * arguments ask: the error order (flags, length, empty slot). */
SEC("socket")
int sf_perf(struct __sk_buff *s)
{
	struct pt_args a = {};
	__u64 flags;

	bpf_skb_load_bytes(s, 0, &a, sizeof(a));
	flags = ((__u64)(a.a & 0x1fffff) << 32) | (a.b & 0xffffffff);
	return bpf_perf_event_output(s, &pt_events, flags, &a, sizeof(a));
}

/* What a socket filter returns: how many bytes the socket keeps. */
SEC("socket")
int sf_keep(struct __sk_buff *s)
{
	return s->len > 60 ? 60 : s->len / 2;
}

char _license[] SEC("license") = "GPL";
