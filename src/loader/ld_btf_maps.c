/* BTF-defined maps (libbpf's convention). Each variable of the `.maps`
 * DATASEC is a struct whose members say what the map is, by type alone:
 *   __uint(name, N)   int (*name)[N]        -> N
 *   __ulong(name, N)  enum { x = N } name   -> N (64-bit, map_extra)
 *   __type(name, T)   T *name               -> sizeof(T), its BTF id
 *   __array(values, struct inner)  struct inner *values[] (map-in-map
 *     template) or int (*values[])(void *) (PROG_ARRAY), whose initial
 *   slots are the relocations at byte offsets inside `values`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "loader/ld_btf_maps.h"
#include "loader/ld_btf_util.h"

struct bm_ctx {
	const struct bpfvm_btf *btf;
	const char *map;	/* the variable's name, for messages */
	char *log;
	size_t log_size;
};

#define BM_ERR(c, field, fmt, ...)                                          \
	core_logf((c)->log, (c)->log_size, -EINVAL,                         \
		  "map '%s': field '%s': " fmt, (c)->map, (field),          \
		  ##__VA_ARGS__)

/* What a definition names, to catch a field given twice. */
enum {
	SEEN_TYPE = 1 << 0, SEEN_MAX = 1 << 1, SEEN_FLAGS = 1 << 2,
	SEEN_NUMA = 1 << 3, SEEN_EXTRA = 1 << 4, SEEN_PIN = 1 << 5,
	SEEN_KSZ = 1 << 6, SEEN_VSZ = 1 << 7, SEEN_KTYPE = 1 << 8,
	SEEN_VTYPE = 1 << 9,
};

struct def_state {
	struct bpfvm_map_def *def;
	struct bpfvm_map_def *inner;	/* NULL: this is the inner template */
	bool has_inner;
	uint32_t seen;
};

/* __uint: a pointer to an array of N elements. */
static int uint_field(const struct bm_ctx *c, const char *f, uint32_t type,
		      uint64_t *v)
{
	const struct btf_type *t = ldbtf_skip(c->btf, type, NULL);
	const struct btf_type *a;

	if (!t || ldbtf_kind(t) != BTF_KIND_PTR)
		return BM_ERR(c, f, "not __uint() (a pointer to an array)");
	a = bpfvm_btf_type(c->btf, t->type);
	if (!a || ldbtf_kind(a) != BTF_KIND_ARRAY)
		return BM_ERR(c, f, "not __uint() (a pointer to an array)");
	*v = ldbtf_array(a)->nelems;
	return 0;
}

/* __uint, or __ulong: an enum with the value as its only enumerator. */
static int ulong_field(const struct bm_ctx *c, const char *f, uint32_t type,
		       uint64_t *v)
{
	const struct btf_type *t = ldbtf_skip(c->btf, type, NULL);

	if (!t || !ldbtf_is_any_enum(t))
		return uint_field(c, f, type, v);
	if (ldbtf_vlen(t) != 1)
		return BM_ERR(c, f, "__ulong() enum with %u values",
			      ldbtf_vlen(t));
	*v = ldbtf_enum_val(t, 0);
	if (ldbtf_kind(t) == BTF_KIND_ENUM)
		*v = (uint32_t)*v; /* 32-bit enumerators are not negative */
	return 0;
}

/* Store v into *dst unless the field was given with another value. */
static int set_u64(const struct bm_ctx *c, const char *f,
		   struct def_state *s, uint32_t bit, uint64_t *dst,
		   uint64_t v)
{
	if ((s->seen & bit) && *dst != v)
		return BM_ERR(c, f, "given twice (%llu and %llu)",
			      (unsigned long long)*dst, (unsigned long long)v);
	s->seen |= bit;
	*dst = v;
	return 0;
}

static int set_u32(const struct bm_ctx *c, const char *f,
		   struct def_state *s, uint32_t bit, uint32_t *dst,
		   uint64_t v)
{
	uint64_t cur = *dst;
	int err;

	if (v > UINT32_MAX)
		return BM_ERR(c, f, "%llu does not fit 32 bits",
			      (unsigned long long)v);
	err = set_u64(c, f, s, bit, &cur, v);
	*dst = (uint32_t)cur;
	return err;
}

/* __type(key / value, T): T's size and id. */
static int type_field(const struct bm_ctx *c, const char *f,
		      struct def_state *s, uint32_t type, bool key)
{
	const struct btf_type *t = bpfvm_btf_type(c->btf, type);
	int64_t sz;
	int err;

	if (!t || ldbtf_kind(t) != BTF_KIND_PTR)
		return BM_ERR(c, f, "not __type() (a pointer to the type)");
	sz = bpfvm_btf_type_size(c->btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return BM_ERR(c, f, "the size of type [%u] is unknown",
			      t->type);
	if ((s->seen & (key ? SEEN_KSZ : SEEN_VSZ)) &&
	    (key ? s->def->key_size : s->def->value_size) != sz)
		return BM_ERR(c, f, "type of %lld bytes contradicts a size "
			      "of %u", (long long)sz,
			      key ? s->def->key_size : s->def->value_size);
	err = key ? set_u32(c, f, s, SEEN_KSZ, &s->def->key_size, sz)
		  : set_u32(c, f, s, SEEN_VSZ, &s->def->value_size, sz);
	if (!err)
		err = key ? set_u32(c, f, s, SEEN_KTYPE,
				    &s->def->btf_key_type_id, t->type)
			  : set_u32(c, f, s, SEEN_VTYPE,
				    &s->def->btf_value_type_id, t->type);
	return err;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int parse_def(const struct bm_ctx *c, const struct btf_type *def_t,
		     struct def_state *s);

/* __array(values, ...): slots of program or map pointers; for maps the
 * pointed-to struct is the inner map's template. */
static int values_field(const struct bm_ctx *c, struct def_state *s,
			uint32_t type, bool last)
{
	const char *f = "values";
	const struct btf_type *t = bpfvm_btf_type(c->btf, type);
	bool prog = s->def->type == BPF_MAP_TYPE_PROG_ARRAY;
	struct def_state in = { s->inner, NULL, false, 0 };
	struct bm_ctx ic = *c;
	char name[160];

	if (!s->inner)
		return BM_ERR(c, f, "an inner map cannot have values");
	if (!last)
		return BM_ERR(c, f, "must be the last member");
	if (!prog && !is_map_in_map(s->def->type))
		return BM_ERR(c, f, "map type %u has no slots", s->def->type);
	if (set_u32(c, f, s, SEEN_VSZ, &s->def->value_size, 4))
		return BM_ERR(c, f, "slots are 4 bytes, value size is %u",
			      s->def->value_size);
	if (!t || ldbtf_kind(t) != BTF_KIND_ARRAY || ldbtf_array(t)->nelems)
		return BM_ERR(c, f, "not __array() (an array of no elements)");
	t = ldbtf_skip(c->btf, ldbtf_array(t)->type, NULL);
	if (!t || ldbtf_kind(t) != BTF_KIND_PTR)
		return BM_ERR(c, f, "elements are not pointers");
	t = ldbtf_skip(c->btf, t->type, NULL);
	if (prog)
		return t && ldbtf_kind(t) == BTF_KIND_FUNC_PROTO ? 0 :
		       BM_ERR(c, f, "PROG_ARRAY values must be functions");
	if (!t || ldbtf_kind(t) != BTF_KIND_STRUCT)
		return BM_ERR(c, f, "inner map template is not a struct");
	snprintf(name, sizeof(name), "%s.inner", c->map);
	ic.map = name;
	s->has_inner = true;
	return parse_def(&ic, t, &in);
}

static int parse_field(const struct bm_ctx *c, struct def_state *s,
		       const char *f, uint32_t type, bool last)
{
	static const struct {
		const char *name;
		uint32_t bit;
		size_t off;
	} ints[] = {
		{ "type", SEEN_TYPE, offsetof(struct bpfvm_map_def, type) },
		{ "max_entries", SEEN_MAX,
		  offsetof(struct bpfvm_map_def, max_entries) },
		{ "map_flags", SEEN_FLAGS,
		  offsetof(struct bpfvm_map_def, map_flags) },
		{ "numa_node", SEEN_NUMA,
		  offsetof(struct bpfvm_map_def, numa_node) },
		{ "key_size", SEEN_KSZ, offsetof(struct bpfvm_map_def, key_size) },
		{ "value_size", SEEN_VSZ,
		  offsetof(struct bpfvm_map_def, value_size) },
		{ "pinning", SEEN_PIN, offsetof(struct bpfvm_map_def, pinning) },
	};
	uint64_t v;
	int err;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (strcmp(f, ints[i].name))
			continue;
		err = uint_field(c, f, type, &v);
		if (!err && ints[i].bit == SEEN_PIN && !s->inner)
			return BM_ERR(c, f, "an inner map cannot be pinned");
		return err ? err : set_u32(c, f, s, ints[i].bit,
			(uint32_t *)((char *)s->def + ints[i].off), v);
	}
	if (!strcmp(f, "map_extra")) {
		err = ulong_field(c, f, type, &v);
		return err ? err : set_u64(c, f, s, SEEN_EXTRA,
					   &s->def->map_extra, v);
	}
	if (!strcmp(f, "key") || !strcmp(f, "value"))
		return type_field(c, f, s, type, f[0] == 'k');
	if (!strcmp(f, "values"))
		return values_field(c, s, type, last);
	return BM_ERR(c, f, "unknown field");
}

static int parse_def(const struct bm_ctx *c, const struct btf_type *def_t,
		     struct def_state *s)
{
	uint32_t n = ldbtf_vlen(def_t);

	for (uint32_t i = 0; i < n; i++) {
		const struct btf_member *m = &ldbtf_members(def_t)[i];
		const char *f = ldbtf_name(c->btf, m->name_off);
		int err;

		if (!*f)
			return BM_ERR(c, "#", "member %u has no name", i);
		err = parse_field(c, s, f, m->type, i + 1 == n);
		if (err)
			return err;
	}
	if (!(s->seen & SEEN_TYPE))
		return BM_ERR(c, "type", "missing");
	/* libbpf's LIBBPF_PIN_NONE (0) and LIBBPF_PIN_BY_NAME (1) */
	if (s->def->pinning > 1)
		return BM_ERR(c, "pinning", "value %u is neither 0 (none) "
			      "nor 1 (by name)", s->def->pinning);
	return 0;
}

/* clang leaves the DATASEC's offsets 0 (libbpf fixes them from the ELF
 * symbols). Unfixed, with several variables: lay them out as clang does
 * in the section, in order, each 8-aligned (definitions hold pointers). */
static void var_offsets(const struct btf_type *sec, uint64_t *offs)
{
	const struct btf_var_secinfo *vi = ldbtf_secinfos(sec);
	uint32_t n = ldbtf_vlen(sec);
	bool fixed = n < 2;
	uint64_t off = 0;

	for (uint32_t i = 0; i < n && !fixed; i++)
		fixed = vi[i].offset != 0;
	for (uint32_t i = 0; i < n; i++) {
		offs[i] = fixed ? vi[i].offset : off;
		off = (off + vi[i].size + 7) & ~7ull;
	}
}

static int parse_var(const struct bm_ctx *c0, const struct btf_var_secinfo *vi,
		     uint64_t off, struct ld_btf_map *m)
{
	const struct btf_type *var = bpfvm_btf_type(c0->btf, vi->type);
	const struct btf_type *def_t;
	struct def_state s = { &m->def, &m->inner_def, false, 0 };
	struct bm_ctx c = *c0;

	if (!var || ldbtf_kind(var) != BTF_KIND_VAR)
		return core_logf(c.log, c.log_size, -EINVAL, "%s: entry of "
				 "type [%u] is not a variable", c.map, vi->type);
	c.map = ldbtf_name(c.btf, var->name_off);
	if (!*c.map)
		return core_logf(c.log, c.log_size, -EINVAL, "map of type "
				 "[%u] has no name", vi->type);
	m->name = strdup(c.map);
	m->sec_off = off;
	if (!m->name)
		return -ENOMEM;
	if (ldbtf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED)
		return BM_ERR(&c, "-", "static or extern map definitions are "
			      "not supported");
	def_t = ldbtf_skip(c.btf, var->type, NULL);
	if (!def_t || ldbtf_kind(def_t) != BTF_KIND_STRUCT)
		return BM_ERR(&c, "-", "definition is not a struct");
	if (vi->size && def_t->size > vi->size)
		return BM_ERR(&c, "-", "definition of %u bytes in %u",
			      def_t->size, vi->size);
	if (parse_def(&c, def_t, &s))
		return -EINVAL;
	m->has_inner = s.has_inner;
	return 0;
}

/* The map whose variable holds the 8 bytes at off, or NULL. */
static struct ld_btf_map *map_at(const struct bpfvm_btf *btf,
				 const struct btf_type *sec,
				 struct ld_btf_map *maps, size_t cnt,
				 uint64_t off, uint32_t *idx)
{
	for (size_t i = 0; i < cnt; i++) {
		const struct btf_var_secinfo *vi = &ldbtf_secinfos(sec)[i];
		const struct btf_type *var = bpfvm_btf_type(btf, vi->type);
		const struct btf_type *def_t = ldbtf_skip(btf, var->type, NULL);
		uint32_t size = vi->size ? vi->size : def_t->size;

		if (off >= maps[i].sec_off && off + 8 <= maps[i].sec_off + size) {
			*idx = (uint32_t)i;
			return &maps[i];
		}
	}
	return NULL;
}

/* A relocation in .maps: values[slot] of the map it falls in. */
static int add_init(const struct bm_ctx *c0, const struct btf_type *sec,
		    struct ld_btf_map *maps, size_t cnt,
		    const struct ld_sym_ref *ref)
{
	uint32_t vi_idx;
	struct ld_btf_map *m = map_at(c0->btf, sec, maps, cnt, ref->off,
				      &vi_idx);
	struct bm_ctx c = *c0;
	const struct btf_type *var, *def_t;
	const struct btf_member *last;
	uint64_t rel, start, slot;
	struct ld_slot_init *ni;

	if (!m)
		return core_logf(c.log, c.log_size, -EINVAL, "%s: relocation "
				 "of '%s' at offset %llu is in no map", c.map,
				 ref->sym, (unsigned long long)ref->off);
	c.map = m->name;
	var = bpfvm_btf_type(c.btf, ldbtf_secinfos(sec)[vi_idx].type);
	def_t = ldbtf_skip(c.btf, var->type, NULL);
	last = &ldbtf_members(def_t)[ldbtf_vlen(def_t) - 1];
	if (strcmp(ldbtf_name(c.btf, last->name_off), "values"))
		return BM_ERR(&c, "values", "relocation of '%s' in a map "
			      "without values", ref->sym);
	start = ldbtf_member_bit_off(def_t, ldbtf_vlen(def_t) - 1) / 8;
	rel = ref->off - m->sec_off;
	if (rel < start || (rel - start) % 8)
		return BM_ERR(&c, "values", "relocation of '%s' at offset "
			      "%llu is not a slot", ref->sym,
			      (unsigned long long)rel);
	slot = (rel - start) / 8;
	if (slot >= m->def.max_entries)
		return BM_ERR(&c, "values", "slot %llu of '%s' is past "
			      "max_entries %u", (unsigned long long)slot,
			      ref->sym, m->def.max_entries);
	if (m->def.type == BPF_MAP_TYPE_HASH_OF_MAPS && m->def.key_size != 4)
		return BM_ERR(&c, "values", "initial values need a key of 4 "
			      "bytes, not %u", m->def.key_size);
	ni = realloc(m->inits, (m->init_cnt + 1) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	m->inits = ni;
	ni[m->init_cnt++] = (struct ld_slot_init){ (uint32_t)slot, ref->sym };
	return 0;
}

static int parse_all(const struct bm_ctx *c, const struct btf_type *sec,
		     const struct ld_sym_ref *refs, size_t ref_cnt,
		     struct ld_btf_map *maps)
{
	uint32_t n = ldbtf_vlen(sec);
	uint64_t *offs = calloc(n ? n : 1, sizeof(*offs));
	int err = offs ? 0 : -ENOMEM;

	if (offs)
		var_offsets(sec, offs);
	for (uint32_t i = 0; !err && i < n; i++) {
		err = parse_var(c, &ldbtf_secinfos(sec)[i], offs[i], &maps[i]);
		if (!err && maps[i].has_inner)
			maps[i].def.inner = &maps[i].inner_def;
	}
	for (size_t i = 0; !err && i < ref_cnt; i++)
		err = add_init(c, sec, maps, n, &refs[i]);
	free(offs);
	return err;
}

int ld_btf_maps_parse(const struct bpfvm_btf *btf, const char *sec_name,
		      const struct ld_sym_ref *refs, size_t ref_cnt,
		      struct ld_btf_map **out, size_t *cnt, char *log,
		      size_t log_size)
{
	struct bm_ctx c = { btf, sec_name, log, log_size };
	const struct btf_type *sec;
	struct ld_btf_map *maps;
	int id, err;

	*out = NULL;
	*cnt = 0;
	id = btf ? bpfvm_btf_find(btf, sec_name, BTF_KIND_DATASEC) : -ENOENT;
	if (id < 0)
		return ref_cnt ? core_logf(log, log_size, -EINVAL, "%s: "
					   "relocations but no BTF for it",
					   sec_name) : 0;
	sec = bpfvm_btf_type(btf, (uint32_t)id);
	maps = calloc(ldbtf_vlen(sec) ? ldbtf_vlen(sec) : 1, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	err = parse_all(&c, sec, refs, ref_cnt, maps);
	if (err) {
		ld_btf_maps_free(maps, ldbtf_vlen(sec));
		return err;
	}
	*out = maps;
	*cnt = ldbtf_vlen(sec);
	return 0;
}

void ld_btf_maps_free(struct ld_btf_map *maps, size_t cnt)
{
	for (size_t i = 0; maps && i < cnt; i++) {
		free(maps[i].name);
		free(maps[i].inits);
	}
	free(maps);
}
