/* Extern internals shared by ld_extern.c (collecting externs from BTF,
 * layout of the .kconfig image) and ld_extern_kconfig.c (values from
 * kconfig text and the virtual LINUX_* externs). */
#ifndef BPFVM_LOADER_LD_EXTERN_PRIV_H
#define BPFVM_LOADER_LD_EXTERN_PRIV_H

#include "loader/ld_extern.h"

/* What a kconfig extern's type lets it hold (libbpf's kcfg types). */
enum ldx_kind {
	LDX_BOOL,	/* bool: y / n, 0 / 1 */
	LDX_CHAR,	/* char: y / m / n as the letter, or a number */
	LDX_TRI,	/* enum libbpf_tristate: n 0, y 1, m 2 */
	LDX_INT,	/* 1, 2, 4, 8-byte integers */
	LDX_STR,	/* char[N]: "string" */
};

struct ldx_info {
	enum ldx_kind kind;
	bool is_signed;
	uint32_t align;
};

struct ldx_ctx {
	struct ld_extern_set *set;
	struct ldx_info *info;	/* parallel to set->ext */
	char *log;
	size_t log_size;
	size_t line;		/* kconfig line being applied, 0: none */
};

/* ld_extern_kconfig.c: fill the image from the kconfig text and the
 * virtual externs; then every extern without a value is checked. */
int ldx_values(struct ldx_ctx *c, const char *kconfig, uint32_t kversion);

#endif
