/* Load test object: global data of each kind read and written by a
 * program and by the host, a map lookup, a value with a spin lock. test_loader_load.c. */
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

/* a value with a bpf_spin_lock: BTF tells load where it is */
struct locked_val {
	int x;
	struct bpf_spin_lock lock;
	int cnt;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct locked_val);
	__uint(max_entries, 4);
} locked SEC(".maps");

SEC("xdp") int lock_inc(void *ctx)
{
	__u32 k = 0;
	struct locked_val *v = bpf_map_lookup_elem(&locked, &k);
	int n;

	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	n = ++v->cnt;
	bpf_spin_unlock(&v->lock);
	return n;
}

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
