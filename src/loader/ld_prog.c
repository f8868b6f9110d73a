/* Code: executable sections (copied: load rewrites them), the functions
 * in them, and which functions are programs.
 *
 * As libbpf: every STT_FUNC symbol of an executable section is a function
 * [st_value, st_value + st_size); functions outside .text are programs
 * (entry points) named after the function, functions in .text are
 * subprograms. Beyond libbpf: static (STB_LOCAL) functions outside .text
 * are programs too (libbpf refuses them); an executable section without
 * FUNC symbols (hand-written assembly) is one program named after the
 * section, and so is a function outside .text that is called and whose
 * section has no SEC() convention (a library section: a subprogram);
 * an object whose only code is .text (no SEC() at all) has its
 * global .text functions as programs (all of them when none is global);
 * a FUNC of size 0 extends to the next function or the section's end.
 * SEC("?name") starts with autoload off, as libbpf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_open.h"

int ld_code_collect(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	size_t i, n = 0;

	for (i = 1; i < obj->sec_cnt; i++) {
		const struct ld_sec *s = &obj->secs[i];

		if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR) ||
		    !s->size)
			continue;
		if (s->size % sizeof(struct bpf_insn))
			return ld_errf(c, -EINVAL,
				       "section '%s': size %zu is not a whole "
				       "number of instructions", s->name,
				       s->size);
		if (!strcmp(s->name, ".text"))
			c->text = i;
		c->info[i].role = LD_SEC_CODE;
		c->info[i].index = n++;
	}
	obj->code = calloc(n ? n : 1, sizeof(*obj->code));
	if (!obj->code)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 1; i < obj->sec_cnt; i++) {
		const struct ld_sec *s = &obj->secs[i];
		struct ld_code *code;

		if (c->info[i].role != LD_SEC_CODE)
			continue;
		code = &obj->code[obj->code_cnt++];
		code->sec = s;
		code->cnt = s->size / sizeof(struct bpf_insn);
		code->insns = malloc(s->size);
		if (!code->insns)
			return ld_errf(c, -ENOMEM, "out of memory");
		memcpy(code->insns, s->data, s->size);
	}
	return 0;
}

static bool sym_is_func_in_code(const struct ld_ctx *c, const Elf64_Sym *s)
{
	return ELF64_ST_TYPE(s->st_info) == STT_FUNC &&
	       s->st_shndx < c->obj->sec_cnt &&
	       c->info[s->st_shndx].role == LD_SEC_CODE;
}

static int func_cmp(const void *a, const void *b)
{
	const struct ld_func *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int func_from_sym(struct ld_ctx *c, const Elf64_Sym *s,
			 struct ld_func *f)
{
	const struct ld_sec *sec = &c->obj->secs[s->st_shndx];
	const char *name = ld_sym_name(c, s);

	if (s->st_value % 8 || s->st_size % 8 || s->st_value > sec->size ||
	    s->st_size > sec->size - s->st_value)
		return ld_errf(c, -EINVAL,
			       "section '%s' symbol '%s' offset %llu: function "
			       "of %llu bytes does not fit the section (%zu "
			       "bytes) in whole instructions", sec->name, name,
			       (unsigned long long)s->st_value,
			       (unsigned long long)s->st_size, sec->size);
	if (!*name)
		return ld_errf(c, -EINVAL,
			       "section '%s' offset %llu: function without a "
			       "name", sec->name,
			       (unsigned long long)s->st_value);
	f->name = name;
	f->code = c->info[s->st_shndx].index;
	f->start = s->st_value / 8;
	f->cnt = s->st_size / 8;
	/* entry is decided once all are known; remember the binding */
	f->entry = ELF64_ST_BIND(s->st_info) != STB_LOCAL;
	return 0;
}

/* Sorted functions of one section: sizes of 0 filled in, overlaps
 * refused, a section without functions gets one covering it. */
static int funcs_settle(struct ld_ctx *c, struct ld_func *f, size_t n,
			uint32_t code)
{
	const struct ld_code *cd = &c->obj->code[code];
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t end = i + 1 < n ? f[i + 1].start : cd->cnt;

		if (!f[i].cnt)
			f[i].cnt = end - f[i].start;
		if (f[i].start + f[i].cnt > end)
			return ld_errf(c, -EINVAL,
				       "section '%s' symbol '%s' offset %u: "
				       "overlaps function '%s'", cd->sec->name,
				       f[i].name, f[i].start * 8,
				       f[i + 1].name);
	}
	return 0;
}

int ld_funcs_collect(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	size_t i, n = 0, k;
	bool *has;
	int err;

	for (i = 0; i < c->sym_cnt; i++)
		n += sym_is_func_in_code(c, &c->syms[i]);
	obj->funcs = calloc(n + obj->code_cnt + 1, sizeof(*obj->funcs));
	if (!obj->funcs)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 0; i < c->sym_cnt; i++) {
		if (!sym_is_func_in_code(c, &c->syms[i]))
			continue;
		err = func_from_sym(c, &c->syms[i], &obj->funcs[obj->func_cnt]);
		if (err)
			return err;
		obj->func_cnt++;
	}
	/* sections without FUNC symbols: one function named after them */
	has = calloc(obj->code_cnt + 1, sizeof(*has));
	if (!has)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 0; i < obj->func_cnt; i++)
		has[obj->funcs[i].code] = true;
	for (k = 0; k < obj->code_cnt; k++)
		if (!has[k])
			obj->funcs[obj->func_cnt++] = (struct ld_func){
				.name = obj->code[k].sec->name, .code = k,
				.start = 0, .cnt = obj->code[k].cnt,
				.entry = true };
	free(has);
	qsort(obj->funcs, obj->func_cnt, sizeof(*obj->funcs), func_cmp);
	for (i = 0; i < obj->func_cnt; i = k) {
		for (k = i; k < obj->func_cnt &&
			    obj->funcs[k].code == obj->funcs[i].code; k++)
			;
		err = funcs_settle(c, &obj->funcs[i], k - i, obj->funcs[i].code);
		if (err)
			return err;
	}
	return 0;
}

/* Functions some relocation calls or takes the address of. */
static bool *funcs_called(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	bool *called = calloc(obj->func_cnt + 1, sizeof(*called));
	size_t i, k;

	for (i = 0; called && i < obj->code_cnt; i++) {
		for (k = 0; k < obj->code[i].reloc_cnt; k++) {
			const struct ld_reloc *r = &obj->code[i].relocs[k];
			const struct ld_func *f;

			if (r->kind != LD_RELOC_CALL)
				continue;
			f = ld_func_at(obj, r->target_code, r->target_insn);
			if (f)
				called[f - obj->funcs] = true;
		}
	}
	return called;
}

/* Which functions are programs (see the top of the file). */
static int funcs_mark_entries(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	uint32_t text = c->text ? c->info[c->text].index : UINT32_MAX;
	bool sec_less = true, any_global = false, *called;
	size_t i;

	called = funcs_called(c);
	if (!called)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 0; i < obj->func_cnt; i++) {
		if (obj->funcs[i].code != text)
			sec_less = false;
		else if (obj->funcs[i].entry)
			any_global = true;
	}
	for (i = 0; i < obj->func_cnt; i++) {
		struct ld_func *f = &obj->funcs[i];
		const char *sec = obj->code[f->code].sec->name;

		if (f->code != text)	/* a callee in a section of no */
			f->entry = !called[i] ||	/* known type: a library */
				   !bpfvm_section_type(sec + (*sec == '?'),
						       NULL, NULL);
		else if (!sec_less)
			f->entry = false;
		else if (!any_global)
			f->entry = true;
	}
	free(called);
	return 0;
}

static int prog_add(struct ld_ctx *c, uint32_t func)
{
	struct bpfvm_object *obj = c->obj;
	const struct ld_func *f = &obj->funcs[func];
	struct bpfvm_obj_prog *p = calloc(1, sizeof(*p));

	if (!p)
		return ld_errf(c, -ENOMEM, "out of memory");
	obj->progs[obj->prog_cnt++] = p;
	p->obj = obj;
	p->name = f->name;
	p->func = func;
	p->sec_name = obj->code[f->code].sec->name;
	p->autoload = true;
	if (p->sec_name[0] == '?') {
		p->autoload = false;
		p->sec_name++;
	}
	if (bpfvm_section_type(p->sec_name, &p->type, &p->attach_type)) {
		p->type = BPF_PROG_TYPE_UNSPEC;
		p->attach_type = 0;
	}
	return 0;
}

int ld_progs_collect(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;
	size_t i, n = 0;
	int err;

	err = funcs_mark_entries(c);
	if (err)
		return err;
	for (i = 0; i < obj->func_cnt; i++)
		n += obj->funcs[i].entry;
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 0; i < obj->func_cnt; i++) {
		if (!obj->funcs[i].entry)
			continue;
		err = prog_add(c, i);
		if (err)
			return err;
	}
	return 0;
}

const struct ld_func *ld_func_at(const struct bpfvm_object *obj,
				 uint32_t code, uint32_t insn)
{
	size_t lo = 0, hi = obj->func_cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ld_func *f = &obj->funcs[mid];

		if (f->code == code && f->start == insn)
			return f;
		if (f->code < code || (f->code == code && f->start < insn))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The accessors open can answer. */

size_t bpfvm_object_prog_cnt(const struct bpfvm_object *obj)
{
	return obj ? obj->prog_cnt : 0;
}

struct bpfvm_obj_prog *bpfvm_object_prog(const struct bpfvm_object *obj,
					 size_t i)
{
	return obj && i < obj->prog_cnt ? obj->progs[i] : NULL;
}

struct bpfvm_obj_prog *bpfvm_object_find_prog(const struct bpfvm_object *obj,
					      const char *name)
{
	size_t i;

	for (i = 0; obj && name && i < obj->prog_cnt; i++)
		if (!strcmp(obj->progs[i]->name, name))
			return obj->progs[i];
	return NULL;
}

const char *bpfvm_obj_prog_name(const struct bpfvm_obj_prog *p)
{
	return p->name;
}

const char *bpfvm_obj_prog_section(const struct bpfvm_obj_prog *p)
{
	return p->sec_name;
}

enum bpf_prog_type bpfvm_obj_prog_type(const struct bpfvm_obj_prog *p)
{
	return p->type;
}

enum bpf_attach_type bpfvm_obj_prog_attach_type(const struct bpfvm_obj_prog *p)
{
	return p->attach_type;
}

int bpfvm_obj_prog_set_type(struct bpfvm_obj_prog *p, enum bpf_prog_type type,
			    enum bpf_attach_type attach_type)
{
	if (p->obj->loaded)
		return -EBUSY;
	p->type = type;
	p->attach_type = attach_type;
	return 0;
}

bool bpfvm_obj_prog_autoload(const struct bpfvm_obj_prog *p)
{
	return p->autoload;
}

int bpfvm_obj_prog_set_autoload(struct bpfvm_obj_prog *p, bool autoload)
{
	if (p->obj->loaded)
		return -EBUSY;
	p->autoload = autoload;
	return 0;
}

const struct bpf_insn *bpfvm_obj_prog_insns(const struct bpfvm_obj_prog *p,
					    size_t *cnt)
{
	const struct ld_func *f = &p->obj->funcs[p->func];

	if (p->insns) {
		if (cnt)
			*cnt = p->insn_cnt;
		return p->insns;
	}
	if (cnt)
		*cnt = f->cnt;
	return p->obj->code[f->code].insns + f->start;
}
