/* Load test object: __kconfig externs (given, weak and missing,
 * LINUX_KERNEL_VERSION), a weak __ksym variable and a weak kfunc bpfvm
 * does not have, guarded as programs guard them. test_loader_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_LL_VALUE __kconfig;
extern int CONFIG_LL_MISSING __kconfig __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int bpf_ll_no_such_var __ksym __weak;
extern int bpf_ll_no_such_kfunc(int x) __ksym __weak;

SEC("xdp") int ext_read(void *ctx)
{
	int r = CONFIG_LL_VALUE + CONFIG_LL_MISSING;

	if (&bpf_ll_no_such_var)
		r += 1000;
	if (bpf_ll_no_such_kfunc)
		r += bpf_ll_no_such_kfunc(1);
	return r;
}

SEC("xdp") int ext_version(void *ctx)
{
	return LINUX_KERNEL_VERSION >> 16;
}

char LICENSE[] SEC("license") = "GPL";
