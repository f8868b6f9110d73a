/* Loader open tests: libbpf-era SEC("maps") with the 20-byte struct
 * bpf_map_def, a perf event array of max_entries 0 (one per CPU), and a
 * version section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct map_def20 {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct map_def20 SEC("maps") counters = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 16,
};

struct map_def20 SEC("maps") events = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 0,
};

struct map_def20 SEC("maps") flows = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = 8,
	.value_size = 16,
	.max_entries = 1024,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("kprobe/sys_write")
int count_write(void *ctx)
{
	__u32 k = 1;
	__u64 key = 5, *v = bpf_map_lookup_elem(&counters, &k);

	if (v)
		*v += 1;
	bpf_map_lookup_elem(&flows, &key);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &k, sizeof(k));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x050a00;
