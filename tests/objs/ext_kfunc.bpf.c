/* kfuncs are __ksym externs too (.ksyms holds their FUNC): a weak one
 * bpfvm does not have stays unresolved (issue 5, test_extern). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_ext_kfunc(int x) __ksym __weak;

SEC("ext_prog/k")
long ext_kfunc(void *ctx)
{
	if (bpf_ext_kfunc)
		return bpf_ext_kfunc(3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
