/* The legacy `maps` section: an array of fixed-size records, one per map
 * symbol, in one of three layouts real objects still ship:
 *   20 bytes  libbpf's struct bpf_map_def {type, key_size, value_size,
 *             max_entries, map_flags}
 *   28 bytes  the kernel samples' bpf_map_def: + inner_map_idx, numa_node
 *   36 bytes  iproute2 / cilium struct bpf_elf_map {type, size_key,
 *             size_value, max_elem, flags, id, pinning, inner_id,
 *             inner_idx}
 * The record size is the section size over the number of map symbols
 * (as libbpf); other sizes of at least 16 are read as far as they go,
 * and records longer than 36 bytes must end in zeroes. Map-in-map: the
 * samples' inner_map_idx names the template by position; bpf_elf_map's
 * inner_id names the map whose id matches, and every such inner map with
 * inner_idx != ~0 fills that slot of its outer maps (as iproute2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>
#include "loader/ld_open.h"

#define REC_MIN 16
#define REC_ELF_MAP 36	/* sizeof(struct bpf_elf_map) */

struct legacy_rec {
	uint32_t f[9];		/* the record's words, zero past its end */
	const Elf64_Sym *sym;
	uint32_t map;		/* index into obj->maps */
};

static int sym_off_cmp(const void *a, const void *b)
{
	const struct legacy_rec *x = a, *y = b;

	return x->sym->st_value < y->sym->st_value ? -1 :
	       x->sym->st_value > y->sym->st_value;
}

static bool is_map_sym(const struct ld_ctx *c, const Elf64_Sym *s)
{
	return s->st_shndx == c->maps_sec &&
	       ELF64_ST_TYPE(s->st_info) != STT_SECTION;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int rec_read(struct ld_ctx *c, const struct ld_sec *s, size_t rec,
		    struct legacy_rec *r)
{
	uint64_t off = r->sym->st_value;
	size_t n = rec < sizeof(r->f) ? rec : sizeof(r->f), i;

	if (off > s->size || rec > s->size - off)
		return ld_errf(c, -EINVAL,
			       "section '%s' symbol '%s' offset %llu: map "
			       "definition of %zu bytes past the section",
			       s->name, ld_sym_name(c, r->sym),
			       (unsigned long long)off, rec);
	memcpy(r->f, s->data + off, n);
	for (i = n; i < rec; i++)
		if (s->data[off + i])
			return ld_errf(c, -EINVAL,
				       "section '%s' symbol '%s' offset %llu: "
				       "unknown non-zero map field at byte %zu",
				       s->name, ld_sym_name(c, r->sym),
				       (unsigned long long)off, i);
	return 0;
}

static void rec_to_def(const struct legacy_rec *r, size_t rec,
		       struct bpfvm_map_def *d)
{
	d->type = r->f[0];
	d->key_size = r->f[1];
	d->value_size = r->f[2];
	d->max_entries = r->f[3];
	d->map_flags = r->f[4];
	if (rec >= REC_ELF_MAP)
		d->pinning = r->f[6];
	else
		d->numa_node = r->f[6];
}

static void set_inner(struct bpfvm_obj_map *outer,
		      const struct bpfvm_obj_map *inner)
{
	outer->inner_def = inner->def;
	outer->inner_def.inner = NULL;
	outer->def.inner = &outer->inner_def;
}

/* The kernel samples: inner_map_idx is the template's position. */
static int link_samples(struct ld_ctx *c, struct legacy_rec *r, size_t n,
			size_t rec)
{
	size_t i;

	if (rec < 24)	/* libbpf's 20 bytes: the caller sets def.inner */
		return 0;
	for (i = 0; i < n; i++) {
		struct bpfvm_obj_map *m = c->obj->maps[r[i].map];

		if (!is_map_in_map(m->def.type))
			continue;
		if (r[i].f[5] >= n || r[i].f[5] == i)
			return ld_errf(c, -EINVAL,
				       "section 'maps' symbol '%s': "
				       "inner_map_idx %u names no other map",
				       m->name, r[i].f[5]);
		set_inner(m, c->obj->maps[r[r[i].f[5]].map]);
	}
	return 0;
}

static int add_slot(struct ld_ctx *c, struct bpfvm_obj_map *outer,
		    uint32_t slot, const char *sym)
{
	struct ld_slot_init *p = realloc(outer->inits, (outer->init_cnt + 1) *
						       sizeof(*p));

	if (!p)
		return ld_errf(c, -ENOMEM, "out of memory");
	outer->inits = p;
	p[outer->init_cnt++] = (struct ld_slot_init){ slot, sym };
	return 0;
}

/* iproute2: ids. Small n (a handful of maps): pairs are fine. */
static int link_elf_maps(struct ld_ctx *c, struct legacy_rec *r, size_t n)
{
	size_t i, j;
	int err;

	for (j = 0; j < n; j++) {
		struct bpfvm_obj_map *outer = c->obj->maps[r[j].map];
		bool found = false;

		if (!is_map_in_map(outer->def.type))
			continue;
		for (i = 0; i < n; i++) {
			if (i == j || !r[i].f[5] || r[i].f[5] != r[j].f[7])
				continue;
			if (!found)
				set_inner(outer, c->obj->maps[r[i].map]);
			found = true;
			if (r[i].f[7] || r[i].f[8] == UINT32_MAX)
				continue;
			err = add_slot(c, outer, r[i].f[8],
				       ld_sym_name(c, r[i].sym));
			if (err)
				return err;
		}
		if (!found)
			return ld_errf(c, -EINVAL,
				       "section 'maps' symbol '%s': inner_id "
				       "%u names no map", outer->name, r[j].f[7]);
	}
	return 0;
}

static int legacy_add(struct ld_ctx *c, const struct ld_sec *s,
		      struct legacy_rec *r, size_t n, size_t rec)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		const char *name = ld_sym_name(c, r[i].sym);
		struct bpfvm_obj_map *m;

		err = rec_read(c, s, rec, &r[i]);
		if (err)
			return err;
		if (i && r[i].sym->st_value == r[i - 1].sym->st_value)
			return ld_errf(c, -EINVAL,
				       "section '%s' symbol '%s': same offset "
				       "as '%s'", s->name, name,
				       ld_sym_name(c, r[i - 1].sym));
		m = ld_map_add(c, *name ? name : "?", BPFVM_OBJ_MAP_DEF);
		if (!m)
			return ld_errf(c, -ENOMEM, "out of memory");
		m->sec = s->idx;
		m->sec_off = r[i].sym->st_value;
		rec_to_def(&r[i], rec, &m->def);
		r[i].map = c->obj->map_cnt - 1;
	}
	return rec >= REC_ELF_MAP ? link_elf_maps(c, r, n)
				  : link_samples(c, r, n, rec);
}

int ld_maps_legacy(struct ld_ctx *c)
{
	const struct ld_sec *s = ld_sec_get(c, c->maps_sec);
	struct legacy_rec *r;
	size_t i, n = 0, rec;
	int err;

	if (!c->maps_sec || !s->size)
		return 0;
	if (!s->data)
		return ld_errf(c, -EINVAL, "section 'maps' has no data");
	for (i = 0; i < c->sym_cnt; i++)
		n += is_map_sym(c, &c->syms[i]);
	if (!n || s->size % n || s->size / n < REC_MIN)
		return ld_errf(c, -EINVAL,
			       "section 'maps': %zu bytes for %zu map symbols: "
			       "cannot tell the definition size", s->size, n);
	rec = s->size / n;
	r = calloc(n, sizeof(*r));
	if (!r)
		return ld_errf(c, -ENOMEM, "out of memory");
	for (i = 0, n = 0; i < c->sym_cnt; i++)
		if (is_map_sym(c, &c->syms[i]))
			r[n++].sym = &c->syms[i];
	qsort(r, n, sizeof(*r), sym_off_cmp);
	err = legacy_add(c, s, r, n, rec);
	free(r);
	return err;
}
