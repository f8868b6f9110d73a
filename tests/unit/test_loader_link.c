/* Load's linker and map handling on an object built by hand (the layout
 * open fills, obj_priv.h): calls across sections and inside one (with
 * and without relocations), a subprogram shared by two programs, a
 * bpf_loop callback by function address, maps and global data by index,
 * .rodata frozen, PROG_ARRAY slots from `.maps`, errors that leave the
 * object loadable, ld_unload. Programs run on both engines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/bpfvm.h>
#include "check.h"
#include "insn_build.h"
#include "loader/obj_priv.h"

/* Section "xdp" (code 0): five programs and a local function. */
static struct bpf_insn xdp_insns[] = {
	/* prog_a @0: return sub1(4) */
	MOV64_IMM(BPF_REG_1, 4),
	CALL_LOCAL(-1),				/* reloc: .text sub1 */
	EXIT(),
	/* prog_b @3: return sub2(bpf_loop(5, cb, 0, 0)) */
	MOV64_IMM(BPF_REG_1, 5),
	LD_IMM64_RAW(BPF_REG_2, 0, 48, 0),	/* reloc: .text cb */
	MOV64_IMM(BPF_REG_3, 0),
	MOV64_IMM(BPF_REG_4, 0),
	CALL_HELPER(BPF_FUNC_loop),
	MOV64_REG(BPF_REG_1, BPF_REG_0),
	CALL_LOCAL(-1),				/* reloc: .text sub2 */
	EXIT(),
	/* prog_c @12: return local(4) + 2, a call clang resolved itself */
	MOV64_IMM(BPF_REG_1, 4),
	CALL_LOCAL(2),
	ALU64_IMM(BPF_ADD, BPF_REG_0, 2),
	EXIT(),
	/* local @16 */
	MOV64_REG(BPF_REG_0, BPF_REG_1),
	ALU64_IMM(BPF_MUL, BPF_REG_0, 10),
	EXIT(),
	/* prog_d @19: return vals[1] + data[4..8] + rodata[0..4] */
	ST_IMM(BPF_W, BPF_REG_10, -4, 1),
	MOV64_REG(BPF_REG_2, BPF_REG_10),
	ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
	LD_IMM64(BPF_REG_1, 0),			/* reloc: map vals */
	CALL_HELPER(BPF_FUNC_map_lookup_elem),
	JMP_IMM(BPF_JNE, BPF_REG_0, 0, 1),
	EXIT(),
	LDX(BPF_DW, BPF_REG_6, BPF_REG_0, 0),
	LD_IMM64(BPF_REG_1, 0),			/* reloc: .data + 4 */
	LDX(BPF_W, BPF_REG_1, BPF_REG_1, 0),
	ALU64_REG(BPF_ADD, BPF_REG_6, BPF_REG_1),
	LD_IMM64(BPF_REG_1, 0),			/* reloc: .rodata + 0 */
	LDX(BPF_W, BPF_REG_1, BPF_REG_1, 0),
	ALU64_REG(BPF_ADD, BPF_REG_6, BPF_REG_1),
	/* data[4] += 1: programs write global data */
	LD_IMM64(BPF_REG_1, 0),			/* reloc: .data + 4 */
	LDX(BPF_W, BPF_REG_2, BPF_REG_1, 0),
	ALU64_IMM(BPF_ADD, BPF_REG_2, 1),
	STX(BPF_W, BPF_REG_1, BPF_REG_2, 0),
	MOV64_REG(BPF_REG_0, BPF_REG_6),
	EXIT(),
	/* prog_t @43: tail call jmp[0], else 1 */
	LD_IMM64(BPF_REG_2, 0),			/* reloc: map jmp */
	MOV64_IMM(BPF_REG_3, 0),
	CALL_HELPER(BPF_FUNC_tail_call),
	MOV64_IMM(BPF_REG_0, 1),
	EXIT(),
	/* prog_bad @49: calls insn 1 of .text's padding (in no function) */
	CALL_LOCAL(-1),				/* reloc: .text insn 8 */
	EXIT(),
};

/* Section ".text" (code 1): sub1 calls sub2 without a relocation. */
static struct bpf_insn text_insns[] = {
	/* sub1 @0 */
	ALU64_IMM(BPF_MUL, BPF_REG_1, 2),
	CALL_LOCAL(1),
	EXIT(),
	/* sub2 @3 */
	MOV64_REG(BPF_REG_0, BPF_REG_1),
	ALU64_IMM(BPF_ADD, BPF_REG_0, 3),
	EXIT(),
	/* cb @6: bpf_loop's callback, continue */
	MOV64_IMM(BPF_REG_0, 0),
	EXIT(),
	/* @8: in no function */
	EXIT(),
};

enum { M_VALS, M_DATA, M_RODATA, M_JMP, M_CNT };

static struct ld_reloc xdp_relocs[] = {
	{ .insn = 1, .kind = LD_RELOC_CALL, .target_code = 1, .target_insn = 0,
	  .sym = "sub1" },
	{ .insn = 4, .kind = LD_RELOC_CALL, .target_code = 1, .target_insn = 6,
	  .sym = ".text" },
	{ .insn = 10, .kind = LD_RELOC_CALL, .target_code = 1,
	  .target_insn = 3, .sym = "sub2" },
	{ .insn = 22, .kind = LD_RELOC_MAP, .map = M_VALS, .sym = "vals" },
	{ .insn = 28, .kind = LD_RELOC_DATA, .map = M_DATA, .off = 4,
	  .sym = ".data" },
	{ .insn = 32, .kind = LD_RELOC_DATA, .map = M_RODATA, .off = 0,
	  .sym = ".rodata" },
	{ .insn = 36, .kind = LD_RELOC_DATA, .map = M_DATA, .off = 4,
	  .sym = ".data" },
	{ .insn = 43, .kind = LD_RELOC_MAP, .map = M_JMP, .sym = "jmp" },
	{ .insn = 49, .kind = LD_RELOC_CALL, .target_code = 1,
	  .target_insn = 8, .sym = ".text" },
};

static struct ld_sec secs[] = {
	{ .name = "xdp", .idx = 3 },
	{ .name = ".text", .idx = 2 },
};

/* by (code, start), as open lists them */
static struct ld_func funcs[] = {
	{ "prog_a", 0, 0, 3, true },
	{ "prog_b", 0, 3, 9, true },
	{ "prog_c", 0, 12, 4, true },
	{ "local", 0, 16, 3, false },
	{ "prog_d", 0, 19, 24, true },
	{ "prog_t", 0, 43, 6, true },
	{ "prog_bad", 0, 49, 2, true },
	{ "sub1", 1, 0, 3, false },
	{ "sub2", 1, 3, 3, false },
	{ "cb", 1, 6, 2, false },
};

static const char *prog_names[] = { "prog_a", "prog_b", "prog_c", "prog_d",
				    "prog_t", "prog_bad" };
static const uint32_t prog_funcs[] = { 0, 1, 2, 4, 5, 6 };

struct fixture {
	struct bpfvm_object obj;
	struct ld_code code[2];
	struct bpfvm_obj_prog progs[6], *pp[6];
	struct bpfvm_obj_map maps[M_CNT], *mp[M_CNT];
	struct ld_slot_init jmp_init;
};

static void map_def(struct bpfvm_obj_map *m, const char *name,
		    enum bpfvm_obj_map_kind kind, enum bpf_map_type type,
		    uint32_t value_size, uint32_t max)
{
	m->name = (char *)name;
	m->kind = kind;
	m->def = (struct bpfvm_map_def){ .type = type, .key_size = 4,
					 .value_size = value_size,
					 .max_entries = max };
	if (kind != BPFVM_OBJ_MAP_DEF) {
		m->data = calloc(1, value_size);
		m->data_size = value_size;
	}
}

static void fixture_init(struct fixture *f)
{
	struct bpfvm_object *obj = &f->obj;

	memset(f, 0, sizeof(*f));
	f->code[0] = (struct ld_code){ &secs[0], xdp_insns,
				       ARRAY_LEN(xdp_insns), xdp_relocs,
				       ARRAY_LEN(xdp_relocs) };
	f->code[1] = (struct ld_code){ &secs[1], text_insns,
				       ARRAY_LEN(text_insns), NULL, 0 };
	obj->name = "hand";
	obj->secs = secs;
	obj->sec_cnt = 2;
	obj->code = f->code;
	obj->code_cnt = 2;
	obj->funcs = funcs;
	obj->func_cnt = ARRAY_LEN(funcs);
	for (size_t i = 0; i < ARRAY_LEN(f->progs); i++) {
		f->progs[i] = (struct bpfvm_obj_prog){
			.obj = obj, .name = prog_names[i], .sec_name = "xdp",
			.func = prog_funcs[i], .type = BPF_PROG_TYPE_XDP,
			.autoload = true };
		f->pp[i] = &f->progs[i];
	}
	obj->progs = f->pp;
	obj->prog_cnt = ARRAY_LEN(f->pp);
	map_def(&f->maps[M_VALS], "vals", BPFVM_OBJ_MAP_DEF,
		BPF_MAP_TYPE_ARRAY, 8, 4);
	map_def(&f->maps[M_DATA], "hand.data", BPFVM_OBJ_MAP_DATA,
		BPF_MAP_TYPE_ARRAY, 8, 1);
	map_def(&f->maps[M_RODATA], "hand.rodata", BPFVM_OBJ_MAP_RODATA,
		BPF_MAP_TYPE_ARRAY, 4, 1);
	map_def(&f->maps[M_JMP], "jmp", BPFVM_OBJ_MAP_DEF,
		BPF_MAP_TYPE_PROG_ARRAY, 4, 2);
	((uint32_t *)f->maps[M_DATA].data)[1] = 7;
	((uint32_t *)f->maps[M_RODATA].data)[0] = 1000;
	f->jmp_init = (struct ld_slot_init){ 0, "prog_c" };
	f->maps[M_JMP].inits = &f->jmp_init;
	f->maps[M_JMP].init_cnt = 1;
	for (size_t i = 0; i < M_CNT; i++) {
		f->maps[i].obj = obj;
		f->mp[i] = &f->maps[i];
	}
	obj->maps = f->mp;
	obj->map_cnt = M_CNT;
}

static void fixture_fini(struct fixture *f)
{
	ld_unload(&f->obj);
	for (size_t i = 0; i < M_CNT; i++) {
		free(f->maps[i].data);
		bpfvm_map_free(f->maps[i].reuse);
	}
}

static uint64_t run(struct bpfvm_obj_prog *p, enum bpfvm_engine engine)
{
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = engine };
	uint64_t r0 = 0xdead;
	int err = bpfvm_prog_run(bpfvm_obj_prog_prog(p), NULL, 0, &r0, &ro);

	CHECK(err == 0);
	return r0;
}

static int load(struct fixture *f, char *log, size_t size)
{
	struct bpfvm_object_load_opts o = { .sz = sizeof(o), .log_buf = log,
					    .log_size = size };

	return bpfvm_object_load(&f->obj, &o);
}

/* The failing program makes the load fail and undo itself; without it
 * the same object loads. */
static void test_error_then_load(struct fixture *f)
{
	char log[256];
	int err = load(f, log, sizeof(log));

	CHECK(err == -EINVAL);
	CHECK(strstr(log, "prog 'prog_bad': insn 0:") != NULL);
	CHECK(strstr(log, "in no function") != NULL);
	CHECK(!f->obj.loaded);
	for (size_t i = 0; i < M_CNT; i++)
		CHECK(bpfvm_obj_map_map(f->mp[i]) == NULL);
	for (size_t i = 0; i < ARRAY_LEN(f->pp); i++)
		CHECK(bpfvm_obj_prog_prog(f->pp[i]) == NULL);
	CHECK(bpfvm_obj_prog_set_autoload(f->pp[5], false) == 0);
	err = load(f, log, sizeof(log));
	CHECK(err == 0);
	if (err)
		fprintf(stderr, "load: %s\n", log);
	CHECK(load(f, log, sizeof(log)) == -EBUSY);
	CHECK(bpfvm_obj_prog_prog(f->pp[5]) == NULL);
}

static void test_layout(struct fixture *f)
{
	size_t n;
	const struct bpf_insn *a = bpfvm_obj_prog_insns(f->pp[0], &n);
	const struct bpf_insn *b;

	/* a: prog_a, sub1, sub2 */
	CHECK_EQ_U64(n, 9);
	CHECK_EQ_U64(a[1].src_reg, BPF_PSEUDO_CALL);
	CHECK_EQ_U64(a[1].imm, 1);	/* to 3 */
	CHECK_EQ_U64(a[4].imm, 1);	/* sub1 -> sub2 at 6 */
	CHECK_EQ_U64(a[6].code, BPF_ALU64 | BPF_MOV | BPF_X);
	/* b: prog_b, cb (by address, placed first), sub2 */
	b = bpfvm_obj_prog_insns(f->pp[1], &n);
	CHECK_EQ_U64(n, 14);
	CHECK_EQ_U64(b[1].src_reg, BPF_PSEUDO_FUNC);
	CHECK_EQ_U64(b[1].imm, 7);	/* 2 + 7 = cb at 9 */
	CHECK_EQ_U64(b[2].imm, 0);
	CHECK_EQ_U64(b[7].imm, 3);	/* 8 + 3 = sub2 at 11 */
	CHECK_EQ_U64(b[9].code, BPF_ALU64 | BPF_MOV | BPF_K);
	/* c: the call clang resolved keeps its target, now appended */
	b = bpfvm_obj_prog_insns(f->pp[2], &n);
	CHECK_EQ_U64(n, 7);
	CHECK_EQ_U64(b[1].imm, 2);
	/* d: maps by index into the object's maps */
	b = bpfvm_obj_prog_insns(f->pp[3], &n);
	CHECK_EQ_U64(n, 24);
	CHECK_EQ_U64(b[3].src_reg, BPF_PSEUDO_MAP_IDX);
	CHECK_EQ_U64(b[3].imm, M_VALS);
	CHECK_EQ_U64(b[9].src_reg, BPF_PSEUDO_MAP_IDX_VALUE);
	CHECK_EQ_U64(b[9].imm, M_DATA);
	CHECK_EQ_U64(b[10].imm, 4);
	/* the object's own instructions are untouched */
	CHECK_EQ_U64(xdp_insns[1].imm, -1);
	CHECK_EQ_U64(xdp_insns[4].src_reg, 0);
	/* without .BTF.ext no records */
	CHECK(bpfvm_obj_prog_func_info(f->pp[0], &n) == NULL && n == 0);
	CHECK(bpfvm_obj_prog_line_info(f->pp[0], &n) == NULL && n == 0);
}

static void test_runs(struct fixture *f, enum bpfvm_engine e)
{
	uint64_t v = 100;
	uint32_t k = 1;

	CHECK_EQ_U64(run(f->pp[0], e), 11);
	CHECK_EQ_U64(run(f->pp[1], e), 8);
	CHECK_EQ_U64(run(f->pp[2], e), 42);
	CHECK(bpfvm_map_update(bpfvm_obj_map_map(f->mp[M_VALS]), &k, &v, 0) ==
	      0);
	CHECK_EQ_U64(run(f->pp[4], e), 42);	/* tail call into prog_c */
	(void)v;
}

/* Global data: the program reads and writes the live value the host
 * sees; .rodata is frozen. */
static void test_data(struct fixture *f)
{
	size_t size;
	uint32_t *data = bpfvm_obj_map_initial_value(f->mp[M_DATA], &size);
	uint32_t k = 0, ro[1] = { 5 };

	CHECK(data != NULL && data != f->maps[M_DATA].data);
	CHECK_EQ_U64(size, 8);
	CHECK_EQ_U64(data[1], 7);
	CHECK_EQ_U64(run(f->pp[3], BPFVM_ENGINE_INTERP), 100 + 7 + 1000);
	CHECK_EQ_U64(data[1], 8);
	data[1] = 20;
	CHECK_EQ_U64(run(f->pp[3], BPFVM_ENGINE_JIT), 100 + 20 + 1000);
	CHECK_EQ_U64(data[1], 21);
	CHECK(bpfvm_map_update(bpfvm_obj_map_map(f->mp[M_RODATA]), &k, ro, 0) ==
	      -EPERM);
	CHECK(bpfvm_map_flags(bpfvm_obj_map_map(f->mp[M_RODATA])) &
	      BPF_F_RDONLY_PROG);
	CHECK(bpfvm_obj_map_initial_value(f->mp[M_VALS], &size) == NULL);
}

static void test_reuse(void)
{
	struct fixture f;
	struct bpfvm_map *mine, *other;
	char log[256];

	fixture_init(&f);
	f.progs[5].autoload = false;
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, NULL, &mine) == 0);
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 5, NULL, &other) == 0);
	CHECK(bpfvm_obj_map_reuse(f.mp[M_VALS], other) == -EINVAL);
	CHECK(bpfvm_obj_map_reuse(f.mp[M_VALS], mine) == 0);
	CHECK(load(&f, log, sizeof(log)) == 0);
	CHECK(bpfvm_obj_map_map(f.mp[M_VALS]) == mine);
	CHECK(bpfvm_obj_map_reuse(f.mp[M_VALS], mine) == -EBUSY);
	/* the program sees the reused map's contents */
	{
		uint32_t k = 1;
		uint64_t v = 5;

		CHECK(bpfvm_map_update(mine, &k, &v, 0) == 0);
		CHECK_EQ_U64(run(f.pp[3], BPFVM_ENGINE_INTERP), 5 + 7 + 1000);
	}
	fixture_fini(&f);
	bpfvm_map_free(mine);
	bpfvm_map_free(other);
}

/* A map that cannot be created fails the load with its name. */
static void test_map_error(void)
{
	struct fixture f;
	char log[256];

	fixture_init(&f);
	f.maps[M_VALS].def.key_size = 3;
	CHECK(load(&f, log, sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "map 'vals':") != NULL);
	CHECK(bpfvm_obj_map_map(f.mp[M_DATA]) == NULL);
	fixture_fini(&f);
}

int main(void)
{
	struct fixture f;

	fixture_init(&f);
	test_error_then_load(&f);
	if (f.obj.loaded) {
		test_layout(&f);
		test_runs(&f, BPFVM_ENGINE_INTERP);
		test_runs(&f, BPFVM_ENGINE_JIT);
		test_data(&f);
	}
	fixture_fini(&f);
	test_reuse();
	test_map_error();
	return check_report();
}
