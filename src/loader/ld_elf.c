/* The ELF container: header checks, the section table and the symbol
 * table, read through libelf over the object's own copy of the file.
 * Every offset and size is checked against the file before use, so
 * later steps may read section data directly. Little-endian only (the
 * profile clang's -target bpf emits on every host we run on). */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_open.h"

int ld_errf(struct ld_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->log || !c->log_size)
		return err;
	n = snprintf(c->log, c->log_size, "%s: ", c->file);
	if (n < 0 || (size_t)n >= c->log_size)
		return err;
	va_start(ap, fmt);
	vsnprintf(c->log + n, c->log_size - n, fmt, ap);
	va_end(ap);
	return err;
}

const struct ld_sec *ld_sec_get(const struct ld_ctx *c, size_t idx)
{
	return idx < c->obj->sec_cnt ? &c->obj->secs[idx] : NULL;
}

/* What libelf cannot tell us in one call: the identification bytes. */
static int elf_check_ident(struct ld_ctx *c)
{
	const unsigned char *b = c->obj->buf;
	const Elf64_Ehdr *eh = c->obj->buf;

	if (c->obj->size < sizeof(Elf64_Ehdr) || memcmp(b, ELFMAG, SELFMAG))
		return ld_errf(c, -ENOEXEC, "not an ELF file");
	if (b[EI_CLASS] != ELFCLASS64)
		return ld_errf(c, -ENOEXEC, "not a 64-bit ELF file");
	if (b[EI_DATA] != ELFDATA2LSB)
		return ld_errf(c, -ENOEXEC,
			       "big-endian ELF objects are not supported");
	if (eh->e_type != ET_REL)
		return ld_errf(c, -ENOEXEC,
			       "ELF type %u is not a relocatable object",
			       eh->e_type);
	if (eh->e_machine != EM_BPF && eh->e_machine != EM_NONE)
		return ld_errf(c, -ENOEXEC, "ELF machine %u is not BPF",
			       eh->e_machine);
	if (eh->e_shentsize != sizeof(Elf64_Shdr) && eh->e_shnum)
		return ld_errf(c, -EINVAL, "section header size %u",
			       eh->e_shentsize);
	if (eh->e_shoff % 8)	/* libelf hands out pointers into it */
		return ld_errf(c, -EINVAL, "section table at offset %llu is "
			       "not 8-aligned",
			       (unsigned long long)eh->e_shoff);
	return 0;
}

static int elf_read_sec(struct ld_ctx *c, Elf *elf, size_t shstrndx,
			size_t i)
{
	struct bpfvm_object *obj = c->obj;
	struct ld_sec *s = &obj->secs[i];
	Elf_Scn *scn = elf_getscn(elf, i);
	Elf64_Shdr *sh = scn ? elf64_getshdr(scn) : NULL;
	const char *name;

	if (!sh)
		return ld_errf(c, -EINVAL, "section %zu: bad header: %s", i,
			       elf_errmsg(-1));
	name = i ? elf_strptr(elf, shstrndx, sh->sh_name) : "";
	if (!name)
		return ld_errf(c, -EINVAL, "section %zu: bad name offset %u",
			       i, sh->sh_name);
	s->name = name;
	s->idx = i;
	s->type = sh->sh_type;
	s->flags = sh->sh_flags;
	s->size = sh->sh_size;
	s->link = sh->sh_link;
	s->info = sh->sh_info;
	s->data = NULL;
	if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL)
		return 0;
	if (sh->sh_offset > obj->size || sh->sh_size > obj->size - sh->sh_offset)
		return ld_errf(c, -EINVAL,
			       "section '%s': offset %llu size %llu past the "
			       "end of the file (%zu bytes)", name,
			       (unsigned long long)sh->sh_offset,
			       (unsigned long long)sh->sh_size, obj->size);
	s->data = (const uint8_t *)obj->buf + sh->sh_offset;
	return 0;
}

int ld_elf_sections(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	size_t shnum, shstrndx, i;
	Elf64_Ehdr *eh;
	Elf *elf;
	int err;

	err = elf_check_ident(c);
	if (err)
		return err;
	elf_version(EV_CURRENT);
	elf = elf_memory(obj->buf, obj->size);
	if (!elf)
		return ld_errf(c, -EINVAL, "libelf: %s", elf_errmsg(-1));
	obj->elf = elf;
	if (elf_kind(elf) != ELF_K_ELF || !elf64_getehdr(elf))
		return ld_errf(c, -ENOEXEC, "not an ELF object: %s",
			       elf_errmsg(-1));
	if (elf_getshdrnum(elf, &shnum) || elf_getshdrstrndx(elf, &shstrndx))
		return ld_errf(c, -EINVAL, "bad section table: %s",
			       elf_errmsg(-1));
	eh = elf64_getehdr(elf);
	/* libelf reads no sections from a table past the end: say so */
	if (eh->e_shoff > obj->size ||
	    shnum > (obj->size - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    (!shnum && eh->e_shoff))
		return ld_errf(c, -EINVAL,
			       "bad section table: %zu sections at offset "
			       "%llu past the end of the file (%zu bytes)",
			       shnum, (unsigned long long)eh->e_shoff,
			       obj->size);
	if (shnum && shstrndx >= shnum)
		return ld_errf(c, -EINVAL, "section name table %zu of %zu",
			       shstrndx, shnum);
	obj->secs = calloc(shnum ? shnum : 1, sizeof(*obj->secs));
	c->info = calloc(shnum ? shnum : 1, sizeof(*c->info));
	if (!obj->secs || !c->info)
		return ld_errf(c, -ENOMEM, "out of memory");
	obj->sec_cnt = shnum;
	for (i = 0; i < shnum; i++) {
		err = elf_read_sec(c, elf, shstrndx, i);
		if (err)
			return err;
	}
	return 0;
}

int ld_elf_symtab(struct ld_ctx *c)
{
	const struct ld_sec *sym = NULL, *str;
	size_t i;

	for (i = 1; i < c->obj->sec_cnt; i++) {
		if (c->obj->secs[i].type != SHT_SYMTAB)
			continue;
		if (sym)
			return ld_errf(c, -EINVAL, "more than one symbol table");
		sym = &c->obj->secs[i];
	}
	if (!sym)
		return 0;	/* hand-made objects: no symbols at all */
	str = ld_sec_get(c, sym->link);
	if (!str || str->type != SHT_STRTAB || !sym->link)
		return ld_errf(c, -EINVAL,
			       "section '%s': sh_link %u is not a string table",
			       sym->name, sym->link);
	if (sym->size % sizeof(Elf64_Sym) ||
	    (sym->size && ((uintptr_t)sym->data % 8)))
		return ld_errf(c, -EINVAL,
			       "section '%s': size %zu or offset is not a "
			       "whole number of aligned symbols",
			       sym->name, sym->size);
	c->syms = (const Elf64_Sym *)sym->data;
	c->sym_cnt = sym->size / sizeof(Elf64_Sym);
	c->strtab = sym->link;
	c->symtab = sym->idx;
	return 0;
}

const char *ld_sym_name(const struct ld_ctx *c, const Elf64_Sym *s)
{
	const struct ld_sec *str = ld_sec_get(c, c->strtab);

	if (!str || !str->data || s->st_name >= str->size)
		return "";
	if (!memchr(str->data + s->st_name, 0, str->size - s->st_name))
		return "";
	return (const char *)str->data + s->st_name;
}
