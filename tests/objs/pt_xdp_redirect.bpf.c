/* XDP test objects: bpf_redirect and bpf_redirect_map on each redirect
 * map type, with the target, key and flags taken from the packet; and
 * bpf_redirect from a tc program (the helper's other flavour). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} devs_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} xsks SEC(".maps");

#define ARG(T, off) (*(T *)(data + (off)))

/* Bytes 14..17: ifindex; 18..25: flags. */
SEC("xdp")
int xdp_redirect_dev(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 26 > data_end)
		return XDP_PASS;
	return bpf_redirect(ARG(__u32, 14), ARG(__u64, 18));
}

/* Byte 14: which map; 15..18: key; 19..26: flags. */
SEC("xdp")
int xdp_redirect_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key;
	__u64 flags;

	if (data + 27 > data_end)
		return XDP_PASS;
	key = ARG(__u32, 15);
	flags = ARG(__u64, 19);
	switch (ARG(__u8, 14)) {
	case 0:
		return bpf_redirect_map(&devs, key, flags);
	case 1:
		return bpf_redirect_map(&devs_hash, key, flags);
	case 2:
		return bpf_redirect_map(&cpus, key, flags);
	default:
		return bpf_redirect_map(&xsks, key, flags);
	}
}

/* tc's bpf_redirect: bytes 14..17 ifindex, 18..25 flags. */
SEC("tc")
int tc_redirect_dev(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + 26 > data_end)
		return 0;
	return bpf_redirect(ARG(__u32, 14), ARG(__u64, 18));
}

char _license[] SEC("license") = "GPL";
