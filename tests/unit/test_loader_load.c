/* bpfvm_object_load on objects clang compiled (tests/objs/ll_*.bpf.c):
 * subprograms across sections and shared, bpf_loop callbacks, func_info
 * and line_info moved with the code, global data seen by programs and
 * the host before and after load, .rodata frozen, `.maps` initial slots
 * (tail calls, map-in-map), errors that leave the object loadable. Each
 * program runs on the interpreter and the JIT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/bpfvm.h>
#include "check.h"

static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP,
					     BPFVM_ENGINE_JIT };

static struct bpfvm_object *open_kc(const char *name, const char *kconfig,
				    uint32_t kversion)
{
	char path[512], log[512] = "";
	struct bpfvm_object_open_opts o = { .sz = sizeof(o), .log_buf = log,
					    .log_size = sizeof(log),
					    .kconfig = kconfig,
					    .kernel_version = kversion };
	struct bpfvm_object *obj = NULL;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	if (bpfvm_object_open_file(path, &o, &obj))
		fprintf(stderr, "open %s: %s\n", name, log);
	CHECK(obj != NULL);
	return obj;
}

static struct bpfvm_object *open_obj(const char *name)
{
	return open_kc(name, NULL, 0);
}

static int load(struct bpfvm_object *obj, char *log, size_t size)
{
	struct bpfvm_object_load_opts o = { .sz = sizeof(o), .log_buf = log,
					    .log_size = size };
	int err = bpfvm_object_load(obj, &o);

	if (err && size)
		fprintf(stderr, "load: %d %s\n", err, log);
	return err;
}

/* r0 of a run of the object's program `name`. */
static uint64_t run(struct bpfvm_object *obj, const char *name,
		    enum bpfvm_engine e)
{
	struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, name);
	struct bpfvm_prog *prog = p ? bpfvm_obj_prog_prog(p) : NULL;
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = e };
	uint64_t r0 = 0xdead;

	CHECK(prog != NULL);
	if (prog)
		CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, &ro) == 0);
	return r0;
}

/* The names of a loaded program's functions, in func_info order,
 * joined by spaces; *second: where the second one starts. */
static void func_names(const struct bpfvm_object *obj, const char *name,
		       char *out, size_t size, uint32_t *second)
{
	const struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, name);
	const struct bpfvm_btf *btf = bpfvm_object_btf(obj);
	const struct bpf_func_info *fi;
	size_t n, len = 0;

	out[0] = '\0';
	*second = 0;
	fi = p ? bpfvm_obj_prog_func_info(p, &n) : NULL;
	for (size_t i = 0; fi && i < n && len < size; i++)
		len += snprintf(out + len, size - len, "%s%s", i ? " " : "",
				bpfvm_btf_type_name(btf, fi[i].type_id));
	if (fi && n > 1)
		*second = fi[1].insn_off;
}

/* Line `line` of file `path` contains `text`. */
static bool source_line_has(const char *path, uint32_t line, const char *text)
{
	char buf[512];
	FILE *f = fopen(path, "r");
	bool found = false;

	if (!f)
		return false;
	for (uint32_t i = 1; fgets(buf, sizeof(buf), f); i++) {
		if (i == line) {
			found = strstr(buf, text) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The instruction of prog_c that loads 4242 is pick's `marker = 4242`
 * (a store clang cannot move off its line): its line_info record (the
 * last at or before it) names that line, in the source file too. */
static void check_line_42(const struct bpfvm_object *obj)
{
	const struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, "prog_c");
	const struct bpfvm_btf *btf = bpfvm_object_btf(obj);
	const struct bpf_insn *in;
	const struct bpf_line_info *li, *rec = NULL;
	size_t n, nl, at = SIZE_MAX;

	in = bpfvm_obj_prog_insns(p, &n);
	li = bpfvm_obj_prog_line_info(p, &nl);
	CHECK(li != NULL && nl > 0);
	for (size_t i = 0; i < n; i++)
		if (in[i].code == (BPF_ALU | BPF_MOV | BPF_K) &&
		    in[i].imm == 4242)
			at = i;
	CHECK(at != SIZE_MAX);
	for (size_t i = 0; li && i < nl && li[i].insn_off <= at; i++)
		rec = &li[i];
	CHECK(rec != NULL);
	if (!rec || at == SIZE_MAX)
		return;
	CHECK(strstr(bpfvm_btf_str(btf, rec->line_off), "marker = 4242;") !=
	      NULL);
	CHECK(source_line_has(bpfvm_btf_str(btf, rec->file_name_off),
			      BPF_LINE_INFO_LINE_NUM(rec->line_col),
			      "marker = 4242;"));
	/* the program hands the same records to bpfvm_prog_create */
	{
		size_t pn;
		const struct bpf_line_info *pl =
			bpfvm_prog_line_info(bpfvm_obj_prog_prog(p), &pn);

		CHECK(pn == nl && pl && !memcmp(pl, li, nl * sizeof(*li)));
		CHECK(bpfvm_prog_btf(bpfvm_obj_prog_prog(p)) == btf);
	}
}

static void test_calls(void)
{
	static const char *const progs[] = { "prog_a", "prog_b", "prog_c" };
	static const char *const funcs[] = { "prog_a twice add3",
					     "prog_b loop_cb add3",
					     "prog_c far_sub pick" };
	size_t entry_cnt[3] = { 0 };
	struct bpfvm_object *obj = open_obj("ll_calls");
	char log[512], names[256];
	int *seed;
	size_t size, n;
	const struct bpf_insn *in;

	if (!obj)
		return;
	CHECK(bpfvm_obj_prog_func_info(bpfvm_object_find_prog(obj, "prog_a"),
				       &n) == NULL);
	for (size_t i = 0; i < 3; i++)
		bpfvm_obj_prog_insns(bpfvm_object_find_prog(obj, progs[i]),
				     &entry_cnt[i]);
	CHECK(load(obj, log, sizeof(log)) == 0);
	CHECK(load(obj, log, 0) == -EBUSY);
	for (size_t e = 0; e < 2; e++) {
		CHECK_EQ_U64(run(obj, "prog_a", engines[e]), 14);
		CHECK_EQ_U64(run(obj, "prog_b", engines[e]), 13);
		CHECK_EQ_U64(run(obj, "prog_c", engines[e]), 41 * 2 + 6);
	}
	/* each program got the functions it calls, once, after itself */
	for (size_t i = 0; i < 3; i++) {
		uint32_t second;

		func_names(obj, progs[i], names, sizeof(names), &second);
		CHECK_STREQ(names, funcs[i]);
		CHECK_EQ_U64(second, entry_cnt[i]);
	}
	/* prog_b passes loop_cb by address: lddw src 4 to insn 12 */
	in = bpfvm_obj_prog_insns(bpfvm_object_find_prog(obj, "prog_b"), &n);
	for (size_t i = 0; i < n; i++) {
		if (in[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		CHECK_EQ_U64(in[i].src_reg, BPF_PSEUDO_FUNC);
		CHECK_EQ_U64(i + 1 + in[i].imm, entry_cnt[1]);
		n = 0;	/* found */
	}
	CHECK_EQ_U64(n, 0);
	check_line_42(obj);
	/* the host changes a global the programs read, live */
	seed = bpfvm_object_global(obj, "seed", &size);
	CHECK(seed != NULL && size == 4);
	if (seed) {
		CHECK_EQ_U64(*seed, 5);
		*seed = 6;	/* far_sub(5) = 5 - 1; pick(6) = 42 */
		CHECK_EQ_U64(run(obj, "prog_c", BPFVM_ENGINE_JIT), 4 * 2 + 42);
	}
	bpfvm_object_close(obj);

	/* and before load: the value that is loaded */
	obj = open_obj("ll_calls");
	seed = obj ? bpfvm_object_global(obj, "seed", &size) : NULL;
	CHECK(seed != NULL);
	if (seed) {
		*seed = 6;
		CHECK(load(obj, log, sizeof(log)) == 0);
		CHECK_EQ_U64(run(obj, "prog_c", BPFVM_ENGINE_INTERP),
			     4 * 2 + 42);
		CHECK(bpfvm_object_global(obj, "seed", NULL) != seed);
	}
	CHECK(bpfvm_object_global(obj, "no_such_var", &size) == NULL);
	bpfvm_object_close(obj);
}

static void test_data(void)
{
	struct bpfvm_object *obj = open_obj("ll_data");
	char log[512];
	int *counter, *factor, ro = 9;
	uint64_t *hits;
	char *tag;
	size_t size;
	uint32_t k0 = 0;
	struct bpfvm_obj_map *rodata;

	if (!obj)
		return;
	counter = bpfvm_object_global(obj, "counter", &size);
	factor = bpfvm_object_global(obj, "factor", NULL);
	CHECK(counter && factor && size == 4);
	if (!counter || !factor)
		goto out;
	CHECK_EQ_U64(*counter, 5);
	CHECK_EQ_U64(*factor, 3);
	*counter = 10;
	*factor = 4;	/* .rodata is adjusted before load */
	CHECK(load(obj, log, sizeof(log)) == 0);
	counter = bpfvm_object_global(obj, "counter", NULL);
	hits = bpfvm_object_global(obj, "hits", &size);
	tag = bpfvm_object_global(obj, "tag", NULL);
	CHECK(counter && hits && tag && size == 8);
	if (!counter || !hits || !tag)
		goto out;
	CHECK_EQ_U64(*hits, 0);
	CHECK_EQ_U64(run(obj, "bump", BPFVM_ENGINE_INTERP), 14);
	CHECK_EQ_U64(*counter, 14);
	CHECK_EQ_U64(*hits, 1);
	CHECK_STREQ(tag, "xbc");
	*counter = 100;
	CHECK_EQ_U64(run(obj, "bump", BPFVM_ENGINE_JIT), 14 + 104);
	CHECK_EQ_U64(*hits, 2);
	/* the map a program updated, seen from the host */
	{
		uint32_t k = 1;
		uint64_t v = 0;

		CHECK(bpfvm_map_lookup(bpfvm_obj_map_map(
					       bpfvm_object_find_map(obj, "vals")),
				       &k, &v, 0) == 0);
		CHECK_EQ_U64(v, 118);
	}
	/* .rodata: read-only to programs and frozen for the host */
	rodata = bpfvm_object_find_map(obj, ".rodata");
	CHECK(rodata != NULL);
	if (rodata) {
		CHECK(bpfvm_map_update(bpfvm_obj_map_map(rodata), &k0, &ro, 0) ==
		      -EPERM);
		CHECK(bpfvm_map_flags(bpfvm_obj_map_map(rodata)) &
		      BPF_F_RDONLY_PROG);
		CHECK_EQ_U64(*(int *)bpfvm_obj_map_initial_value(rodata, &size),
			     4);
	}
	CHECK_EQ_U64(*(int *)bpfvm_object_global(obj, "factor", NULL), 4);
	size = 9;
	CHECK(bpfvm_obj_map_initial_value(bpfvm_object_find_map(obj, "vals"),
					  &size) == NULL && size == 0);
	/* the lock BTF declares: BPF_F_LOCK updates are accepted */
	{
		struct bpfvm_map *lk =
			bpfvm_obj_map_map(bpfvm_object_find_map(obj, "locked"));
		int val[3] = { 0, 0, 40 };

		CHECK(bpfvm_map_update(lk, &k0, val, BPF_F_LOCK) == 0);
		CHECK_EQ_U64(run(obj, "lock_inc", BPFVM_ENGINE_INTERP), 41);
		CHECK_EQ_U64(run(obj, "lock_inc", BPFVM_ENGINE_JIT), 42);
	}
out:
	bpfvm_object_close(obj);
}

static void test_slots(void)
{
	struct bpfvm_object *obj = open_obj("ll_slots");
	char log[512];
	int *which;
	uint32_t k = 1, id = 0, z = 0, v = 77;

	if (!obj)
		return;
	CHECK(load(obj, log, sizeof(log)) == 0);
	which = bpfvm_object_global(obj, "which", NULL);
	CHECK(which != NULL);
	if (!which)
		goto out;
	/* slot 1 holds tail_one's program id */
	CHECK(bpfvm_map_lookup(bpfvm_obj_map_map(bpfvm_object_find_map(obj,
								       "jmp")),
			       &k, &id, 0) == 0);
	CHECK_EQ_U64(id, bpfvm_prog_id(bpfvm_obj_prog_prog(
				 bpfvm_object_find_prog(obj, "tail_one"))));
	for (size_t e = 0; e < 2; e++) {
		*which = 1;
		CHECK_EQ_U64(run(obj, "entry", engines[e]), 11);
		*which = 3;
		CHECK_EQ_U64(run(obj, "entry", engines[e]), 22);
		*which = 2;
		CHECK_EQ_U64(run(obj, "entry", engines[e]), 99);
	}
	/* outer[1] is in1 */
	CHECK(bpfvm_map_update(bpfvm_obj_map_map(bpfvm_object_find_map(obj,
								       "in1")),
			       &z, &v, 0) == 0);
	for (size_t e = 0; e < 2; e++)
		CHECK_EQ_U64(run(obj, "via_outer", engines[e]), 77);
out:
	bpfvm_object_close(obj);
}

/* A failed load undoes itself; the object loads once adjusted. */
static void test_errors(void)
{
	struct bpfvm_object *obj = open_obj("ll_err");
	struct bpfvm_obj_map *table;
	struct bpfvm_map_def def;
	char log[512];

	if (!obj)
		return;
	CHECK(load(obj, log, 0) == -EINVAL);
	CHECK(load(obj, log, sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "prog 'bad': insn 0: unknown helper 99999") != NULL);
	CHECK(bpfvm_obj_prog_prog(bpfvm_object_find_prog(obj, "good")) == NULL);
	table = bpfvm_object_find_map(obj, "table");
	CHECK(table && bpfvm_obj_map_map(table) == NULL);
	CHECK(bpfvm_obj_prog_set_autoload(bpfvm_object_find_prog(obj, "bad"),
					  false) == 0);
	/* a map that cannot be made names itself */
	def = *bpfvm_obj_map_def(table);
	def.key_size = 0;
	CHECK(bpfvm_obj_map_set_def(table, &def) == 0);
	CHECK(load(obj, log, 0) == -EINVAL);
	CHECK(load(obj, log, sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "map 'table': ") != NULL);
	def.key_size = 4;
	CHECK(bpfvm_obj_map_set_def(table, &def) == 0);
	CHECK(load(obj, log, sizeof(log)) == 0);
	CHECK_EQ_U64(run(obj, "good", BPFVM_ENGINE_JIT), 7);
	CHECK(bpfvm_obj_prog_prog(bpfvm_object_find_prog(obj, "bad")) == NULL);
	bpfvm_object_close(obj);
}

/* Externs: kconfig values from the text given at open, weak ones 0, a
 * weak ksym 0, a weak kfunc's call left to fail only if reached. */
static void test_externs(void)
{
	struct bpfvm_object *obj;
	char log[512];
	const struct bpf_insn *in;
	size_t n, size, callx = 0;
	int *v;
	uint32_t k0 = 0;
	uint8_t zeros[16] = { 0 };

	obj = open_kc("ll_ext", NULL, 0);
	CHECK(obj && load(obj, log, 0) == -EINVAL);
	CHECK(obj && load(obj, log, sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "extern 'CONFIG_LL_VALUE'") != NULL);
	bpfvm_object_close(obj);

	obj = open_kc("ll_ext", "CONFIG_LL_VALUE=77\n", (5 << 16) | (10 << 8));
	if (!obj)
		return;
	CHECK(bpfvm_object_global(obj, "CONFIG_LL_VALUE", NULL) == NULL);
	CHECK(load(obj, log, sizeof(log)) == 0);
	for (size_t e = 0; e < 2; e++) {
		CHECK_EQ_U64(run(obj, "ext_read", engines[e]), 77);
		CHECK_EQ_U64(run(obj, "ext_version", engines[e]), 5);
	}
	v = bpfvm_object_global(obj, "CONFIG_LL_VALUE", &size);
	CHECK(v && size == 4 && *v == 77);
	v = bpfvm_object_global(obj, "CONFIG_LL_MISSING", &size);
	CHECK(v && size == 4 && *v == 0);
	CHECK(bpfvm_map_update(bpfvm_obj_map_map(bpfvm_object_find_map(
				       obj, "ll_ext.kconfig")),
			       &k0, zeros, 0) == -EPERM);
	in = bpfvm_obj_prog_insns(bpfvm_object_find_prog(obj, "ext_read"), &n);
	for (size_t i = 0; i < n; i++) {
		/* the missing weak kfunc: libbpf's poisoned call */
		callx += in[i].code == (BPF_JMP | BPF_CALL) &&
			 in[i].src_reg == 0 && in[i].imm == 0xbad2310;
		/* no lddw is left naming an extern by symbol */
		CHECK(!(in[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			in[i].src_reg == 0 && in[i].imm));
	}
	CHECK_EQ_U64(callx, 1);
	bpfvm_object_close(obj);
}

/* CO-RE against the target load chooses: opts.target_btf, else the
 * file in btf_custom_path, else the kernel's / bpfvm's own BTF (which
 * have no struct ll_task: the field is missing, its offset poisoned). */
static void test_core(void)
{
	char path[512], log[512] = "";
	struct bpfvm_object *target = open_obj("ll_core_target"), *obj;
	struct bpfvm_object_open_opts o = { .sz = sizeof(o), .log_buf = log,
					    .log_size = sizeof(log) };
	struct bpfvm_run_opts ro = { .sz = sizeof(ro) };
	uint64_t r0 = 0;

	if (!target)
		return;
	snprintf(path, sizeof(path), "%s/ll_core_target.o", BPFVM_OBJ_DIR);
	for (int how = 0; how < 3; how++) {
		o.target_btf = how == 0 ? bpfvm_object_btf(target) : NULL;
		o.btf_custom_path = how == 1 ? path : NULL;
		obj = NULL;
		CHECK(bpfvm_object_open_file(BPFVM_OBJ_DIR "/ll_core.o", &o,
					     &obj) == 0);
		if (!obj)
			continue;
		CHECK(load(obj, log, sizeof(log)) == 0);
		for (size_t e = 0; how < 2 && e < 2; e++) {
			CHECK_EQ_U64(run(obj, "core_off", engines[e]), 16);
			CHECK_EQ_U64(run(obj, "core_exists", engines[e]), 1);
		}
		for (size_t e = 0; how == 2 && e < 2; e++) {
			char err[256] = "";

			CHECK_EQ_U64(run(obj, "core_exists", engines[e]), 0);
			ro.engine = engines[e];
			ro.err_buf = err;
			ro.err_size = sizeof(err);
			CHECK(bpfvm_prog_run(bpfvm_obj_prog_prog(
					bpfvm_object_find_prog(obj, "core_off")),
					NULL, 0, &r0, &ro) == -EINVAL);
			CHECK(strncmp(err, "insn ", 5) == 0);
			CHECK(strstr(err, ": CO-RE relocation failed: the "
					  "field or type this instruction "
					  "uses is missing in the target "
					  "BTF") != NULL);
		}
		bpfvm_object_close(obj);
	}
	/* a custom path that is no BTF fails the load, naming it */
	o.target_btf = NULL;
	o.btf_custom_path = "/nonexistent/vmlinux";
	obj = NULL;
	CHECK(bpfvm_object_open_file(BPFVM_OBJ_DIR "/ll_core.o", &o, &obj) ==
	      0);
	if (obj) {
		CHECK(bpfvm_object_load(obj, &(struct bpfvm_object_load_opts){
			.sz = sizeof(struct bpfvm_object_load_opts),
			.log_buf = log, .log_size = sizeof(log) }) < 0);
		CHECK(strstr(log, "/nonexistent/vmlinux") != NULL);
		bpfvm_object_close(obj);
	}
	bpfvm_object_close(target);
}

/* Sizes settled at load, as libbpf does: a perf event array declared
 * with max_entries 0 gets one slot per possible CPU, a ringbuf declared
 * with key / value types is created without them. */
static void test_settled_sizes(void)
{
	struct bpfvm_object *obj = open_obj("ld_maps");
	const struct bpfvm_map *m;
	char log[256];

	if (obj && load(obj, log, sizeof(log)) == 0) {
		m = bpfvm_obj_map_map(bpfvm_object_find_map(obj, "perf"));
		CHECK(m && bpfvm_map_type(m) == BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
		      bpfvm_map_max_entries(m) == bpfvm_num_possible_cpus());
	}
	bpfvm_object_close(obj);
	obj = open_obj("ld_data");
	if (obj && load(obj, log, sizeof(log)) == 0) {
		m = bpfvm_obj_map_map(bpfvm_object_find_map(obj, "rb"));
		CHECK(m && bpfvm_map_type(m) == BPF_MAP_TYPE_RINGBUF &&
		      bpfvm_map_key_size(m) == 0 &&
		      bpfvm_map_value_size(m) == 0 &&
		      bpfvm_map_max_entries(m) == 4096);
	}
	bpfvm_object_close(obj);
}

int main(void)
{
	test_settled_sizes();
	test_calls();
	test_data();
	test_slots();
	test_errors();
	test_externs();
	test_core();
	return check_report();
}
