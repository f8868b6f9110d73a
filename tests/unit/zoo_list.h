/* The object zoo (tests/objs/zoo_*.bpf.c) as the tests find it: every
 * object built under BPFVM_OBJ_DIR, and its older-toolchain variants
 * (objmangle: _rela, _em0) and -mcpu variants (_v1 .. _v4); opening and
 * loading them with CHECKs. */
#ifndef BPFVM_TESTS_ZOO_LIST_H
#define BPFVM_TESTS_ZOO_LIST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpfvm/object.h>

#include "check.h"

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

/* The log of the last zoo_open / zoo_load (printed when they fail). */
static inline char *zoo_log(void)
{
	static char log[4096];

	return log;
}

#define ZOO_LOG_SIZE 4096

/* Open BPFVM_OBJ_DIR/<name><suffix>.o with the zoo's kconfig values;
 * NULL (a failed CHECK) when it does not open, or when it was not built. */
static inline struct bpfvm_object *zoo_open(const char *name,
					    const char *suffix)
{
	struct bpfvm_object_open_opts o = {
		.sz = sizeof(o), .log_buf = zoo_log(),
		.log_size = ZOO_LOG_SIZE, .kconfig = ZOO_KCONFIG,
		.kernel_version = ZOO_KVERSION,
	};
	struct bpfvm_object *obj = NULL;
	char path[512];
	int err;

	if (!zoo_path(path, sizeof(path), name, suffix))
		return NULL;
	zoo_log()[0] = 0;
	err = bpfvm_object_open_file(path, &o, &obj);
	if (err)
		fprintf(stderr, "open %s: %d: %s\n", path, err, zoo_log());
	CHECK(err == 0 && obj);
	return err ? NULL : obj;
}

/* Objects whose tracing programs read their context from byte 0 as plain
 * memory (a test struct, a u64 array), as the kernel's tracepoint rules
 * refuse: the zoo tests the loader and the engines, so zoo_load loads
 * them as programs of no type. */
static inline bool zoo_untyped(const char *obj)
{
	static const char *const names[] = { "zoo_static", "zoo_cpu" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strncmp(obj, names[i], strlen(names[i])))
			return true;
	}
	return false;
}

static inline int zoo_load(struct bpfvm_object *obj)
{
	struct bpfvm_object_load_opts o = {
		.sz = sizeof(o), .log_buf = zoo_log(),
		.log_size = ZOO_LOG_SIZE,
	};
	int err;

	if (zoo_untyped(bpfvm_object_name(obj))) {
		for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++)
			bpfvm_obj_prog_set_type(bpfvm_object_prog(obj, i),
						BPF_PROG_TYPE_UNSPEC, 0);
	}
	zoo_log()[0] = 0;
	err = bpfvm_object_load(obj, &o);
	if (err)
		fprintf(stderr, "load %s: %d: %s\n", bpfvm_object_name(obj),
			err, zoo_log());
	CHECK_EQ_U64(err, 0);
	return err;
}

#endif
