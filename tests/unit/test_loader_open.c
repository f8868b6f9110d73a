/* Loader open: what bpfvm_object_open makes of the objects in tests/objs
 * (ld_*.bpf.c): programs and subprograms, every relocation kind (REL and
 * RELA alike), legacy map layouts, .maps, global data, SEC-less objects. */
#include <errno.h>
#include <string.h>

#include <bpfvm/map.h>
#include <bpfvm/object.h>
#include "check.h"
#include "loader/obj_priv.h"
#include "loader_open_util.h"

static char log_buf[1024];

static struct bpfvm_object *open_obj(const char *name)
{
	struct bpfvm_object *o = NULL;
	size_t size;
	uint8_t *b = t_read_obj(name, &size);
	int err;

	if (!b) {
		fprintf(stderr, "cannot read %s.o\n", name);
		CHECK(0);
		return NULL;
	}
	err = t_open(b, size, name, log_buf, sizeof(log_buf), &o);
	if (err)
		fprintf(stderr, "%s: %d %s\n", name, err, log_buf);
	CHECK(err == 0);
	free(b);
	return o;
}

static size_t code_of(const struct bpfvm_object *o, const char *sec)
{
	for (size_t i = 0; i < o->code_cnt; i++)
		if (!strcmp(o->code[i].sec->name, sec))
			return i;
	return SIZE_MAX;
}

static int map_idx(const struct bpfvm_object *o, const char *name)
{
	for (size_t i = 0; i < o->map_cnt; i++)
		if (!strcmp(o->maps[i]->name, name))
			return (int)i;
	return -1;
}

/* The n-th relocation of section sec naming sym. */
static const struct ld_reloc *reloc_of(const struct bpfvm_object *o,
				       const char *sec, const char *sym, int n)
{
	size_t c = code_of(o, sec);

	if (c == SIZE_MAX)
		return NULL;
	for (size_t i = 0; i < o->code[c].reloc_cnt; i++)
		if (!strcmp(o->code[c].relocs[i].sym, sym) && n-- == 0)
			return &o->code[c].relocs[i];
	return NULL;
}

static const char *callee(const struct bpfvm_object *o,
			  const struct ld_reloc *r)
{
	for (size_t i = 0; r && i < o->func_cnt; i++)
		if (o->funcs[i].code == r->target_code &&
		    o->funcs[i].start == r->target_insn)
			return o->funcs[i].name;
	return "(none)";
}

static void test_progs(struct bpfvm_object *o)
{
	static const char *const names[] = { "xdp_one", "xdp_two",
					     "xdp_static", "tc_off",
					     "sock_one" };
	struct bpfvm_obj_prog *p;
	size_t n;

	CHECK_EQ_U64(bpfvm_object_prog_cnt(o), 5);
	for (size_t i = 0; i < 5 && i < bpfvm_object_prog_cnt(o); i++)
		CHECK_STREQ(bpfvm_obj_prog_name(bpfvm_object_prog(o, i)),
			    names[i]);
	CHECK_STREQ(bpfvm_object_license(o), "Dual BSD/GPL");
	CHECK(bpfvm_object_btf(o) != NULL);
	CHECK(bpfvm_object_btf_ext(o) != NULL);
	/* subprograms are not programs, wherever they live */
	CHECK(!bpfvm_object_find_prog(o, "helper_global"));
	CHECK(!bpfvm_object_find_prog(o, "helper_static"));
	CHECK(!bpfvm_object_find_prog(o, "lib_func"));
	p = bpfvm_object_find_prog(o, "xdp_static");	/* static entry */
	CHECK(p && bpfvm_obj_prog_type(p) == BPF_PROG_TYPE_XDP &&
	      bpfvm_obj_prog_attach_type(p) == BPF_XDP);
	p = bpfvm_object_find_prog(o, "tc_off");
	CHECK(p && !bpfvm_obj_prog_autoload(p));
	CHECK_STREQ(p ? bpfvm_obj_prog_section(p) : NULL, "tc");
	CHECK(p && bpfvm_obj_prog_type(p) == BPF_PROG_TYPE_SCHED_CLS);
	CHECK(p && bpfvm_obj_prog_set_autoload(p, true) == 0 &&
	      bpfvm_obj_prog_autoload(p));
	CHECK(p && bpfvm_obj_prog_set_type(p, BPF_PROG_TYPE_SCHED_ACT, 0) == 0 &&
	      bpfvm_obj_prog_type(p) == BPF_PROG_TYPE_SCHED_ACT);
	p = bpfvm_object_find_prog(o, "sock_one");
	CHECK(p && bpfvm_obj_prog_type(p) == BPF_PROG_TYPE_SOCKET_FILTER);
	CHECK(p && bpfvm_obj_prog_insns(p, &n) && n == 2 &&
	      bpfvm_obj_prog_insns(p, NULL)[1].code == (BPF_JMP | BPF_EXIT));
	p = bpfvm_object_find_prog(o, "xdp_one");
	CHECK(p && bpfvm_obj_prog_insns(p, &n)[0].code ==
			   (BPF_ALU64 | BPF_MOV | BPF_X));	/* r6 = r1 */
	for (size_t i = 0; i < o->func_cnt; i++)
		if (!strcmp(o->code[o->funcs[i].code].sec->name, ".text"))
			CHECK(!o->funcs[i].entry);
}

/* __kconfig externs: the .kconfig map ("ld_prog" + ".kconfig": 15
 * characters), after global data, laid out at
 * open (4 bytes for one int), values at load. */
static void test_kconfig_map(struct bpfvm_object *o)
{
	struct bpfvm_obj_map *m = bpfvm_object_find_map(o, "ld_prog.kconfig");

	CHECK(m && bpfvm_obj_map_kind(m) == BPFVM_OBJ_MAP_KCONFIG);
	CHECK(m && bpfvm_obj_map_def(m)->value_size == 4 &&
	      bpfvm_obj_map_def(m)->map_flags ==
		      (BPF_F_MMAPABLE | BPF_F_RDONLY_PROG));
	CHECK(m == bpfvm_object_map(o, bpfvm_object_map_cnt(o) - 1));
	CHECK(!bpfvm_object_find_map(o, ".kconfig"));	/* not a section */
}

static void test_relocs(struct bpfvm_object *o)
{
	const struct ld_reloc *r;
	size_t text = code_of(o, ".text"), xdp = code_of(o, "xdp");

	r = reloc_of(o, "xdp", "counts", 0);
	CHECK(r && r->kind == LD_RELOC_MAP &&
	      (int)r->map == map_idx(o, "counts"));
	r = reloc_of(o, "xdp", "lib_func", 0);	/* another section */
	CHECK(r && r->kind == LD_RELOC_CALL &&
	      r->target_code == code_of(o, "lib_sec") && r->target_insn == 0);
	r = reloc_of(o, "xdp", "helper_global", 0);	/* global symbol */
	CHECK(r && r->kind == LD_RELOC_CALL && r->target_code == text);
	CHECK_STREQ(callee(o, r), "helper_global");
	r = reloc_of(o, "xdp", ".text", 0);	/* static: section symbol */
	CHECK(r && r->kind == LD_RELOC_CALL && r->target_code == text);
	CHECK_STREQ(callee(o, r), "helper_static");
	CHECK(r && o->code[xdp].insns[r->insn].code == (BPF_JMP | BPF_CALL));
	r = reloc_of(o, "xdp", ".text", 1);	/* bpf_loop's callback */
	CHECK(r && r->kind == LD_RELOC_CALL &&
	      o->code[xdp].insns[r->insn].code == (BPF_LD | BPF_IMM | BPF_DW));
	CHECK_STREQ(callee(o, r), "loop_cb");
	r = reloc_of(o, "?tc", ".text", 0);
	CHECK_STREQ(callee(o, r), "helper_static");
	r = reloc_of(o, "xdp", "g_bss", 0);
	CHECK(r && r->kind == LD_RELOC_DATA && r->off == 0 &&
	      (int)r->map == map_idx(o, "ld_progs.bss"));
	r = reloc_of(o, ".text", "g_data", 0);
	CHECK(r && r->kind == LD_RELOC_DATA && r->off == 0 &&
	      (int)r->map == map_idx(o, "ld_progs.data"));
	r = reloc_of(o, ".text", ".data", 0);	/* static: section + imm */
	CHECK(r && r->kind == LD_RELOC_DATA && r->off == 8 &&
	      (int)r->map == map_idx(o, "ld_progs.data"));
	r = reloc_of(o, ".text", "g_ro", 0);
	CHECK(r && r->kind == LD_RELOC_DATA &&
	      (int)r->map == map_idx(o, "ld_progs.rodata"));
	r = reloc_of(o, "xdp", ".rodata.str1.1", 0);
	CHECK(r && r->kind == LD_RELOC_DATA && r->off == 0 &&
	      (int)r->map == map_idx(o, ".rodata.str1.1"));
	r = reloc_of(o, "xdp", "CONFIG_HZ", 0);
	CHECK(r && r->kind == LD_RELOC_EXTERN && r->off == 0);
	r = reloc_of(o, "xdp", "bpf_kfunc_missing", 0);	/* address */
	CHECK(r && r->kind == LD_RELOC_EXTERN &&
	      o->code[xdp].insns[r->insn].code == (BPF_LD | BPF_IMM | BPF_DW));
	r = reloc_of(o, "xdp", "bpf_kfunc_missing", 1);	/* kfunc call */
	CHECK(r && r->kind == LD_RELOC_EXTERN &&
	      o->code[xdp].insns[r->insn].code == (BPF_JMP | BPF_CALL));
	/* sorted by instruction */
	for (size_t c = 0; c < o->code_cnt; c++)
		for (size_t i = 1; i < o->code[c].reloc_cnt; i++)
			CHECK(o->code[c].relocs[i - 1].insn <
			      o->code[c].relocs[i].insn);
}

/* The same relocations whether the file says REL or RELA. */
static void same_relocs(const struct bpfvm_object *a,
			const struct bpfvm_object *b)
{
	CHECK_EQ_U64(a->code_cnt, b->code_cnt);
	for (size_t c = 0; c < a->code_cnt && c < b->code_cnt; c++) {
		CHECK_EQ_U64(a->code[c].reloc_cnt, b->code[c].reloc_cnt);
		for (size_t i = 0; i < a->code[c].reloc_cnt &&
				   i < b->code[c].reloc_cnt; i++) {
			const struct ld_reloc *x = &a->code[c].relocs[i];
			const struct ld_reloc *y = &b->code[c].relocs[i];

			CHECK(x->insn == y->insn && x->kind == y->kind &&
			      x->map == y->map && x->off == y->off &&
			      x->target_code == y->target_code &&
			      x->target_insn == y->target_insn &&
			      !strcmp(x->sym, y->sym));
		}
	}
}

/* .BTF.ext's insn_off fields are relocated data: equal either way. */
static void same_btf_ext(const struct bpfvm_object *a,
			 const struct bpfvm_object *b)
{
	const struct bpfvm_btf_ext *x = bpfvm_object_btf_ext(a);
	const struct bpfvm_btf_ext *y = bpfvm_object_btf_ext(b);
	size_t n = 0;

	CHECK(x && y);
	if (!x || !y)
		return;
	CHECK_EQ_U64(bpfvm_btf_ext_sec_cnt(x), bpfvm_btf_ext_sec_cnt(y));
	for (size_t i = 0; i < bpfvm_btf_ext_sec_cnt(x) &&
			   i < bpfvm_btf_ext_sec_cnt(y); i++) {
		const struct bpfvm_btf_ext_sec *p = bpfvm_btf_ext_sec(x, i);
		const struct bpfvm_btf_ext_sec *q = bpfvm_btf_ext_sec(y, i);

		CHECK(p->func_info_cnt == q->func_info_cnt &&
		      p->line_info_cnt == q->line_info_cnt);
		for (uint32_t k = 0; k < p->func_info_cnt &&
				     k < q->func_info_cnt; k++)
			CHECK(p->func_info[k].insn_off ==
			      q->func_info[k].insn_off);
		for (uint32_t k = 0; k < p->line_info_cnt &&
				     k < q->line_info_cnt; k++) {
			CHECK(p->line_info[k].insn_off ==
			      q->line_info[k].insn_off);
			n += p->line_info[k].insn_off != 0;
		}
	}
	CHECK(n > 1);	/* offsets other than 0 were compared */
}

static void test_rela(const char *name)
{
	struct bpfvm_object *rel = open_obj(name), *rela = NULL;
	size_t size, rsize = 0, n = 0;
	uint8_t *b = t_read_obj(name, &size);
	uint8_t *r = b ? t_to_rela(b, size, &rsize) : NULL;
	int err;

	CHECK(r != NULL);
	if (r) {
		err = t_open(r, rsize, name, log_buf, sizeof(log_buf), &rela);
		if (err)
			fprintf(stderr, "%s RELA: %s\n", name, log_buf);
		CHECK(err == 0);
	}
	for (size_t i = 1; r && i < t_eh(r)->e_shnum; i++)
		n += t_sh(r, i)->sh_type == SHT_RELA;
	CHECK(n > 0);
	if (rel && rela) {
		same_relocs(rel, rela);
		same_btf_ext(rel, rela);
	}
	bpfvm_object_close(rela);
	/* e_machine 0, as LLVM wrote it before 2017 */
	if (b) {
		t_eh(b)->e_machine = EM_NONE;
		err = t_open(b, size, name, log_buf, sizeof(log_buf), &rela);
		CHECK(err == 0);
		if (!err && rel)
			same_relocs(rel, rela);
		bpfvm_object_close(rela);
	}
	bpfvm_object_close(rel);
	free(b);
	free(r);
}

/* Without FUNC symbols each section is one program named after it. */
static void test_no_func_symbols(void)
{
	struct bpfvm_object *o = NULL;
	size_t size, n;
	uint8_t *b = t_read_obj("ld_legacy20", &size);
	Elf64_Sym *s = b ? t_syms(b, &n) : NULL;

	for (size_t i = 0; s && i < n; i++)
		if (ELF64_ST_TYPE(s[i].st_info) == STT_FUNC)
			s[i].st_info = ELF64_ST_INFO(ELF64_ST_BIND(s[i].st_info),
						     STT_NOTYPE);
	CHECK(b && t_open(b, size, "nofunc", log_buf, sizeof(log_buf), &o) == 0);
	CHECK_EQ_U64(bpfvm_object_prog_cnt(o), 1);
	CHECK_STREQ(o ? bpfvm_obj_prog_name(bpfvm_object_prog(o, 0)) : NULL,
		    "kprobe/sys_write");
	CHECK(o && bpfvm_obj_prog_type(bpfvm_object_prog(o, 0)) ==
			   BPF_PROG_TYPE_KPROBE);
	bpfvm_object_close(o);
	free(b);
}

/* R_BPF_NONE is skipped: that instruction keeps no relocation. */
static void test_reloc_none(void)
{
	struct bpfvm_object *o = NULL;
	size_t size;
	uint8_t *b = t_read_obj("ld_progs", &size);
	Elf64_Rel *r = b ? t_rel(b, ".relxdp", "g_bss") : NULL;

	if (r)
		r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 0);
	CHECK(r && t_open(b, size, "none", log_buf, sizeof(log_buf), &o) == 0);
	CHECK(o && !reloc_of(o, "xdp", "g_bss", 0) &&
	      reloc_of(o, "xdp", "counts", 0));
	bpfvm_object_close(o);
	free(b);
}

/* No symbol table and no relocations at all (hand-made objects): every
 * executable section outside .text is one program named after it; calls
 * without relocations are relative inside their section. */
static void test_no_symtab(void)
{
	struct bpfvm_object *o = NULL;
	const struct bpfvm_obj_prog *p;
	size_t size;
	uint8_t *b = t_read_obj("ld_data", &size);

	for (size_t i = 1; b && i < t_eh(b)->e_shnum; i++)
		if (t_sh(b, i)->sh_type == SHT_SYMTAB ||
		    t_sh(b, i)->sh_type == SHT_REL)
			t_sh(b, i)->sh_type = SHT_NULL;
	CHECK(b && t_open(b, size, "nosym", log_buf, sizeof(log_buf), &o) == 0);
	CHECK_EQ_U64(bpfvm_object_prog_cnt(o), 1);
	p = bpfvm_object_find_prog(o, "tp/data/all");
	CHECK(p && bpfvm_obj_prog_type(p) == BPF_PROG_TYPE_TRACEPOINT);
	/* each call to take() (imm -1 without its relocation) calls itself */
	for (size_t c = 0; o && c < o->code_cnt; c++)
		for (size_t i = 0; i < o->code[c].reloc_cnt; i++)
			CHECK(o->code[c].relocs[i].kind == LD_RELOC_CALL &&
			      o->code[c].relocs[i].target_insn ==
				      o->code[c].relocs[i].insn);
	CHECK(o && o->code[1].reloc_cnt == 2);
	bpfvm_object_close(o);
	free(b);
}

static const struct bpfvm_map_def *def_of(struct bpfvm_object *o,
					  const char *name)
{
	static const struct bpfvm_map_def none;
	struct bpfvm_obj_map *m = bpfvm_object_find_map(o, name);

	CHECK(m != NULL);
	return m ? bpfvm_obj_map_def(m) : &none;
}

static void test_legacy(void)
{
	struct bpfvm_object *o = open_obj("ld_legacy20");
	const struct bpfvm_map_def *d;
	struct bpfvm_obj_map *m;

	if (o) {
		CHECK_EQ_U64(bpfvm_object_map_cnt(o), 3);
		CHECK_EQ_U64(bpfvm_object_kversion(o), 0x050a00);
		d = def_of(o, "counters");
		CHECK(d->type == BPF_MAP_TYPE_ARRAY && d->key_size == 4 &&
		      d->value_size == 8 && d->max_entries == 16);
		d = def_of(o, "events");
		/* as declared; load gives it one slot per CPU */
		CHECK(d->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
		      d->max_entries == 0);
		d = def_of(o, "flows");
		CHECK(d->map_flags == BPF_F_NO_PREALLOC && d->key_size == 8 &&
		      d->value_size == 16 && d->max_entries == 1024);
		CHECK(bpfvm_obj_map_kind(bpfvm_object_find_map(o, "flows")) ==
		      BPFVM_OBJ_MAP_DEF);
	}
	bpfvm_object_close(o);

	o = open_obj("ld_legacy28");
	if (o) {
		d = def_of(o, "outer");
		CHECK(d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS && d->inner &&
		      d->inner->type == BPF_MAP_TYPE_ARRAY &&
		      d->inner->max_entries == 8 && !d->inner->inner);
		d = def_of(o, "numa_hash");
		CHECK(d->numa_node == 1 && d->map_flags == BPF_F_NUMA_NODE);
		CHECK(!def_of(o, "inner_tmpl")->inner);
		CHECK(bpfvm_obj_prog_type(bpfvm_object_prog(o, 0)) ==
		      BPF_PROG_TYPE_SOCKET_FILTER);	/* "socket1" */
	}
	bpfvm_object_close(o);

	o = open_obj("ld_legacy36");
	if (o) {
		d = def_of(o, "stats");
		CHECK(d->pinning == 2 && d->value_size == 8 && !d->inner);
		m = bpfvm_object_find_map(o, "outer");
		d = def_of(o, "outer");
		CHECK(d->type == BPF_MAP_TYPE_HASH_OF_MAPS && d->inner &&
		      d->inner->type == BPF_MAP_TYPE_HASH &&
		      d->inner->max_entries == 16);
		CHECK(m && m->init_cnt == 1 && m->inits[0].slot == 3 &&
		      !strcmp(m->inits[0].sym, "inner"));
		CHECK(bpfvm_object_find_map(o, "inner")->init_cnt == 0);
	}
	bpfvm_object_close(o);

	o = open_obj("ld_legacy40");
	if (o) {
		d = def_of(o, "wide");
		CHECK(d->type == BPF_MAP_TYPE_LRU_HASH && d->key_size == 8 &&
		      d->max_entries == 100);
		CHECK(bpfvm_obj_prog_type(bpfvm_object_prog(o, 0)) ==
		      BPF_PROG_TYPE_XDP);	/* "xdp_prog" */
	}
	bpfvm_object_close(o);
}

static void check_data(struct bpfvm_object *o, const char *name, int kind,
		       const void *bytes, size_t off, size_t len)
{
	struct bpfvm_obj_map *m = bpfvm_object_find_map(o, name);

	CHECK(m && (int)bpfvm_obj_map_kind(m) == kind);
	if (!m)
		return;
	CHECK(m->data_size == bpfvm_obj_map_def(m)->value_size);
	CHECK(bpfvm_obj_map_def(m)->type == BPF_MAP_TYPE_ARRAY &&
	      bpfvm_obj_map_def(m)->max_entries == 1);
	CHECK(!!(bpfvm_obj_map_def(m)->map_flags & BPF_F_RDONLY_PROG) ==
	      (kind == BPFVM_OBJ_MAP_RODATA));
	CHECK(off + len <= m->data_size &&
	      !memcmp((char *)m->data + off, bytes, len));
}

static void test_data(void)
{
	struct bpfvm_object *o = open_obj("ld_data");
	uint64_t v;
	uint32_t w;
	const struct ld_reloc *r;

	if (!o)
		return;
	v = 0x1111;
	check_data(o, "ld_data.data", BPFVM_OBJ_MAP_DATA, &v, 0, 8);
	v = 0x2222;
	check_data(o, "ld_data.data", BPFVM_OBJ_MAP_DATA, &v, 8, 8);
	w = 0x3333;	/* the static one */
	check_data(o, ".data", BPFVM_OBJ_MAP_DATA, &w, 16, 4);
	v = 0x4444;
	check_data(o, "ld_data.rodata", BPFVM_OBJ_MAP_RODATA, &v, 0, 8);
	w = 0x5555;
	check_data(o, ".data.foo", BPFVM_OBJ_MAP_DATA, &w, 0, 4);
	w = 0x6666;
	check_data(o, ".rodata.bar", BPFVM_OBJ_MAP_RODATA, &w, 0, 4);
	check_data(o, ".rodata.str1.1", BPFVM_OBJ_MAP_RODATA, "str!\0other",
		   0, 11);
	check_data(o, "ld_data.bss", BPFVM_OBJ_MAP_BSS, (char[32]){ 0 }, 0, 32);
	/* mmapable where a non-static variable lives (libbpf's rule) */
	CHECK_EQ_U64(def_of(o, "ld_data.rodata")->map_flags,
		     BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
	CHECK_EQ_U64(def_of(o, ".rodata.str1.1")->map_flags, BPF_F_RDONLY_PROG);
	CHECK_EQ_U64(def_of(o, "ld_data.data")->map_flags, BPF_F_MMAPABLE);
	CHECK_EQ_U64(def_of(o, "ld_data.bss")->map_flags, BPF_F_MMAPABLE);
	CHECK(bpfvm_object_find_map(o, ".rodata") ==
	      bpfvm_object_find_map(o, "ld_data.rodata"));
	CHECK(bpfvm_object_find_map(o, ".bss") ==
	      bpfvm_object_find_map(o, "ld_data.bss"));
	CHECK(!bpfvm_object_find_map(o, ".nothing"));
	/* order: .maps first, then global data */
	CHECK_STREQ(bpfvm_obj_map_name(bpfvm_object_map(o, 0)), "rb");
	/* the declared value type stays until load (as libbpf's open) */
	CHECK(def_of(o, "rb")->key_size == 4 && def_of(o, "rb")->value_size == 4 &&
	      def_of(o, "rb")->type == BPF_MAP_TYPE_RINGBUF &&
	      def_of(o, "rb")->max_entries == 4096);
	r = reloc_of(o, "tp/data/all", ".data", 0);	/* d_static */
	CHECK(r && r->kind == LD_RELOC_DATA && r->off == 16);
	r = reloc_of(o, "tp/data/all", ".rodata.str1.1", 1);	/* "other" */
	CHECK(r && r->kind == LD_RELOC_DATA && r->off == 5);
	r = reloc_of(o, "tp/data/all", "zero_b", 0);
	CHECK(r && r->kind == LD_RELOC_DATA &&
	      (int)r->map == map_idx(o, "ld_data.bss"));
	/* set_def: global data keeps one value of its size */
	{
		struct bpfvm_obj_map *m = bpfvm_object_find_map(o, ".data");
		struct bpfvm_map_def d = *bpfvm_obj_map_def(m);

		d.value_size += 8;
		CHECK(bpfvm_obj_map_set_def(m, &d) == -EINVAL);
		m = bpfvm_object_find_map(o, "rb");
		d = *bpfvm_obj_map_def(m);
		d.max_entries = 8192;
		CHECK(bpfvm_obj_map_set_def(m, &d) == 0 &&
		      bpfvm_obj_map_def(m)->max_entries == 8192);
	}
	bpfvm_object_close(o);
}

/* Global data maps are named as libbpf names them. */
static void test_data_names(void)
{
	struct bpfvm_object *o = NULL;
	size_t size;
	uint8_t *b = t_read_obj("ld_data", &size);

	CHECK(b && t_open(b, size, "a_long_object_name", log_buf,
			  sizeof(log_buf), &o) == 0);
	CHECK(bpfvm_object_find_map(o, "a_long_o.rodata") != NULL);
	CHECK(bpfvm_object_find_map(o, "a_long_o.data") != NULL);
	CHECK(bpfvm_object_find_map(o, "a_long_o.bss") != NULL);
	CHECK(bpfvm_object_find_map(o, ".rodata.str1.1") != NULL);
	bpfvm_object_close(o);
	CHECK(b && t_open(b, size, "x-y", log_buf, sizeof(log_buf), &o) == 0);
	CHECK(bpfvm_object_find_map(o, "x_y.data") != NULL);
	CHECK_STREQ(o ? bpfvm_object_name(o) : NULL, "x-y");
	bpfvm_object_close(o);
	free(b);
}

static bool has_init(const struct bpfvm_obj_map *m, uint32_t slot,
		     const char *sym)
{
	for (size_t i = 0; m && i < m->init_cnt; i++)
		if (m->inits[i].slot == slot && !strcmp(m->inits[i].sym, sym))
			return true;
	return false;
}

/* .maps values[] from R_BPF_64_ABS64, REL or RELA alike. */
static void test_btf_maps(void)
{
	size_t size, rsize;
	uint8_t *b = t_read_obj("ld_maps", &size);
	uint8_t *r = b ? t_to_rela(b, size, &rsize) : NULL;

	for (int pass = 0; pass < 2 && r; pass++) {
		struct bpfvm_object *o = NULL;
		const struct bpfvm_map_def *d;
		struct bpfvm_obj_map *m;

		CHECK(t_open(pass ? r : b, pass ? rsize : size, "ld_maps",
			     log_buf, sizeof(log_buf), &o) == 0);
		if (!o)
			continue;
		m = bpfvm_object_find_map(o, "outer");
		d = def_of(o, "outer");
		CHECK(d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS && d->inner &&
		      d->inner->type == BPF_MAP_TYPE_ARRAY &&
		      d->inner->max_entries == 2);
		CHECK(m && m->init_cnt == 1 && has_init(m, 1, "inner_a"));
		m = bpfvm_object_find_map(o, "jmp");
		CHECK(m && m->init_cnt == 3 && has_init(m, 0, "tail_a") &&
		      has_init(m, 2, "tail_b") && has_init(m, 3, "tail_c"));
		d = def_of(o, "perf");
		CHECK(d->max_entries == 0 && d->key_size == 4 &&
		      d->value_size == 4);
		CHECK_EQ_U64(bpfvm_object_map_cnt(o), 4);
		bpfvm_object_close(o);
	}
	free(b);
	free(r);
}

/* A `.maps` of zeroes may come as SHT_NOBITS: still read from BTF. */
static void test_maps_nobits(void)
{
	struct bpfvm_object *o = NULL;
	size_t size;
	uint8_t *b = t_read_obj("ld_data", &size);

	if (b)
		t_sec(b, ".maps")->sh_type = SHT_NOBITS;
	CHECK(b && t_open(b, size, "nobits", log_buf, sizeof(log_buf), &o) == 0);
	CHECK(o && def_of(o, "rb")->type == BPF_MAP_TYPE_RINGBUF);
	bpfvm_object_close(o);
	free(b);
}

static void test_nosec(void)
{
	struct bpfvm_object *o = open_obj("ld_nosec");

	CHECK_EQ_U64(bpfvm_object_prog_cnt(o), 2);
	CHECK(bpfvm_object_find_prog(o, "first") &&
	      bpfvm_object_find_prog(o, "second") &&
	      !bpfvm_object_find_prog(o, "twice"));
	CHECK(o && bpfvm_obj_prog_type(bpfvm_object_prog(o, 0)) ==
			   BPF_PROG_TYPE_UNSPEC);
	CHECK_STREQ(bpfvm_object_license(o), "");
	bpfvm_object_close(o);
}

static void test_open_file(void)
{
	struct bpfvm_object *o = NULL;
	struct bpfvm_object_open_opts op = { .sz = sizeof(op),
					     .log_buf = log_buf,
					     .log_size = sizeof(log_buf) };

	CHECK(bpfvm_object_open_file(BPFVM_OBJ_DIR "/ld_progs.o", &op, &o) == 0);
	CHECK_STREQ(o ? bpfvm_object_name(o) : NULL, "ld_progs");
	bpfvm_object_close(o);
	CHECK(bpfvm_object_open_file(BPFVM_OBJ_DIR "/no_such.o", &op, &o) ==
	      -ENOENT);
	CHECK(o == NULL && strstr(log_buf, "no_such.o"));
	/* an options struct too small for log_buf: no log, still works */
	op.sz = offsetof(struct bpfvm_object_open_opts, log_buf);
	CHECK(bpfvm_object_open_file(BPFVM_OBJ_DIR "/ld_nosec.o", &op, &o) == 0);
	bpfvm_object_close(o);
	bpfvm_object_close(NULL);
}

int main(void)
{
	struct bpfvm_object *o = open_obj("ld_progs");

	if (o) {
		test_progs(o);
		test_relocs(o);
		test_kconfig_map(o);
	}
	bpfvm_object_close(o);
	test_rela("ld_progs");
	test_rela("ld_data");
	test_rela("ld_legacy36");
	test_rela("ld_maps");
	test_no_func_symbols();
	test_no_symtab();
	test_reloc_none();
	test_legacy();
	test_data();
	test_data_names();
	test_btf_maps();
	test_maps_nobits();
	test_nosec();
	test_open_file();
	return check_report();
}
