/* The object zoo (tests/objs/zoo_*.bpf.c) through the loader: every object
 * opens and loads; programs have the names, sections and types their
 * SEC() say; maps the definitions the source gives (and get created so);
 * objmangle's REL->RELA and e_machine 0 variants load the same programs
 * and maps as the originals. Runs: test_objs_run.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/map.h>
#include <bpfvm/object.h>
#include <bpfvm/prog.h>

#include "check.h"
#include "zoo_list.h"

/* Programs: name, section, type, attach type, as SEC() says. */
struct want_prog {
	const char *obj, *name, *sec;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
};

static const struct want_prog want_progs[] = {
	{ "zoo_xdp", "xdp_count", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "zoo_xdp", "xdp_tail_a", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "zoo_xdp", "xdp_tail_b", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "zoo_xdp", "xdp_parse", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "zoo_tp", "handle_execve", "tracepoint/syscalls/sys_enter_execve",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_tp", "handle_exit", "tp/syscalls/sys_exit_execve",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_tp", "handle_write", "tracepoint/syscalls/sys_enter_write",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_sock", "dns_filter", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "zoo_sock", "nonzero_filter", "socket",
	  BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "zoo_legacy", "trace_open", "tracepoint/syscalls/sys_enter_open",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_iproute", "cls_main", "classifier", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "zoo_iproute", "act_main", "action", BPF_PROG_TYPE_SCHED_ACT, 0 },
	{ "zoo_bpf2go", "kprobe_unlink", "kprobe/do_unlinkat",
	  BPF_PROG_TYPE_KPROBE, 0 },
	{ "zoo_globals", "glob_sum", "tracepoint/zoo/globals",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_kconfig", "kc_read", "tracepoint/zoo/kconfig",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_multi", "multi_a", "tracepoint/zoo/first",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_multi", "multi_b", "tracepoint/zoo/first",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_multi", "multi_loop", "tracepoint/zoo/loop",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_multi", "multi_raw1", "raw_tracepoint/zoo",
	  BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "zoo_multi", "multi_raw2", "raw_tracepoint/zoo",
	  BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "zoo_multi", "multi_raw3", "raw_tracepoint/zoo",
	  BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "zoo_xsec", "xsec_main", "tracepoint/zoo/main",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_big", "big_mix", "tracepoint/zoo/big", BPF_PROG_TYPE_TRACEPOINT,
	  0 },
	{ "zoo_static", "static_only", "tracepoint/zoo/static",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "zoo_static", "static_second", "tracepoint/zoo/first",
	  BPF_PROG_TYPE_TRACEPOINT, 0 },
};

/* How many programs each object has (subprograms in .text not counted). */
static const struct {
	const char *obj;
	size_t progs;
} want_prog_cnt[] = {
	{ "zoo_xdp", 4 }, { "zoo_tp", 3 }, { "zoo_sock", 2 },
	{ "zoo_legacy", 1 }, { "zoo_iproute", 2 }, { "zoo_bpf2go", 1 },
	{ "zoo_globals", 1 }, { "zoo_kconfig", 1 }, { "zoo_multi", 6 },
	{ "zoo_big", 1 }, { "zoo_static", 3 },
};

static void test_programs(void)
{
	for (size_t i = 0; i < sizeof(want_prog_cnt) / sizeof(*want_prog_cnt);
	     i++) {
		struct bpfvm_object *obj = zoo_open(want_prog_cnt[i].obj, "");

		if (!obj)
			continue;
		if (bpfvm_object_prog_cnt(obj) != want_prog_cnt[i].progs)
			fprintf(stderr, "%s: %zu programs\n",
				want_prog_cnt[i].obj,
				bpfvm_object_prog_cnt(obj));
		CHECK_EQ_U64(bpfvm_object_prog_cnt(obj),
			     want_prog_cnt[i].progs);
		bpfvm_object_close(obj);
	}
	for (size_t i = 0; i < sizeof(want_progs) / sizeof(*want_progs); i++) {
		const struct want_prog *w = &want_progs[i];
		struct bpfvm_object *obj = zoo_open(w->obj, "");
		struct bpfvm_obj_prog *p;
		size_t cnt = 0;

		if (!obj)
			continue;
		p = bpfvm_object_find_prog(obj, w->name);
		CHECK(p != NULL);
		if (!p) {
			fprintf(stderr, "%s: no program %s\n", w->obj, w->name);
			bpfvm_object_close(obj);
			continue;
		}
		CHECK_STREQ(bpfvm_obj_prog_name(p), w->name);
		CHECK_STREQ(bpfvm_obj_prog_section(p), w->sec);
		CHECK_EQ_U64(bpfvm_obj_prog_type(p), w->type);
		CHECK_EQ_U64(bpfvm_obj_prog_attach_type(p), w->attach);
		CHECK(bpfvm_obj_prog_autoload(p));
		CHECK(bpfvm_obj_prog_insns(p, &cnt) != NULL && cnt > 0);
		CHECK(bpfvm_obj_prog_prog(p) == NULL); /* not loaded yet */
		bpfvm_object_close(obj);
	}
}

/* Map definitions as the sources write them. */
struct want_map {
	const char *obj, *name;
	enum bpf_map_type type;
	uint32_t key, value, max, flags, pinning;
	enum bpf_map_type inner_type; /* 0: no inner map */
	uint32_t inner_value, inner_max;
};

#define NO_INNER 0, 0, 0

static const struct want_map want_maps[] = {
	{ "zoo_xdp", "xdp_hash", BPF_MAP_TYPE_HASH, 4, 8, 1024, 0, 0,
	  NO_INNER },
	{ "zoo_xdp", "xdp_counters", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0,
	  NO_INNER },
	{ "zoo_xdp", "xdp_percpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, 0, 0,
	  NO_INNER },
	{ "zoo_xdp", "xdp_percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 16,
	  BPF_F_NO_PREALLOC, 0, NO_INNER },
	/* LIBBPF_PIN_BY_NAME */
	{ "zoo_xdp", "xdp_lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 128, 0, 1,
	  NO_INNER },
	{ "zoo_xdp", "xdp_lpm", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 64,
	  BPF_F_NO_PREALLOC, 0, NO_INNER },
	/* ring buffers: key / value sizes not checked (bpf2go's declare
	 * a value type) */
	{ "zoo_xdp", "xdp_events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0,
	  NO_INNER },
	{ "zoo_bpf2go", "events", BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 16, 0, 0,
	  NO_INNER },
	{ "zoo_xdp", "xdp_jmp", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0,
	  NO_INNER },
	{ "zoo_sock", "proto_count", BPF_MAP_TYPE_ARRAY, 4, 8, 256, 0, 0,
	  NO_INNER },
	{ "zoo_legacy", "my_map", BPF_MAP_TYPE_HASH, 4, 8, 256, 0, 0,
	  NO_INNER },
	{ "zoo_legacy", "stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 8, 0, 0,
	  NO_INNER },
	{ "zoo_legacy", "lru_nocommon", BPF_MAP_TYPE_LRU_HASH, 4, 4, 1000,
	  BPF_F_NO_COMMON_LRU, 0, NO_INNER },
	/* iproute2's PIN_GLOBAL_NS (2) and PIN_OBJECT_NS (1) */
	{ "zoo_iproute", "cls_stats", BPF_MAP_TYPE_ARRAY, 4, 8, 16, 0, 2,
	  NO_INNER },
	{ "zoo_iproute", "cls_outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0,
	  1, BPF_MAP_TYPE_ARRAY, 4, 1 },
	{ "zoo_iproute", "cls_hash", BPF_MAP_TYPE_HASH, 4, 4, 64,
	  BPF_F_NO_PREALLOC, 0, NO_INNER },
	/* max_entries 0: one slot per CPU at load */
	{ "zoo_bpf2go", "perf_events", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0,
	  0, 0, NO_INNER },
	{ "zoo_bpf2go", "perf_typed", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0,
	  0, 0, NO_INNER },
};

static void check_map(const struct want_map *w)
{
	struct bpfvm_object *obj = zoo_open(w->obj, "");
	const struct bpfvm_map_def *d;
	struct bpfvm_obj_map *m;

	if (!obj)
		return;
	m = bpfvm_object_find_map(obj, w->name);
	CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "%s: no map %s\n", w->obj, w->name);
		bpfvm_object_close(obj);
		return;
	}
	d = bpfvm_obj_map_def(m);
	CHECK_STREQ(bpfvm_obj_map_name(m), w->name);
	CHECK_EQ_U64(bpfvm_obj_map_kind(m), BPFVM_OBJ_MAP_DEF);
	CHECK_EQ_U64(d->type, w->type);
	if (w->type != BPF_MAP_TYPE_RINGBUF) {
		CHECK_EQ_U64(d->key_size, w->key);
		CHECK_EQ_U64(d->value_size, w->value);
	}
	CHECK_EQ_U64(d->max_entries, w->max);
	CHECK_EQ_U64(d->map_flags, w->flags);
	CHECK_EQ_U64(d->pinning, w->pinning);
	CHECK_EQ_U64(d->inner != NULL, w->inner_type != 0);
	if (d->inner && w->inner_type) {
		CHECK_EQ_U64(d->inner->type, w->inner_type);
		CHECK_EQ_U64(d->inner->value_size, w->inner_value);
		CHECK_EQ_U64(d->inner->max_entries, w->inner_max);
	}
	if (zoo_load(obj) == 0) {
		struct bpfvm_map *map = bpfvm_obj_map_map(m);

		CHECK(map != NULL);
		if (map)
			CHECK_EQ_U64(bpfvm_map_type(map), w->type);
		/* perf arrays of max_entries 0 get one slot per CPU */
		if (map && w->max)
			CHECK_EQ_U64(bpfvm_map_max_entries(map), w->max);
		else if (map)
			CHECK(bpfvm_map_max_entries(map) > 0);
	}
	bpfvm_object_close(obj);
}

/* zoo_globals: one ARRAY map of one element per data section. */
static void test_global_maps(void)
{
	static const struct {
		enum bpfvm_obj_map_kind kind;
		size_t size;
		const char *var;
	} want[] = {
		{ BPFVM_OBJ_MAP_DATA, 44, "g_data" },	/* .data */
		{ BPFVM_OBJ_MAP_RODATA, 12, "g_ro" },	/* .rodata */
		{ BPFVM_OBJ_MAP_BSS, 72, "g_bss" },	/* .bss */
		{ BPFVM_OBJ_MAP_DATA, 4, "g_custom" },	/* .data.custom */
		{ BPFVM_OBJ_MAP_RODATA, 4, "g_ro_custom" },
		{ BPFVM_OBJ_MAP_RODATA, 4, NULL },	/* .rodata.str1.1 */
	};
	struct bpfvm_object *obj = zoo_open("zoo_globals", "");
	bool seen[sizeof(want) / sizeof(*want)] = { 0 };

	if (!obj)
		return;
	CHECK_EQ_U64(bpfvm_object_map_cnt(obj), 6);
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++) {
		struct bpfvm_obj_map *m = bpfvm_object_map(obj, i);
		const struct bpfvm_map_def *d = bpfvm_obj_map_def(m);
		size_t size = 0;
		void *val = bpfvm_obj_map_initial_value(m, &size);

		CHECK(val != NULL);
		CHECK_EQ_U64(d->type, BPF_MAP_TYPE_ARRAY);
		CHECK_EQ_U64(d->key_size, 4);
		CHECK_EQ_U64(d->max_entries, 1);
		CHECK_EQ_U64(d->value_size, size);
		if (bpfvm_obj_map_kind(m) == BPFVM_OBJ_MAP_RODATA)
			CHECK(d->map_flags & BPF_F_RDONLY_PROG);
		for (size_t j = 0; j < sizeof(want) / sizeof(*want); j++) {
			size_t vsz = 0;
			char *var = want[j].var ?
				bpfvm_object_global(obj, want[j].var, &vsz) :
				NULL;

			if (seen[j] || want[j].kind != bpfvm_obj_map_kind(m) ||
			    want[j].size != size)
				continue;
			if (var && (var < (char *)val ||
				    var >= (char *)val + size))
				continue;
			if (!var && want[j].var)
				continue;
			if (!var && memcmp(val, "zoo", 4))
				continue;
			seen[j] = true;
			break;
		}
	}
	for (size_t j = 0; j < sizeof(want) / sizeof(*want); j++) {
		if (!seen[j])
			fprintf(stderr, "zoo_globals: no map for %s\n",
				want[j].var ? want[j].var : ".rodata.str1.1");
		CHECK(seen[j]);
	}
	bpfvm_object_close(obj);
}
/* Instructions equal, but for the 64-bit immediates of lddw that name a
 * map (ids differ between loads). */
static bool insns_equal(const struct bpf_insn *a, size_t na,
			const struct bpf_insn *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		struct bpf_insn x = a[i], y = b[i];

		if (x.code == (BPF_LD | BPF_IMM | BPF_DW) && x.src_reg &&
		    i + 1 < na) {
			x.imm = y.imm = 0;
			i++;
			if (memcmp(&a[i], &b[i], sizeof(a[i])))
				return false;
		}
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	return true;
}

/* The variant's programs, maps and loaded instructions are the
 * original's. */
static void compare_variant(const char *name, const char *suffix)
{
	struct bpfvm_object *a = zoo_open(name, ""), *b = zoo_open(name, suffix);

	if (!a || !b)
		goto out;
	CHECK_EQ_U64(bpfvm_object_prog_cnt(a), bpfvm_object_prog_cnt(b));
	CHECK_EQ_U64(bpfvm_object_map_cnt(a), bpfvm_object_map_cnt(b));
	for (size_t i = 0; i < bpfvm_object_map_cnt(a) &&
			   i < bpfvm_object_map_cnt(b); i++) {
		const struct bpfvm_map_def *x =
			bpfvm_obj_map_def(bpfvm_object_map(a, i));
		const struct bpfvm_map_def *y =
			bpfvm_obj_map_def(bpfvm_object_map(b, i));

		CHECK(x->type == y->type && x->key_size == y->key_size &&
		      x->value_size == y->value_size &&
		      x->max_entries == y->max_entries &&
		      x->map_flags == y->map_flags);
	}
	if (zoo_load(a) || zoo_load(b))
		goto out;
	for (size_t i = 0; i < bpfvm_object_prog_cnt(a) &&
			   i < bpfvm_object_prog_cnt(b); i++) {
		struct bpfvm_obj_prog *p = bpfvm_object_prog(a, i);
		struct bpfvm_obj_prog *q = bpfvm_object_prog(b, i);
		size_t n = 0, m = 0;
		const struct bpf_insn *x = bpfvm_obj_prog_insns(p, &n);
		const struct bpf_insn *y = bpfvm_obj_prog_insns(q, &m);
		bool eq = insns_equal(x, n, y, m);

		CHECK_STREQ(bpfvm_obj_prog_name(p), bpfvm_obj_prog_name(q));
		CHECK_STREQ(bpfvm_obj_prog_section(p),
			    bpfvm_obj_prog_section(q));
		if (!eq)
			fprintf(stderr, "%s%s: %s: loaded insns differ\n",
				name, suffix, bpfvm_obj_prog_name(p));
		CHECK(eq);
	}
out:
	bpfvm_object_close(a);
	bpfvm_object_close(b);
}

static void test_variants(void)
{
	static const char *const suffixes[] = { "_rela", "_em0" };

	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < ZOO_OBJ_CNT; i++)
			if (strncmp(zoo_objs[i], "zoo_cpu", 7))
				compare_variant(zoo_objs[i], suffixes[s]);
}
/* Every zoo object opens, loads (the socket filter and iproute2 programs
 * included), and reports its license. */
static void test_all_load(void)
{
	for (size_t i = 0; i < ZOO_OBJ_CNT; i++) {
		char path[512];
		struct bpfvm_object *obj;

		if (!zoo_path(path, sizeof(path), zoo_objs[i], ""))
			continue;
		obj = zoo_open(zoo_objs[i], "");
		if (!obj)
			continue;
		CHECK_STREQ(bpfvm_object_name(obj), zoo_objs[i]);
		CHECK(strlen(bpfvm_object_license(obj)) > 0);
		CHECK(bpfvm_object_btf(obj) != NULL);
		if (zoo_load(obj) == 0) {
			for (size_t j = 0; j < bpfvm_object_prog_cnt(obj); j++) {
				struct bpfvm_obj_prog *p =
					bpfvm_object_prog(obj, j);
				size_t li = 0;

				CHECK(bpfvm_obj_prog_prog(p) != NULL);
				CHECK(bpfvm_obj_prog_line_info(p, &li) && li);
			}
			/* a second load is refused */
			CHECK_EQ_U64(bpfvm_object_load(obj, NULL), -EBUSY);
		}
		bpfvm_object_close(obj);
	}
	{
		struct bpfvm_object *obj = zoo_open("zoo_legacy", "");

		if (obj)
			CHECK_EQ_U64(bpfvm_object_kversion(obj) != 0, 1);
		bpfvm_object_close(obj);
	}
}
/* iproute2 map-in-map: cls_inner (id 42, inner_idx 1) is placed into
 * cls_outer (inner_id 42) at slot 1 at load; the other slots stay empty. */
static void test_iproute_inner(void)
{
	struct bpfvm_object *obj = zoo_open("zoo_iproute", "");
	struct bpfvm_obj_map *in, *out;
	uint32_t key, id = 0;

	if (!obj || zoo_load(obj)) {
		bpfvm_object_close(obj);
		return;
	}
	in = bpfvm_object_find_map(obj, "cls_inner");
	out = bpfvm_object_find_map(obj, "cls_outer");
	CHECK(in && out && bpfvm_obj_map_map(in) && bpfvm_obj_map_map(out));
	if (in && out && bpfvm_obj_map_map(in) && bpfvm_obj_map_map(out)) {
		key = 1;
		CHECK_EQ_U64(bpfvm_map_lookup(bpfvm_obj_map_map(out), &key,
					      &id, 0), 0);
		CHECK_EQ_U64(id, bpfvm_map_id(bpfvm_obj_map_map(in)));
		key = 0;
		CHECK_EQ_U64(bpfvm_map_lookup(bpfvm_obj_map_map(out), &key,
					      &id, 0), -ENOENT);
	}
	bpfvm_object_close(obj);
}

int main(void)
{
	test_all_load();
	test_programs();
	for (size_t i = 0; i < sizeof(want_maps) / sizeof(*want_maps); i++)
		check_map(&want_maps[i]);
	test_global_maps();
	test_iproute_inner();
	test_variants();
	return check_report();
}
