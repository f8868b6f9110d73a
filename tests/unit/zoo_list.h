/* The object zoo (tests/objs/zoo_*.bpf.c) as the tests find it: every
 * object built under BPFVM_OBJ_DIR, and its older-toolchain variants
 * (objmangle: _rela, _em0) and -mcpu variants (_v1 .. _v4). */
#ifndef BPFVM_TESTS_ZOO_LIST_H
#define BPFVM_TESTS_ZOO_LIST_H

#include <stdio.h>
#include <unistd.h>

static const char *const zoo_objs[] = {
	"zoo_xdp", "zoo_tp", "zoo_sock", "zoo_legacy", "zoo_iproute",
	"zoo_bpf2go", "zoo_globals", "zoo_kconfig", "zoo_multi", "zoo_xsec",
	"zoo_static",
	"zoo_big", "zoo_cpu_v1", "zoo_cpu_v2", "zoo_cpu_v3", "zoo_cpu_v4",
};
#define ZOO_OBJ_CNT (sizeof(zoo_objs) / sizeof(zoo_objs[0]))

/* The .config text zoo_kconfig needs (any object may get it). */
#define ZOO_KCONFIG                                                          \
	"CONFIG_ZOO_TRI=m\nCONFIG_ZOO_BOOL=y\nCONFIG_ZOO_HZ=250\n"           \
	"CONFIG_ZOO_NAME=\"abc\"\n# CONFIG_ZOO_OFF is not set\n"
/* KERNEL_VERSION(6, 1, 7), given as the LINUX_KERNEL_VERSION extern. */
#define ZOO_KVERSION ((6u << 16) | (1u << 8) | 7u)

/* BPFVM_OBJ_DIR/<name><suffix>.o; false when it was not built (zoo_cpu_v4
 * without clang-19). */
static inline int zoo_path(char *buf, size_t size, const char *name,
			   const char *suffix)
{
	snprintf(buf, size, "%s/%s%s.o", BPFVM_OBJ_DIR, name, suffix);
	return access(buf, R_OK) == 0;
}

#endif
