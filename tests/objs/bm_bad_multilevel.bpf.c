/* An inner map template that has values itself (issue 5,
 * test_btf_maps): multi-level map-in-map is refused, as libbpf does. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bm_leaf {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
};

struct bm_mid {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, int);
	__array(values, struct bm_leaf);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, int);
	__array(values, struct bm_mid);
} bm_multi SEC(".maps");
