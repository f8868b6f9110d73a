/* A kconfig extern of a type libbpf cannot fill (issue 5,
 * test_extern). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ext_pair {
	int a, b;
};

extern struct ext_pair CONFIG_EXT_PAIR __kconfig;

SEC("ext_prog/x")
long ext_badtype(void *ctx)
{
	return CONFIG_EXT_PAIR.a;
}

char LICENSE[] SEC("license") = "GPL";
