/* BTF-defined maps, every field (issue 5 tests, tests/unit/
 * test_btf_maps.c): sizes from types and from __uint, both together,
 * flags, NUMA node, map_extra, pinning, map-in-map templates with
 * initial inner maps, a PROG_ARRAY with initial programs. libbpf 1.1
 * opens it too (test_btf_maps_libbpf); __ulong, which it does not know,
 * is in bm_ulong.bpf.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bm_key {
	int a;
	char b[12];
};

struct bm_val {
	long x[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(numa_node, 1);
	__type(key, struct bm_key);
	__type(value, struct bm_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bm_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 40);
	__uint(max_entries, 3);
} bm_sizes SEC(".maps");

/* key_size and key type together (they agree) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(struct bm_key));
	__type(key, struct bm_key);
	__type(value, int);
	__uint(max_entries, 2);
} bm_both SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 100);
	__uint(map_extra, 3);
} bm_bloom SEC(".maps");

struct bm_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct bm_inner bm_in1 SEC(".maps"), bm_in2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 5);
	__type(key, __u32);
	__array(values, struct bm_inner);
} bm_aom SEC(".maps") = {
	.values = { [0] = &bm_in1, [3] = &bm_in2 },
};

/* an inner map that fits bm_hom's template */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u64);
	__type(value, struct bm_val);
} bm_hin SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, int);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 32);
		__type(key, __u64);
		__type(value, struct bm_val);
	});
} bm_hom SEC(".maps") = {
	.values = { [1] = (void *)&bm_hin },
};

SEC("xdp")
int bm_tail_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bm_tail_b(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} bm_progs SEC(".maps") = {
	.values = { [1] = (void *)&bm_tail_a, [3] = (void *)&bm_tail_b },
};

SEC("xdp")
int bm_main(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &bm_progs, 1);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
