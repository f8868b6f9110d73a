/* Load's maps: one bpfvm_map per definition (or the map the user asked
 * to reuse), map-in-map definitions through a template of their inner
 * map, global data as one-element ARRAYs holding the section's bytes
 * (.rodata and .kconfig read-only to programs and frozen, as libbpf
 * makes them), and the initial slots `.maps` declares. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "loader/ld_load.h"

#define MFAIL(m, err, fmt, ...)                                             \
	core_logf(log, log_size, err, "map '%s': " fmt, (m)->name,          \
		  ##__VA_ARGS__)

/* A kernel object name: [A-Za-z0-9_.], at most BPF_OBJ_NAME_LEN - 1. */
static void map_name(const char *name, char out[BPF_OBJ_NAME_LEN])
{
	size_t i;

	for (i = 0; name[i] && i < BPF_OBJ_NAME_LEN - 1; i++) {
		char c = name[i];
		bool ok = c == '_' || c == '.' || (c >= '0' && c <= '9') ||
			  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

static bool is_data(const struct bpfvm_obj_map *m)
{
	return m->kind != BPFVM_OBJ_MAP_DEF;
}

static bool is_readonly(const struct bpfvm_obj_map *m)
{
	return m->kind == BPFVM_OBJ_MAP_RODATA ||
	       m->kind == BPFVM_OBJ_MAP_KCONFIG;
}

/* The flags the map is created with: global data is mmapable (libbpf's
 * skeletons map it), read-only sections read-only to programs. */
static uint32_t map_flags(const struct bpfvm_obj_map *m)
{
	uint32_t f = m->def.map_flags;

	if (is_data(m))
		f |= BPF_F_MMAPABLE;
	if (is_readonly(m))
		f |= BPF_F_RDONLY_PROG;
	return f;
}

/* Where a struct bpf_spin_lock sits in the value (BTF), or -1. */
static int32_t spin_lock_off(const struct bpfvm_btf *btf, uint32_t id)
{
	const struct btf_type *t;
	const struct btf_member *mb;
	int sid = id && btf ? bpfvm_btf_skip_mods(btf, id) : -1;

	t = sid > 0 ? bpfvm_btf_type(btf, (uint32_t)sid) : NULL;
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT)
		return -1;
	mb = (const struct btf_member *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		int mid = bpfvm_btf_skip_mods(btf, mb[i].type);
		const char *n = mid > 0 ? bpfvm_btf_type_name(btf, (uint32_t)mid)
				       : NULL;

		if (n && !strcmp(n, "bpf_spin_lock"))
			return (int32_t)(BTF_MEMBER_BIT_OFFSET(mb[i].offset) / 8);
	}
	return -1;
}

/* What the kernel needs of what the object declares, as libbpf settles
 * it at load: a PERF_EVENT_ARRAY of max_entries 0 gets one slot per
 * possible CPU and 4-byte keys and values when not given; RINGBUF /
 * USER_RINGBUF declared with key / value types (bpf2go) lose them. */
static struct bpfvm_map_def create_def(const struct bpfvm_map_def *d)
{
	struct bpfvm_map_def c = *d;

	switch (c.type) {
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		c.key_size = 0;
		c.value_size = 0;
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		if (!c.max_entries)
			c.max_entries = bpfvm_num_possible_cpus();
		if (!c.key_size)
			c.key_size = 4;
		if (!c.value_size)
			c.value_size = 4;
		break;
	default:
		break;
	}
	return c;
}

static int create(const struct bpfvm_object *obj, const char *name,
		  const struct bpfvm_map_def *decl, uint32_t flags,
		  struct bpfvm_map *inner, struct bpfvm_map **out)
{
	struct bpfvm_map_def cdef = create_def(decl);
	const struct bpfvm_map_def *def = &cdef;
	int32_t lock = spin_lock_off(obj->btf, def->btf_value_type_id);
	struct bpfvm_map_opts o = {
		.sz = sizeof(o),
		.map_flags = flags,
		.numa_node = def->numa_node,
		.map_extra = def->map_extra,
		.inner_map = inner,
		.has_spin_lock = lock >= 0,
		.spin_lock_off = lock >= 0 ? (uint32_t)lock : 0,
	};
	char nm[BPF_OBJ_NAME_LEN];

	map_name(name, nm);
	o.name = nm;
	return bpfvm_map_create(def->type, def->key_size, def->value_size,
				def->max_entries, &o, out);
}

static int check_reuse(const struct bpfvm_obj_map *m, char *log,
		       size_t log_size)
{
	const struct bpfvm_map *r = m->reuse;

	if (bpfvm_map_type(r) != m->def.type ||
	    bpfvm_map_key_size(r) != m->def.key_size ||
	    bpfvm_map_value_size(r) != m->def.value_size ||
	    bpfvm_map_max_entries(r) != m->def.max_entries ||
	    bpfvm_map_flags(r) != map_flags(m))
		return MFAIL(m, -EINVAL, "the map to reuse (id %u) does not "
			     "match the definition", bpfvm_map_id(r));
	return 0;
}

/* Global data's value: the section's bytes (.kconfig: the externs'). */
static int fill_data(const struct bpfvm_object *obj, struct bpfvm_obj_map *m,
		     char *log, size_t log_size)
{
	const void *data = m->data;
	size_t size = m->data_size;
	uint32_t key = 0;
	void *buf;
	int err;

	if (m->kind == BPFVM_OBJ_MAP_KCONFIG && obj->externs.image) {
		data = obj->externs.image;
		size = obj->externs.image_size;
	}
	if (size > m->def.value_size)
		return MFAIL(m, -EINVAL, "%zu bytes of data do not fit its "
			     "value of %u", size, m->def.value_size);
	buf = calloc(1, m->def.value_size);
	if (!buf)
		return -ENOMEM;
	if (size)
		memcpy(buf, data, size);
	err = bpfvm_map_update(m->map, &key, buf, BPF_ANY);
	free(buf);
	if (!err && is_readonly(m))
		err = bpfvm_map_freeze(m->map);
	return err ? MFAIL(m, err, "cannot set its initial value") : 0;
}

static int create_one(const struct bpfvm_object *obj, struct bpfvm_obj_map *m,
		      char *log, size_t log_size)
{
	struct bpfvm_map *inner = NULL;
	int err;

	if (m->reuse) {
		err = check_reuse(m, log, log_size);
		if (err)
			return err;
		m->map = bpfvm_map_get_by_id(bpfvm_map_id(m->reuse));
		return m->map ? 0 : MFAIL(m, -ENOENT, "the map to reuse "
					  "is gone");
	}
	if (m->def.inner) {
		err = create(obj, m->name, m->def.inner,
			     m->def.inner->map_flags, NULL, &inner);
		if (err)
			return MFAIL(m, err, "cannot create the inner map "
				     "template (type %u)", m->def.inner->type);
	}
	err = create(obj, m->name, &m->def, map_flags(m), inner, &m->map);
	bpfvm_map_free(inner);	/* the outer map kept what it needs */
	if (err)
		return MFAIL(m, err, "cannot create it (type %u, key %u, value "
			     "%u, max_entries %u, flags 0x%x)", m->def.type,
			     m->def.key_size, m->def.value_size,
			     m->def.max_entries, map_flags(m));
	return is_data(m) ? fill_data(obj, m, log, log_size) : 0;
}

int ld_load_maps(struct bpfvm_object *obj, char *log, size_t log_size)
{
	for (size_t i = 0; i < obj->map_cnt; i++) {
		int err = create_one(obj, obj->maps[i], log, log_size);

		if (err)
			return err;
	}
	return 0;
}

/* The id a slot initialiser names: a loaded program's for PROG_ARRAY,
 * a map's otherwise; 0 for a program not loaded (autoload off). */
static int slot_id(const struct bpfvm_object *obj, const struct bpfvm_obj_map *m,
		   const char *sym, uint32_t *id, char *log, size_t log_size)
{
	if (m->def.type == BPF_MAP_TYPE_PROG_ARRAY) {
		const struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, sym);

		if (!p)
			return MFAIL(m, -ENOENT, "initial value '%s' is not a "
				     "program of the object", sym);
		*id = p->prog ? bpfvm_prog_id(p->prog) : 0;
		return 0;
	}
	for (size_t i = 0; i < obj->map_cnt; i++) {
		if (!strcmp(obj->maps[i]->name, sym) && obj->maps[i]->map) {
			*id = bpfvm_map_id(obj->maps[i]->map);
			return 0;
		}
	}
	return MFAIL(m, -ENOENT, "initial value '%s' is not a map of the "
		     "object", sym);
}

int ld_load_slots(struct bpfvm_object *obj, bool progs, char *log,
		  size_t log_size)
{
	for (size_t i = 0; i < obj->map_cnt; i++) {
		struct bpfvm_obj_map *m = obj->maps[i];

		if ((m->def.type == BPF_MAP_TYPE_PROG_ARRAY) != progs ||
		    !m->init_cnt)
			continue;
		if (m->def.key_size != sizeof(uint32_t))
			return MFAIL(m, -EINVAL, "initial values need 4-byte "
				     "keys, not %u", m->def.key_size);
		for (size_t k = 0; k < m->init_cnt; k++) {
			uint32_t slot = m->inits[k].slot, id = 0;
			int err = slot_id(obj, m, m->inits[k].sym, &id, log,
					  log_size);

			if (err)
				return err;
			err = id ? bpfvm_map_update(m->map, &slot, &id, BPF_ANY)
				 : 0;
			if (err)
				return MFAIL(m, err, "cannot set slot %u to '%s'",
					     slot, m->inits[k].sym);
		}
	}
	return 0;
}
