/* CO-RE access specs: the access string ("0:1:2") of a local type turned
 * into member / array steps with their bit offset, and the same access
 * looked for in a target type (members by name, through anonymous
 * structs and unions). libbpf's rules (relo_core.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_btf_util.h"
#include "loader/ld_core_priv.h"

int ld_core_why(struct ld_core_why *w, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* "0:1:2" into raw indices: digits separated by single colons. */
static int parse_access(const char *s, struct ld_core_spec *spec,
			struct ld_core_why *why)
{
	while (*s) {
		char *end;
		unsigned long v;

		if (spec->raw_len && *s++ != ':')
			return ld_core_why(why, -EINVAL, "bad access string");
		if (*s < '0' || *s > '9')
			return ld_core_why(why, -EINVAL, "bad access string");
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || v > INT32_MAX)
			return ld_core_why(why, -EINVAL, "access index too big");
		if (spec->raw_len == LD_CORE_SPEC_MAX)
			return ld_core_why(why, -E2BIG, "access string too long");
		spec->raw[spec->raw_len++] = (uint32_t)v;
		s = end;
	}
	if (!spec->raw_len)
		return ld_core_why(why, -EINVAL, "empty access string");
	return 0;
}

/* A zero-length array that is the last member of the struct the
 * previous step named: its index is not bounded. */
static bool is_flex(const struct bpfvm_btf *btf, const struct ld_core_spec *s,
		    const struct btf_array *a)
{
	const struct ld_core_acc *prev = &s->acc[s->len - 1];
	const struct btf_type *t;

	if (!prev->name || a->nelems > 0)
		return false;
	t = bpfvm_btf_type(btf, prev->type_id);
	return t && prev->idx == ldbtf_vlen(t) - 1;
}

/* Bits from element 0 to element idx of type id; -E2BIG past 2^62. */
static int64_t elem_bits(const struct bpfvm_btf *btf, uint32_t id,
			 uint32_t idx)
{
	int64_t sz = bpfvm_btf_type_size(btf, id);

	if (sz < 0)
		return sz;
	if (sz && idx > (INT64_MAX / 16) / sz)
		return -E2BIG;
	return (int64_t)idx * sz * 8;
}

/* Step i > 0 of a field access, from the type `*id` names. */
static int parse_step(const struct bpfvm_btf *btf, struct ld_core_spec *spec,
		      uint32_t idx, uint32_t *id, struct ld_core_why *why)
{
	uint32_t tid;
	const struct btf_type *t = ldbtf_skip(btf, *id, &tid);
	struct ld_core_acc *acc = &spec->acc[spec->len];
	int64_t bits;

	if (!t)
		return ld_core_why(why, -EINVAL, "access into void");
	if (ldbtf_is_composite(t)) {
		const struct btf_member *m;

		if (idx >= ldbtf_vlen(t))
			return ld_core_why(why, -EINVAL, "member #%u of a "
					   "type with %u", idx, ldbtf_vlen(t));
		m = &ldbtf_members(t)[idx];
		spec->bit_offset += ldbtf_member_bit_off(t, idx);
		if (m->name_off) {
			acc->type_id = tid;
			acc->idx = idx;
			acc->name = ldbtf_name(btf, m->name_off);
			if (!*acc->name)
				return ld_core_why(why, -EINVAL, "bad member name");
			spec->len++;
		}
		*id = m->type;
		return 0;
	}
	if (ldbtf_kind(t) == BTF_KIND_ARRAY) {
		const struct btf_array *a = ldbtf_array(t);

		if (!ldbtf_skip(btf, a->type, id))
			return ld_core_why(why, -EINVAL, "array of void");
		if (!is_flex(btf, spec, a) && idx >= a->nelems)
			return ld_core_why(why, -EINVAL, "index %u past an "
					   "array of %u", idx, a->nelems);
		acc->type_id = *id;
		acc->idx = idx;
		acc->name = NULL;
		spec->len++;
		bits = elem_bits(btf, *id, idx);
		if (bits < 0)
			return ld_core_why(why, -EINVAL, "element size unknown");
		spec->bit_offset += (uint64_t)bits;
		return 0;
	}
	return ld_core_why(why, -EINVAL, "access into type [%u] of kind %u, "
			   "not a struct, union or array", tid, ldbtf_kind(t));
}

static int parse_enumval(const struct bpfvm_btf *btf, const struct btf_type *t,
			 struct ld_core_spec *spec, struct ld_core_why *why)
{
	uint32_t idx = spec->raw[0];

	if (!ldbtf_is_any_enum(t))
		return ld_core_why(why, -EINVAL, "enum relocation on a "
				   "type that is not an enum");
	if (spec->raw_len > 1 || idx >= ldbtf_vlen(t))
		return ld_core_why(why, -EINVAL, "bad enumerator index");
	spec->acc[0].name = ldbtf_name(btf, ldbtf_enum_name(t, idx));
	return 0;
}

int ld_core_spec_parse(const struct bpfvm_btf *btf, uint32_t type_id,
		       const char *access, uint32_t kind,
		       struct ld_core_spec *spec, struct ld_core_why *why)
{
	const struct btf_type *t;
	uint32_t id;
	int64_t bits;
	int err;

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_type_id = type_id;
	spec->kind = kind;
	if (ld_core_kind_type(kind))
		return strcmp(access, "0") ? ld_core_why(why, -EINVAL,
			"type relocation with access \"%s\", not \"0\"",
			access) : 0;
	err = parse_access(access, spec, why);
	if (err)
		return err;
	t = ldbtf_skip(btf, type_id, &id);
	if (!t)
		return ld_core_why(why, -EINVAL, "type [%u] is void", type_id);
	spec->acc[0].type_id = id;
	spec->acc[0].idx = spec->raw[0];
	spec->len = 1;
	if (ld_core_kind_enumval(kind))
		return parse_enumval(btf, t, spec, why);
	bits = elem_bits(btf, id, spec->raw[0]);
	if (bits < 0)
		return ld_core_why(why, -EINVAL, "size of type [%u] unknown",
				   id);
	spec->bit_offset = (uint64_t)bits;
	for (int i = 1; i < spec->raw_len; i++) {
		err = parse_step(btf, spec, spec->raw[i], &id, why);
		if (err)
			return err;
	}
	return 0;
}

/* Push / pop one raw index of a target spec under construction. */
static int raw_push(struct ld_core_spec *s, uint32_t idx)
{
	if (s->raw_len == LD_CORE_SPEC_MAX)
		return -E2BIG;
	s->raw[s->raw_len++] = idx;
	return 0;
}

/* The member local `lacc` names, looked for in target composite tid
 * (and the anonymous members inside it): 1 found, 0 not, <0 error. */
static int match_member(const struct ld_core_spec *local,
			const struct ld_core_acc *lacc, uint32_t tid,
			struct ld_core_spec *targ, uint32_t *next_id, int depth)
{
	const struct bpfvm_btf *tb = targ->btf;
	const struct btf_type *lt = bpfvm_btf_type(local->btf, lacc->type_id);
	const struct btf_member *lm = &ldbtf_members(lt)[lacc->idx];
	const struct btf_type *t = ldbtf_skip(tb, tid, &tid);

	if (!t || depth > LD_CORE_SPEC_MAX)
		return t ? -E2BIG : -EINVAL;
	if (!ldbtf_is_composite(t))
		return 0;
	for (uint32_t i = 0; i < ldbtf_vlen(t); i++) {
		const struct btf_member *m = &ldbtf_members(t)[i];
		uint32_t bit_off = ldbtf_member_bit_off(t, i);
		const char *name = ldbtf_name(tb, m->name_off);
		int found;

		if (raw_push(targ, i))
			return -E2BIG;
		targ->bit_offset += bit_off;
		if (!*name) {
			found = match_member(local, lacc, m->type, targ,
					     next_id, depth + 1);
			if (found)
				return found;
		} else if (strcmp(lacc->name, name) == 0) {
			found = ld_core_fields_compat(local->btf, lm->type,
						      tb, m->type);
			if (found <= 0)
				return found;
			targ->acc[targ->len++] = (struct ld_core_acc){
				tid, i, name };
			*next_id = m->type;
			return 1;
		}
		targ->bit_offset -= bit_off;
		targ->raw_len--;
	}
	return 0;
}

static int match_enumval(const struct ld_core_spec *local, uint32_t tid,
			 struct ld_core_spec *targ)
{
	const struct btf_type *t = ldbtf_skip(targ->btf, tid, &tid);
	const char *lname = local->acc[0].name;
	size_t llen = ld_core_essential_len(lname);

	if (!t || !ldbtf_is_any_enum(t))
		return 0;
	for (uint32_t i = 0; i < ldbtf_vlen(t); i++) {
		const char *n = ldbtf_name(targ->btf, ldbtf_enum_name(t, i));

		if (ld_core_essential_len(n) != llen ||
		    strncmp(lname, n, llen))
			continue;
		targ->acc[0] = (struct ld_core_acc){ tid, i, n };
		targ->len = 1;
		targ->raw[0] = i;
		targ->raw_len = 1;
		return 1;
	}
	return 0;
}

/* An array step of the target (i > 0: the current type must be an
 * array holding the index). */
static int match_index(const struct ld_core_spec *local, int i,
		       uint32_t *tid, struct ld_core_spec *targ)
{
	const struct ld_core_acc *lacc = &local->acc[i];
	int64_t bits;

	if (i > 0) {
		const struct btf_type *t = ldbtf_skip(targ->btf, *tid, tid);
		const struct btf_array *a;

		if (!t || ldbtf_kind(t) != BTF_KIND_ARRAY)
			return 0;
		a = ldbtf_array(t);
		if (!is_flex(targ->btf, targ, a) && lacc->idx >= a->nelems)
			return 0;
		if (!ldbtf_skip(targ->btf, a->type, tid))
			return -EINVAL;
	}
	if (raw_push(targ, lacc->idx))
		return -E2BIG;
	targ->acc[targ->len++] = (struct ld_core_acc){ *tid, lacc->idx, NULL };
	bits = elem_bits(targ->btf, *tid, lacc->idx);
	if (bits < 0)
		return (int)bits;
	targ->bit_offset += (uint64_t)bits;
	return 1;
}

int ld_core_spec_match(const struct ld_core_spec *local,
		       const struct bpfvm_btf *targ_btf, uint32_t targ_id,
		       struct ld_core_spec *targ)
{
	memset(targ, 0, sizeof(*targ));
	targ->btf = targ_btf;
	targ->root_type_id = targ_id;
	targ->kind = local->kind;
	if (local->kind == BPF_CORE_TYPE_MATCHES)
		return ld_core_types_match(local->btf, local->root_type_id,
					   targ_btf, targ_id);
	if (ld_core_kind_type(local->kind))
		return ld_core_types_compat(local->btf, local->root_type_id,
					    targ_btf, targ_id);
	if (ld_core_kind_enumval(local->kind))
		return match_enumval(local, targ_id, targ);
	for (int i = 0; i < local->len; i++) {
		int r;

		if (!ldbtf_skip(targ_btf, targ_id, &targ_id))
			return -EINVAL;
		if (local->acc[i].name)
			r = match_member(local, &local->acc[i], targ_id, targ,
					 &targ_id, 0);
		else
			r = match_index(local, i, &targ_id, targ);
		if (r <= 0)
			return r;
	}
	return 1;
}
