/* libFuzzer: an ELF object from the input. Open it, inspect everything
 * the API shows (programs, maps, globals, BTF and .BTF.ext), load it,
 * look at what load made, close. Nothing runs. Seeds: the object zoo
 * (scripts/fuzz.sh passes tests/objs' built objects). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpfvm/btf.h>
#include <bpfvm/object.h>
#include <bpfvm/prog.h>

/* Touch the bytes a pointer claims, so ASan sees bad lengths: all of
 * them, or the two ends of a large area (a .bss may declare 100 MiB). */
static volatile uint8_t sink;

static void touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t edge = 4096;

	for (size_t i = 0; p && i < n; i++) {
		if (i == edge && n > 2 * edge)
			i = n - edge;
		sink ^= b[i];
	}
}

static void touch_str(const char *s)
{
	if (s)
		touch(s, strlen(s) + 1);
}

static void inspect_btf(const struct bpfvm_btf *btf)
{
	uint32_t n = btf ? bpfvm_btf_type_cnt(btf) : 0;

	for (uint32_t id = 0; id < n && id < 4096; id++) {
		const struct btf_type *t = bpfvm_btf_type(btf, id);

		touch_str(bpfvm_btf_type_name(btf, id));
		if (t)
			touch(t, sizeof(*t));
		(void)bpfvm_btf_type_size(btf, id);
		(void)bpfvm_btf_skip_mods(btf, id);
	}
}

static void inspect_ext(const struct bpfvm_btf_ext *ext)
{
	for (size_t i = 0; ext && i < bpfvm_btf_ext_sec_cnt(ext); i++) {
		const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_sec(ext, i);

		touch_str(s->sec_name);
		touch(s->func_info, s->func_info_cnt * sizeof(*s->func_info));
		touch(s->line_info, s->line_info_cnt * sizeof(*s->line_info));
		touch(s->core_relo, s->core_relo_cnt * sizeof(*s->core_relo));
	}
}

static void inspect_progs(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_obj_prog *p = bpfvm_object_prog(obj, i);
		size_t n = 0;
		const void *insns = bpfvm_obj_prog_insns(p, &n);

		touch_str(bpfvm_obj_prog_name(p));
		touch_str(bpfvm_obj_prog_section(p));
		touch(insns, n * sizeof(struct bpf_insn));
		touch(bpfvm_obj_prog_func_info(p, &n),
		      n * sizeof(struct bpf_func_info));
		touch(bpfvm_obj_prog_line_info(p, &n),
		      n * sizeof(struct bpf_line_info));
		(void)bpfvm_obj_prog_type(p);
		(void)bpfvm_obj_prog_attach_type(p);
		if (bpfvm_object_find_prog(obj, bpfvm_obj_prog_name(p)) == NULL)
			__builtin_trap(); /* a listed program is found */
		if (bpfvm_obj_prog_prog(p))
			touch(bpfvm_prog_xlated_insns(bpfvm_obj_prog_prog(p)),
			      bpfvm_prog_insn_cnt(bpfvm_obj_prog_prog(p)) *
				      sizeof(struct bpf_insn));
	}
}

static void inspect_maps(struct bpfvm_object *obj)
{
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++) {
		struct bpfvm_obj_map *m = bpfvm_object_map(obj, i);
		const struct bpfvm_map_def *d = bpfvm_obj_map_def(m);
		size_t size = 0;
		void *val = bpfvm_obj_map_initial_value(m, &size);

		touch_str(bpfvm_obj_map_name(m));
		touch(d, sizeof(*d));
		if (d->inner)
			touch(d->inner, sizeof(*d->inner));
		touch(val, size);
		if (bpfvm_object_find_map(obj, bpfvm_obj_map_name(m)) == NULL)
			__builtin_trap();
		(void)bpfvm_obj_map_map(m);
	}
}

static void inspect(struct bpfvm_object *obj)
{
	touch_str(bpfvm_object_name(obj));
	touch_str(bpfvm_object_license(obj));
	(void)bpfvm_object_kversion(obj);
	inspect_btf(bpfvm_object_btf(obj));
	inspect_ext(bpfvm_object_btf_ext(obj));
	inspect_progs(obj);
	inspect_maps(obj);
	/* globals by the names of BTF variables */
	for (uint32_t id = 1; bpfvm_object_btf(obj) &&
			      id < bpfvm_btf_type_cnt(bpfvm_object_btf(obj)) &&
			      id < 4096; id++) {
		const struct bpfvm_btf *btf = bpfvm_object_btf(obj);
		const struct btf_type *t = bpfvm_btf_type(btf, id);
		size_t size = 0;

		if (t && BTF_INFO_KIND(t->info) == BTF_KIND_VAR)
			touch(bpfvm_object_global(obj,
				bpfvm_btf_type_name(btf, id), &size), size);
	}
}

/* The memory the object's maps declare (values rounded to 8 bytes, as an
 * ARRAY stores them). Objects asking for more than the fuzzer's budget
 * are opened and inspected but not loaded: a 2 GiB ARRAY is a valid
 * request that would only end the run out of memory. */
static uint64_t declared_bytes(const struct bpfvm_object *obj)
{
	uint64_t total = 0;

	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++) {
		const struct bpfvm_map_def *d =
			bpfvm_obj_map_def(bpfvm_object_map(obj, i));
		uint64_t per = (uint64_t)d->key_size +
			       (((uint64_t)d->value_size + 7) & ~7ull) + 64;

		total += per * ((uint64_t)d->max_entries + 1);
		if (d->inner)
			total += ((uint64_t)d->inner->key_size +
				  d->inner->value_size + 64) *
				 ((uint64_t)d->inner->max_entries + 1);
	}
	return total;
}

#define FUZZ_MAP_BUDGET (256ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char kconfig[] = "CONFIG_ZOO_TRI=m\nCONFIG_ZOO_BOOL=y\n"
				      "CONFIG_ZOO_HZ=250\n"
				      "CONFIG_ZOO_NAME=\"abc\"\n";
	char log[512];
	struct bpfvm_object_open_opts oo = {
		.sz = sizeof(oo), .log_buf = log, .log_size = sizeof(log),
		.kconfig = kconfig, .kernel_version = 0x060107,
		/* the CO-RE target: bpfvm's own, not this machine's */
		.target_btf = bpfvm_btf_builtin(),
	};
	struct bpfvm_object_load_opts lo = {
		.sz = sizeof(lo), .log_buf = log, .log_size = sizeof(log),
	};
	struct bpfvm_object *obj = NULL;

	if (bpfvm_object_open_mem(data, size, &oo, &obj))
		return 0;
	inspect(obj);
	if (declared_bytes(obj) <= FUZZ_MAP_BUDGET &&
	    bpfvm_object_load(obj, &lo) == 0)
		inspect(obj);
	bpfvm_object_close(obj);
	return 0;
}
