/* When a target type may stand for a local one (libbpf's relo_core.c
 * rules): names compared without their "___flavor" suffix; fields
 * compatible by kind (any ints, any pointers, structs with structs);
 * types compatible for TYPE_* relocations (same shape through pointers,
 * arrays and function prototypes); and the stricter TYPE_MATCHES. */
#include <errno.h>
#include <string.h>

#include "loader/ld_btf_util.h"
#include "loader/ld_core_priv.h"

/* Recursion bound (libbpf's): deeper chains are -EINVAL. */
#define COMPAT_DEPTH 32

/* "X___Y": X and Y not starting/ending in '_'. */
static bool is_flavor_sep(const char *s)
{
	return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' &&
	       s[4] != '_';
}

size_t ld_core_essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;) {
		if (is_flavor_sep(name + i))
			return i + 1;
	}
	return n;
}

static bool names_equal(const char *a, const char *b)
{
	size_t la = ld_core_essential_len(a), lb = ld_core_essential_len(b);

	return la == lb && strncmp(a, b, la) == 0;
}

/* Kinds that may stand for each other: equal, or enum and enum64. */
static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return ldbtf_kind(a) == ldbtf_kind(b) ||
	       (ldbtf_is_any_enum(a) && ldbtf_is_any_enum(b));
}

static bool plain_int(const struct btf_type *t)
{
	return ldbtf_int_off(t) == 0;
}

int ld_core_fields_compat(const struct bpfvm_btf *lb, uint32_t lid,
			  const struct bpfvm_btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < COMPAT_DEPTH; depth++) {
		const struct btf_type *l = ldbtf_skip(lb, lid, &lid);
		const struct btf_type *t = ldbtf_skip(tb, tid, &tid);
		const char *ln, *tn;
		size_t ll, tl;

		if (!l || !t)
			return -EINVAL;
		if (ldbtf_is_composite(l) && ldbtf_is_composite(t))
			return 1;
		if (!kinds_compat(l, t))
			return 0;
		switch (ldbtf_kind(l)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			/* an anonymous one on either side, or the same name */
			ln = ldbtf_name(lb, l->name_off);
			tn = ldbtf_name(tb, t->name_off);
			ll = ld_core_essential_len(ln);
			tl = ld_core_essential_len(tn);
			return !ll || !tl || (ll == tl && !strncmp(ln, tn, ll));
		case BTF_KIND_INT:
			return plain_int(l) && plain_int(t);
		case BTF_KIND_ARRAY:
			lid = ldbtf_array(l)->type;
			tid = ldbtf_array(t)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Type ids after skipping modifiers; void is id 0 and a NULL type. */
static int compat_rec(const struct bpfvm_btf *lb, uint32_t lid,
		      const struct bpfvm_btf *tb, uint32_t tid, int level);

static int compat_params(const struct bpfvm_btf *lb, const struct btf_type *l,
			 const struct bpfvm_btf *tb, const struct btf_type *t,
			 int level)
{
	if (ldbtf_vlen(l) != ldbtf_vlen(t))
		return 0;
	for (uint32_t i = 0; i < ldbtf_vlen(l); i++) {
		int r = compat_rec(lb, ldbtf_params(l)[i].type, tb,
				   ldbtf_params(t)[i].type, level - 1);
		if (r <= 0)
			return r;
	}
	return 1;
}

static int compat_rec(const struct bpfvm_btf *lb, uint32_t lid,
		      const struct bpfvm_btf *tb, uint32_t tid, int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < COMPAT_DEPTH; depth++) {
		const struct btf_type *l = ldbtf_skip(lb, lid, &lid);
		const struct btf_type *t = ldbtf_skip(tb, tid, &tid);
		int r;

		if (!l || !t)
			return !l && !t && !lid && !tid; /* void and void */
		if (!kinds_compat(l, t))
			return 0;
		switch (ldbtf_kind(l)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return plain_int(l) && plain_int(t);
		case BTF_KIND_PTR:
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = ldbtf_array(l)->type;
			tid = ldbtf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			r = compat_params(lb, l, tb, t, level);
			if (r <= 0)
				return r;
			lid = l->type;
			tid = t->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int ld_core_types_compat(const struct bpfvm_btf *lb, uint32_t lid,
			 const struct bpfvm_btf *tb, uint32_t tid)
{
	return compat_rec(lb, lid, tb, tid, COMPAT_DEPTH);
}

static bool name_offs_match(const struct bpfvm_btf *lb, uint32_t loff,
			    const struct bpfvm_btf *tb, uint32_t toff)
{
	const char *ln = ldbtf_name(lb, loff), *tn = ldbtf_name(tb, toff);

	if (!*tn)
		return !*ln;
	return names_equal(ln, tn);
}

/* Every local enumerator has a namesake in the target; sizes equal. */
static int enums_match(const struct bpfvm_btf *lb, const struct btf_type *l,
		       const struct bpfvm_btf *tb, const struct btf_type *t)
{
	if (l->size != t->size || ldbtf_vlen(l) > ldbtf_vlen(t))
		return 0;
	for (uint32_t i = 0; i < ldbtf_vlen(l); i++) {
		bool found = false;

		for (uint32_t j = 0; j < ldbtf_vlen(t) && !found; j++)
			found = name_offs_match(lb, ldbtf_enum_name(l, i), tb,
						ldbtf_enum_name(t, j));
		if (!found)
			return 0;
	}
	return 1;
}

static int match_rec(const struct bpfvm_btf *lb, uint32_t lid,
		     const struct bpfvm_btf *tb, uint32_t tid, bool behind_ptr,
		     int level);

/* Every local member has a namesake in the target whose type matches. */
static int members_match(const struct bpfvm_btf *lb, const struct btf_type *l,
			 const struct bpfvm_btf *tb, const struct btf_type *t,
			 bool behind_ptr, int level)
{
	if (ldbtf_vlen(l) > ldbtf_vlen(t))
		return 0;
	for (uint32_t i = 0; i < ldbtf_vlen(l); i++) {
		const struct btf_member *lm = &ldbtf_members(l)[i];
		int found = 0;

		for (uint32_t j = 0; j < ldbtf_vlen(t) && !found; j++) {
			const struct btf_member *tm = &ldbtf_members(t)[j];

			if (!name_offs_match(lb, lm->name_off, tb, tm->name_off))
				continue;
			found = match_rec(lb, lm->type, tb, tm->type,
					  behind_ptr, level - 1);
			if (found < 0)
				return found;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* Forward declarations against structs / unions: kflag says union. */
static int fwd_match(const struct btf_type *l, const struct btf_type *t,
		     bool behind_ptr)
{
	bool lf = ldbtf_kflag(l);

	if (ldbtf_kind(t) == BTF_KIND_FWD)
		return lf == ldbtf_kflag(t);
	if (!behind_ptr)
		return 0;
	return (ldbtf_kind(t) == BTF_KIND_STRUCT && !lf) ||
	       (ldbtf_kind(t) == BTF_KIND_UNION && lf);
}

static int composite_match(const struct bpfvm_btf *lb,
			   const struct btf_type *l,
			   const struct bpfvm_btf *tb,
			   const struct btf_type *t, bool behind_ptr, int level)
{
	if (behind_ptr) {
		if (ldbtf_kind(l) == ldbtf_kind(t))
			return 1;
		if (ldbtf_kind(t) != BTF_KIND_FWD)
			return 0;
		return (ldbtf_kind(l) == BTF_KIND_UNION) == ldbtf_kflag(t);
	}
	if (ldbtf_kind(l) != ldbtf_kind(t))
		return 0;
	return members_match(lb, l, tb, t, behind_ptr, level);
}

static int match_rec(const struct bpfvm_btf *lb, uint32_t lid,
		     const struct bpfvm_btf *tb, uint32_t tid, bool behind_ptr,
		     int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < COMPAT_DEPTH; depth++) {
		const struct btf_type *l = ldbtf_skip(lb, lid, &lid);
		const struct btf_type *t = ldbtf_skip(tb, tid, &tid);
		int r;

		if (!l || !t)
			return !l && !t && !lid && !tid;
		if (!name_offs_match(lb, l->name_off, tb, t->name_off))
			return 0;
		switch (ldbtf_kind(l)) {
		case BTF_KIND_FWD:
			return fwd_match(l, t, behind_ptr);
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return ldbtf_is_any_enum(t) && enums_match(lb, l, tb, t);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			return composite_match(lb, l, tb, t, behind_ptr, level);
		case BTF_KIND_INT:
			return ldbtf_kind(t) == BTF_KIND_INT &&
			       l->size == t->size &&
			       (ldbtf_int_enc(l) & BTF_INT_SIGNED) ==
			       (ldbtf_int_enc(t) & BTF_INT_SIGNED);
		}
		if (ldbtf_kind(l) != ldbtf_kind(t))
			return 0;
		switch (ldbtf_kind(l)) {
		case BTF_KIND_PTR:
			behind_ptr = true;
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			if (ldbtf_array(l)->nelems != ldbtf_array(t)->nelems)
				return 0;
			lid = ldbtf_array(l)->type;
			tid = ldbtf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (ldbtf_vlen(l) != ldbtf_vlen(t))
				return 0;
			for (uint32_t i = 0; i < ldbtf_vlen(l); i++) {
				r = match_rec(lb, ldbtf_params(l)[i].type, tb,
					      ldbtf_params(t)[i].type,
					      behind_ptr, level - 1);
				if (r <= 0)
					return r;
			}
			lid = l->type;
			tid = t->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int ld_core_types_match(const struct bpfvm_btf *lb, uint32_t lid,
			const struct bpfvm_btf *tb, uint32_t tid)
{
	return match_rec(lb, lid, tb, tid, false, COMPAT_DEPTH);
}
