/* libbpf-style XDP: BTF-defined .maps of every common kind and a
 * PROG_ARRAY filled at load from `.values` (tail calls). xdp_count and
 * the tail targets never read the context, so they run on plain memory;
 * xdp_parse is a packet parser as real projects write one. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1024);
} xdp_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} xdp_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} xdp_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} xdp_percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 128);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xdp_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} xdp_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} xdp_events SEC(".maps");

SEC("xdp") int xdp_tail_a(struct xdp_md *ctx);
SEC("xdp") int xdp_tail_b(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(void *));
} xdp_jmp SEC(".maps") = {
	.values = {
		[0] = (void *)&xdp_tail_a,
		[2] = (void *)&xdp_tail_b,
	},
};

/* Count the run, then tail-call slot 0: xdp_tail_a, which tail-calls
 * slot 2: xdp_tail_b returns 9. 2 (XDP_PASS) or 7 say which tail call
 * failed. */
SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *cnt = bpf_map_lookup_elem(&xdp_counters, &key);

	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	bpf_tail_call(ctx, &xdp_jmp, 0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_tail_a(struct xdp_md *ctx)
{
	__u32 key = 7;
	__u64 val = 42, *old;

	bpf_map_update_elem(&xdp_hash, &key, &val, BPF_ANY);
	old = bpf_map_lookup_elem(&xdp_hash, &key);
	if (!old || *old != 42)
		return 1;
	bpf_tail_call(ctx, &xdp_jmp, 2);
	return 7;
}

/* The end of the chain: leaves marks in the per-CPU array and the LRU
 * map so a test can see it ran. */
SEC("xdp")
int xdp_tail_b(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 one = 1;
	__u32 lkey = 0;
	__u64 *v = bpf_map_lookup_elem(&xdp_percpu, &lkey);

	if (v)
		*v += 1;
	bpf_map_update_elem(&xdp_lru, &key, &one, BPF_ANY);
	return 9;
}

/* A packet parser: the shape of real XDP programs (needs a real
 * context: not run on plain memory). */
SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct lpm_key lk;
	__u32 *verdict, *ev;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	lk.prefixlen = 32;
	lk.addr = ip->saddr;
	verdict = bpf_map_lookup_elem(&xdp_lpm, &lk);
	if (verdict)
		return *verdict;
	ev = bpf_ringbuf_reserve(&xdp_events, sizeof(*ev), 0);
	if (ev) {
		*ev = ip->saddr;
		bpf_ringbuf_submit(ev, 0);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
