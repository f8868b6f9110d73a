/* kconfig externs as libbpf resolves them: LINUX_KERNEL_VERSION, a
 * tristate, a bool, a number, a string, and weak ones nobody defines
 * (0). kc_read returns a checksum; the test passes the .config text. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern enum libbpf_tristate CONFIG_ZOO_TRI __kconfig;
extern bool CONFIG_ZOO_BOOL __kconfig;
extern int CONFIG_ZOO_HZ __kconfig;
extern char CONFIG_ZOO_NAME[8] __kconfig;
extern int CONFIG_ZOO_MISSING __kconfig __weak;
extern bool CONFIG_ZOO_MISSING_BOOL __kconfig __weak;

/* (tristate) + 10 * bool + hz + name[0] + missing; the kernel version's
 * low byte is reported in the upper half. */
SEC("tracepoint/zoo/kconfig")
int kc_read(void *ctx)
{
	int v = CONFIG_ZOO_TRI + 10 * CONFIG_ZOO_BOOL + CONFIG_ZOO_HZ +
		CONFIG_ZOO_NAME[0] + CONFIG_ZOO_MISSING +
		CONFIG_ZOO_MISSING_BOOL;

	return v | ((LINUX_KERNEL_VERSION & 0xff) << 16);
}

char LICENSE[] SEC("license") = "GPL";
