/* Helpers of the loader open tests: test objects read into memory, raw
 * access to their ELF headers, symbols and relocations (to corrupt them
 * on purpose), and REL -> RELA rewriting in memory. Little-endian 64-bit
 * objects only, as clang writes them. */
#ifndef BPFVM_TESTS_LOADER_OPEN_UTIL_H
#define BPFVM_TESTS_LOADER_OPEN_UTIL_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpfvm/object.h>

/* The bytes of BPFVM_OBJ_DIR/<name>.o (malloc'd), or NULL. */
static inline uint8_t *t_read_obj(const char *name, size_t *size)
{
	char path[512];
	uint8_t *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc(n)) &&
	    fread(buf, 1, n, f) == (size_t)n) {
		*size = n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static inline uint8_t *t_dup(const uint8_t *b, size_t size)
{
	uint8_t *c = malloc(size ? size : 1);

	if (c)
		memcpy(c, b, size);
	return c;
}

static inline Elf64_Ehdr *t_eh(uint8_t *b)
{
	return (Elf64_Ehdr *)b;
}

static inline Elf64_Shdr *t_sh(uint8_t *b, size_t i)
{
	return (Elf64_Shdr *)(b + t_eh(b)->e_shoff) + i;
}

static inline const char *t_shname(uint8_t *b, const Elf64_Shdr *sh)
{
	return (const char *)b + t_sh(b, t_eh(b)->e_shstrndx)->sh_offset +
	       sh->sh_name;
}

static inline Elf64_Shdr *t_sec(uint8_t *b, const char *name)
{
	for (size_t i = 1; i < t_eh(b)->e_shnum; i++)
		if (!strcmp(t_shname(b, t_sh(b, i)), name))
			return t_sh(b, i);
	return NULL;
}

static inline size_t t_sec_idx(uint8_t *b, const char *name)
{
	Elf64_Shdr *sh = t_sec(b, name);

	return sh ? (size_t)(sh - t_sh(b, 0)) : 0;
}

static inline Elf64_Shdr *t_symtab(uint8_t *b)
{
	for (size_t i = 1; i < t_eh(b)->e_shnum; i++)
		if (t_sh(b, i)->sh_type == SHT_SYMTAB)
			return t_sh(b, i);
	return NULL;
}

static inline Elf64_Sym *t_syms(uint8_t *b, size_t *cnt)
{
	Elf64_Shdr *st = t_symtab(b);

	*cnt = st->sh_size / sizeof(Elf64_Sym);
	return (Elf64_Sym *)(b + st->sh_offset);
}

static inline const char *t_symname(uint8_t *b, const Elf64_Sym *s)
{
	return (const char *)b + t_sh(b, t_symtab(b)->sh_link)->sh_offset +
	       s->st_name;
}

/* The symbol named `name` and its index. */
static inline Elf64_Sym *t_sym(uint8_t *b, const char *name, size_t *idx)
{
	size_t n;
	Elf64_Sym *s = t_syms(b, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t_symname(b, &s[i]), name)) {
			if (idx)
				*idx = i;
			return &s[i];
		}
	return NULL;
}

/* A symbol's name; a section symbol's is its section's. */
static inline const char *t_symname2(uint8_t *b, const Elf64_Sym *s)
{
	if (ELF64_ST_TYPE(s->st_info) == STT_SECTION)
		return t_shname(b, t_sh(b, s->st_shndx));
	return t_symname(b, s);
}

/* The first REL record of section `relsec` whose symbol is `sym`. */
static inline Elf64_Rel *t_rel(uint8_t *b, const char *relsec, const char *sym)
{
	Elf64_Shdr *rs = t_sec(b, relsec);
	size_t n, k;
	Elf64_Sym *syms = t_syms(b, &n);

	if (!rs)
		return NULL;
	for (k = 0; k < rs->sh_size / sizeof(Elf64_Rel); k++) {
		Elf64_Rel *r = (Elf64_Rel *)(b + rs->sh_offset) + k;

		if (ELF64_R_SYM(r->r_info) < n &&
		    !strcmp(t_symname2(b, &syms[ELF64_R_SYM(r->r_info)]), sym))
			return r;
	}
	return NULL;
}

/* The instruction a relocation of code section `sec` points at. */
static inline struct bpf_insn *t_insn_at(uint8_t *b, const char *sec,
					 uint64_t off)
{
	return (struct bpf_insn *)(b + t_sec(b, sec)->sh_offset + off);
}

/* Every SHT_REL section as SHT_RELA, appended at the end (8-aligned),
 * as a toolchain writing RELA would: addends taken out of the bytes
 * (call: (imm + 1) * 8, lddw: imm; data: the 8 or 4 bytes) and those
 * bytes overwritten (imm with junk, data with zeroes), so a loader that
 * still read them would go wrong. */
static inline int64_t t_take_addend(uint8_t *p, bool code, uint32_t type)
{
	int64_t a = 0;
	int32_t i32;

	if (code) {
		struct bpf_insn *in = (struct bpf_insn *)p;

		a = in->code == (BPF_JMP | BPF_CALL) ? ((int64_t)in->imm + 1) * 8
						     : (int64_t)in->imm;
		in->imm = 0x5a5a5a5a;
	} else if (type == 2) {		/* R_BPF_64_ABS64 */
		memcpy(&a, p, 8);
		memset(p, 0, 8);
	} else if (type == 3 || type == 4) {	/* ABS32, NODYLD32 */
		memcpy(&i32, p, 4);
		a = (uint32_t)i32;
		memset(p, 0, 4);
	}
	return a;
}

static inline uint8_t *t_to_rela(const uint8_t *in, size_t size,
				 size_t *out_size)
{
	size_t extra = 0, shnum = ((const Elf64_Ehdr *)in)->e_shnum;
	size_t base = (size + 7) & ~(size_t)7, pos;
	uint8_t *b;

	for (size_t i = 0; i < shnum; i++) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)
			(in + ((const Elf64_Ehdr *)in)->e_shoff) + i;

		if (sh->sh_type == SHT_REL)
			extra += sh->sh_size / sizeof(Elf64_Rel) *
				 sizeof(Elf64_Rela);
	}
	b = calloc(1, base + extra + 8);
	if (!b)
		return NULL;
	memcpy(b, in, size);
	pos = base;
	for (size_t i = 0; i < shnum; i++) {
		Elf64_Shdr *sh = t_sh(b, i), *tgt = t_sh(b, sh->sh_info);
		size_t n = sh->sh_size / sizeof(Elf64_Rel);
		bool code = tgt->sh_flags & SHF_EXECINSTR;

		if (sh->sh_type != SHT_REL)
			continue;
		for (size_t k = 0; k < n; k++) {
			Elf64_Rel r;
			Elf64_Rela a = { 0 };

			memcpy(&r, b + sh->sh_offset + k * sizeof(r), sizeof(r));
			a.r_offset = r.r_offset;
			a.r_info = r.r_info;
			if (tgt->sh_type != SHT_NOBITS)
				a.r_addend = t_take_addend(
					b + tgt->sh_offset + r.r_offset, code,
					(uint32_t)ELF64_R_TYPE(r.r_info));
			memcpy(b + pos + k * sizeof(a), &a, sizeof(a));
		}
		sh->sh_type = SHT_RELA;
		sh->sh_entsize = sizeof(Elf64_Rela);
		sh->sh_offset = pos;
		sh->sh_size = n * sizeof(Elf64_Rela);
		pos += sh->sh_size;
	}
	*out_size = pos;
	return b;
}

/* Open from memory with a log; the object or NULL. */
static inline int t_open(const uint8_t *b, size_t size, const char *name,
			 char *log, size_t log_size, struct bpfvm_object **o)
{
	struct bpfvm_object_open_opts op = {
		.sz = sizeof(op), .name = name, .log_buf = log,
		.log_size = log_size };

	return bpfvm_object_open_mem(b, size, &op, o);
}

#endif
