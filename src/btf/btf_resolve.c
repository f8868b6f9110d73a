/* Checks across types: loops and sizes.
 * Two walks, each an iterative depth-first search (a crafted chain can be
 * 100k types deep, too deep for recursion):
 *  - declarator graph: modifiers, typedefs, pointers, arrays, function
 *    prototypes and anonymous structs/unions lead to the types they name.
 *    A loop here (one through no named struct/union) is not C and would
 *    make printing a declaration endless: -ELOOP.
 *  - value graph: modifiers, typedefs, arrays, variables, decl tags and
 *    every struct/union lead to what they hold by value. A loop here is a
 *    struct containing itself: -ELOOP. Sizes, and each type without its
 *    modifiers, are computed in post-order.
 * Then the checks that need sizes: members inside their struct, bitfield
 * widths, array index types. */
#include <errno.h>
#include <stdlib.h>

#include "btf/btf_priv.h"

enum graph { G_DECL, G_VALUE };

static bool anonymous(const struct btf_type *t)
{
	return !t->name_off;
}

/* Edge i of id in graph g: false when there are no more. */
static bool edge(const struct bpfvm_btf *b, uint32_t id, enum graph g,
		 uint32_t i, uint32_t *to)
{
	const struct btf_type *t = btf_t(b, id);
	int kind = btf_kind(t);

	switch (kind) {
	case BTF_KIND_PTR:
	case BTF_KIND_FUNC_PROTO:
		if (g == G_VALUE || i > (kind == BTF_KIND_PTR ? 0 : btf_vlen(t)))
			return false;
		*to = i ? ((const struct btf_param *)btf_extra(t))[i - 1].type
			: t->type;
		return true;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		if (i || (g == G_DECL && (kind == BTF_KIND_VAR ||
					  kind == BTF_KIND_DECL_TAG)))
			return false;
		*to = t->type;
		return true;
	case BTF_KIND_ARRAY:
		*to = ((const struct btf_array *)btf_extra(t))->type;
		return !i;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (i >= btf_vlen(t) || (g == G_DECL && !anonymous(t)))
			return false;
		*to = ((const struct btf_member *)btf_extra(t))[i].type;
		return true;
	}
	return false;
}

/* sizeof a type whose value successors are done. */
static int size_post(const struct btf_ctx *c, uint32_t id)
{
	struct bpfvm_btf *b = c->btf;
	const struct btf_type *t = btf_t(b, id);
	uint32_t *size = &b->sizes[id - b->start_id];
	const struct btf_array *a;
	uint64_t es, n;

	b->under[id - b->start_id] = id;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		*size = 8;
		return 0;
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
		*size = t->size == BTF_NO_SIZE ? BTF_NO_SIZE - 1 : t->size;
		return 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		b->under[id - b->start_id] = btf_skip_mods(b, t->type);
		/* fall through */
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG: /* the tagged type's, as libbpf */
		*size = btf_size_of(b, t->type);
		return 0;
	case BTF_KIND_ARRAY:
		a = btf_extra(t);
		es = btf_size_of(b, a->type);
		if (es == BTF_NO_SIZE)
			return btf_err(c, -EINVAL, id,
				       "element type [%u] has no size", a->type);
		n = es * a->nelems;
		if (n >= BTF_NO_SIZE)
			return btf_err(c, -E2BIG, id,
				       "%u elements of %llu bytes: larger than "
				       "4 GB", a->nelems, (unsigned long long)es);
		*size = (uint32_t)n;
		return 0;
	}
	*size = BTF_NO_SIZE;
	return 0;
}

static int loop_err(const struct btf_ctx *c, enum graph g, uint32_t to,
		    uint32_t from)
{
	if (g == G_DECL)
		return btf_err(c, -ELOOP, to,
			       "loops back to itself through type [%u] (a "
			       "chain of modifiers, typedefs, pointers, arrays "
			       "or anonymous types)", from);
	return btf_err(c, -ELOOP, to,
		       "contains itself by value (through type [%u])", from);
}

struct frame {
	uint32_t id, edge;
};

static int walk(const struct btf_ctx *c, enum graph g, uint8_t *color,
		struct frame *stack)
{
	const struct bpfvm_btf *b = c->btf;
	size_t sp;
	int err;

	for (uint32_t i = 0; i < b->nr; i++)
		color[i] = 0;
	for (uint32_t root = 0; root < b->nr; root++) {
		if (color[root])
			continue;
		color[root] = 1;
		stack[0] = (struct frame){ b->start_id + root, 0 };
		sp = 1;
		while (sp) {
			struct frame *f = &stack[sp - 1];
			uint32_t to;

			if (!edge(b, f->id, g, f->edge++, &to)) {
				color[f->id - b->start_id] = 2;
				if (g == G_VALUE && (err = size_post(c, f->id)))
					return err;
				sp--;
				continue;
			}
			if (to < b->start_id || color[to - b->start_id] == 2)
				continue;
			if (color[to - b->start_id] == 1)
				return loop_err(c, g, to, f->id);
			color[to - b->start_id] = 1;
			stack[sp++] = (struct frame){ to, 0 };
		}
	}
	return 0;
}

static bool int_like(int kind)
{
	return kind == BTF_KIND_INT || kind == BTF_KIND_ENUM ||
	       kind == BTF_KIND_ENUM64;
}

static int check_member(const struct btf_ctx *c, uint32_t id,
			const struct btf_type *t, uint32_t i)
{
	const struct btf_member *m = (const struct btf_member *)btf_extra(t) + i;
	uint32_t ms = btf_size_of(c->btf, m->type), bf = btf_member_bitfield(t, m);
	uint32_t under = btf_skip_mods(c->btf, m->type);
	const struct btf_type *u = under ? btf_t(c->btf, under) : NULL;
	uint64_t off = btf_member_bit_off(t, m), bits = (uint64_t)ms * 8;

	if (ms == BTF_NO_SIZE)
		return btf_err(c, -EINVAL, id, "member %u: type [%u] has no size",
			       i, m->type);
	if (bf && (!u || !int_like(btf_kind(u)) || bf > bits))
		return btf_err(c, -EINVAL, id,
			       "member %u: bitfield of %u bits in type [%u] "
			       "(%u bytes, not an integer or enum)", i, bf,
			       m->type, ms);
	if (bf)
		bits = bf;
	else if (u && btf_kind(u) == BTF_KIND_INT)
		bits = BTF_INT_OFFSET(*(const uint32_t *)btf_extra(u)) +
		       BTF_INT_BITS(*(const uint32_t *)btf_extra(u));
	else if (off % 8 && !(u && int_like(btf_kind(u))))
		return btf_err(c, -EINVAL, id,
			       "member %u at bit offset %llu: not byte aligned",
			       i, (unsigned long long)off);
	if (off + bits > (uint64_t)t->size * 8)
		return btf_err(c, -EINVAL, id,
			       "member %u (bits %llu..%llu) ends past the size "
			       "(%u bytes)", i, (unsigned long long)off,
			       (unsigned long long)(off + bits), t->size);
	return 0;
}

static int check_sized(const struct btf_ctx *c, uint32_t id)
{
	const struct btf_type *t = btf_t(c->btf, id);
	uint32_t idx;
	int err;

	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			if ((err = check_member(c, id, t, i)))
				return err;
		return 0;
	case BTF_KIND_ARRAY:
		idx = ((const struct btf_array *)btf_extra(t))->index_type;
		idx = btf_skip_mods(c->btf, idx);
		if (!idx || btf_kind(btf_t(c->btf, idx)) != BTF_KIND_INT)
			return btf_err(c, -EINVAL, id,
				       "index type [%u] is not an integer", idx);
		return 0;
	}
	return 0;
}

int btf_resolve(const struct btf_ctx *c)
{
	struct bpfvm_btf *b = c->btf;
	struct frame *stack = malloc((b->nr + 1) * sizeof(*stack));
	uint8_t *color = malloc(b->nr + 1);
	int err = -ENOMEM;

	b->sizes = malloc((b->nr + 1) * sizeof(*b->sizes));
	b->under = malloc((b->nr + 1) * sizeof(*b->under));
	if (!stack || !color || !b->sizes || !b->under)
		goto out;
	err = walk(c, G_DECL, color, stack);
	if (!err)
		err = walk(c, G_VALUE, color, stack);
	for (uint32_t id = b->start_id; !err && id < btf_total(b); id++)
		err = check_sized(c, id);
out:
	free(stack);
	free(color);
	return err;
}
