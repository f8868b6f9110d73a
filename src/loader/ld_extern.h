/* Externs: `extern ... __kconfig` (and LINUX_KERNEL_VERSION,
 * LINUX_HAS_SYSCALL_WRAPPER, LINUX_HAS_BPF_COOKIE) become variables of a
 * .kconfig map the loader creates and freezes; `__ksym` externs that are
 * weak become 0 (bpfvm has no kernel symbols), others are refused.
 * Standalone: works from BTF's ".kconfig" / ".ksyms" DATASECs
 * (ld_extern.c). */
#ifndef BPFVM_LOADER_LD_EXTERN_H
#define BPFVM_LOADER_LD_EXTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/btf.h>

struct ld_extern {
	const char *name;	/* in btf's strings */
	bool is_kconfig;	/* else a ksym: value 0 (weak) */
	uint32_t off;		/* kconfig: offset in the .kconfig image */
	uint32_t size;
	bool weak;
	bool found;		/* a value was given (or implied) */
};

struct ld_extern_set {
	struct ld_extern *ext;
	size_t cnt;
	void *image;		/* the .kconfig map's value; NULL: none */
	size_t image_size;
};

/* Values: `kconfig` text ("CONFIG_X=y|m|n|<number>|\"string\"" lines,
 * as a kernel .config; "# CONFIG_X is not set" = n), kversion for
 * LINUX_KERNEL_VERSION (KERNEL_VERSION(a,b,c) encoding), and the two
 * LINUX_HAS_* flags (1). Types as libbpf: bool / char tristate (y=1,
 * m=2, n=0), integers of any size (range checked), char arrays for
 * strings. A non-weak extern with no value, or a value that does not
 * fit its type, is -EINVAL / -ERANGE with "extern 'NAME': reason" in
 * log; weak ones without a value are 0. */
int ld_extern_resolve(const struct bpfvm_btf *btf, const char *kconfig,
		      uint32_t kversion, struct ld_extern_set *out,
		      char *log, size_t log_size);
/* BTF does not say which externs are weak (their ELF symbols' binding
 * does): ld_extern_resolve takes every extern as strong; this one takes
 * the names of the weak ones (undefined STB_WEAK symbols). */
int ld_extern_resolve_weak(const struct bpfvm_btf *btf, const char *kconfig,
			   uint32_t kversion, const char *const *weak,
			   size_t weak_cnt, struct ld_extern_set *out,
			   char *log, size_t log_size);
/* The extern named `name`, or NULL. */
const struct ld_extern *ld_extern_find(const struct ld_extern_set *set,
				       const char *name);
void ld_extern_set_free(struct ld_extern_set *set);

#endif
