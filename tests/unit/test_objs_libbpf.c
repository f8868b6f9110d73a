/* bpfvm's view of the object zoo against libbpf's (Debian's libbpf 1.1),
 * before load: programs (names, sections, types, expected attach types,
 * instruction counts and bytes), maps (names, types, sizes, flags, NUMA
 * node, pinning, inner maps) and BTF (type count, kinds and names).
 * Objects libbpf refuses are skipped with libbpf's reason printed. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfvm/object.h>

#include "check.h"
#include "zoo_list.h"

/* bpf_helpers.h's enum libbpf_pin_type (a BPF-side header). */
#define ZOO_PIN_BY_NAME 1

/* libbpf's last warning, kept instead of printed (why it refused). */
static char libbpf_why[512];

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_WARN)
		vsnprintf(libbpf_why, sizeof(libbpf_why), fmt, ap);
	return 0;
}

static void compare_progs(struct bpf_object *lo, struct bpfvm_object *bo,
			  const char *what)
{
	struct bpf_program *lp;
	size_t n = 0;

	bpf_object__for_each_program(lp, lo) {
		const char *name = bpf_program__name(lp);
		struct bpfvm_obj_prog *bp = bpfvm_object_find_prog(bo, name);
		const struct bpf_insn *bi;
		size_t cnt = 0;

		n++;
		if (!bp) {
			fprintf(stderr, "%s: bpfvm has no program '%s'\n",
				what, name);
			CHECK(bp != NULL);
			continue;
		}
		CHECK_STREQ(bpfvm_obj_prog_section(bp),
			    bpf_program__section_name(lp));
		CHECK_EQ_U64(bpfvm_obj_prog_type(bp), bpf_program__type(lp));
		CHECK_EQ_U64(bpfvm_obj_prog_attach_type(bp),
			     bpf_program__expected_attach_type(lp));
		CHECK_EQ_U64(bpfvm_obj_prog_autoload(bp),
			     bpf_program__autoload(lp));
		bi = bpfvm_obj_prog_insns(bp, &cnt);
		CHECK_EQ_U64(cnt, bpf_program__insn_cnt(lp));
		if (bi && cnt == bpf_program__insn_cnt(lp)) {
			bool same = !memcmp(bi, bpf_program__insns(lp),
					    cnt * sizeof(*bi));

			if (!same)
				fprintf(stderr, "%s: %s: insns differ\n", what,
					name);
			CHECK(same);
		}
	}
	if (n != bpfvm_object_prog_cnt(bo))
		fprintf(stderr, "%s: libbpf %zu programs, bpfvm %zu\n", what,
			n, bpfvm_object_prog_cnt(bo));
	CHECK_EQ_U64(bpfvm_object_prog_cnt(bo), n);
}

/* Ring buffers and perf arrays: libbpf keeps whatever key / value the
 * source declared until it creates the map; compare them all the same. */
static void compare_def(const char *what, const char *name,
			struct bpf_map *lm, const struct bpfvm_map_def *d)
{
	CHECK_EQ_U64(d->type, bpf_map__type(lm));
	CHECK_EQ_U64(d->key_size, bpf_map__key_size(lm));
	CHECK_EQ_U64(d->value_size, bpf_map__value_size(lm));
	CHECK_EQ_U64(d->max_entries, bpf_map__max_entries(lm));
	CHECK_EQ_U64(d->map_flags, bpf_map__map_flags(lm));
	CHECK_EQ_U64(d->numa_node, bpf_map__numa_node(lm));
	CHECK_EQ_U64(d->map_extra, bpf_map__map_extra(lm));
	/* libbpf keeps only LIBBPF_PIN_BY_NAME, as a default path (BTF
	 * maps; iproute2's pinning it ignores) */
	CHECK_EQ_U64(d->pinning == ZOO_PIN_BY_NAME,
		     bpf_map__pin_path(lm) != NULL);
	if (d->type != bpf_map__type(lm) ||
	    d->key_size != bpf_map__key_size(lm) ||
	    d->value_size != bpf_map__value_size(lm) ||
	    d->max_entries != bpf_map__max_entries(lm) ||
	    d->map_flags != bpf_map__map_flags(lm))
		fprintf(stderr, "%s: map %s: type/key/value/max/flags bpfvm "
			"%u %u %u %u %#x, libbpf %u %u %u %u %#x\n", what, name,
			d->type, d->key_size, d->value_size, d->max_entries,
			d->map_flags, bpf_map__type(lm), bpf_map__key_size(lm),
			bpf_map__value_size(lm), bpf_map__max_entries(lm),
			bpf_map__map_flags(lm));
}

static void compare_maps(struct bpf_object *lo, struct bpfvm_object *bo,
			 const char *what)
{
	struct bpf_map *lm;
	size_t n = 0;

	bpf_object__for_each_map(lm, lo) {
		const char *name = bpf_map__name(lm);
		struct bpfvm_obj_map *bm = bpfvm_object_find_map(bo, name);
		const struct bpfvm_map_def *d;
		struct bpf_map *inner;

		n++;
		if (!bm) {
			fprintf(stderr, "%s: bpfvm has no map '%s'\n", what,
				name);
			CHECK(bm != NULL);
			continue;
		}
		d = bpfvm_obj_map_def(bm);
		compare_def(what, name, lm, d);
		CHECK_EQ_U64(bpfvm_obj_map_kind(bm) != BPFVM_OBJ_MAP_DEF,
			     bpf_map__is_internal(lm));
		if (bpf_map__is_internal(lm)) {
			size_t bsz = 0, lsz = 0;
			const void *bv = bpfvm_obj_map_initial_value(bm, &bsz);
			const void *lv = bpf_map__initial_value(lm, &lsz);

			CHECK_EQ_U64(bsz, lsz);
			CHECK(bv && lv && bsz == lsz && !memcmp(bv, lv, bsz));
		}
		inner = bpf_map__inner_map(lm);
		CHECK_EQ_U64(d->inner != NULL, inner != NULL);
		if (d->inner && inner)
			compare_def(what, "(inner)", inner, d->inner);
	}
	if (n != bpfvm_object_map_cnt(bo))
		fprintf(stderr, "%s: libbpf %zu maps, bpfvm %zu\n", what, n,
			bpfvm_object_map_cnt(bo));
	CHECK_EQ_U64(bpfvm_object_map_cnt(bo), n);
}

static void compare_btf(struct bpf_object *lo, struct bpfvm_object *bo,
			const char *what)
{
	const struct btf *lb = bpf_object__btf(lo);
	const struct bpfvm_btf *bb = bpfvm_object_btf(bo);
	uint32_t bad = 0;

	CHECK_EQ_U64(bb != NULL, lb != NULL);
	if (!lb || !bb)
		return;
	CHECK_EQ_U64(bpfvm_btf_type_cnt(bb), btf__type_cnt(lb));
	if (bpfvm_btf_type_cnt(bb) != btf__type_cnt(lb))
		return;
	for (uint32_t id = 1; id < btf__type_cnt(lb); id++) {
		const struct btf_type *lt = btf__type_by_id(lb, id);
		const struct btf_type *bt = bpfvm_btf_type(bb, id);
		const char *ln = btf__name_by_offset(lb, lt->name_off);
		const char *bn = bpfvm_btf_type_name(bb, id);

		if (!bt || btf_kind(lt) != BTF_INFO_KIND(bt->info) ||
		    strcmp(ln ? ln : "", bn ? bn : "")) {
			if (!bad++)
				fprintf(stderr, "%s: BTF type %u: bpfvm '%s', "
					"libbpf '%s'\n", what, id, bn, ln);
		}
	}
	CHECK_EQ_U64(bad, 0);
}

/* Returns 1 when compared, 0 when skipped (either refused it). */
static int compare_one(const char *path, const char *what)
{
	LIBBPF_OPTS(bpf_object_open_opts, lopts, .kconfig = ZOO_KCONFIG);
	struct bpfvm_object_open_opts bopts = {
		.sz = sizeof(bopts), .kconfig = ZOO_KCONFIG,
		.kernel_version = ZOO_KVERSION,
	};
	struct bpfvm_object *bo = NULL;
	struct bpf_object *lo;
	char blog[1024] = "";
	int err;

	libbpf_why[0] = 0;
	lo = bpf_object__open_file(path, &lopts);
	err = libbpf_get_error(lo);
	if (err) {
		size_t l = strlen(libbpf_why);

		if (l && libbpf_why[l - 1] == '\n')
			libbpf_why[l - 1] = 0;
		printf("SKIP %s: libbpf refuses it (%d): %s\n", what, err,
		       libbpf_why);
		return 0;
	}
	bopts.log_buf = blog;
	bopts.log_size = sizeof(blog);
	err = bpfvm_object_open_file(path, &bopts, &bo);
	if (err)
		fprintf(stderr, "%s: bpfvm refuses what libbpf opens: %d: "
			"%s\n", what, err, blog);
	CHECK_EQ_U64(err, 0);
	if (!err) {
		compare_progs(lo, bo, what);
		compare_maps(lo, bo, what);
		compare_btf(lo, bo, what);
		/* libbpf reports the running kernel's without a version
		 * section; bpfvm 0 */
		if (bpfvm_object_kversion(bo))
			CHECK_EQ_U64(bpfvm_object_kversion(bo),
				     bpf_object__kversion(lo));
	}
	bpfvm_object_close(bo);
	bpf_object__close(lo);
	return !err;
}

int main(void)
{
	static const char *const suffixes[] = { "", "_rela", "_em0" };
	int compared = 0;

	libbpf_set_print(libbpf_quiet);
	for (size_t s = 0; s < 3; s++) {
		for (size_t i = 0; i < ZOO_OBJ_CNT; i++) {
			char path[512], what[128];

			if (!zoo_path(path, sizeof(path), zoo_objs[i],
				      suffixes[s]))
				continue;
			snprintf(what, sizeof(what), "%s%s", zoo_objs[i],
				 suffixes[s]);
			compared += compare_one(path, what);
		}
	}
	printf("%d objects compared with libbpf\n", compared);
	CHECK(compared >= 10);
	return check_report();
}
