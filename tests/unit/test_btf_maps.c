/* BTF-defined maps (issue 5): ld_btf_maps_parse over objects compiled
 * from tests/objs/bm_*.bpf.c (definitions from BTF, initial slots from
 * the .rel.maps relocations, read here with libelf) and hand-built BTF
 * for what clang will not write. */
#include <errno.h>
#include <stdlib.h>

#include "btf_build.h"
#include "check.h"
#include "core_obj.h"
#include "loader/ld_btf_maps.h"

struct parsed {
	struct core_obj o;
	struct ld_btf_map *maps;
	size_t cnt;
	int err;
	char log[256];
};

/* Name of symbol `idx` of the object's symbol table. */
static const char *sym_name(struct core_obj *o, size_t idx, GElf_Sym *sym)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(o->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !gelf_getsym(d, (int)idx, sym))
			return NULL;
		return elf_strptr(o->elf, sh.sh_link, sym->st_name);
	}
	return NULL;
}

/* The .maps relocations as ld_sym_ref (names owned by libelf). */
static size_t maps_refs(struct core_obj *o, struct ld_sym_ref *refs,
			size_t max)
{
	size_t size, n = 0;
	const void *d = core_obj_sec(o, ".rel.maps", &size);
	const Elf64_Rel *rel = d;
	GElf_Sym sym;

	for (size_t i = 0; d && i < size / sizeof(*rel) && n < max; i++) {
		refs[n].off = rel[i].r_offset;
		refs[n].sym = sym_name(o, ELF64_R_SYM(rel[i].r_info), &sym);
		n++;
	}
	return n;
}

/* st_value of the symbol named `name`, or ~0. */
static uint64_t sym_value(struct core_obj *o, const char *name)
{
	GElf_Sym sym;
	const char *n;

	for (size_t i = 1; (n = sym_name(o, i, &sym)); i++) {
		if (!strcmp(n, name))
			return sym.st_value;
	}
	return ~0ull;
}

static void parse(struct parsed *p, const char *name)
{
	char path[512];
	struct ld_sym_ref refs[16];
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	memset(p, 0, sizeof(*p));
	CHECK(core_obj_open(&p->o, path) == 0);
	n = maps_refs(&p->o, refs, 16);
	p->err = ld_btf_maps_parse(p->o.btf, ".maps", refs, n, &p->maps,
				   &p->cnt, p->log, sizeof(p->log));
}

static void done(struct parsed *p)
{
	ld_btf_maps_free(p->maps, p->cnt);
	core_obj_close(&p->o);
}

static const struct ld_btf_map *find(const struct parsed *p, const char *n)
{
	for (size_t i = 0; i < p->cnt; i++) {
		if (!strcmp(p->maps[i].name, n))
			return &p->maps[i];
	}
	fprintf(stderr, "no map %s\n", n);
	return NULL;
}

static bool has_init(const struct ld_btf_map *m, uint32_t slot,
		     const char *sym)
{
	for (size_t i = 0; i < m->init_cnt; i++) {
		if (m->inits[i].slot == slot && !strcmp(m->inits[i].sym, sym))
			return true;
	}
	return false;
}

static void check_def(const struct bpfvm_map_def *d, uint32_t type,
		      uint32_t ks, uint32_t vs, uint32_t max)
{
	CHECK_EQ_U64(d->type, type);
	CHECK_EQ_U64(d->key_size, ks);
	CHECK_EQ_U64(d->value_size, vs);
	CHECK_EQ_U64(d->max_entries, max);
}

static void test_all(void)
{
	struct parsed p;
	const struct ld_btf_map *m;
	const struct bpfvm_btf *btf;

	parse(&p, "bm_all");
	CHECK(p.err == 0);
	if (p.err) {
		fprintf(stderr, "%s\n", p.log);
		done(&p);
		return;
	}
	btf = p.o.btf;
	CHECK_EQ_U64(p.cnt, 10);
	/* each map where its ELF symbol says it is */
	for (size_t i = 0; i < p.cnt; i++)
		CHECK_EQ_U64(p.maps[i].sec_off, sym_value(&p.o, p.maps[i].name));
	if ((m = find(&p, "bm_hash"))) {
		check_def(&m->def, BPF_MAP_TYPE_HASH, 16, 24, 16);
		CHECK_EQ_U64(m->def.map_flags, BPF_F_NO_PREALLOC);
		CHECK_EQ_U64(m->def.numa_node, 1);
		CHECK_EQ_U64(m->def.pinning, 1);
		CHECK_EQ_U64(m->def.btf_key_type_id,
			     bpfvm_btf_find(btf, "bm_key", BTF_KIND_STRUCT));
		CHECK_EQ_U64(m->def.btf_value_type_id,
			     bpfvm_btf_find(btf, "bm_val", BTF_KIND_STRUCT));
		CHECK(!m->has_inner && !m->def.inner && !m->init_cnt);
	}
	if ((m = find(&p, "bm_sizes"))) {
		check_def(&m->def, BPF_MAP_TYPE_ARRAY, 4, 40, 3);
		CHECK(!m->def.btf_key_type_id && !m->def.btf_value_type_id);
		CHECK(!m->def.map_flags && !m->def.pinning && !m->def.map_extra);
	}
	if ((m = find(&p, "bm_both"))) {
		check_def(&m->def, BPF_MAP_TYPE_HASH, 16, 4, 2);
		CHECK_EQ_U64(m->def.btf_key_type_id,
			     bpfvm_btf_find(btf, "bm_key", BTF_KIND_STRUCT));
	}
	if ((m = find(&p, "bm_bloom"))) {
		check_def(&m->def, BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 100);
		CHECK_EQ_U64(m->def.map_extra, 3);
	}
	if ((m = find(&p, "bm_in1")))
		check_def(&m->def, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
	if ((m = find(&p, "bm_aom"))) {
		check_def(&m->def, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 5);
		CHECK(m->has_inner && m->def.inner == &m->inner_def);
		check_def(&m->inner_def, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
		CHECK(m->inner_def.inner == NULL);
		CHECK_EQ_U64(m->init_cnt, 2);
		CHECK(has_init(m, 0, "bm_in1") && has_init(m, 3, "bm_in2"));
	}
	if ((m = find(&p, "bm_hom"))) {
		check_def(&m->def, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 8);
		CHECK(m->has_inner && m->def.inner == &m->inner_def);
		check_def(&m->inner_def, BPF_MAP_TYPE_HASH, 8, 24, 32);
		CHECK_EQ_U64(m->init_cnt, 1);
		CHECK(has_init(m, 1, "bm_hin"));
	}
	if ((m = find(&p, "bm_progs"))) {
		check_def(&m->def, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
		CHECK(!m->has_inner && !m->def.inner);
		CHECK_EQ_U64(m->init_cnt, 2);
		CHECK(has_init(m, 1, "bm_tail_a") && has_init(m, 3, "bm_tail_b"));
	}
	done(&p);
}

/* Relocations that do not name a slot. */
static void test_bad_refs(void)
{
	struct parsed p;
	struct ld_btf_map *maps = NULL;
	size_t cnt = 99;
	char log[256];
	uint64_t aom;
	struct {
		uint64_t off;
		const char *why;
	} bad[4];

	parse(&p, "bm_all");
	aom = sym_value(&p.o, "bm_aom");
	bad[0].off = 0x100000;
	bad[0].why = "is in no map";
	bad[1].off = sym_value(&p.o, "bm_hash") + 8;
	bad[1].why = "map 'bm_hash': field 'values': relocation of 'x' in a "
		     "map without values";
	bad[2].off = aom + 24 + 4; /* values start after 3 members */
	bad[2].why = "map 'bm_aom': field 'values': relocation of 'x' at "
		     "offset 28 is not a slot";
	bad[3].off = aom;
	bad[3].why = "is not a slot";
	for (int i = 0; i < 4; i++) {
		struct ld_sym_ref r = { bad[i].off, "x" };

		CHECK(ld_btf_maps_parse(p.o.btf, ".maps", &r, 1, &maps, &cnt,
					log, sizeof(log)) == -EINVAL);
		CHECK(strstr(log, bad[i].why) != NULL);
		CHECK(maps == NULL && cnt == 0);
	}
	done(&p);
}

static void expect_bad(const char *obj, const char *why)
{
	struct parsed p;

	parse(&p, obj);
	if (p.err != -EINVAL || !strstr(p.log, why))
		fprintf(stderr, "%s: %d \"%s\", want \"%s\"\n", obj, p.err,
			p.log, why);
	CHECK(p.err == -EINVAL);
	CHECK(strstr(p.log, why) != NULL);
	CHECK(p.maps == NULL && p.cnt == 0);
	done(&p);
}

/* struct { __uint(type, ARRAY_OF_MAPS); <second>; <third>; } m: the
 * members after `type` hand-written. which: 0 = values before
 * max_entries, 1 = type twice with different values. */
static void test_handmade(int which, const char *why)
{
	struct btf_build b;
	struct bpfvm_btf *btf = NULL;
	struct ld_btf_map *maps = NULL;
	size_t cnt = 0;
	char log[256] = "";
	uint32_t i_int, a_aom, p_aom, a_arr, p_arr, inner, p_inner, vals,
		a4, p4, def, var, sec;

	bb_init(&b);
	i_int = bb_int(&b, "int", 4, BTF_INT_SIGNED);
	a_aom = bb_array(&b, i_int, i_int, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	p_aom = bb_type(&b, "", BTF_KIND_PTR, 0, false, a_aom);
	a_arr = bb_array(&b, i_int, i_int, BPF_MAP_TYPE_ARRAY);
	p_arr = bb_type(&b, "", BTF_KIND_PTR, 0, false, a_arr);
	inner = bb_type(&b, "inner", BTF_KIND_STRUCT, 1, false, 8);
	bb_3(&b, bb_str(&b, "type"), p_arr, 0);
	p_inner = bb_type(&b, "", BTF_KIND_PTR, 0, false, inner);
	vals = bb_array(&b, p_inner, i_int, 0);
	a4 = bb_array(&b, i_int, i_int, 4);
	p4 = bb_type(&b, "", BTF_KIND_PTR, 0, false, a4);
	def = bb_type(&b, "", BTF_KIND_STRUCT, 3, false, 24);
	bb_3(&b, bb_str(&b, "type"), p_aom, 0);
	if (which == 0) {
		bb_3(&b, bb_str(&b, "values"), vals, 64);
		bb_3(&b, bb_str(&b, "max_entries"), p4, 128);
	} else {
		bb_3(&b, bb_str(&b, "max_entries"), p4, 64);
		bb_3(&b, bb_str(&b, "type"), p_arr, 128);
	}
	var = bb_type(&b, "m", BTF_KIND_VAR, 0, false, def);
	bb_w(&b, BTF_VAR_GLOBAL_ALLOCATED);
	sec = bb_type(&b, ".maps", BTF_KIND_DATASEC, 1, false, 0);
	bb_3(&b, var, 0, 24);
	(void)sec;
	CHECK(bb_parse(&b, &btf) == 0);
	if (!btf)
		return;
	CHECK(ld_btf_maps_parse(btf, ".maps", NULL, 0, &maps, &cnt, log,
				sizeof(log)) == -EINVAL);
	if (!strstr(log, why))
		fprintf(stderr, "got \"%s\", want \"%s\"\n", log, why);
	CHECK(strstr(log, why) != NULL);
	bpfvm_btf_free(btf);
}

int main(void)
{
	struct ld_btf_map *maps = (void *)1;
	size_t cnt = 5;

	test_all();
	test_bad_refs();
	expect_bad("bm_bad_unknown",
		   "map 'bm_typo': field 'max_entires': unknown field");
	expect_bad("bm_bad_conflict", "map 'bm_conflict': field 'key': type "
		   "of 4 bytes contradicts a size of 8");
	expect_bad("bm_bad_noslots",
		   "map 'bm_noslots': field 'values': map type 2 has no slots");
	expect_bad("bm_bad_notype", "map 'bm_notype': field 'type': missing");
	expect_bad("bm_bad_notuint",
		   "map 'bm_notuint': field 'max_entries': not __uint()");
	expect_bad("bm_bad_multilevel", "map 'bm_multi.inner': field "
		   "'values': an inner map cannot have values");
	expect_bad("bm_bad_pin", "map 'bm_pin2': field 'pinning': value 2");
	expect_bad("bm_bad_innerpin", "map 'bm_innerpin.inner': field "
		   "'pinning': an inner map cannot be pinned");
	expect_bad("bm_bad_static", "map 'bm_static'");
	expect_bad("bm_bad_ulong",
		   "map 'bm_ulong': field 'map_extra': __ulong() enum with 2");
	expect_bad("bm_bad_slot", "map 'bm_slot': field 'values': slot 3 of "
		   "'bm_t' is past max_entries 2");
	expect_bad("bm_bad_homkey", "map 'bm_homkey': field 'values': initial "
		   "values need a key of 4 bytes, not 8");
	test_handmade(0, "map 'm': field 'values': must be the last member");
	test_handmade(1, "map 'm': field 'type': given twice (12 and 2)");
	/* __ulong: 32 bits from clang 14 (an enum), 64 from clang-19's
	 * object (enum64) when it is built */
	{
		struct parsed p;

		parse(&p, "bm_ulong");
		CHECK(p.err == 0 && p.cnt == 1);
		if (!p.err && p.cnt == 1)
			CHECK_EQ_U64(p.maps[0].def.map_extra, 0x70000003);
		done(&p);
	}
	if (access(BPFVM_OBJ_DIR "/bm_ulong19.o", R_OK) == 0) {
		struct parsed p;

		parse(&p, "bm_ulong19");
		CHECK(p.err == 0 && p.cnt == 1);
		if (!p.err && p.cnt == 1)
			CHECK_EQ_U64(p.maps[0].def.map_extra, 0x500000003ull);
		done(&p);
	}
	/* no .maps DATASEC: no maps, no error */
	{
		struct parsed p;

		parse(&p, "core_target_a");
		CHECK(p.err == 0 && p.cnt == 0);
		done(&p);
	}
	CHECK(ld_btf_maps_parse(NULL, ".maps", NULL, 0, &maps, &cnt, NULL,
				0) == 0);
	CHECK(maps == NULL && cnt == 0);
	return check_report();
}
