/* Open's working state: what the steps of ld_open (ld_elf, ld_prog,
 * ld_maps_*, ld_data, ld_reloc) share while they read one ELF file.
 * Lives only during bpfvm_object_open_*; what lasts goes into the
 * object (obj_priv.h). */
#ifndef BPFVM_LOADER_LD_OPEN_H
#define BPFVM_LOADER_LD_OPEN_H

#include <elf.h>
#include "loader/obj_priv.h"

/* What a section is to the loader. */
enum ld_sec_role {
	LD_SEC_OTHER = 0,
	LD_SEC_CODE,		/* executable: index = into obj->code */
	LD_SEC_MAPS,		/* legacy `maps` */
	LD_SEC_BTF_MAPS,	/* `.maps` */
	LD_SEC_DATA,		/* global data: index = into obj->maps */
};

struct ld_sec_info {
	uint8_t role;
	uint32_t index;
};

/* One relocation record, REL or RELA alike. */
struct ld_rel {
	uint64_t off;		/* r_offset */
	uint32_t type;		/* R_BPF_* */
	uint32_t sym;		/* symbol index (checked) */
	int64_t addend;		/* RELA's r_addend */
	bool has_addend;	/* RELA: the addend is not in the bytes */
};

struct ld_ctx {
	struct bpfvm_object *obj;
	const char *file;	/* for messages: the path or the name */
	char *log;
	size_t log_size;
	const Elf64_Sym *syms;	/* .symtab in obj->buf (8-aligned) */
	size_t sym_cnt;
	uint32_t symtab;	/* section index of .symtab, 0: none */
	uint32_t strtab;	/* section index of the symbols' names */
	struct ld_sec_info *info;	/* per ELF section */
	uint32_t *rel_of;	/* per section: its relocation section, 0 */
	uint32_t text;		/* .text's index, 0 when absent */
	uint32_t maps_sec;	/* `maps`, 0 when absent */
	uint32_t btf_maps_sec;	/* `.maps`, 0 when absent */
	size_t map_cap;
	uint32_t *defs;		/* DEF maps by (sec, sec_off): ld_map_at */
	size_t def_cnt;
};

/* "<file>: " + the message into the log; returns err. */
int ld_errf(struct ld_ctx *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ld_elf.c: header and sections into obj->secs, then the symbol table. */
int ld_elf_sections(struct ld_ctx *c);
int ld_elf_symtab(struct ld_ctx *c);
/* A symbol's name ("" when it has none or a bad one). */
const char *ld_sym_name(const struct ld_ctx *c, const Elf64_Sym *s);
/* The section by ELF index, or NULL. */
const struct ld_sec *ld_sec_get(const struct ld_ctx *c, size_t idx);

/* ld_prog.c: copies of executable sections, functions, programs. */
int ld_code_collect(struct ld_ctx *c);
int ld_funcs_collect(struct ld_ctx *c);
/* After the relocations: which functions are programs. */
int ld_progs_collect(struct ld_ctx *c);
/* The function of code section `code` that starts at `insn`, or NULL. */
const struct ld_func *ld_func_at(const struct bpfvm_object *obj,
				 uint32_t code, uint32_t insn);

/* ld_map.c: the object's map list. */
struct bpfvm_obj_map *ld_map_add(struct ld_ctx *c, const char *name,
				 enum bpfvm_obj_map_kind kind);
/* Index of the DEF map defined at (sec, off), -1 when none, -ENOMEM.
 * Call once every DEF map is added (the index is built at first use). */
int ld_map_at(struct ld_ctx *c, uint32_t sec, uint64_t off);
void ld_map_free(struct bpfvm_obj_map *m);

/* ld_maps_legacy.c, ld_maps_btf_glue.c, ld_data.c */
int ld_maps_legacy(struct ld_ctx *c);
int ld_maps_btf(struct ld_ctx *c);
int ld_data_maps(struct ld_ctx *c);

/* ld_reloc.c: the relocation sections of code, and a reader for any. */
int ld_relocs_collect(struct ld_ctx *c);
/* Every relocation section well formed (sizes, sh_link, sh_info). */
int ld_rel_check(struct ld_ctx *c);
size_t ld_rel_cnt(const struct ld_sec *rs);
int ld_rel_read(struct ld_ctx *c, const struct ld_sec *rs, size_t i,
		struct ld_rel *out);
/* RELA of a data section (.BTF, .BTF.ext): write S + A into it. */
int ld_rela_fill(struct ld_ctx *c, const struct ld_sec *target);
/* The relocation section applying to section `target`, or NULL. */
const struct ld_sec *ld_rel_sec_for(const struct ld_ctx *c, uint32_t target);

#endif
