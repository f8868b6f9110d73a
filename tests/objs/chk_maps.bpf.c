/* Checked runs over map memory, as clang writes it (test_checked_maps):
 * an XDP firewall in small -- an LPM_TRIE blocklist whose values count
 * their hits, a ring buffer event per dropped packet, per-protocol HASH
 * counters, an LRU_HASH of sources, a PERCPU_ARRAY of outcomes, an inner
 * ARRAY reached through an ARRAY_OF_MAPS, .bss and .rodata -- and two
 * programs that overstep: a read past an LPM value by an offset the
 * packet gives, a write into a ring record after submitting it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct chk_key {
	__u32 prefixlen;
	__u32 addr;		/* network order */
};

struct chk_rule {
	__u32 id;
	__u32 hits;
};

struct chk_event {
	__u32 saddr;
	__u32 rule;
	__u32 len;
	__u32 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct chk_key);
	__type(value, struct chk_rule);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} chk_block SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} chk_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} chk_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} chk_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} chk_stats SEC(".maps");

struct chk_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} chk_inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 1);
	__array(values, struct chk_inner);
} chk_outer SEC(".maps") = { .values = { &chk_inner_a } };

__u64 chk_packets;			/* .bss */
const volatile __u32 chk_drop_ret = XDP_DROP;	/* .rodata */

static __always_inline void bump(void *map, __u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

static __always_inline struct iphdr *ip_of(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	return ip;
}

SEC("xdp")
int chk_fw(struct xdp_md *ctx)
{
	struct chk_key key = { 32, 0 };
	struct chk_event *e;
	struct chk_rule *r;
	struct iphdr *ip = ip_of(ctx);
	__u32 zero = 0, slot;
	__u64 *stat, *cfg;
	void *inner;

	chk_packets++;
	if (!ip)
		return XDP_PASS;
	inner = bpf_map_lookup_elem(&chk_outer, &zero);
	cfg = inner ? bpf_map_lookup_elem(inner, &zero) : 0;
	if (cfg)
		*cfg += ctx->data_end - ctx->data;
	bump(&chk_proto, ip->protocol);
	bump(&chk_src, ip->saddr);
	key.addr = ip->saddr;
	r = bpf_map_lookup_elem(&chk_block, &key);
	slot = r ? 1 : 0;
	stat = bpf_map_lookup_elem(&chk_stats, &slot);
	if (stat)
		*stat += 1;
	if (!r)
		return XDP_PASS;
	r->hits++;
	e = bpf_ringbuf_reserve(&chk_events, sizeof(*e), 0);
	if (e) {
		e->saddr = ip->saddr;
		e->rule = r->id;
		e->len = ctx->data_end - ctx->data;
		e->hits = r->hits;
		bpf_ringbuf_submit(e, 0);
	}
	return chk_drop_ret;
}

/* Reads the byte of the source's LPM value at the offset in the IP
 * header's id field (one past the 8-byte value faults). */
SEC("xdp")
int chk_lpm_past(struct xdp_md *ctx)
{
	struct chk_key key = { 32, 0 };
	struct iphdr *ip = ip_of(ctx);
	__u8 *v;

	if (!ip)
		return XDP_ABORTED;
	key.addr = ip->saddr;
	v = bpf_map_lookup_elem(&chk_block, &key);
	if (!v)
		return XDP_ABORTED;
	return v[bpf_ntohs(ip->id)];
}

/* Writes a ring record after submitting it (faults). */
SEC("xdp")
int chk_ring_after(struct xdp_md *ctx)
{
	struct chk_event *e = bpf_ringbuf_reserve(&chk_events, sizeof(*e), 0);

	(void)ctx;
	if (!e)
		return XDP_ABORTED;
	e->saddr = 1;
	bpf_ringbuf_submit(e, 0);
	e->rule = 2;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
