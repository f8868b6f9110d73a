/* CO-RE candidates: the target types each local type may stand for
 * (same kind, enum and enum64 alike, and the same name once "___flavor"
 * suffixes are dropped). Found for all records of a section in one scan
 * of the target: vmlinux has ~125k types, and scanning it per record
 * cost ~4 ms each. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_btf_util.h"
#include "loader/ld_core_priv.h"

/* Enum and enum64 look for each other. */
static uint32_t kind_class(const struct btf_type *t)
{
	return ldbtf_is_any_enum(t) ? BTF_KIND_ENUM : ldbtf_kind(t);
}

static int cmp_key(uint32_t ka, const char *na, size_t la, uint32_t kb,
		   const char *nb, size_t lb)
{
	int c;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	c = memcmp(na, nb, la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct ld_core_cand *x = a, *y = b;

	return cmp_key(x->kind, x->name, x->len, y->kind, y->name, y->len);
}

static struct ld_core_cand *lookup(const struct ld_core_cands *c,
				   uint32_t kind, const char *name, size_t len)
{
	size_t lo = 0, hi = c->cnt;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct ld_core_cand *e = &c->e[mid];
		int r = cmp_key(kind, name, len, e->kind, e->name, e->len);

		if (!r)
			return e;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* One entry per distinct (kind, essential name) the records name. */
static int add_locals(struct ld_core_cands *c, const struct bpfvm_btf *local,
		      const struct bpf_core_relo *relos, size_t cnt)
{
	size_t n = 0;

	c->e = calloc(cnt ? cnt : 1, sizeof(*c->e));
	if (!c->e)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const struct btf_type *t = bpfvm_btf_type(local,
							  relos[i].type_id);
		const char *name = t ? ldbtf_name(local, t->name_off) : "";

		if (!*name || relos[i].kind == BPF_CORE_TYPE_ID_LOCAL)
			continue;	/* no search (or an error later) */
		c->e[n++] = (struct ld_core_cand){ .kind = kind_class(t),
			.name = name, .len = ld_core_essential_len(name) };
	}
	qsort(c->e, n, sizeof(*c->e), cmp_entries);
	c->cnt = 0;
	for (size_t i = 0; i < n; i++) {
		if (!c->cnt || cmp_entries(&c->e[c->cnt - 1], &c->e[i]))
			c->e[c->cnt++] = c->e[i];
	}
	return 0;
}

static int push(struct ld_core_cand *e, uint32_t id)
{
	if (e->cnt == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4;
		uint32_t *ids = realloc(e->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		e->ids = ids;
		e->cap = cap;
	}
	e->ids[e->cnt++] = id;
	return 0;
}

int ld_core_cands_build(struct ld_core_cands *c, const struct bpfvm_btf *local,
			const struct bpfvm_btf *target,
			const struct bpf_core_relo *relos, size_t cnt)
{
	uint32_t n = bpfvm_btf_type_cnt(target);
	int err;

	memset(c, 0, sizeof(*c));
	err = add_locals(c, local, relos, cnt);
	for (uint32_t id = 1; !err && c->cnt && id < n; id++) {
		const struct btf_type *t = bpfvm_btf_type(target, id);
		const char *name = t ? ldbtf_name(target, t->name_off) : "";
		struct ld_core_cand *e;

		if (!*name)
			continue;
		e = lookup(c, kind_class(t), name, ld_core_essential_len(name));
		if (e)
			err = push(e, id);
	}
	if (err)
		ld_core_cands_free(c);
	return err;
}

const struct ld_core_cand *ld_core_cands_find(const struct ld_core_cands *c,
					      const struct bpfvm_btf *local,
					      uint32_t type_id)
{
	const struct btf_type *t = bpfvm_btf_type(local, type_id);
	const char *name = t ? ldbtf_name(local, t->name_off) : "";

	return *name ? lookup(c, kind_class(t), name,
			      ld_core_essential_len(name)) : NULL;
}

void ld_core_cands_free(struct ld_core_cands *c)
{
	for (size_t i = 0; c->e && i < c->cnt; i++)
		free(c->e[i].ids);
	free(c->e);
	memset(c, 0, sizeof(*c));
}
