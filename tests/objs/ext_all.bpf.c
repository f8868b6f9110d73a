/* Externs of every kind libbpf resolves (issue 5 tests: test_extern,
 * test_extern_libbpf): the virtual LINUX_* ones, kconfig values of each
 * type (bool, tristate, char, char array, integers of several sizes and
 * signs), weak ones nobody sets, weak kernel symbols. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig __weak;
extern int LINUX_NO_SUCH_THING __kconfig __weak;
extern bool CONFIG_EXT_BOOL_Y __kconfig;
extern bool CONFIG_EXT_BOOL_N __kconfig;
extern enum libbpf_tristate CONFIG_EXT_TRI_M __kconfig;
extern enum libbpf_tristate CONFIG_EXT_TRI_Y __kconfig;
extern char CONFIG_EXT_CHAR __kconfig;
extern char CONFIG_EXT_STR[16] __kconfig;
extern unsigned long long CONFIG_EXT_U64 __kconfig;
extern short CONFIG_EXT_NEG __kconfig;
extern unsigned char CONFIG_EXT_HEX __kconfig;
extern int CONFIG_EXT_INT __kconfig;
extern bool CONFIG_EXT_WEAK_MISSING __kconfig __weak;
extern int bpf_ext_ksym_x __ksym __weak;
extern const void bpf_ext_ksym_y __ksym __weak;

SEC("ext_prog/x")
long ext_all(void *ctx)
{
	long r = LINUX_KERNEL_VERSION + LINUX_HAS_SYSCALL_WRAPPER +
		 LINUX_HAS_BPF_COOKIE + LINUX_NO_SUCH_THING;

	r += CONFIG_EXT_BOOL_Y + CONFIG_EXT_BOOL_N + CONFIG_EXT_TRI_M +
	     CONFIG_EXT_TRI_Y + CONFIG_EXT_CHAR + CONFIG_EXT_STR[3] +
	     CONFIG_EXT_U64 + CONFIG_EXT_NEG + CONFIG_EXT_HEX + CONFIG_EXT_INT +
	     CONFIG_EXT_WEAK_MISSING;
	if (&bpf_ext_ksym_x)
		r += bpf_ext_ksym_x;
	if (&bpf_ext_ksym_y)
		r++;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
