/* BTF-defined maps: the `.maps` section's relocations (R_BPF_64_ABS64:
 * the `values` initialisers of PROG_ARRAY and map-in-map definitions)
 * handed to ld_btf_maps_parse, whose definitions become the object's
 * maps. The definitions stay as declared (libbpf's view at open); the
 * sizes the kernel needs (per-CPU perf arrays, bpf2go ringbufs) are
 * settled at load (ld_load_maps.c). Types whose values are not
 * BTF-described data drop their BTF type ids here, as libbpf does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>
#include "loader/ld_open.h"

#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2
#endif

/* A section symbol (static function in values[]): the function there. */
static const char *ref_name(struct ld_ctx *c, const struct ld_rel *rel)
{
	const Elf64_Sym *s = &c->syms[rel->sym];
	const struct ld_sec *maps = ld_sec_get(c, c->btf_maps_sec);
	const struct ld_func *f;
	uint64_t a = rel->addend;

	if (ELF64_ST_TYPE(s->st_info) != STT_SECTION)
		return ld_sym_name(c, s);
	if (s->st_shndx >= c->obj->sec_cnt ||
	    c->info[s->st_shndx].role != LD_SEC_CODE)
		return "";
	if (!rel->has_addend) {
		if (!maps->data || rel->off > maps->size - 8)
			return "";
		memcpy(&a, maps->data + rel->off, 8);
	}
	f = ld_func_at(c->obj, c->info[s->st_shndx].index, (s->st_value + a) / 8);
	return f ? f->name : "";
}

static int collect_refs(struct ld_ctx *c, struct ld_sym_ref **out,
			size_t *cnt)
{
	const struct ld_sec *rs = ld_rel_sec_for(c, c->btf_maps_sec);
	const struct ld_sec *maps = ld_sec_get(c, c->btf_maps_sec);
	size_t i, n = rs ? ld_rel_cnt(rs) : 0;
	struct ld_sym_ref *refs = calloc(n + 1, sizeof(*refs));
	int err;

	if (!refs)
		return ld_errf(c, -ENOMEM, "out of memory");
	*out = refs;
	*cnt = 0;
	for (i = 0; i < n; i++) {
		struct ld_rel rel;

		err = ld_rel_read(c, rs, i, &rel);
		if (err)
			return err;
		if (rel.type == R_BPF_NONE)
			continue;
		if (rel.type != R_BPF_64_ABS64)
			return ld_errf(c, -ENOTSUP,
				       "section '%s' offset %llu: relocation "
				       "type %u in .maps", rs->name,
				       (unsigned long long)rel.off, rel.type);
		if (rel.off > maps->size || maps->size - rel.off < 8)
			return ld_errf(c, -EINVAL,
				       "section '%s' offset %llu: past the "
				       "section '.maps' (%zu bytes)", rs->name,
				       (unsigned long long)rel.off, maps->size);
		refs[*cnt].off = rel.off;
		refs[*cnt].sym = ref_name(c, &rel);
		if (!*refs[*cnt].sym)
			return ld_errf(c, -EINVAL,
				       "section '%s' offset %llu: symbol %u "
				       "names nothing a map slot can hold",
				       rs->name, (unsigned long long)rel.off,
				       rel.sym);
		(*cnt)++;
	}
	return 0;
}

static void adjust_def(struct bpfvm_map_def *d)
{
	switch (d->type) {
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		d->btf_key_type_id = 0;
		d->btf_value_type_id = 0;
		break;
	default:
		break;
	}
}

static int add_btf_map(struct ld_ctx *c, struct ld_btf_map *b)
{
	struct bpfvm_obj_map *m = ld_map_add(c, b->name, BPFVM_OBJ_MAP_DEF);

	if (!m)
		return ld_errf(c, -ENOMEM, "out of memory");
	m->sec = c->btf_maps_sec;
	m->sec_off = b->sec_off;
	m->def = b->def;
	m->def.inner = NULL;
	if (b->has_inner) {
		m->inner_def = b->inner_def;
		m->inner_def.inner = NULL;
		adjust_def(&m->inner_def);
		m->def.inner = &m->inner_def;
	}
	adjust_def(&m->def);
	/* the slots move over: their names point into the ELF's strings */
	m->inits = b->inits;
	m->init_cnt = b->init_cnt;
	b->inits = NULL;
	b->init_cnt = 0;
	return 0;
}

int ld_maps_btf(struct ld_ctx *c)
{
	struct ld_sym_ref *refs = NULL;
	struct ld_btf_map *maps = NULL;
	size_t ref_cnt = 0, cnt = 0, i;
	char msg[512] = "";
	int err;

	if (!c->btf_maps_sec)
		return 0;
	if (!c->obj->btf)
		return ld_errf(c, -EINVAL,
			       "section '.maps' needs BTF, and the object has "
			       "no .BTF section");
	err = collect_refs(c, &refs, &ref_cnt);
	if (!err) {
		err = ld_btf_maps_parse(c->obj->btf, ".maps", refs, ref_cnt,
					&maps, &cnt, msg, sizeof(msg));
		if (err)
			ld_errf(c, err, "section '.maps': %s", msg);
	}
	for (i = 0; !err && i < cnt; i++)
		err = add_btf_map(c, &maps[i]);
	ld_btf_maps_free(maps, cnt);
	free(refs);
	return err;
}
