/* Relocations of executable sections (../shared/specs/llvm_reloc.rst),
 * checked and recorded for load, which applies them:
 *   R_BPF_64_64 on an lddw: a map of `maps` / `.maps` (MAP), a variable
 *     of global data (DATA, off = S + A), a function (CALL: lddw of a
 *     BPF_PSEUDO_FUNC callback, target (S + A) / 8), or an undefined
 *     symbol (EXTERN);
 *   R_BPF_64_32 on a call with src_reg BPF_PSEUDO_CALL: a function
 *     (CALL, target (S + A) / 8, which with REL's implicit addend
 *     A = (imm + 1) * 8 is libbpf's S / 8 + imm + 1), or an undefined
 *     symbol (EXTERN: a kfunc);
 *   R_BPF_NONE is skipped.
 * A is RELA's r_addend, or for REL what clang left in the instruction.
 * Calls (src 1) and lddw BPF_PSEUDO_FUNC without a relocation are
 * pc-relative inside their section (older clang): they get a CALL entry
 * too, so load finds every call in `relocs`. Relocations of non-code
 * sections are ignored here (libbpf does too; `.maps` reads its own). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_open.h"

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)
#define CALL (BPF_JMP | BPF_CALL)

#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2
#define R_BPF_64_ABS32 3
#endif
#ifndef R_BPF_64_NODYLD32
#define R_BPF_64_NODYLD32 4
#endif

size_t ld_rel_cnt(const struct ld_sec *rs)
{
	return rs->size / (rs->type == SHT_RELA ? sizeof(Elf64_Rela)
						: sizeof(Elf64_Rel));
}

int ld_rel_read(struct ld_ctx *c, const struct ld_sec *rs, size_t i,
		struct ld_rel *out)
{
	Elf64_Rela r = { 0 };

	/* memcpy: a malformed file may misalign the records */
	memcpy(&r, rs->data + i * (rs->type == SHT_RELA ? sizeof(Elf64_Rela)
							 : sizeof(Elf64_Rel)),
	       rs->type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel));
	out->off = r.r_offset;
	out->type = ELF64_R_TYPE(r.r_info);
	out->sym = ELF64_R_SYM(r.r_info);
	out->addend = r.r_addend;
	out->has_addend = rs->type == SHT_RELA;
	if (out->sym >= c->sym_cnt || !out->sym)
		return ld_errf(c, -EINVAL,
			       "section '%s' offset %llu: symbol index %u out "
			       "of range (%zu symbols)", rs->name,
			       (unsigned long long)out->off, out->sym,
			       c->sym_cnt);
	return 0;
}

const struct ld_sec *ld_rel_sec_for(const struct ld_ctx *c, uint32_t target)
{
	if (!c->rel_of || target >= c->obj->sec_cnt || !c->rel_of[target])
		return NULL;
	return &c->obj->secs[c->rel_of[target]];
}

/* A symbol's name for messages and relocations: a section symbol's is
 * its section's. */
static const char *rel_sym_name(const struct ld_ctx *c, const Elf64_Sym *s)
{
	if (ELF64_ST_TYPE(s->st_info) == STT_SECTION &&
	    s->st_shndx < c->obj->sec_cnt)
		return c->obj->secs[s->st_shndx].name;
	return ld_sym_name(c, s);
}

/* Messages name the section, the offset and the symbol. */
#define RELERR(c, err, code, rel, sname, fmt, ...)                          \
	ld_errf(c, err, "section '%s' symbol '%s' offset %llu: " fmt,       \
		(code)->sec->name, sname, (unsigned long long)(rel)->off,   \
		##__VA_ARGS__)

/* A: RELA's addend, or what REL leaves in the instruction. */
static int64_t rel_addend(const struct ld_rel *rel, const struct bpf_insn *in)
{
	if (rel->has_addend)
		return rel->addend;
	if (in->code == CALL)
		return ((int64_t)in->imm + 1) * 8;
	return (int64_t)(uint32_t)in->imm;
}

static int reloc_call_target(struct ld_ctx *c, const struct ld_code *code,
			     const struct ld_rel *rel, const Elf64_Sym *s,
			     const char *sname, int64_t a, struct ld_reloc *out)
{
	const struct ld_code *tc = &c->obj->code[c->info[s->st_shndx].index];
	int64_t t = (int64_t)s->st_value + a;

	if (t < 0 || t % 8 || (uint64_t)t / 8 >= tc->cnt)
		return RELERR(c, -EINVAL, code, rel, sname,
			      "target offset %lld is not an instruction of "
			      "section '%s'", (long long)t, tc->sec->name);
	out->kind = LD_RELOC_CALL;
	out->target_code = c->info[s->st_shndx].index;
	out->target_insn = t / 8;
	return 0;
}

static int reloc_data(struct ld_ctx *c, const struct ld_code *code,
		      const struct ld_rel *rel, const Elf64_Sym *s,
		      const char *sname, int64_t a, struct ld_reloc *out)
{
	uint32_t map = c->info[s->st_shndx].index;
	int64_t off = (int64_t)s->st_value + a;

	if (off < 0 || (uint64_t)off > c->obj->maps[map]->data_size)
		return RELERR(c, -EINVAL, code, rel, sname,
			      "offset %lld past the data of section '%s'",
			      (long long)off,
			      c->obj->secs[s->st_shndx].name);
	out->kind = LD_RELOC_DATA;
	out->map = map;
	out->off = off;
	return 0;
}

static int reloc_map(struct ld_ctx *c, const struct ld_code *code,
		     const struct ld_rel *rel, const Elf64_Sym *s,
		     const char *sname, int64_t a, struct ld_reloc *out)
{
	int map = ld_map_at(c, s->st_shndx, s->st_value + a);

	if (map == -ENOMEM)
		return ld_errf(c, -ENOMEM, "out of memory");
	if (map < 0)
		return RELERR(c, -EINVAL, code, rel, sname,
			      "no map defined at offset %llu of section '%s'",
			      (unsigned long long)(s->st_value + a),
			      c->obj->secs[s->st_shndx].name);
	out->kind = LD_RELOC_MAP;
	out->map = map;
	return 0;
}

/* What the symbol of an lddw / call relocation is; the instruction has
 * been checked to be of the class its relocation type needs. */
static int reloc_target(struct ld_ctx *c, const struct ld_code *code,
			const struct ld_rel *rel, const struct bpf_insn *in,
			struct ld_reloc *out)
{
	const Elf64_Sym *s = &c->syms[rel->sym];
	const char *sname = rel_sym_name(c, s);
	int64_t a = rel_addend(rel, in);
	uint8_t role;

	out->sym = sname;
	if (s->st_shndx == SHN_UNDEF) {
		if (!*sname)
			return RELERR(c, -EINVAL, code, rel, sname,
				      "undefined symbol without a name");
		out->kind = LD_RELOC_EXTERN;
		out->off = in->code == CALL ? 0 : (uint64_t)a;
		return 0;
	}
	if (s->st_shndx >= c->obj->sec_cnt)
		return RELERR(c, -EINVAL, code, rel, sname,
			      "symbol in special section %#x",
			      s->st_shndx);
	role = c->info[s->st_shndx].role;
	if (in->code == CALL && role != LD_SEC_CODE)
		return RELERR(c, -EINVAL, code, rel, sname,
			      "call to a symbol outside code (section '%s')",
			      c->obj->secs[s->st_shndx].name);
	switch (role) {
	case LD_SEC_CODE:
		return reloc_call_target(c, code, rel, s, sname, a, out);
	case LD_SEC_DATA:
		return reloc_data(c, code, rel, s, sname, a, out);
	case LD_SEC_MAPS:
	case LD_SEC_BTF_MAPS:
		return reloc_map(c, code, rel, s, sname, a, out);
	}
	return RELERR(c, -EINVAL, code, rel, sname,
		      "relocation against section '%s', which is neither "
		      "code, maps nor global data",
		      c->obj->secs[s->st_shndx].name);
}

static int reloc_one(struct ld_ctx *c, const struct ld_code *code,
		     const struct ld_rel *rel, struct ld_reloc *out)
{
	const char *sname = rel_sym_name(c, &c->syms[rel->sym]);
	const struct bpf_insn *in;
	uint64_t i = rel->off / 8;

	if (rel->off % 8 || i >= code->cnt)
		return RELERR(c, -EINVAL, code, rel, sname,
			      "relocation is not at an instruction of the "
			      "section (%zu bytes)", code->cnt * 8);
	in = &code->insns[i];
	out->insn = i;
	switch (rel->type) {
	case R_BPF_64_64:
		if (in->code != LDDW || i + 1 >= code->cnt)
			return RELERR(c, -EINVAL, code, rel, sname,
				      "R_BPF_64_64 on instruction %#x, not a "
				      "whole lddw", in->code);
		break;
	case R_BPF_64_32:
		if (in->code != CALL || in->src_reg != BPF_PSEUDO_CALL)
			return RELERR(c, -EINVAL, code, rel, sname,
				      "R_BPF_64_32 on instruction %#x src %u, "
				      "not a call of a BPF function",
				      in->code, in->src_reg);
		break;
	case R_BPF_64_ABS64:
	case R_BPF_64_ABS32:
	case R_BPF_64_NODYLD32:
		return RELERR(c, -EINVAL, code, rel, sname,
			      "data relocation type %u in code", rel->type);
	default:
		return RELERR(c, -ENOTSUP, code, rel, sname,
			      "unknown relocation type %u", rel->type);
	}
	return reloc_target(c, code, rel, in, out);
}

static int reloc_cmp(const void *a, const void *b)
{
	const struct ld_reloc *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static bool is_local_call(const struct bpf_insn *in)
{
	return (in->code == CALL && in->src_reg == BPF_PSEUDO_CALL) ||
	       (in->code == LDDW && in->src_reg == BPF_PSEUDO_FUNC);
}

/* Calls without a relocation: pc-relative in their own section. */
static int local_calls(struct ld_ctx *c, struct ld_code *code, size_t nrel)
{
	size_t i, k = 0, n = nrel;

	for (i = 0; i < code->cnt; i++) {
		const struct bpf_insn *in = &code->insns[i];
		int64_t t = (int64_t)i + in->imm + 1;

		while (k < nrel && code->relocs[k].insn < i)
			k++;
		if (!is_local_call(in) || (k < nrel && code->relocs[k].insn == i))
			continue;
		if (t < 0 || (uint64_t)t >= code->cnt)
			return ld_errf(c, -EINVAL,
				       "section '%s' offset %zu: call target "
				       "%lld outside the section", code->sec->name,
				       i * 8, (long long)t);
		code->relocs[n++] = (struct ld_reloc){
			.insn = i, .kind = LD_RELOC_CALL,
			.target_code = code - c->obj->code, .target_insn = t,
			.sym = code->sec->name };
	}
	code->reloc_cnt = n;
	if (n != nrel)
		qsort(code->relocs, n, sizeof(*code->relocs), reloc_cmp);
	return 0;
}

static size_t count_local_calls(const struct ld_code *code)
{
	size_t i, n = 0;

	for (i = 0; i < code->cnt; i++)
		n += is_local_call(&code->insns[i]);
	return n;
}

static int code_relocs(struct ld_ctx *c, struct ld_code *code)
{
	const struct ld_sec *rs = ld_rel_sec_for(c, code->sec->idx);
	size_t i, n = rs ? ld_rel_cnt(rs) : 0, k = 0;
	bool sorted = true;
	int err;

	code->relocs = calloc(n + count_local_calls(code) + 1,
			      sizeof(*code->relocs));
	if (!code->relocs)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct ld_rel rel;

		err = ld_rel_read(c, rs, i, &rel);
		if (err)
			return err;
		if (rel.type == R_BPF_NONE)
			continue;
		err = reloc_one(c, code, &rel, &code->relocs[k]);
		if (err)
			return err;
		if (k && code->relocs[k].insn <= code->relocs[k - 1].insn)
			sorted = false;
		k++;
	}
	if (!sorted)
		qsort(code->relocs, k, sizeof(*code->relocs), reloc_cmp);
	for (i = 1; i < k; i++)
		if (code->relocs[i].insn == code->relocs[i - 1].insn)
			return ld_errf(c, -EINVAL,
				       "section '%s' offset %u: two relocations "
				       "of one instruction", code->sec->name,
				       code->relocs[i].insn * 8);
	return local_calls(c, code, k);
}

/* Relocation sections must be well formed even where ignored. */
int ld_rel_check(struct ld_ctx *c)
{
	size_t i;

	c->rel_of = calloc(c->obj->sec_cnt + 1, sizeof(*c->rel_of));
	if (!c->rel_of)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 1; i < c->obj->sec_cnt; i++) {
		const struct ld_sec *s = &c->obj->secs[i];
		size_t esz = s->type == SHT_RELA ? sizeof(Elf64_Rela)
						 : sizeof(Elf64_Rel);

		if (s->type != SHT_REL && s->type != SHT_RELA)
			continue;
		if (!s->data || s->size % esz)
			return ld_errf(c, -EINVAL,
				       "section '%s': size %zu is not a whole "
				       "number of relocations", s->name, s->size);
		if (s->info >= c->obj->sec_cnt || s->link != c->symtab)
			return ld_errf(c, -EINVAL,
				       "section '%s': sh_info %u / sh_link %u "
				       "name no section / not the symbol table",
				       s->name, s->info, s->link);
		if (!c->rel_of[s->info])	/* the first one counts */
			c->rel_of[s->info] = i;
	}
	return 0;
}

/* RELA keeps the addend out of the data, where REL leaves it and where
 * readers of .BTF / .BTF.ext (insn_off fields) look: put S + A back. */
int ld_rela_fill(struct ld_ctx *c, const struct ld_sec *target)
{
	const struct ld_sec *rs = ld_rel_sec_for(c, target->idx);
	uint8_t *data = (uint8_t *)target->data;	/* our own copy */
	size_t i, n = rs && rs->type == SHT_RELA ? ld_rel_cnt(rs) : 0;

	for (i = 0; i < n; i++) {
		struct ld_rel rel;
		uint64_t v;
		size_t w;
		int err = ld_rel_read(c, rs, i, &rel);

		if (err)
			return err;
		w = rel.type == R_BPF_64_ABS64 ? 8 :
		    rel.type == R_BPF_64_ABS32 ||
		    rel.type == R_BPF_64_NODYLD32 ? 4 : 0;
		if (!w)
			continue;
		if (rel.off > target->size || target->size - rel.off < w)
			return ld_errf(c, -EINVAL,
				       "section '%s' offset %llu: past section "
				       "'%s'", rs->name,
				       (unsigned long long)rel.off, target->name);
		v = c->syms[rel.sym].st_value + rel.addend;
		memcpy(data + rel.off, &v, w);	/* little-endian */
	}
	return 0;
}

int ld_relocs_collect(struct ld_ctx *c)
{
	size_t i;
	int err;

	for (i = 0; i < c->obj->code_cnt; i++) {
		err = code_relocs(c, &c->obj->code[i]);
		if (err)
			return err;
	}
	return 0;
}
