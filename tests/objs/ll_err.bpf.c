/* Load test object: a program bpfvm cannot create (a helper id no
 * kernel has), beside one it can. test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long (*no_such_helper)(void) = (void *)99999;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 8);
} table SEC(".maps");

SEC("xdp") int good(void *ctx)
{
	__u32 k = 3, *v = bpf_map_lookup_elem(&table, &k);

	return v ? *v : 7;
}

SEC("xdp") int bad(void *ctx)
{
	return no_such_helper();
}

char LICENSE[] SEC("license") = "GPL";
