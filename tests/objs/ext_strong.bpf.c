/* A strong kconfig extern and a strong ksym (issue 5, test_extern):
 * refused when no value is given / bpfvm has no kernel symbols. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_EXT_NEEDED __kconfig;
extern int bpf_ext_ksym_strong __ksym;

SEC("ext_prog/x")
long ext_strong(void *ctx)
{
	return CONFIG_EXT_NEEDED + bpf_ext_ksym_strong;
}

char LICENSE[] SEC("license") = "GPL";
