/* The value of a CO-RE relocation for one spec (local: what clang
 * assumed; target: what the program will see), per relocation kind, as
 * libbpf computes it. A field or enumerator value that cannot be had
 * poisons the instruction; existence and type relocations become 0. */
#include <endian.h>
#include <errno.h>

#include "loader/ld_btf_util.h"
#include "loader/ld_core_priv.h"

/* Signals "poison the instruction" between the steps below. */
#define POISON 1

/* An array element access: only offsets and sizes make sense. */
static int calc_elem(const struct ld_core_spec *s, const struct ld_core_acc *a,
		     uint64_t *val, uint32_t *sz, uint32_t *type_id,
		     struct ld_core_why *why)
{
	int64_t size = bpfvm_btf_type_size(s->btf, a->type_id);

	if (size < 0)
		return ld_core_why(why, -EINVAL, "size of [%u] unknown",
				   a->type_id);
	if (s->kind == BPF_CORE_FIELD_BYTE_OFFSET) {
		*val = s->bit_offset / 8;
		*sz = (uint32_t)size;
		*type_id = a->type_id;
	} else if (s->kind == BPF_CORE_FIELD_BYTE_SIZE) {
		*val = (uint64_t)size;
	} else {
		return ld_core_why(why, -EINVAL, "relocation kind %u on an "
				   "array element", s->kind);
	}
	return 0;
}

/* Where a (bit)field lies: the smallest naturally aligned load of at
 * least the field's type size that holds every bit. */
struct field_loc {
	uint32_t byte_off, byte_sz, bit_off, bit_sz;
	bool bitfield;
};

static int locate(const struct ld_core_spec *s, const struct btf_type *st,
		  uint32_t idx, const struct btf_type *mt, uint32_t mt_id,
		  struct field_loc *f, struct ld_core_why *why)
{
	int64_t size;

	f->bit_off = (uint32_t)s->bit_offset;
	f->bit_sz = ldbtf_member_bitfield(st, idx);
	f->bitfield = f->bit_sz > 0;
	if (!f->bitfield) {
		size = bpfvm_btf_type_size(s->btf, mt_id);
		if (size < 0)
			return ld_core_why(why, -EINVAL, "size of [%u] unknown",
					   mt_id);
		f->byte_sz = (uint32_t)size;
		f->byte_off = f->bit_off / 8;
		f->bit_sz = f->byte_sz * 8;
		return 0;
	}
	f->byte_sz = mt->size;
	if (!f->byte_sz)
		return ld_core_why(why, -EINVAL, "bitfield of a sizeless type");
	f->byte_off = f->bit_off / 8 / f->byte_sz * f->byte_sz;
	while (f->bit_off + f->bit_sz - f->byte_off * 8 > f->byte_sz * 8) {
		if (f->byte_sz >= 8)
			return ld_core_why(why, -E2BIG, "bitfield does not fit "
					   "a 64-bit load");
		f->byte_sz *= 2;
		f->byte_off = f->bit_off / 8 / f->byte_sz * f->byte_sz;
	}
	return 0;
}

static uint64_t lshift(const struct field_loc *f)
{
#if __BYTE_ORDER == __LITTLE_ENDIAN
	return 64 - (f->bit_off + f->bit_sz - f->byte_off * 8);
#else
	return (8 - f->byte_sz) * 8 + (f->bit_off - f->byte_off * 8);
#endif
}

/* validate (local spec only): whether the instruction must hold the
 * value; bitfield positions are clang's business, signs are not. */
static int calc_field(const struct ld_core_spec *s, uint64_t *val,
		      uint32_t *sz, uint32_t *type_id, bool *validate,
		      struct ld_core_why *why)
{
	const struct ld_core_acc *a;
	const struct btf_type *st, *mt;
	uint32_t mt_id;
	struct field_loc f = { 0 };
	int err;

	if (s->kind == BPF_CORE_FIELD_EXISTS) {
		*val = 1;
		return 0;
	}
	a = &s->acc[s->len - 1];
	if (!a->name)
		return calc_elem(s, a, val, sz, type_id, why);
	st = bpfvm_btf_type(s->btf, a->type_id);
	mt = ldbtf_skip(s->btf, ldbtf_members(st)[a->idx].type, &mt_id);
	if (!mt)
		return ld_core_why(why, -EINVAL, "field '%s' is void", a->name);
	err = locate(s, st, a->idx, mt, mt_id, &f, why);
	if (err)
		return err;
	if (validate)
		*validate = !f.bitfield;
	switch (s->kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = f.byte_off;
		if (!f.bitfield) {
			*sz = f.byte_sz;
			*type_id = mt_id;
		}
		return 0;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = f.byte_sz;
		return 0;
	case BPF_CORE_FIELD_SIGNED:
		*val = (ldbtf_is_any_enum(mt) && ldbtf_kflag(mt)) ||
		       (ldbtf_kind(mt) == BTF_KIND_INT &&
			(ldbtf_int_enc(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		return 0;
	case BPF_CORE_FIELD_LSHIFT_U64:
		*val = lshift(&f);
		return 0;
	default: /* BPF_CORE_FIELD_RSHIFT_U64 */
		*val = 64 - f.bit_sz;
		if (validate)
			*validate = true;
		return 0;
	}
}

static int calc_type(const struct ld_core_spec *s, uint64_t *val,
		     bool *validate, struct ld_core_why *why)
{
	int64_t size;

	switch (s->kind) {
	case BPF_CORE_TYPE_ID_TARGET:
		*val = s->root_type_id;
		/* ids move when objects are linked: never checked */
		if (validate)
			*validate = false;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		size = bpfvm_btf_type_size(s->btf, s->root_type_id);
		if (size < 0)
			return ld_core_why(why, -EINVAL, "size of [%u] unknown",
					   s->root_type_id);
		*val = (uint64_t)size;
		return 0;
	default: /* TYPE_EXISTS, TYPE_MATCHES */
		*val = 1;
		return 0;
	}
}

static void calc_enumval(const struct ld_core_spec *s, uint64_t *val)
{
	const struct btf_type *t;

	if (s->kind == BPF_CORE_ENUMVAL_EXISTS) {
		*val = 1;
		return;
	}
	t = bpfvm_btf_type(s->btf, s->acc[0].type_id);
	*val = ldbtf_enum_val(t, s->acc[0].idx);
}

/* One spec's value; a NULL target spec is "not found": 0 for existence
 * and type kinds, POISON otherwise. */
static int calc_one(const struct ld_core_spec *s, uint32_t kind,
		    uint64_t *val, uint32_t *sz, uint32_t *type_id,
		    bool *validate, struct ld_core_why *why)
{
	*val = 0;
	if (!s) {
		if (kind == BPF_CORE_FIELD_EXISTS || ld_core_kind_type(kind) ||
		    kind == BPF_CORE_ENUMVAL_EXISTS)
			return 0;
		return POISON;
	}
	if (ld_core_kind_field(kind))
		return calc_field(s, val, sz, type_id, validate, why);
	if (ld_core_kind_type(kind))
		return calc_type(s, val, validate, why);
	calc_enumval(s, val);
	return 0;
}

/* Loads and stores may change size only where zero extension keeps the
 * value: pointers (32-bit kernels) and unsigned integers. */
static bool size_change_ok(const struct ld_core_spec *local,
			   const struct ld_core_spec *targ,
			   const struct ld_core_res *res)
{
	const struct btf_type *o = bpfvm_btf_type(local->btf, res->orig_type_id);
	const struct btf_type *n = bpfvm_btf_type(targ->btf, res->new_type_id);

	if (!o || !n)
		return false;
	if (ldbtf_kind(o) == BTF_KIND_PTR && ldbtf_kind(n) == BTF_KIND_PTR)
		return true;
	return ldbtf_kind(o) == BTF_KIND_INT && ldbtf_kind(n) == BTF_KIND_INT &&
	       !(ldbtf_int_enc(o) & BTF_INT_SIGNED) &&
	       !(ldbtf_int_enc(n) & BTF_INT_SIGNED);
}

int ld_core_calc(const struct ld_core_spec *local,
		 const struct ld_core_spec *targ, struct ld_core_res *res,
		 struct ld_core_why *why)
{
	int err;

	*res = (struct ld_core_res){ .validate = true };
	err = calc_one(local, local->kind, &res->orig_val, &res->orig_sz,
		       &res->orig_type_id, &res->validate, why);
	if (!err)
		err = calc_one(targ, local->kind, &res->new_val, &res->new_sz,
			       &res->new_type_id, NULL, why);
	if (err == POISON) {
		res->poison = true;
		return 0;
	}
	if (err)
		return err;
	if (ld_core_kind_field(local->kind) && res->orig_sz != res->new_sz)
		res->fail_memsz_adjust = !size_change_ok(local, targ, res);
	return 0;
}
