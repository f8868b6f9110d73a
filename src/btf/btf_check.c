/* Per-type checks that need no other type's size: kind flags, vlen,
 * names (offsets in the strings, C identifiers where C needs them),
 * referenced ids (exist, of a kind that may be referenced there). */
#include <errno.h>
#include <stdio.h>

#include "btf/btf_priv.h"

enum name_rule {
	NAME_NONE,	/* must be 0 */
	NAME_OPT,	/* 0 or a C identifier */
	NAME_IDENT,	/* a C identifier */
	NAME_SYM,	/* a symbol: identifier characters and '.' */
	NAME_TEXT,	/* any non-empty string ("unsigned int", tags) */
};

static const char *name_at(const struct bpfvm_btf *b, uint32_t off)
{
	if (off < b->start_str)
		return btf_s(b, off);
	return off - b->start_str < b->str_len ? btf_s(b, off) : NULL;
}

/* Character classes of names, by table (this runs for every name):
 * 1 may start an identifier, 2 may follow, 4 '.' of a symbol. */
#define C_ID 3
static const uint8_t name_chars[256] = {
	['_'] = C_ID, ['.'] = 4,
	['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2,
	['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
	['a' ... 'z'] = C_ID, ['A' ... 'Z'] = C_ID,
};

static bool ident_ok(const char *s, bool dots)
{
	uint8_t first = dots ? 1 | 4 : 1, rest = dots ? 2 | 4 : 2;

	if (!(name_chars[(uint8_t)*s] & first))
		return false;
	for (s++; *s; s++)
		if (!(name_chars[(uint8_t)*s] & rest))
			return false;
	return true;
}

/* No index: the type's own name or reference. */
#define NO_IDX UINT32_MAX

/* "member 3", or "name" alone. */
static const char *label(char *buf, size_t size, const char *what,
			 uint32_t idx)
{
	if (idx == NO_IDX)
		return what;
	snprintf(buf, size, "%s %u", what, idx);
	return buf;
}

/* The label, formatted only for a message (this runs per member). */
#define LB label(lb, sizeof(lb), what, idx)

static int check_name(const struct btf_ctx *c, uint32_t id, uint32_t off,
		      enum name_rule rule, const char *what, uint32_t idx)
{
	const char *s = name_at(c->btf, off);
	char lb[48];

	if (!s)
		return btf_err(c, -EINVAL, id,
			       "%s: string offset %u is outside the "
			       "strings (%u bytes)", LB, off,
			       c->btf->start_str + c->btf->str_len);
	if (rule == NAME_NONE && off)
		return btf_err(c, -EINVAL, id, "%s: must be empty, is '%.64s'",
			       LB, s);
	if (rule == NAME_NONE || (rule == NAME_OPT && !*s))
		return 0;
	if (!*s)
		return btf_err(c, -EINVAL, id, "%s: empty", LB);
	if ((rule == NAME_OPT || rule == NAME_IDENT) && !ident_ok(s, false))
		return btf_err(c, -EINVAL, id,
			       "%s: '%.64s' is not a C identifier", LB, s);
	if (rule == NAME_SYM && !ident_ok(s, true))
		return btf_err(c, -EINVAL, id, "%s: '%.64s' is not a symbol",
			       LB, s);
	return 0;
}

/* Kinds a data reference (pointee, member, element, parameter...) may
 * name: not functions, variables, sections or tags. */
static bool kind_is_data(int kind)
{
	return kind != BTF_KIND_FUNC && kind != BTF_KIND_VAR &&
	       kind != BTF_KIND_DATASEC && kind != BTF_KIND_DECL_TAG;
}

static int check_ref(const struct btf_ctx *c, uint32_t id, uint32_t ref,
		     bool void_ok, const char *what, uint32_t idx)
{
	const struct bpfvm_btf *b = c->btf;
	char lb[48];

	if (ref >= btf_total(b))
		return btf_err(c, -EINVAL, id,
			       "%s references type [%u], which does not "
			       "exist (last is [%u])", LB, ref,
			       btf_total(b) - 1);
	if (!ref && !void_ok)
		return btf_err(c, -EINVAL, id, "%s references void", LB);
	if (ref && !kind_is_data(btf_kind(btf_t(b, ref))))
		return btf_err(c, -EINVAL, id,
			       "%s references type [%u] of kind %s", LB,
			       ref, btf_kind_name(btf_kind(btf_t(b, ref))));
	return 0;
}

static int check_int(const struct btf_ctx *c, uint32_t id,
		     const struct btf_type *t)
{
	uint32_t v = *(const uint32_t *)btf_extra(t);
	uint32_t enc = BTF_INT_ENCODING(v), bits = BTF_INT_BITS(v);

	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8 &&
	    t->size != 16)
		return btf_err(c, -EINVAL, id, "size %u: not 1, 2, 4, 8 or 16",
			       t->size);
	if (v & ~0x0fff00ffu)
		return btf_err(c, -EINVAL, id, "int data 0x%08x: reserved bits "
			       "set", v);
	if (!bits || bits > 128 || BTF_INT_OFFSET(v) + bits > t->size * 8)
		return btf_err(c, -EINVAL, id,
			       "%u bits at bit offset %u do not fit in %u "
			       "bytes", bits, BTF_INT_OFFSET(v), t->size);
	if (enc & (enc - 1) || enc > BTF_INT_BOOL)
		return btf_err(c, -EINVAL, id, "encoding 0x%x: not one of "
			       "SIGNED, CHAR, BOOL", enc);
	return 0;
}

static int check_members(const struct btf_ctx *c, uint32_t id,
			 const struct btf_type *t)
{
	const struct btf_member *m = btf_extra(t);
	bool is_union = btf_kind(t) == BTF_KIND_UNION;
	int err;

	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_member_bit_off(t, &m[i]);

		err = check_name(c, id, m[i].name_off, NAME_OPT, "member", i);
		if (!err)
			err = check_ref(c, id, m[i].type, false, "member", i);
		if (err)
			return err;
		if (is_union && off)
			return btf_err(c, -EINVAL, id,
				       "member %u of a union at bit offset %u",
				       i, off);
		if (off / 8 > t->size)
			return btf_err(c, -EINVAL, id,
				       "member %u at bit offset %u is past the "
				       "size (%u bytes)", i, off, t->size);
	}
	return 0;
}

static int check_enum(const struct btf_ctx *c, uint32_t id,
		      const struct btf_type *t)
{
	size_t rec = btf_kind(t) == BTF_KIND_ENUM ? sizeof(struct btf_enum)
						  : sizeof(struct btf_enum64);
	const uint8_t *p = btf_extra(t);
	int err;

	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return btf_err(c, -EINVAL, id, "size %u: not 1, 2, 4 or 8",
			       t->size);
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		err = check_name(c, id, *(const uint32_t *)(p + i * rec),
				 NAME_IDENT, "enumerator", i);
		if (err)
			return err;
	}
	return 0;
}

static int check_proto(const struct btf_ctx *c, uint32_t id,
		       const struct btf_type *t)
{
	const struct btf_param *p = btf_extra(t);
	uint32_t n = btf_vlen(t);
	int err = check_ref(c, id, t->type, true, "return type", NO_IDX);

	for (uint32_t i = 0; !err && i < n; i++) {
		/* (0, 0) last: "..." */
		if (!p[i].type && !p[i].name_off && i == n - 1)
			break;
		err = check_name(c, id, p[i].name_off, NAME_OPT, "parameter", i);
		if (!err)
			err = check_ref(c, id, p[i].type, false, "parameter", i);
	}
	return err;
}

static int check_datasec(const struct btf_ctx *c, uint32_t id,
			 const struct btf_type *t)
{
	const struct btf_var_secinfo *v = btf_extra(t);

	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		int kind;

		if (!v[i].type || v[i].type >= btf_total(c->btf))
			return btf_err(c, -EINVAL, id,
				       "entry %u references type [%u], which "
				       "does not exist", i, v[i].type);
		kind = btf_kind(btf_t(c->btf, v[i].type));
		/* FUNC: clang's extern functions in .ksyms */
		if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC)
			return btf_err(c, -EINVAL, id,
				       "entry %u references type [%u] of kind "
				       "%s, not a VAR", i, v[i].type,
				       btf_kind_name(kind));
	}
	return 0;
}

/* Members of a struct/union, parameters of a function: what a decl tag's
 * component index may select. */
static uint32_t component_cnt(const struct bpfvm_btf *b,
			      const struct btf_type *t)
{
	int kind = btf_kind(t);

	if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION)
		return btf_vlen(t);
	if (kind == BTF_KIND_FUNC && t->type && t->type < btf_total(b) &&
	    btf_kind(btf_t(b, t->type)) == BTF_KIND_FUNC_PROTO)
		return btf_vlen(btf_t(b, t->type));
	return 0;
}

static int check_decl_tag(const struct btf_ctx *c, uint32_t id,
			  const struct btf_type *t)
{
	int32_t idx = ((const struct btf_decl_tag *)btf_extra(t))->component_idx;
	const struct btf_type *to;
	int kind;

	if (!t->type || t->type >= btf_total(c->btf))
		return btf_err(c, -EINVAL, id, "tags type [%u], which does not "
			       "exist", t->type);
	to = btf_t(c->btf, t->type);
	kind = btf_kind(to);
	if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION &&
	    kind != BTF_KIND_FUNC && kind != BTF_KIND_VAR &&
	    kind != BTF_KIND_TYPEDEF)
		return btf_err(c, -EINVAL, id, "tags type [%u] of kind %s", t->type,
			       btf_kind_name(kind));
	if (idx < -1 || (idx >= 0 && component_cnt(c->btf, to) <= (uint32_t)idx))
		return btf_err(c, -EINVAL, id,
			       "component index %d: type [%u] has %u", idx,
			       t->type, component_cnt(c->btf, to));
	return 0;
}

/* What a kind allows: kind_flag, vlen, the name; kind-specific rest. */
static int check_type(const struct btf_ctx *c, uint32_t id,
		      const struct btf_type *t)
{
	static const struct {
		uint8_t name;
		bool kflag, vlen;
	} rules[NR_BTF_KINDS] = {
		[BTF_KIND_INT] = { NAME_TEXT, false, false },
		[BTF_KIND_PTR] = { NAME_NONE, false, false },
		[BTF_KIND_ARRAY] = { NAME_NONE, false, false },
		[BTF_KIND_STRUCT] = { NAME_OPT, true, true },
		[BTF_KIND_UNION] = { NAME_OPT, true, true },
		[BTF_KIND_ENUM] = { NAME_OPT, true, true },
		[BTF_KIND_FWD] = { NAME_IDENT, true, false },
		[BTF_KIND_TYPEDEF] = { NAME_IDENT, false, false },
		[BTF_KIND_VOLATILE] = { NAME_NONE, false, false },
		[BTF_KIND_CONST] = { NAME_NONE, false, false },
		[BTF_KIND_RESTRICT] = { NAME_NONE, false, false },
		[BTF_KIND_FUNC] = { NAME_SYM, false, true },
		[BTF_KIND_FUNC_PROTO] = { NAME_NONE, false, true },
		[BTF_KIND_VAR] = { NAME_SYM, false, false },
		[BTF_KIND_DATASEC] = { NAME_SYM, false, true },
		[BTF_KIND_FLOAT] = { NAME_TEXT, false, false },
		[BTF_KIND_DECL_TAG] = { NAME_TEXT, true, false },
		[BTF_KIND_TYPE_TAG] = { NAME_TEXT, true, false },
		[BTF_KIND_ENUM64] = { NAME_OPT, true, true },
	};
	int kind = btf_kind(t), err;

	if (btf_kflag(t) && !rules[kind].kflag)
		return btf_err(c, -EINVAL, id, "kind_flag set");
	if (btf_vlen(t) && !rules[kind].vlen)
		return btf_err(c, -EINVAL, id, "vlen %u, not 0", btf_vlen(t));
	if (t->info & 0x60ff0000u)
		return btf_err(c, -EINVAL, id, "info 0x%08x: reserved bits set",
			       t->info);
	err = check_name(c, id, t->name_off, rules[kind].name, "name", NO_IDX);
	if (err)
		return err;
	switch (kind) {
	case BTF_KIND_INT:
		return check_int(c, id, t);
	case BTF_KIND_PTR:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		return check_ref(c, id, t->type, true, "type", NO_IDX);
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);

		if (t->size)
			return btf_err(c, -EINVAL, id, "size %u, not 0", t->size);
		err = check_ref(c, id, a->type, false, "element type", NO_IDX);
		return err ? err : check_ref(c, id, a->index_type, false,
					     "index type", NO_IDX);
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return check_members(c, id, t);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return check_enum(c, id, t);
	case BTF_KIND_FWD:
		return t->type ? btf_err(c, -EINVAL, id, "type %u, not 0",
					 t->type) : 0;
	case BTF_KIND_FUNC:
		if (btf_vlen(t) > BTF_FUNC_EXTERN)
			return btf_err(c, -EINVAL, id, "linkage %u", btf_vlen(t));
		if (t->type >= btf_total(c->btf) || !t->type ||
		    btf_kind(btf_t(c->btf, t->type)) != BTF_KIND_FUNC_PROTO)
			return btf_err(c, -EINVAL, id,
				       "type [%u] is not a FUNC_PROTO", t->type);
		return 0;
	case BTF_KIND_FUNC_PROTO:
		return check_proto(c, id, t);
	case BTF_KIND_VAR:
		if (((const struct btf_var *)btf_extra(t))->linkage >
		    BTF_VAR_GLOBAL_EXTERN)
			return btf_err(c, -EINVAL, id, "linkage %u",
				       ((const struct btf_var *)btf_extra(t))
					       ->linkage);
		return check_ref(c, id, t->type, true, "type", NO_IDX);
	case BTF_KIND_DATASEC:
		return check_datasec(c, id, t);
	case BTF_KIND_FLOAT:
		if (t->size != 2 && t->size != 4 && t->size != 8 &&
		    t->size != 12 && t->size != 16)
			return btf_err(c, -EINVAL, id,
				       "size %u: not 2, 4, 8, 12 or 16", t->size);
		return 0;
	case BTF_KIND_DECL_TAG:
		return check_decl_tag(c, id, t);
	}
	return 0;
}

int btf_check_types(const struct btf_ctx *c)
{
	const struct bpfvm_btf *b = c->btf;

	for (uint32_t id = b->start_id; id < btf_total(b); id++) {
		int err = check_type(c, id, btf_t(b, id));

		if (err)
			return err;
	}
	return 0;
}
