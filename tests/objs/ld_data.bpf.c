/* Loader open tests: global data of every kind: .data, .rodata, .bss,
 * string literals (.rodata.str1.1), custom .data.foo / .rodata.bar, and
 * static variables (relocated through their section's symbol). A
 * ringbuf declaring key/value types (bpf2go style). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4096);
} rb SEC(".maps");

__u64 d_one = 0x1111;
__u64 d_two = 0x2222;
static volatile __u32 d_static = 0x3333;
const volatile __u64 ro_val = 0x4444;
__u64 zero_a;
__u64 zero_b[3];
__u32 foo_var SEC(".data.foo") = 0x5555;
const volatile __u32 bar_var SEC(".rodata.bar") = 0x6666;

__attribute__((noinline)) int take(const char *s)
{
	return s[0];
}

SEC("tp/data/all")
int data_all(void *ctx)
{
	zero_b[1] = d_two + ro_val + d_static;
	zero_a = d_one;
	foo_var += bar_var;
	return take("str!") + take("other");
}

char LICENSE[] SEC("license") = "GPL";
