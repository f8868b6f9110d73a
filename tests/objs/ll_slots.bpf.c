/* Load test object: `.maps` initial slots — a PROG_ARRAY naming programs
 * of the object (tail calls between them) and an array of maps naming
 * maps. test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int tail_one(void *ctx);
int tail_two(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [1] = (void *)&tail_one, [3] = (void *)&tail_two },
};

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} in0 SEC(".maps"), in1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { &in0, &in1 },
};

int which = 1;

SEC("xdp") int tail_one(void *ctx)
{
	return 11;
}

SEC("xdp") int tail_two(void *ctx)
{
	return 22;
}

SEC("xdp") int entry(void *ctx)
{
	bpf_tail_call(ctx, &jmp, which);
	return 99;			/* empty slot */
}

SEC("xdp") int via_outer(void *ctx)
{
	__u32 k = 1, z = 0;
	void *m = bpf_map_lookup_elem(&outer, &k);
	__u32 *v;

	if (!m)
		return -1;
	v = bpf_map_lookup_elem(m, &z);
	return v ? *v : -2;
}

char LICENSE[] SEC("license") = "GPL";
