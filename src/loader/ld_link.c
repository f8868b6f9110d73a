/* Linking a program: the entry function is copied first, and each call,
 * function address or map reference is made final as it is copied; a
 * callee not yet in the program is appended (its place is known at once:
 * the end), so one pass over the instructions links the whole program.
 * Relocations are sorted by instruction, so a cursor finds each one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "isa/isa.h"
#include "loader/ld_core.h"
#include "loader/ld_link.h"

#define LFAIL(p, pos, err, fmt, ...)                                        \
	core_logf(log, log_size, err, "prog '%s': insn %zu: " fmt, (p)->name, \
		  (size_t)(pos), ##__VA_ARGS__)

static int cmp_func(const struct bpfvm_object *obj, uint32_t a, uint32_t b)
{
	const struct ld_func *x = &obj->funcs[a], *y = &obj->funcs[b];

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Functions by (code, start): insertion sort, as open lists them in
 * section order already. */
static void sort_funcs(const struct bpfvm_object *obj, uint32_t *order)
{
	for (size_t i = 0; i < obj->func_cnt; i++) {
		uint32_t f = (uint32_t)i;
		size_t j = i;

		while (j && cmp_func(obj, order[j - 1], f) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = f;
	}
}

int ld_link_init(struct ld_link *lk, const struct bpfvm_object *obj)
{
	size_t total = 0, n = obj->func_cnt ? obj->func_cnt : 1;
	struct bpf_insn *mem;

	memset(lk, 0, sizeof(*lk));
	lk->obj = obj;
	lk->kconfig_map = -1;
	for (size_t c = 0; c < obj->code_cnt; c++)
		total += obj->code[c].cnt;
	lk->insns = calloc(obj->code_cnt ? obj->code_cnt : 1,
			   sizeof(*lk->insns));
	lk->insn_mem = malloc((total ? total : 1) * sizeof(*mem));
	lk->order = malloc(n * sizeof(*lk->order));
	lk->func_off = malloc(n * sizeof(*lk->func_off));
	lk->func_gen = calloc(n, sizeof(*lk->func_gen));
	if (!lk->insns || !lk->insn_mem || !lk->order || !lk->func_off ||
	    !lk->func_gen)
		return -ENOMEM;
	mem = lk->insn_mem;
	for (size_t c = 0; c < obj->code_cnt; c++) {
		memcpy(mem, obj->code[c].insns,
		       obj->code[c].cnt * sizeof(*mem));
		lk->insns[c] = mem;
		mem += obj->code[c].cnt;
	}
	sort_funcs(obj, lk->order);
	return ld_link_info_init(lk);
}

void ld_link_fini(struct ld_link *lk)
{
	free(lk->insns);
	free(lk->insn_mem);
	free(lk->order);
	free(lk->func_off);
	free(lk->func_gen);
	free(lk->placed);
	free(lk->ext);
	memset(lk, 0, sizeof(*lk));
}

/* The function holding instruction `insn` of code section `code`, or
 * -1. */
static int64_t func_at(const struct ld_link *lk, uint32_t code, uint64_t insn)
{
	const struct bpfvm_object *obj = lk->obj;
	size_t lo = 0, hi = obj->func_cnt;

	while (lo < hi) {	/* the first func starting after insn */
		size_t mid = (lo + hi) / 2;
		const struct ld_func *f = &obj->funcs[lk->order[mid]];

		if (f->code < code || (f->code == code && f->start <= insn))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	const struct ld_func *f = &obj->funcs[lk->order[lo - 1]];

	if (f->code != code || insn >= (uint64_t)f->start + f->cnt)
		return -1;
	return lk->order[lo - 1];
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Make function f part of the program (appended if it is not yet). */
static int place(struct ld_link *lk, uint32_t f)
{
	const struct ld_func *fn = &lk->obj->funcs[f];
	int err;

	if (lk->func_gen[f] == lk->gen)
		return 0;
	err = grow((void **)&lk->placed, &lk->placed_cap, lk->placed_cnt + 1,
		   sizeof(*lk->placed));
	if (err)
		return err;
	lk->func_gen[f] = lk->gen;
	lk->func_off[f] = (uint32_t)lk->out_cnt;
	lk->placed[lk->placed_cnt++] = (struct ld_placed){ f, lk->func_off[f] };
	lk->out_cnt += fn->cnt;
	return 0;
}

struct lctx {
	struct ld_link *lk;
	const struct bpfvm_obj_prog *p;
	const struct ld_placed *pl;
	const struct ld_func *fn;
	char *log;
	size_t log_size;
};

/* Set a call's or function address's imm to the program position of
 * (code, insn), placing its function. */
static int link_target(struct lctx *x, size_t pos, uint32_t code,
		       int64_t insn)
{
	struct ld_link *lk = x->lk;
	char *log = x->log;
	size_t log_size = x->log_size;
	int64_t f = insn < 0 ? -1 : func_at(lk, code, (uint64_t)insn);
	int err;

	if (f < 0)
		return LFAIL(x->p, pos, -EINVAL, "call or function address to "
			     "insn %lld of section '%s', which is in no "
			     "function", (long long)insn,
			     lk->obj->code[code].sec->name);
	err = place(lk, (uint32_t)f);
	if (err)
		return err;
	if (insn != lk->obj->funcs[f].start)
		lk->odd_target = true;
	insn = lk->func_off[f] + (insn - lk->obj->funcs[f].start);
	if (lk->out)
		lk->out[pos].imm = (int32_t)(insn - ((int64_t)pos + 1));
	return 0;
}

static bool is_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL);
}

/* What a relocation that could not be resolved leaves (CO-RE's poison,
 * a weak kfunc bpfvm lacks): libbpf's poisoned call, which bpfvm_prog_create
 * accepts and the engines fail the run at when they reach it (-EINVAL,
 * "CO-RE relocation failed"): harmless where the program cannot go. */
static const struct bpf_insn poison = { .code = BPF_JMP | BPF_CALL,
					.imm = ISA_CORE_POISON_ID };

static int link_extern(struct lctx *x, size_t pos, const struct ld_reloc *r)
{
	struct bpf_insn *o = &x->lk->out[pos];
	const struct ld_extern *e = ld_extern_find(&x->lk->obj->externs, r->sym);
	char *log = x->log;
	size_t log_size = x->log_size;

	if (!e)
		return LFAIL(x->p, pos, -ENOENT, "extern '%s' is not resolved",
			     r->sym);
	if (is_call(o)) {
		if (e->is_kconfig || !e->weak)
			return LFAIL(x->p, pos, -ENOTSUP, "kfunc '%s' not "
				     "supported", r->sym);
		/* a weak kfunc that does not exist: the program must not
		 * reach it (bpf_ksym_exists), or the run fails there */
		*o = poison;
		return 0;
	}
	if (!e->is_kconfig) {	/* a weak ksym bpfvm does not have */
		o[0].src_reg = 0;
		o[0].imm = o[1].imm = 0;
		return 0;
	}
	if (x->lk->kconfig_map < 0)
		return LFAIL(x->p, pos, -EINVAL, "extern '%s' needs the "
			     ".kconfig map, which the object lacks", r->sym);
	o[0].src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
	o[0].imm = (int32_t)x->lk->kconfig_map;
	o[1].imm = (int32_t)(e->off + (uint32_t)o[1].imm);
	return 0;
}

static int link_reloc(struct lctx *x, size_t pos, const struct ld_reloc *r)
{
	struct bpf_insn *o = &x->lk->out[pos];
	char *log = x->log;
	size_t log_size = x->log_size;
	bool lddw = isa_is_lddw(o) &&
		    pos + 1 < x->pl->off + (size_t)x->fn->cnt;

	if (!lddw && (r->kind != LD_RELOC_CALL || !is_call(o)) &&
	    r->kind != LD_RELOC_EXTERN)
		return LFAIL(x->p, pos, -EINVAL, "relocation of '%s' on an "
			     "instruction that cannot take it", r->sym);
	switch (r->kind) {
	case LD_RELOC_MAP:
	case LD_RELOC_DATA:
		o[0].src_reg = r->kind == LD_RELOC_MAP
				       ? BPF_PSEUDO_MAP_IDX
				       : BPF_PSEUDO_MAP_IDX_VALUE;
		o[0].imm = (int32_t)r->map;
		o[1].imm = (int32_t)(uint32_t)r->off;
		return 0;
	case LD_RELOC_CALL:
		o->src_reg = lddw ? BPF_PSEUDO_FUNC : BPF_PSEUDO_CALL;
		return link_target(x, pos, r->target_code, r->target_insn);
	case LD_RELOC_EXTERN:
		return link_extern(x, pos, r);
	}
	return LFAIL(x->p, pos, -EINVAL, "unknown relocation kind %d",
		     (int)r->kind);
}

/* The first relocation of code at or after insn. */
static const struct ld_reloc *reloc_from(const struct ld_code *code,
					 uint32_t insn)
{
	size_t lo = 0, hi = code->reloc_cnt;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (code->relocs[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return code->relocs + lo;
}

/* Link placed function k. Pass 1 (lk->out NULL) only places the
 * functions its calls and function addresses reach (so the program's
 * size is known before anything is written); pass 2 copies it into
 * lk->out and links it: relocations first; calls and function addresses
 * clang resolved itself (inside one section) keep their target. */
static int link_func(struct lctx *x, size_t k)
{
	struct ld_link *lk = x->lk;
	const struct ld_func *fn = &lk->obj->funcs[lk->placed[k].func];
	const struct ld_code *code = &lk->obj->code[fn->code];
	const struct ld_reloc *r = reloc_from(code, fn->start);
	const struct ld_reloc *end = code->relocs + code->reloc_cnt;
	const struct bpf_insn *src = lk->insns[fn->code] + fn->start;
	uint32_t off = lk->placed[k].off;
	struct bpf_insn *out = lk->out ? lk->out + off : NULL;
	int err = 0;

	x->pl = &lk->placed[k];
	x->fn = fn;
	if (out)
		memcpy(out, src, fn->cnt * sizeof(*out));
	for (uint32_t i = 0; !err && i < fn->cnt; i++) {
		const struct bpf_insn *o = &src[i];
		uint32_t s = fn->start + i;

		while (r < end && r->insn < s)
			r++;
		if (r < end && r->insn == s && out)
			err = link_reloc(x, off + i, r);
		else if (r < end && r->insn == s)
			err = r->kind != LD_RELOC_CALL ? 0 :
			      link_target(x, off + i, r->target_code,
					  r->target_insn);
		else if ((is_call(o) && o->src_reg == BPF_PSEUDO_CALL) ||
			 (isa_is_lddw(o) && o->src_reg == BPF_PSEUDO_FUNC))
			err = link_target(x, off + i, fn->code,
					  (int64_t)s + 1 + o->imm);
		if (isa_is_lddw(o))
			i++;
	}
	return err;
}

int ld_link_prog(struct ld_link *lk, struct bpfvm_obj_prog *p, char *log,
		 size_t log_size)
{
	struct lctx x = { .lk = lk, .p = p, .log = log, .log_size = log_size };
	int err;

	lk->gen++;
	lk->placed_cnt = 0;
	lk->out_cnt = 0;
	lk->odd_target = false;
	lk->out = NULL;
	err = place(lk, p->func);
	for (size_t k = 0; !err && k < lk->placed_cnt; k++)
		err = link_func(&x, k);	/* placed_cnt grows meanwhile */
	if (err)
		return err;
	lk->out = malloc(lk->out_cnt * sizeof(*lk->out));
	if (!lk->out)
		return -ENOMEM;
	for (size_t k = 0; !err && k < lk->placed_cnt; k++)
		err = link_func(&x, k);
	p->insns = lk->out;	/* the program owns it, even on error */
	p->insn_cnt = lk->out_cnt;
	lk->out = NULL;
	return err ? err : ld_link_info(lk, p);
}
