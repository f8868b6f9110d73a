/* The object's maps as open finds them (`maps`, `.maps`, global data),
 * and the accessors that need nothing loaded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>
#include "loader/ld_open.h"

struct bpfvm_obj_map *ld_map_add(struct ld_ctx *c, const char *name,
				 enum bpfvm_obj_map_kind kind)
{
	struct bpfvm_object *obj = c->obj;
	struct bpfvm_obj_map *m;

	if (obj->map_cnt == c->map_cap) {
		size_t cap = c->map_cap ? c->map_cap * 2 : 8;
		void *p = realloc(obj->maps, cap * sizeof(*obj->maps));

		if (!p)
			return NULL;
		obj->maps = p;
		c->map_cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->name = strdup(name);
	if (!m->name) {
		free(m);
		return NULL;
	}
	m->obj = obj;
	m->kind = kind;
	obj->maps[obj->map_cnt++] = m;
	return m;
}

static int def_cmp(const void *a, const void *b, void *maps)
{
	struct bpfvm_obj_map **m = maps;
	const struct bpfvm_obj_map *x = m[*(const uint32_t *)a];
	const struct bpfvm_obj_map *y = m[*(const uint32_t *)b];

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->sec_off < y->sec_off ? -1 : x->sec_off > y->sec_off;
}

/* Once all maps are known: DEF maps' indices sorted by (sec, sec_off). */
static int def_index(struct ld_ctx *c)
{
	struct bpfvm_object *obj = c->obj;

	c->defs = calloc(obj->map_cnt + 1, sizeof(*c->defs));
	if (!c->defs)
		return -ENOMEM;
	for (uint32_t i = 0; i < obj->map_cnt; i++)
		if (obj->maps[i]->kind == BPFVM_OBJ_MAP_DEF)
			c->defs[c->def_cnt++] = i;
	qsort_r(c->defs, c->def_cnt, sizeof(*c->defs), def_cmp, obj->maps);
	return 0;
}

int ld_map_at(struct ld_ctx *c, uint32_t sec, uint64_t off)
{
	size_t lo = 0, hi;

	if (!c->defs && def_index(c))
		return -ENOMEM;
	hi = c->def_cnt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bpfvm_obj_map *m = c->obj->maps[c->defs[mid]];

		if (m->sec == sec && m->sec_off == off)
			return (int)c->defs[mid];
		if (m->sec < sec || (m->sec == sec && m->sec_off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void ld_map_free(struct bpfvm_obj_map *m)
{
	if (!m)
		return;
	bpfvm_map_free(m->reuse);	/* ld_unload keeps it: load may rerun */
	free(m->name);
	free(m->data);
	free(m->inits);
	free(m);
}

size_t bpfvm_object_map_cnt(const struct bpfvm_object *obj)
{
	return obj ? obj->map_cnt : 0;
}

struct bpfvm_obj_map *bpfvm_object_map(const struct bpfvm_object *obj,
				       size_t i)
{
	return obj && i < obj->map_cnt ? obj->maps[i] : NULL;
}

/* Global data maps answer to libbpf's name ("obj_nam.rodata") and to
 * their section's (".rodata"), as libbpf's find_map_by_name does. */
struct bpfvm_obj_map *bpfvm_object_find_map(const struct bpfvm_object *obj,
					    const char *name)
{
	size_t i;

	if (!obj || !name)
		return NULL;
	for (i = 0; i < obj->map_cnt; i++)
		if (!strcmp(obj->maps[i]->name, name))
			return obj->maps[i];
	for (i = 0; i < obj->map_cnt; i++) {
		const struct bpfvm_obj_map *m = obj->maps[i];

		if ((m->kind == BPFVM_OBJ_MAP_DATA ||
		     m->kind == BPFVM_OBJ_MAP_RODATA ||
		     m->kind == BPFVM_OBJ_MAP_BSS) &&
		    m->sec < obj->sec_cnt &&
		    !strcmp(obj->secs[m->sec].name, name))
			return obj->maps[i];
	}
	return NULL;
}

const char *bpfvm_obj_map_name(const struct bpfvm_obj_map *m)
{
	return m->name;
}

enum bpfvm_obj_map_kind bpfvm_obj_map_kind(const struct bpfvm_obj_map *m)
{
	return m->kind;
}

const struct bpfvm_map_def *bpfvm_obj_map_def(const struct bpfvm_obj_map *m)
{
	return &m->def;
}

int bpfvm_obj_map_set_def(struct bpfvm_obj_map *m,
			  const struct bpfvm_map_def *def)
{
	if (!def)
		return -EINVAL;
	if (m->obj->loaded)
		return -EBUSY;
	/* global data: one value holding the section's bytes */
	if (m->kind != BPFVM_OBJ_MAP_DEF &&
	    (def->type != m->def.type || def->max_entries != 1 ||
	     def->value_size != m->data_size))
		return -EINVAL;
	m->def = *def;
	if (def->inner) {
		m->inner_def = *def->inner;
		m->inner_def.inner = NULL;
		m->def.inner = &m->inner_def;
	}
	return 0;
}
