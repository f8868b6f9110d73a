/* CO-RE relocation driver: for each record, the local spec from the
 * access string, every same-named (flavors aside) type of the target
 * that matches it (ld_core_cands.c), one agreed result, and the
 * instruction patched. Candidates that disagree are an error, as in
 * libbpf. */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "loader/ld_btf_util.h"
#include "loader/ld_core.h"
#include "loader/ld_core_priv.h"

struct relo_ctx {
	const struct bpfvm_btf *local, *target;
	struct ld_core_cands cands;
	const struct bpf_core_relo *r;
	struct ld_core_spec lspec, cand, best;	/* large: kept off the stack */
	struct ld_core_why why;
};

/* Fold candidate result `cr` into the one kept so far (`n` before). */
static int agree(struct relo_ctx *c, size_t n, const struct ld_core_res *cr,
		 struct ld_core_res *res)
{
	if (n == 0) {
		*res = *cr;
		c->best = c->cand;
		return 0;
	}
	if (c->cand.bit_offset != c->best.bit_offset)
		return ld_core_why(&c->why, -EINVAL, "field offset ambiguity: "
				   "%llu != %llu bits (types [%u] and [%u])",
				   (unsigned long long)c->best.bit_offset,
				   (unsigned long long)c->cand.bit_offset,
				   c->best.root_type_id, c->cand.root_type_id);
	if (cr->poison != res->poison || cr->new_val != res->new_val)
		return ld_core_why(&c->why, -EINVAL, "candidates [%u] and [%u] "
				   "give different results (%llu, %llu)",
				   c->best.root_type_id, c->cand.root_type_id,
				   (unsigned long long)res->new_val,
				   (unsigned long long)cr->new_val);
	return 0;
}

static int resolve(struct relo_ctx *c, struct ld_core_res *res)
{
	const struct btf_type *lt = bpfvm_btf_type(c->local, c->r->type_id);
	const struct ld_core_cand *cand;
	struct ld_core_res cr;
	size_t n = 0;
	int err;

	if (!*ldbtf_name(c->local, lt->name_off))
		return ld_core_why(&c->why, -EOPNOTSUPP, "anonymous type [%u] "
				   "cannot be relocated", c->r->type_id);
	cand = ld_core_cands_find(&c->cands, c->local, c->r->type_id);
	for (size_t i = 0; cand && i < cand->cnt; i++) {
		uint32_t id = cand->ids[i];

		err = ld_core_spec_match(&c->lspec, c->target, id, &c->cand);
		if (err < 0)
			return ld_core_why(&c->why, err, "matching target type "
					   "[%u] failed", id);
		if (!err)
			continue;
		err = ld_core_calc(&c->lspec, &c->cand, &cr, &c->why);
		if (!err)
			err = agree(c, n++, &cr, res);
		if (err)
			return err;
	}
	return n ? 0 : ld_core_calc(&c->lspec, NULL, res, &c->why);
}

static int relo_one(struct relo_ctx *c, struct bpf_insn *insns, size_t cnt)
{
	const struct bpf_core_relo *r = c->r;
	size_t idx = r->insn_off / sizeof(struct bpf_insn);
	const char *access;
	struct ld_core_res res;
	int err;

	if (r->insn_off % sizeof(struct bpf_insn) || idx >= cnt)
		return ld_core_why(&c->why, -EINVAL, "insn_off %u outside the "
				   "section's %zu instructions", r->insn_off,
				   cnt);
	if (r->kind > BPF_CORE_TYPE_MATCHES)
		return ld_core_why(&c->why, -EINVAL, "unknown kind %u",
				   r->kind);
	if (!bpfvm_btf_type(c->local, r->type_id))
		return ld_core_why(&c->why, -EINVAL, "bad local type id %u",
				   r->type_id);
	access = bpfvm_btf_str(c->local, r->access_str_off);
	if (!access)
		return ld_core_why(&c->why, -EINVAL, "access string offset %u "
				   "out of range", r->access_str_off);
	err = ld_core_spec_parse(c->local, r->type_id, access, r->kind,
				 &c->lspec, &c->why);
	if (err)
		return err;
	if (r->kind == BPF_CORE_TYPE_ID_LOCAL)
		res = (struct ld_core_res){ .orig_val = r->type_id,
					    .new_val = r->type_id };
	else
		err = resolve(c, &res);
	return err ? err : ld_core_patch(insns, cnt, idx, &res, &c->why);
}

int ld_core_relocate(const struct bpfvm_btf *local,
		     const struct bpfvm_btf *target, const char *sec_name,
		     const struct bpf_core_relo *relos, size_t cnt,
		     struct bpf_insn *insns, size_t insn_cnt, char *log,
		     size_t log_size)
{
	struct relo_ctx *c;
	int err = 0;

	if (!cnt)
		return 0;
	if (!local || !target || !relos || !insns)
		return core_logf(log, log_size, -EINVAL, "CO-RE relocation "
				 "of sec '%s' without BTF or instructions",
				 sec_name ? sec_name : "?");
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->local = local;
	c->target = target;
	err = ld_core_cands_build(&c->cands, local, target, relos, cnt);
	for (size_t i = 0; i < cnt && !err; i++) {
		c->r = &relos[i];
		err = relo_one(c, insns, insn_cnt);
		if (err)
			core_logf(log, log_size, err, "CO-RE relo #%zu (sec '%s' "
				  "insn %u): %s", i, sec_name ? sec_name : "?",
				  relos[i].insn_off / 8, c->why.msg);
	}
	ld_core_cands_free(&c->cands);
	free(c);
	return err;
}
