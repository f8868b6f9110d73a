/* Loader open tests: BTF-defined maps whose `values` are initialised
 * (R_BPF_64_ABS64 relocations in .maps): a PROG_ARRAY of programs and an
 * ARRAY_OF_MAPS holding a map; a perf event array without max_entries. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
} inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 4);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_a },
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf SEC(".maps");

SEC("socket") int tail_a(struct __sk_buff *skb);
SEC("socket") int tail_b(struct __sk_buff *skb);
SEC("socket") static int tail_c(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&tail_a, [2] = (void *)&tail_b,
		    [3] = (void *)&tail_c },
};

SEC("socket")
int tail_a(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp, 2);
	return 1;
}

SEC("socket")
int tail_b(struct __sk_buff *skb)
{
	__u32 k = 1;
	void *m = bpf_map_lookup_elem(&outer, &k);

	bpf_perf_event_output(skb, &perf, BPF_F_CURRENT_CPU, &k, sizeof(k));
	return m ? 2 : 3;
}

/* static: referenced through its section's symbol + addend */
SEC("socket")
static int tail_c(struct __sk_buff *skb)
{
	return 4;
}

char LICENSE[] SEC("license") = "GPL";
