/* The object zoo's programs, run as their types run them (typed ones by
 * bpfvm_prog_test_run; the zoo_untyped objects, whose programs read
 * their context as plain memory, as programs of no type) on both engines
 * (interpreter, JIT) after bpfvm_object_load, with the
 * results the host computes from the same sources (zoo_big.h, zoo_cpu.h)
 * or the values the sources hold: tail calls through `.values`, maps,
 * global data (and .rodata adjusted before load), kconfig externs,
 * bpf_loop callbacks, subprograms, every -mcpu variant, and the
 * objmangle variants (REL->RELA, e_machine 0) as the originals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfvm/map.h>
#include <bpfvm/object.h>
#include <bpfvm/prog.h>
#include <bpfvm/test_run.h>

#include "check.h"
#include "zoo_list.h"
#include "../objs/zoo_big.h"
#include "../objs/zoo_cpu.h"
#include "../objs/zoo_trace.h"

/* One run as the program's type runs it: XDP on a packet, tracepoints
 * on their record (ctx_in), raw tracepoints on their arguments, both by
 * bpfvm_prog_test_run; programs of no type, or of one without rules
 * (kprobe), on the memory itself. */
static int run_once(struct bpfvm_prog *bp, enum bpfvm_engine e, void *mem,
		    size_t len, uint64_t *r0, char *err, size_t err_size)
{
	struct bpfvm_test_run_opts t = {
		.sz = sizeof(t), .engine = e, .err_buf = err,
		.err_size = err_size,
	};
	struct bpfvm_run_opts ro = {
		.sz = sizeof(ro), .engine = e, .err_buf = err,
		.err_size = err_size,
	};
	int rc;

	switch (bpfvm_prog_type(bp)) {
	case BPF_PROG_TYPE_XDP:
		t.data_in = mem;
		t.data_size_in = (uint32_t)len;
		break;
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		t.ctx_in = mem;
		t.ctx_size_in = (uint32_t)len;
		break;
	default:
		return bpfvm_prog_run(bp, mem, len, r0, &ro);
	}
	rc = bpfvm_prog_test_run(bp, &t);
	*r0 = t.retval;
	return rc;
}

/* Run `prog` of a loaded object on a copy of mem with each engine; the
 * r0 of both must be `want` (as int, the programs return int). Returns
 * false when it could not run. */
static bool run_both(struct bpfvm_object *obj, const char *prog,
		     const void *mem, size_t len, int64_t want)
{
	struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, prog);
	struct bpfvm_prog *bp = p ? bpfvm_obj_prog_prog(p) : NULL;
	bool ok = true;

	CHECK(bp != NULL);
	if (!bp) {
		fprintf(stderr, "%s: program %s not loaded\n",
			bpfvm_object_name(obj), prog);
		return false;
	}
	for (int e = BPFVM_ENGINE_INTERP; e <= BPFVM_ENGINE_JIT; e++) {
		char err[256] = "";
		unsigned char copy[256];
		uint64_t r0 = 0;
		int rc;

		memcpy(copy, mem, len);
		rc = run_once(bp, (enum bpfvm_engine)e, copy, len, &r0, err,
			      sizeof(err));
		if (rc || (int32_t)r0 != want)
			fprintf(stderr, "%s/%s engine %d: rc %d r0 %d want "
				"%lld %s\n", bpfvm_object_name(obj), prog, e,
				rc, (int32_t)r0, (long long)want, err);
		CHECK_EQ_U64(rc, 0);
		CHECK_EQ_U64((int32_t)r0, (int32_t)want);
		ok = ok && rc == 0;
	}
	return ok;
}

static uint64_t lookup_u64(struct bpfvm_object *obj, const char *map,
			   uint32_t key)
{
	struct bpfvm_obj_map *m = bpfvm_object_find_map(obj, map);
	uint64_t v = 0;

	if (!m || !bpfvm_obj_map_map(m) ||
	    bpfvm_map_lookup(bpfvm_obj_map_map(m), &key, &v, 0))
		return UINT64_MAX;
	return v;
}

/* Host versions of zoo_multi's subprograms. */
static uint64_t mix(uint64_t a, uint64_t b)
{
	return (a ^ (b << 3)) + 0x1234;
}

static void test_run_xdp(const char *suffix)
{
	struct bpfvm_object *obj = zoo_open("zoo_xdp", suffix);
	char pkt[64] = { 0 };

	if (!obj || zoo_load(obj)) {
		bpfvm_object_close(obj);
		return;
	}
	/* tail calls through the slots `.values` filled: 9 */
	if (run_both(obj, "xdp_count", pkt, sizeof(pkt), 9))
		CHECK_EQ_U64(lookup_u64(obj, "xdp_counters", 0), 2);
	CHECK_EQ_U64(lookup_u64(obj, "xdp_hash", 7), 42);
	CHECK_EQ_U64(lookup_u64(obj, "xdp_lru", 1), 1);
	run_both(obj, "xdp_tail_b", pkt, sizeof(pkt), 9);
	bpfvm_object_close(obj);
}

static void test_run_tracing(const char *suffix)
{
	struct zoo_sys_enter en = { .id = 59, .args = { 1, 2, 3 } };
	struct zoo_sys_exit ex = { .ret = -13 };
	uint64_t two[2] = { 0xabc, 12345 };
	struct bpfvm_object *obj;

	if ((obj = zoo_open("zoo_tp", suffix)) && zoo_load(obj) == 0) {
		int *my_pid = bpfvm_object_global(obj, "my_pid", NULL);

		CHECK(my_pid != NULL);
		if (my_pid) { /* 1 when the caller's pid is my_pid */
			run_both(obj, "handle_execve", &en, sizeof(en), 0);
			*my_pid = getpid();
			run_both(obj, "handle_execve", &en, sizeof(en), 1);
		}
		run_both(obj, "handle_exit", &ex, sizeof(ex), 13);
		run_both(obj, "handle_write", &en, sizeof(en), 6);
	}
	bpfvm_object_close(obj);
	if ((obj = zoo_open("zoo_legacy", suffix)) && zoo_load(obj) == 0)
		run_both(obj, "trace_open", two, sizeof(two), 12345);
	bpfvm_object_close(obj);
	if ((obj = zoo_open("zoo_bpf2go", suffix)) && zoo_load(obj) == 0)
		run_both(obj, "kprobe_unlink", two, sizeof(two), 0xabc);
	bpfvm_object_close(obj);
	if ((obj = zoo_open("zoo_kconfig", suffix)) && zoo_load(obj) == 0)
		run_both(obj, "kc_read", two, sizeof(two),
			 (2 + 10 + 250 + 'a') | (7 << 16));
	bpfvm_object_close(obj);
}

/* .data 4+5 .. and the literal; .bss counts runs (one per engine). */
static void test_run_globals(const char *suffix, bool adjust_ro)
{
	const int base = (1 + 2 + 3 + 4) + 5 + 100 + 7 + 'x' + 11 + 13 + 17 +
			 ('z' + 'o' + 'o');
	uint64_t mem[3] = { 0, 0xabc, 3 }; /* the header, ctx[0], ctx[1] */
	struct bpfvm_object *obj = zoo_open("zoo_globals", suffix);
	size_t sz = 0;
	int *ro, extra = 0;
	long *arr;

	if (!obj)
		return;
	ro = bpfvm_object_global(obj, "g_ro", &sz);
	CHECK(ro != NULL && sz == sizeof(int));
	if (ro)
		CHECK_EQ_U64(*ro, 100);
	if (ro && adjust_ro) {
		*ro = 200; /* a skeleton's rodata->g_ro = 200 before load */
		extra = 100;
	}
	if (zoo_load(obj) == 0) {
		struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj,
								  "glob_sum");
		struct bpfvm_prog *bp = p ? bpfvm_obj_prog_prog(p) : NULL;
		char err[256];
		uint64_t r0 = 0;

		CHECK(bp != NULL);
		if (bp) {
			CHECK_EQ_U64(run_once(bp, BPFVM_ENGINE_INTERP, mem,
					      sizeof(mem), &r0, err,
					      sizeof(err)), 0);
			CHECK_EQ_U64(r0, base + extra + 1);
			CHECK_EQ_U64(run_once(bp, BPFVM_ENGINE_JIT, mem,
					      sizeof(mem), &r0, err,
					      sizeof(err)), 0);
			CHECK_EQ_U64(r0, base + extra + 2);
		}
		arr = bpfvm_object_global(obj, "g_bss_arr", &sz);
		CHECK(arr != NULL && sz == 8 * sizeof(long));
		if (arr)
			CHECK_EQ_U64(arr[1], 0xabc);
	}
	bpfvm_object_close(obj);
}

static void test_run_multi(const char *suffix)
{
	/* tracepoint records start with 8 bytes no program reads */
	uint64_t m[2] = { 5, 6 }, tm[3] = { 0, 5, 6 }, l[3] = { 0, 10, 3 };
	struct bpfvm_object *obj;

	if ((obj = zoo_open("zoo_multi", suffix)) && zoo_load(obj) == 0) {
		run_both(obj, "multi_a", tm, sizeof(tm), (int)mix(5, 6));
		run_both(obj, "multi_b", tm, sizeof(tm),
			 5 + 6 + 3 + 4 + (int)mix(1, 2));
		run_both(obj, "multi_loop", l, sizeof(l), 3 * 45);
		run_both(obj, "multi_raw1", m, sizeof(m), (int)mix(5, 0));
		run_both(obj, "multi_raw2", m, sizeof(m),
			 (int)mix(0, 5) + 5 + 6);
		run_both(obj, "multi_raw3", m, sizeof(m), 77);
	}
	bpfvm_object_close(obj);
	if ((obj = zoo_open("zoo_xsec", suffix)) && zoo_load(obj) == 0)
		run_both(obj, "xsec_main", tm, sizeof(tm), 11 + 1005);
	bpfvm_object_close(obj);
	if ((obj = zoo_open("zoo_static", suffix)) && zoo_load(obj) == 0) {
		run_both(obj, "static_only", m, sizeof(m), 45);
		run_both(obj, "global_first", m, sizeof(m), 6);
		run_both(obj, "static_second", m, sizeof(m), 15);
	}
	bpfvm_object_close(obj);
}

static void test_run_big(const char *suffix)
{
	struct bpfvm_object *obj = zoo_open("zoo_big", suffix);
	uint64_t mem[2] = { 0, 0x0123456789abcdefull };
	uint64_t h = zoo_big_calc(mem[1]);
	size_t cnt = 0;

	if (obj && zoo_load(obj) == 0) {
		struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj,
								  "big_mix");

		CHECK(p && bpfvm_obj_prog_insns(p, &cnt) && cnt > 10000);
		run_both(obj, "big_mix", mem, sizeof(mem),
			 (int32_t)(h ^ (h >> 32)));
	}
	bpfvm_object_close(obj);
}

/* Every -mcpu variant computes what the host does on the same input. */
static void test_run_cpuv(void)
{
	static const struct zoo_cpu_in inputs[] = {
		{ 100, 7, -3, -300, -70000, 0x1122334455667788ull, 5 },
		{ -100, -7, 100, 30000, 123456, 0xfedcba9876543210ull, 0 },
		{ INT64_MIN + 1, 3, -128, -32768, INT32_MIN, 0, 1ull << 40 },
	};
	static const char *const vs[] = { "_v1", "_v2", "_v3", "_v4" };
	int ran = 0;

	for (size_t v = 0; v < 4; v++) {
		char path[512];
		struct bpfvm_object *obj;

		if (!zoo_path(path, sizeof(path), "zoo_cpu", vs[v])) {
			printf("zoo_cpu%s: not built (no clang-19)\n", vs[v]);
			continue;
		}
		obj = zoo_open("zoo_cpu", vs[v]);
		if (!obj || zoo_load(obj)) {
			bpfvm_object_close(obj);
			continue;
		}
		for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
			struct zoo_cpu_in in = inputs[i];
			uint64_t h = zoo_cpu_calc(&in);

			run_both(obj, "cpu_calc", &inputs[i],
				 sizeof(inputs[i]), (int32_t)(h ^ (h >> 32)));
		}
		ran++;
		bpfvm_object_close(obj);
	}
	CHECK(ran >= 3);
}
int main(void)
{
	static const char *const suffixes[] = { "", "_rela", "_em0" };

	for (size_t s = 0; s < 3; s++) {
		test_run_xdp(suffixes[s]);
		test_run_tracing(suffixes[s]);
		test_run_globals(suffixes[s], false);
		test_run_multi(suffixes[s]);
		test_run_big(suffixes[s]);
	}
	test_run_globals("", true);
	test_run_cpuv();
	return check_report();
}
