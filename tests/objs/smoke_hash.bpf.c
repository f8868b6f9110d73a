#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, int); __type(value, long); __uint(max_entries, 8);} m SEC(".maps");
SEC("xdp") int f(struct xdp_md *c){ int k=0; long *v=bpf_map_lookup_elem(&m,&k); return v? *v:2;}
char LICENSE[] SEC("license")="GPL";
