/* Load test object: global data of each kind read and written by a
 * program and by the host, and a map lookup. test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 5;			/* .data */
__u64 hits;				/* .bss */
const volatile int factor = 3;		/* .rodata */
char tag[4] SEC(".data.tag") = "abc";	/* .data.* */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} vals SEC(".maps");

SEC("xdp") int bump(void *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&vals, &k);

	counter += factor;
	hits++;
	tag[0] = 'x';
	if (!v)
		return 0;
	*v += counter;
	return *v;
}

char LICENSE[] SEC("license") = "GPL";
