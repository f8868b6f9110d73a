/* C declarators: how a name is declared as a BTF type. The declarator
 * grows around the name from the outside in: a pointer prepends '*'
 * (wrapped in parentheses when it points to an array or a function),
 * an array appends "[N]", a prototype appends its parameters, and the
 * chain ends at a base type (int, struct, typedef...) printed in front.
 * Qualifiers on a pointer go after its '*'; others in front. Type tags
 * and qualifiers C cannot express (on functions, restrict on
 * non-pointers) are left out, as bpftool does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_dump_priv.h"

static const char *const quals[] = {
	[BTF_KIND_CONST] = "const",
	[BTF_KIND_VOLATILE] = "volatile",
	[BTF_KIND_RESTRICT] = "restrict",
};

const char *dump_name(const struct btf_dumper *d, uint32_t id)
{
	if (d->names && d->names[id])
		return d->names[id];
	return btf_s(d->btf, btf_t(d->btf, id)->name_off);
}

static void params(struct btf_dumper *d, struct sbuf *dcl,
		   const struct btf_type *t, int indent)
{
	const struct btf_param *p = btf_extra(t);
	uint32_t n = btf_vlen(t);

	sb_puts(dcl, "(");
	if (!n)
		sb_puts(dcl, "void");
	for (uint32_t i = 0; i < n && !d->err; i++) {
		if (i == n - 1 && !p[i].type) {
			/* "(...)" alone is not C17: leave it unprototyped */
			sb_puts(dcl, i ? ", ..." : "");
			break;
		}
		if (i)
			sb_puts(dcl, ", ");
		dump_decl(d, dcl, p[i].type, "", indent);
	}
	sb_puts(dcl, ")");
}

static void base(struct btf_dumper *d, struct sbuf *out, uint32_t id,
		 int indent)
{
	const struct btf_type *t = id ? btf_t(d->btf, id) : NULL;
	int kind = t ? btf_kind(t) : 0;

	switch (kind) {
	case 0:
		sb_puts(out, "void");
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!t->name_off) {
			if (d->full)
				dump_body(d, out, id, indent);
			else
				sb_puts(out, kind == BTF_KIND_STRUCT ? "struct {...}"
					     : kind == BTF_KIND_UNION ? "union {...}"
								      : "enum {...}");
			return;
		}
		sb_puts(out, kind == BTF_KIND_STRUCT	? "struct "
			     : kind == BTF_KIND_UNION ? "union "
						      : "enum ");
		break;
	case BTF_KIND_FWD:
		sb_puts(out, btf_kflag(t) ? "union " : "struct ");
		break;
	}
	sb_puts(out, dump_name(d, id));
}

/* A qualifier: after the '*' of the pointer it qualifies, else before
 * the base type (in q); dropped where C has no place for it. */
static void qualify(const struct btf_dumper *d, uint32_t id, int kind,
		    struct sbuf *dcl, struct sbuf *q)
{
	uint32_t u = btf_skip_mods(d->btf, id);
	int ukind = u ? btf_kind(btf_t(d->btf, u)) : 0;

	size_t n = strlen(quals[kind]);

	if (ukind == BTF_KIND_PTR) {
		/* const const: once (C allows it; compilers warn) */
		if (dcl->len >= n && !strncmp(dcl->p, quals[kind], n) &&
		    (dcl->p[n] == ' ' || !dcl->p[n]))
			return;
		sb_prepend(dcl, dcl->len ? " " : "");
		sb_prepend(dcl, quals[kind]);
	} else if (ukind != BTF_KIND_FUNC_PROTO && kind != BTF_KIND_RESTRICT &&
		   !(q->len && strstr(q->p, quals[kind]))) {
		sb_puts(q, quals[kind]);
		sb_puts(q, " ");
	}
}

void dump_decl(struct btf_dumper *d, struct sbuf *out, uint32_t id,
	       const char *inner, int indent)
{
	struct sbuf dcl, q;

	if (d->err)
		return;
	if (++d->depth > DUMP_MAX_DEPTH) {
		d->err = -E2BIG;
		d->depth--;
		return;
	}
	sb_init(&dcl);
	sb_init(&q);
	sb_puts(&dcl, inner);
	for (bool more = true; more && id && !dcl.err && dump_step(d);) {
		const struct btf_type *t = btf_t(d->btf, id);
		int kind = btf_kind(t);
		uint32_t u;

		switch (kind) {
		case BTF_KIND_PTR:
			u = btf_skip_mods(d->btf, t->type);
			u = u ? (uint32_t)btf_kind(btf_t(d->btf, u)) : 0;
			if (u == BTF_KIND_ARRAY || u == BTF_KIND_FUNC_PROTO) {
				sb_prepend(&dcl, "(*");
				sb_puts(&dcl, ")");
			} else {
				sb_prepend(&dcl, "*");
			}
			id = t->type;
			break;
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
			qualify(d, id, kind, &dcl, &q);
			id = t->type;
			break;
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			sb_printf(&dcl, "[%u]",
				  ((const struct btf_array *)btf_extra(t))->nelems);
			id = ((const struct btf_array *)btf_extra(t))->type;
			break;
		case BTF_KIND_FUNC_PROTO:
			params(d, &dcl, t, indent);
			id = t->type;
			break;
		default:
			more = false;
		}
	}
	if (dcl.err || q.err)
		d->err = dcl.err ? dcl.err : q.err;
	if (q.len)
		sb_puts(out, q.p);
	base(d, out, id, indent);
	if (dcl.len) {
		sb_puts(out, " ");
		sb_puts(out, dcl.p);
	}
	if (out->err && !d->err)
		d->err = out->err;
	sb_free(&dcl);
	sb_free(&q);
	d->depth--;
}

int bpfvm_btf_type_str(const struct bpfvm_btf *btf, uint32_t id,
		       const char *var, char *buf, size_t size)
{
	struct btf_dumper d = { .btf = btf };
	const struct btf_type *t;
	struct sbuf out;
	int err, len;

	if (!btf || id >= btf_total(btf) || (!buf && size))
		return -EINVAL;
	t = id ? btf_t(btf, id) : NULL;
	if (t && (btf_kind(t) == BTF_KIND_FUNC || btf_kind(t) == BTF_KIND_VAR)) {
		var = var ? var : btf_s(btf, t->name_off);
		id = t->type;
	} else if (t && (btf_kind(t) == BTF_KIND_DATASEC ||
			 btf_kind(t) == BTF_KIND_DECL_TAG)) {
		return -EINVAL;
	}
	sb_init(&out);
	dump_decl(&d, &out, id, var ? var : "", 0);
	err = d.err ? d.err : out.err;
	if (!err && size) {
		size_t n = out.len < size ? out.len : size - 1;

		memcpy(buf, out.p ? out.p : "", n);
		buf[n] = '\0';
	}
	len = (int)out.len;
	sb_free(&out);
	return err ? err : len;
}
