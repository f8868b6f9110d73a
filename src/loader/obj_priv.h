/* What an opened object is inside the loader. Open (ld_open.c and the
 * ld_elf / ld_prog / ld_maps_* / ld_reloc files it drives) fills it from
 * the ELF; load (ld_load.c, ld_link.c, ...) turns it into maps and
 * programs. Everything open makes is checked, so load only trusts it. */
#ifndef BPFVM_LOADER_OBJ_PRIV_H
#define BPFVM_LOADER_OBJ_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/object.h>
#include "loader/ld_btf_maps.h"
#include "loader/ld_extern.h"

/* An ELF section the loader looks at. Names and data point into the
 * object's own copy of the file. */
struct ld_sec {
	const char *name;
	uint32_t idx;		/* ELF section index */
	uint32_t type;		/* SHT_* */
	uint64_t flags;		/* SHF_* */
	const uint8_t *data;	/* NULL for SHT_NOBITS */
	size_t size;
	uint32_t link;		/* sh_link, sh_info (relocations: target) */
	uint32_t info;
};

enum ld_reloc_kind {
	LD_RELOC_MAP,	/* lddw of a `maps` / `.maps` map: map */
	LD_RELOC_DATA,	/* lddw into global data: map, off */
	LD_RELOC_CALL,	/* call (src 1) or lddw BPF_PSEUDO_FUNC of a
			 * function: target_code, target_insn */
	LD_RELOC_EXTERN, /* lddw or call of an extern: sym */
};

/* One relocation of an executable section, checked at open: the
 * instruction is of the right class for its kind, targets exist. Calls
 * (src 1) and lddw BPF_PSEUDO_FUNC that the file leaves unrelocated
 * (pc-relative in their section) get a CALL entry too. */
struct ld_reloc {
	uint32_t insn;		/* index in its section's instructions */
	enum ld_reloc_kind kind;
	uint32_t map;		/* MAP, DATA: index into obj->maps */
	uint64_t off;		/* DATA: byte offset into the map's value
				 * (S + A); EXTERN lddw: the addend A
				 * (REL: insn imm; RELA: r_addend) */
	uint32_t target_code;	/* CALL: index into obj->code */
	uint32_t target_insn;	/* CALL: callee's first insn there */
	const char *sym;	/* the symbol (messages; EXTERN's name) */
};

/* An executable section: its instructions (a copy: CO-RE and relocation
 * rewrite it at load) and relocations sorted by insn. */
struct ld_code {
	const struct ld_sec *sec;
	struct bpf_insn *insns;
	size_t cnt;
	struct ld_reloc *relocs;
	size_t reloc_cnt;
};

/* A function symbol (STT_FUNC, or an entry point of a section without
 * symbols) in an executable section. */
struct ld_func {
	const char *name;
	uint32_t code;		/* index into obj->code */
	uint32_t start;		/* first instruction */
	uint32_t cnt;
	bool entry;		/* a program: not in .text (or SEC-less), and
				 * not a callee in a section of no SEC()
				 * convention (see ld_prog.c) */
};

struct bpfvm_obj_prog {
	struct bpfvm_object *obj;
	const char *name;
	const char *sec_name;
	uint32_t func;		/* index into obj->funcs */
	enum bpf_prog_type type;
	enum bpf_attach_type attach_type;
	bool autoload;
	/* made by load: the program as created (subprograms appended) */
	struct bpf_insn *insns;
	size_t insn_cnt;
	struct bpf_func_info *func_info;
	size_t func_info_cnt;
	struct bpf_line_info *line_info;
	size_t line_info_cnt;
	struct bpfvm_prog *prog;
};

struct bpfvm_obj_map {
	struct bpfvm_object *obj;
	char *name;
	enum bpfvm_obj_map_kind kind;
	struct bpfvm_map_def def;	/* def.inner -> inner_def */
	struct bpfvm_map_def inner_def;
	uint32_t sec;			/* ELF section index it came from */
	uint64_t sec_off;		/* its symbol's offset there */
	/* global data / .kconfig: the value image (owned; zeroes for .bss) */
	void *data;
	size_t data_size;
	/* `.maps` values[] initialisers: programs (PROG_ARRAY) or maps */
	struct ld_slot_init *inits;
	size_t init_cnt;
	struct bpfvm_map *reuse;	/* bpfvm_obj_map_reuse: a reference */
	struct bpfvm_map *map;		/* made by load: a reference */
};

struct bpfvm_object {
	char *name;
	void *buf;			/* the object's bytes (owned copy) */
	size_t size;
	void *elf;			/* libelf's Elf * over buf */
	struct ld_sec *secs;
	size_t sec_cnt;
	struct ld_code *code;
	size_t code_cnt;
	struct ld_func *funcs;
	size_t func_cnt;
	struct bpfvm_obj_prog **progs;	/* stable addresses */
	size_t prog_cnt;
	struct bpfvm_obj_map **maps;
	size_t map_cnt;
	char *license;
	uint32_t kversion;
	struct bpfvm_btf *btf;		/* NULL without .BTF */
	struct bpfvm_btf_ext *btf_ext;
	/* CO-RE target: given (borrowed) or parsed here (owned) */
	const struct bpfvm_btf *target_btf;
	struct bpfvm_btf *own_target_btf;
	char *btf_custom_path;
	char *kconfig;			/* opts->kconfig, copied */
	uint32_t kernel_version;	/* opts, or the running kernel's */
	struct ld_extern_set externs;	/* resolved at load */
	bool loaded;
};

/* Open's steps (each fills its part; messages into log). */
int ld_open(struct bpfvm_object *obj, char *log, size_t log_size);
/* Load's steps. */
int ld_load(struct bpfvm_object *obj, const struct bpfvm_object_load_opts *o,
	    char *log, size_t log_size);
/* Free what open and load made (not obj itself): calls ld_unload, then
 * frees what open made (secs, code, funcs, progs, maps with their name,
 * data and inits, license, btf, btf_ext, own_target_btf, strings, elf,
 * buf). */
void ld_release(struct bpfvm_object *obj);
/* Undo load (ld_load.c): programs, maps, externs; the object is as
 * opened again. ld_release calls it. */
void ld_unload(struct bpfvm_object *obj);

#endif
