/* BTF: the type information clang emits (.BTF) and the per-instruction
 * records beside it (.BTF.ext: func_info, line_info, CO-RE relocations).
 * Layouts are the kernel's (<linux/btf.h>, <linux/bpf.h>). */
#ifndef BPFVM_BTF_H
#define BPFVM_BTF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_btf;

struct bpfvm_btf_opts {
	size_t sz;		/* sizeof(struct bpfvm_btf_opts) */
	char *log_buf;		/* why parsing failed, NUL-terminated */
	size_t log_size;
	/* Split BTF (a module's on top of vmlinux): ids continue base's. */
	const struct bpfvm_btf *base;
};

/* Parse raw BTF (a .BTF section's bytes, or /sys/kernel/btf/vmlinux):
 * header, type and string sections, every kind of <linux/btf.h>. Checks
 * that every offset and count lies inside the data, every name offset
 * inside the strings, every referenced type id exists, and that no chain
 * of modifiers/typedefs/arrays loops and no struct contains itself by
 * value. Either byte order (types are kept in host order). The data is
 * copied. Returns 0 or -errno (-EINVAL, -E2BIG, -ENOMEM, -ELOOP for a
 * cycle) with "BTF: <what> at type [id]/byte offset N" in opts->log_buf. */
int bpfvm_btf_parse(const void *data, size_t size,
		    const struct bpfvm_btf_opts *opts, struct bpfvm_btf **out);
/* A file holding raw BTF, or an ELF object whose .BTF section is read. */
int bpfvm_btf_parse_file(const char *path, const struct bpfvm_btf_opts *opts,
			 struct bpfvm_btf **out);
/* Drop a reference (the parser's, or one from bpfvm_btf_get); the BTF
 * goes with the last. NULL is fine. */
void bpfvm_btf_free(struct bpfvm_btf *btf);
/* A new reference (programs keep their object's BTF this way). */
struct bpfvm_btf *bpfvm_btf_get(struct bpfvm_btf *btf);

/* Ids run from 0 (void) to type_cnt - 1 (split BTF: from base's count). */
uint32_t bpfvm_btf_type_cnt(const struct bpfvm_btf *btf);
/* NULL for a bad id and for id 0 (void). */
const struct btf_type *bpfvm_btf_type(const struct bpfvm_btf *btf,
				      uint32_t id);
/* The string at this offset ("" for 0), or NULL when out of range. */
const char *bpfvm_btf_str(const struct bpfvm_btf *btf, uint32_t off);
/* "" for anonymous types and void; NULL for a bad id. */
const char *bpfvm_btf_type_name(const struct bpfvm_btf *btf, uint32_t id);
/* The first type named `name` of this kind (BTF_KIND_*, or -1 for any):
 * its id, or -ENOENT. */
int bpfvm_btf_find(const struct bpfvm_btf *btf, const char *name, int kind);
/* Skip typedef / const / volatile / restrict / type_tag: the id of the
 * type underneath (0 for void), or -ENOENT for a bad id. */
int bpfvm_btf_skip_mods(const struct bpfvm_btf *btf, uint32_t id);
/* sizeof the type in bytes (pointers 8; VAR and DECL_TAG: their type's,
 * as libbpf's btf__resolve_size), or -errno (-EINVAL for function, void,
 * forward; -ENOENT for a bad id). Computed at parse: O(1). */
int64_t bpfvm_btf_type_size(const struct bpfvm_btf *btf, uint32_t id);
/* The raw bytes as parsed (for handing on, e.g. to the kernel). */
const void *bpfvm_btf_raw(const struct bpfvm_btf *btf, size_t *size);

/* Print every type as C declarations that compile (forward declarations
 * and ordering as needed; anonymous types inline), as `bpftool btf dump
 * file F format c`: padding bitfields and __attribute__((packed)) keep
 * BTF's offsets and sizes; a second type of a taken name is printed as
 * name___2 (as bpftool); functions, variables, sections and the
 * compiler's __builtin_va_list are not printed. Writes to `out`; returns
 * 0 or -errno (-E2BIG for a declaration past 1 MB or nested past 256). */
int bpfvm_btf_dump_c(const struct bpfvm_btf *btf, FILE *out);
/* One type's C name as a declaration of `var` ("struct foo *var",
 * "int (*var)(char)"; var NULL or "": the abstract "struct foo *");
 * anonymous struct/union/enum print as "struct {...}"; a FUNC or VAR id
 * declares its own name (or var). Writes at most size bytes,
 * NUL-terminated; returns the length it needed, or -errno (-EINVAL for a
 * bad id, DATASEC, DECL_TAG). */
int bpfvm_btf_type_str(const struct bpfvm_btf *btf, uint32_t id,
		       const char *var, char *buf, size_t size);

/* .BTF.ext: records grouped by the ELF section they describe; insn_off
 * is in bytes from the start of that section, as clang writes it. */
struct bpfvm_btf_ext;

struct bpfvm_btf_ext_sec {
	const char *sec_name;		/* in the .BTF strings */
	const struct bpf_func_info *func_info;
	uint32_t func_info_cnt;
	const struct bpf_line_info *line_info;
	uint32_t line_info_cnt;
	const struct bpf_core_relo *core_relo;
	uint32_t core_relo_cnt;
};

/* Parse .BTF.ext against the .BTF it refers to (names are checked to lie
 * in btf's strings, type ids to exist). Record sizes larger than the
 * kernel's are accepted (extra bytes ignored); smaller are -EINVAL. */
int bpfvm_btf_ext_parse(const void *data, size_t size,
			const struct bpfvm_btf *btf,
			const struct bpfvm_btf_opts *opts,
			struct bpfvm_btf_ext **out);
void bpfvm_btf_ext_free(struct bpfvm_btf_ext *ext);
size_t bpfvm_btf_ext_sec_cnt(const struct bpfvm_btf_ext *ext);
const struct bpfvm_btf_ext_sec *
bpfvm_btf_ext_sec(const struct bpfvm_btf_ext *ext, size_t i);
/* By section name; NULL when the section has no records. */
const struct bpfvm_btf_ext_sec *
bpfvm_btf_ext_find_sec(const struct bpfvm_btf_ext *ext, const char *name);

/* The BTF of bpfvm's own context and helper types (struct xdp_md,
 * struct __sk_buff, struct pt_regs, ...): the CO-RE target when no
 * kernel BTF is given. Owned by the library; never free it. */
const struct bpfvm_btf *bpfvm_btf_builtin(void);
/* /sys/kernel/btf/vmlinux parsed, or -ENOENT where absent. The caller
 * frees it. */
int bpfvm_btf_vmlinux(struct bpfvm_btf **out);

#ifdef __cplusplus
}
#endif
#endif
