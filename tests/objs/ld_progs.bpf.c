/* Loader open tests (test_loader_open): program layout and every kind of
 * code relocation. Sections with several programs, subprograms in .text
 * (static and global) and in a section of their own, a static entry
 * program, SEC("?...") (autoload off), a bpf_loop callback (lddw of a
 * function), calls into another section, global and static data, string
 * literals (.rodata.str1.1), a __kconfig extern and a __ksym kfunc. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counts SEC(".maps");

__u64 g_data = 7;			/* .data: symbol relocation */
static volatile __u64 s_data = 9;	/* .data: section symbol + imm */
const volatile __u32 g_ro = 3;		/* .rodata */
__u64 g_bss;				/* .bss */
extern int CONFIG_HZ __kconfig __weak;	/* EXTERN lddw */
extern int bpf_kfunc_missing(int x) __ksym __weak; /* EXTERN call */

static __attribute__((noinline)) int helper_static(int a)
{
	return a * 3 + (int)s_data;
}

__attribute__((noinline)) int helper_global(int a)
{
	return a + (int)g_data + (int)g_ro;
}

/* A subprogram in an executable section of its own. */
__attribute__((noinline, section("lib_sec"))) int lib_func(int a)
{
	return a ^ 0x55;
}

static long loop_cb(__u32 i, void *data)
{
	*(__u64 *)data += i;
	return 0;
}

__attribute__((noinline)) int use_str(const char *s)
{
	return s[0] + s[1];
}

SEC("xdp")
int xdp_one(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		*v += 1;
	return helper_static(ctx->ingress_ifindex) + lib_func(1);
}

SEC("xdp")
int xdp_two(struct xdp_md *ctx)
{
	__u64 acc = 0;

	bpf_loop(4, loop_cb, &acc, 0);
	g_bss += acc;
	return helper_global((int)acc) + use_str("hello world");
}

SEC("xdp")
static int xdp_static(struct xdp_md *ctx)
{
	return CONFIG_HZ + (bpf_kfunc_missing ? bpf_kfunc_missing(1) : 0);
}

SEC("?tc")
int tc_off(struct __sk_buff *skb)
{
	return skb->len + helper_static(2);
}

SEC("socket")
int sock_one(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
