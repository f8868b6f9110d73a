/* What load made, as object.h offers it: programs, maps, their source
 * information, and global variables by name (the bytes to load before
 * load, the maps' live values after). */
#include <errno.h>
#include <string.h>

#include "loader/ld_load.h"
#include "maps/map_priv.h"

struct bpfvm_prog *bpfvm_obj_prog_prog(const struct bpfvm_obj_prog *p)
{
	return p->prog;
}

const struct bpf_func_info *
bpfvm_obj_prog_func_info(const struct bpfvm_obj_prog *p, size_t *cnt)
{
	if (cnt)
		*cnt = p->func_info_cnt;
	return p->func_info;
}

const struct bpf_line_info *
bpfvm_obj_prog_line_info(const struct bpfvm_obj_prog *p, size_t *cnt)
{
	if (cnt)
		*cnt = p->line_info_cnt;
	return p->line_info;
}

struct bpfvm_map *bpfvm_obj_map_map(const struct bpfvm_obj_map *m)
{
	return m->map;
}

int bpfvm_obj_map_reuse(struct bpfvm_obj_map *m, struct bpfvm_map *map)
{
	if (!map)
		return -EINVAL;
	if (m->obj->loaded)
		return -EBUSY;
	if (bpfvm_map_type(map) != m->def.type ||
	    bpfvm_map_key_size(map) != m->def.key_size ||
	    bpfvm_map_value_size(map) != m->def.value_size ||
	    bpfvm_map_max_entries(map) != m->def.max_entries)
		return -EINVAL;
	/* a user reference, as the caller's: the object is a user */
	map = bpfvm_map_get_by_id(bpfvm_map_id(map));
	if (!map)
		return -ENOENT;
	bpfvm_map_free(m->reuse);
	m->reuse = map;
	return 0;
}

/* The live value of a loaded global data map (one ARRAY element). */
static void *live_value(struct bpfvm_map *map)
{
	uint64_t addr;

	if (!map->ops->direct_value_addr ||
	    map->ops->direct_value_addr(map, 0, &addr))
		return NULL;
	return (void *)(uintptr_t)addr;
}

void *bpfvm_obj_map_initial_value(struct bpfvm_obj_map *m, size_t *size)
{
	void *v;

	if (size)
		*size = 0;
	if (m->kind == BPFVM_OBJ_MAP_DEF)
		return NULL;
	if (m->kind == BPFVM_OBJ_MAP_KCONFIG && !m->map &&
	    m->obj->externs.image) {
		/* resolved, not yet loaded (or load failed after) */
		if (size)
			*size = m->obj->externs.image_size;
		return m->obj->externs.image;
	}
	v = m->map ? live_value(m->map) : m->data;
	if (size)
		*size = v ? m->data_size : 0;
	return v;
}

/* The data map of ELF section `sec`, or NULL. */
static struct bpfvm_obj_map *data_map(const struct bpfvm_object *obj,
				      size_t sec)
{
	for (size_t i = 0; i < obj->map_cnt; i++) {
		struct bpfvm_obj_map *m = obj->maps[i];

		if (m->kind != BPFVM_OBJ_MAP_DEF &&
		    m->kind != BPFVM_OBJ_MAP_KCONFIG && m->sec == sec)
			return m;
	}
	return NULL;
}

struct global_q {
	struct bpfvm_object *obj;
	const char *name;
	void *addr;
	size_t size;
};

static int match_global(const char *n, const GElf_Sym *s, void *ctx)
{
	struct global_q *q = ctx;
	struct bpfvm_obj_map *m;
	uint8_t *base;
	size_t vsize;

	if (GELF_ST_TYPE(s->st_info) != STT_OBJECT || strcmp(n, q->name) ||
	    !(m = data_map(q->obj, s->st_shndx)))
		return 0;
	base = bpfvm_obj_map_initial_value(m, &vsize);
	if (base && s->st_value >= m->sec_off &&
	    s->st_value - m->sec_off + s->st_size <= vsize) {
		q->addr = base + (s->st_value - m->sec_off);
		q->size = s->st_size;
	}
	return 1;
}

/* A variable's place: its ELF symbol (clang leaves offsets in BTF's
 * DATASECs to the loader, so the symbol table is what says them). */
static void *sym_global(struct bpfvm_object *obj, const char *name,
			size_t *size)
{
	struct global_q q = { obj, name, NULL, 0 };

	ld_syms_each(obj, match_global, &q);
	if (q.addr && size)
		*size = q.size;
	return q.addr;
}

void *bpfvm_object_global(struct bpfvm_object *obj, const char *name,
			  size_t *size)
{
	const struct ld_extern *e;
	uint8_t *image;
	size_t isize;

	if (!obj || !name)
		return NULL;
	e = ld_extern_find(&obj->externs, name);
	if (e && e->is_kconfig) {
		for (size_t i = 0; i < obj->map_cnt; i++) {
			struct bpfvm_obj_map *m = obj->maps[i];

			if (m->kind != BPFVM_OBJ_MAP_KCONFIG)
				continue;
			image = bpfvm_obj_map_initial_value(m, &isize);
			if (!image || e->off + (size_t)e->size > isize)
				return NULL;
			if (size)
				*size = e->size;
			return image + e->off;
		}
		return NULL;
	}
	return sym_global(obj, name, size);
}
