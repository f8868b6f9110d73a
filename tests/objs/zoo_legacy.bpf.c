/* Kernel-samples style (samples/bpf before BTF maps): struct bpf_map_def
 * in SEC("maps"), 28 bytes each, and a version section. libbpf 1.x
 * refuses these; older loaders and bpfvm read them. */
#include <linux/bpf.h>
#include <linux/version.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def_legacy SEC("maps") my_map = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(int),
	.value_size = sizeof(long),
	.max_entries = 256,
};

struct bpf_map_def_legacy SEC("maps") stats = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 8,
	.map_flags = 0,
	.numa_node = 0,
};

struct bpf_map_def_legacy SEC("maps") lru_nocommon = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1000,
	.map_flags = BPF_F_NO_COMMON_LRU,
};

/* Stores the first word of the record under key 1, reads it back. */
SEC("tracepoint/syscalls/sys_enter_open")
int trace_open(unsigned long *ctx)
{
	int key = 1;
	long val = (long)ctx[1], *got;
	__u32 skey = 3;
	__u64 *s;

	bpf_map_update_elem(&my_map, &key, &val, BPF_ANY);
	s = bpf_map_lookup_elem(&stats, &skey);
	if (s)
		*s += 1;
	got = bpf_map_lookup_elem(&my_map, &key);
	return got ? (int)*got : -1;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = LINUX_VERSION_CODE;
