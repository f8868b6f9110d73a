/* bpfvm_btf_dump_c: every named struct, union, enum, typedef and forward
 * declaration as C that compiles, as `bpftool btf dump ... format c`.
 * Order: a type is printed after every type it uses by value (members,
 * array elements, typedef targets), and typedefs and enums before any
 * use; a struct used only through pointers needs just a forward
 * declaration, printed right before the first definition that names it.
 * Functions, variables and sections are not printed (bpftool neither). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_dump_priv.h"

enum {
	ORD_BUSY = 1,		/* being ordered (by value) */
	ORD_DONE = 2,		/* ordered with its by-value needs */
	ORD_QUEUED = 4,		/* in the print queue */
	EM_DECLARED = 8,	/* "struct x;" printed */
	EM_DEFINED = 16,	/* definition printed */
	ORD_PTR = 32,		/* ordered as seen through a pointer */
	FWD_SCANNED = 64,	/* what it names is declared */
};

struct dump_ctx {
	struct btf_dumper d;
	uint8_t *state;
	uint32_t *queue;
	size_t qn;
	FILE *out;
};

static bool named(const struct btf_type *t)
{
	return t->name_off != 0;
}

static void enqueue(struct dump_ctx *c, uint32_t id)
{
	if (!(c->state[id] & ORD_QUEUED)) {
		c->state[id] |= ORD_QUEUED;
		c->queue[c->qn++] = id;
	}
}

static void order(struct dump_ctx *c, uint32_t id, bool through_ptr);

static void order_members(struct dump_ctx *c, const struct btf_type *t)
{
	const struct btf_member *m = btf_extra(t);

	for (uint32_t i = 0; i < btf_vlen(t); i++)
		order(c, m[i].type, false);
}

static void order_proto(struct dump_ctx *c, const struct btf_type *t)
{
	const struct btf_param *p = btf_extra(t);

	/* a prototype's types need only be declared */
	order(c, t->type, true);
	for (uint32_t i = 0; i < btf_vlen(t); i++)
		order(c, p[i].type, true);
}

/* A typedef of a named struct needs only its declaration: it is queued
 * first, and the struct is ordered by value when the typedef is used by
 * value (struct s { t *next; } with typedef struct s t). */
static void order_typedef(struct dump_ctx *c, uint32_t id,
			  const struct btf_type *t, bool through_ptr)
{
	uint32_t u = btf_skip_mods(c->d.btf, t->type);
	const struct btf_type *ut = u ? btf_t(c->d.btf, u) : NULL;
	bool weak = ut && named(ut) &&
		    (btf_kind(ut) == BTF_KIND_STRUCT ||
		     btf_kind(ut) == BTF_KIND_UNION || btf_kind(ut) == BTF_KIND_FWD);
	uint8_t *st = &c->state[id];

	if (*st & ORD_BUSY)
		return;
	*st |= ORD_BUSY;
	if (!(*st & ORD_QUEUED)) {
		order(c, t->type, weak || through_ptr);
		enqueue(c, id);
		if (!weak && !through_ptr)
			*st |= ORD_DONE;
	}
	if (!through_ptr && !(*st & ORD_DONE)) {
		order(c, t->type, false);
		*st |= ORD_DONE;
	}
	*st &= (uint8_t)~ORD_BUSY;
}

static void order_kind(struct dump_ctx *c, uint32_t id,
		       const struct btf_type *t, bool through_ptr)
{
	uint8_t *st = &c->state[id];

	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if ((through_ptr && named(t)) || (*st & (ORD_BUSY | ORD_DONE)))
			return;
		*st |= ORD_BUSY;
		order_members(c, t);
		*st = (uint8_t)((*st & ~ORD_BUSY) | ORD_DONE);
		if (named(t))
			enqueue(c, id);
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		if (named(t))
			enqueue(c, id);
		return;
	case BTF_KIND_TYPEDEF:
		order_typedef(c, id, t, through_ptr);
		return;
	case BTF_KIND_PTR:
	case BTF_KIND_FUNC_PROTO:
		/* what they name is always seen through a pointer: once */
		if (*st & ORD_DONE)
			return;
		*st |= ORD_DONE;
		if (btf_kind(t) == BTF_KIND_PTR)
			order(c, t->type, true);
		else
			order_proto(c, t);
		return;
	case BTF_KIND_ARRAY:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		/* once by value, once through a pointer */
		if ((*st & ORD_DONE) || (through_ptr && (*st & ORD_PTR)))
			return;
		*st |= through_ptr ? ORD_PTR : ORD_DONE;
		order(c, btf_kind(t) == BTF_KIND_ARRAY
				 ? ((const struct btf_array *)btf_extra(t))->type
				 : t->type,
		      through_ptr);
		return;
	}
}

static void order(struct dump_ctx *c, uint32_t id, bool through_ptr)
{
	if (!id || c->d.err || !dump_step(&c->d))
		return;
	if (++c->d.depth > DUMP_MAX_DEPTH)
		c->d.err = -E2BIG;
	else
		order_kind(c, id, btf_t(c->d.btf, id), through_ptr);
	c->d.depth--;
}

static void flush(struct dump_ctx *c, struct sbuf *s)
{
	if (s->err && !c->d.err)
		c->d.err = s->err;
	if (!c->d.err && s->len && fwrite(s->p, 1, s->len, c->out) != s->len)
		c->d.err = -EIO;
	sb_free(s);
}

static void declare(struct dump_ctx *c, uint32_t id, struct sbuf *s)
{
	const struct btf_type *t = btf_t(c->d.btf, id);
	uint32_t a = c->d.alias[id];
	int kind = btf_kind(t);

	if (c->state[a] & (EM_DECLARED | EM_DEFINED))
		return;
	c->state[a] |= EM_DECLARED;
	sb_puts(s, kind == BTF_KIND_UNION ||
			   (kind == BTF_KIND_FWD && btf_kflag(t))
		       ? "union "
		       : "struct ");
	sb_puts(s, dump_name(&c->d, id));
	sb_puts(s, ";\n\n");
}

/* Forward declarations for the named structs a declaration of id names
 * (anonymous ones are printed inline: look inside them). */
static void fwd_decls(struct dump_ctx *c, uint32_t id, struct sbuf *s)
{
	if (c->d.err || ++c->d.depth > DUMP_MAX_DEPTH) {
		c->d.err = c->d.err ? c->d.err : -E2BIG;
		c->d.depth--;
		return;
	}
	while (id && !s->err && dump_step(&c->d)) {
		const struct btf_type *t = btf_t(c->d.btf, id);
		int kind = btf_kind(t);

		if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION ||
		     kind == BTF_KIND_FWD) && named(t)) {
			declare(c, id, s);
			break;
		}
		/* scanned before: what it names is declared already */
		if (c->state[id] & FWD_SCANNED)
			break;
		c->state[id] |= FWD_SCANNED;
		if (kind == BTF_KIND_FUNC_PROTO) {
			const struct btf_param *p = btf_extra(t);

			for (uint32_t i = 0; i < btf_vlen(t); i++)
				fwd_decls(c, p[i].type, s);
		} else if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) &&
			   !named(t)) {
			const struct btf_member *m = btf_extra(t);

			for (uint32_t i = 0; i < btf_vlen(t); i++)
				fwd_decls(c, m[i].type, s);
			break;
		} else if (kind == BTF_KIND_ARRAY) {
			id = ((const struct btf_array *)btf_extra(t))->type;
			continue;
		} else if (kind != BTF_KIND_PTR && kind != BTF_KIND_CONST &&
			   kind != BTF_KIND_VOLATILE && kind != BTF_KIND_RESTRICT &&
			   kind != BTF_KIND_TYPE_TAG) {
			break;
		}
		id = t->type;
	}
	c->d.depth--;
}

static void emit(struct dump_ctx *c, uint32_t id)
{
	const struct btf_type *t = btf_t(c->d.btf, id);
	struct sbuf s;

	sb_init(&s);
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);

		c->state[id] |= EM_DECLARED; /* self-references need no fwd */
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			fwd_decls(c, m[i].type, &s);
		dump_body(&c->d, &s, id, 0);
		sb_puts(&s, ";\n\n");
		c->state[id] |= EM_DEFINED;
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (btf_vlen(t))
			dump_body(&c->d, &s, id, 0);
		else
			sb_printf(&s, "enum %s", dump_name(&c->d, id));
		sb_puts(&s, ";\n\n");
		break;
	case BTF_KIND_FWD:
		declare(c, id, &s);
		break;
	case BTF_KIND_TYPEDEF:
		/* the compiler's own; redefining it fails with clang */
		if (!strcmp(dump_name(&c->d, id), "__builtin_va_list"))
			break;
		fwd_decls(c, t->type, &s);
		sb_puts(&s, "typedef ");
		dump_decl(&c->d, &s, t->type, dump_name(&c->d, id), 0);
		sb_puts(&s, ";\n\n");
		break;
	}
	flush(c, &s);
}

static int dump_all(struct dump_ctx *c)
{
	uint32_t n = btf_total(c->d.btf);
	int err = dump_names_resolve(&c->d);

	if (err)
		return err;
	for (uint32_t id = 1; id < n && !c->d.err; id++) {
		const struct btf_type *t = btf_t(c->d.btf, id);

		if (named(t))
			order(c, id, false);
	}
	for (size_t i = 0; i < c->qn && !c->d.err; i++) {
		uint32_t id = c->queue[i];
		const struct btf_type *t = btf_t(c->d.btf, id);

		/* a struct and its FWD: the struct's definition serves */
		if (btf_kind(t) == BTF_KIND_FWD && c->d.alias[id] != id &&
		    c->state[c->d.alias[id]] & ORD_QUEUED)
			continue;
		emit(c, id);
	}
	return c->d.err;
}

int bpfvm_btf_dump_c(const struct bpfvm_btf *btf, FILE *out)
{
	struct dump_ctx c = { .d = { .btf = btf, .full = true }, .out = out };
	uint32_t n;
	int err = -ENOMEM;

	if (!btf || !out)
		return -EINVAL;
	n = btf_total(btf);
	c.state = calloc(n, 1);
	c.queue = malloc(n * sizeof(*c.queue));
	c.d.align = calloc(n, 1);
	if (c.state && c.queue && c.d.align)
		err = dump_all(&c);
	dump_names_free(&c.d);
	free(c.state);
	free(c.queue);
	free(c.d.align);
	if (!err && fflush(out))
		err = -EIO;
	return err;
}
