/* Unique names for the C printer. BTF may hold two types of one name
 * (vmlinux: the same struct name in two compilation units, defined
 * differently); C may not. As bpftool, the first keeps its name and
 * later ones get "___2", "___3"... Tags (struct/union/enum) and ordinary
 * identifiers (typedefs, enumerators) are separate namespaces. A FWD
 * shares the name of the struct/union it declares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_dump_priv.h"

struct name_map {
	const char **keys;
	uint32_t *cnt;
	size_t mask, used;
};

struct name_map *name_map_new(void)
{
	struct name_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->mask = 1023;
	m->keys = calloc(m->mask + 1, sizeof(*m->keys));
	m->cnt = calloc(m->mask + 1, sizeof(*m->cnt));
	if (!m->keys || !m->cnt) {
		name_map_free(m);
		return NULL;
	}
	return m;
}

void name_map_free(struct name_map *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->cnt);
	free(m);
}

static size_t slot(const struct name_map *m, const char *name)
{
	size_t h = 5381;

	for (const char *s = name; *s; s++)
		h = h * 33 + (unsigned char)*s;
	for (h &= m->mask; m->keys[h] && strcmp(m->keys[h], name);
	     h = (h + 1) & m->mask)
		;
	return h;
}

static bool grow(struct name_map *m)
{
	struct name_map big = { .mask = m->mask * 2 + 1 };

	big.keys = calloc(big.mask + 1, sizeof(*big.keys));
	big.cnt = calloc(big.mask + 1, sizeof(*big.cnt));
	if (!big.keys || !big.cnt) {
		free(big.keys);
		free(big.cnt);
		return false;
	}
	for (size_t i = 0; i <= m->mask; i++)
		if (m->keys[i]) {
			size_t j = slot(&big, m->keys[i]);

			big.keys[j] = m->keys[i];
			big.cnt[j] = m->cnt[i];
		}
	free(m->keys);
	free(m->cnt);
	big.used = m->used;
	*m = big;
	return true;
}

uint32_t *name_map_slot(struct name_map *m, const char *name)
{
	size_t h;

	if (m->used * 2 >= m->mask && !grow(m))
		return NULL;
	h = slot(m, name);
	if (!m->keys[h]) {
		m->keys[h] = name;
		m->used++;
	}
	return &m->cnt[h];
}

/* name, or name___N for the Nth of that name. */
static const char *unique(struct btf_dumper *d, struct name_map *m,
			  const char *name, char *buf, size_t size)
{
	uint32_t *slot = name_map_slot(m, name), n = slot ? ++*slot : 0;

	if (!n)
		d->err = -ENOMEM;
	if (n <= 1)
		return name;
	snprintf(buf, size, "%s___%u", name, n);
	return buf;
}

const char *dump_enumerator(struct btf_dumper *d, const char *name,
			    char *buf, size_t size)
{
	return unique(d, d->idents, name, buf, size);
}

/* A FWD's struct/union of the same name, or 0 (maps filled first:
 * a lookup per FWD would be linear in a crafted BTF of one name). */
static uint32_t fwd_target(struct btf_dumper *d, const struct btf_type *t)
{
	uint32_t *first = name_map_slot(btf_kflag(t) ? d->unions : d->structs,
					btf_s(d->btf, t->name_off));

	if (!first)
		d->err = -ENOMEM;
	return first ? *first : 0;
}

static int note_first(struct btf_dumper *d, uint32_t id)
{
	const struct btf_type *t = btf_t(d->btf, id);
	int kind = btf_kind(t);
	uint32_t *first;

	if ((kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION) || !t->name_off)
		return 0;
	first = name_map_slot(kind == BTF_KIND_UNION ? d->unions : d->structs,
			      btf_s(d->btf, t->name_off));
	if (!first)
		return -ENOMEM;
	if (!*first)
		*first = id;
	return 0;
}

static int resolve_one(struct btf_dumper *d, uint32_t id)
{
	const struct btf_type *t = btf_t(d->btf, id);
	const char *name = btf_s(d->btf, t->name_off), *u;
	int kind = btf_kind(t);
	char buf[256];

	if (!*name)
		return 0;
	switch (kind) {
	case BTF_KIND_FWD:
		d->alias[id] = fwd_target(d, t);
		if (d->alias[id])
			return 0; /* named as its struct */
		d->alias[id] = id;
		/* fall through */
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		u = unique(d, d->tags, name, buf, sizeof(buf));
		break;
	case BTF_KIND_TYPEDEF:
		u = unique(d, d->idents, name, buf, sizeof(buf));
		break;
	default:
		return 0;
	}
	if (u == buf && !(d->names[id] = strdup(buf)))
		return -ENOMEM;
	return d->err;
}

int dump_names_resolve(struct btf_dumper *d)
{
	uint32_t n = btf_total(d->btf);
	int err = 0;

	d->names = calloc(n, sizeof(*d->names));
	d->alias = calloc(n, sizeof(*d->alias));
	d->tags = name_map_new();
	d->idents = name_map_new();
	d->structs = name_map_new();
	d->unions = name_map_new();
	if (!d->names || !d->alias || !d->tags || !d->idents || !d->structs ||
	    !d->unions)
		return -ENOMEM;
	for (uint32_t id = 1; id < n && !err; id++)
		err = note_first(d, id);
	for (uint32_t id = 1; id < n && !err; id++) {
		d->alias[id] = id;
		err = resolve_one(d, id);
	}
	/* a FWD named as its struct prints that struct's name */
	for (uint32_t id = 1; id < n && !err; id++)
		if (d->alias[id] != id && d->names[d->alias[id]])
			d->names[id] = d->names[d->alias[id]];
	return err;
}

void dump_names_free(struct btf_dumper *d)
{
	uint32_t n = btf_total(d->btf);

	for (uint32_t id = 1; d->names && id < n; id++)
		if (d->names[id] && d->alias && d->alias[id] == id)
			free((void *)d->names[id]);
	free(d->names);
	free(d->alias);
	name_map_free(d->tags);
	name_map_free(d->idents);
	name_map_free(d->structs);
	name_map_free(d->unions);
}
