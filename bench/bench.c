/* bpfvm-bench: every benchmark's program run natively (two builds), in
 * bpfvm's interpreter and JIT, and in the kernel; each result checked
 * against the native one before anything is timed.
 *
 *   bpfvm-bench [--filter NAME] [--rounds N] [--quick] [--json]
 *
 * Exits non-zero when any engine computes a different result: a benchmark
 * that computes the wrong thing measures nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "compile_speed.h"
#include "engines.h"
#include "kernel_column.h"
#include "report.h"

struct options {
	const char *filter;	/* substring of the benchmark names to run */
	bool quick;		/* a correctness smoke test: tiny batches */
	bool json;
	int rounds;		/* timed batches per cell; 0: the default */
};

static const char *const engine_names[COL_COUNT] = {
	[COL_SCALAR] = "native -O2 -fno-tree-vectorize",
	[COL_O2] = "native -O2",
	[COL_INTERP] = "interpreter",
	[COL_JIT] = "JIT (direct call)",
	[COL_JIT_RUN] = "JIT (bpfvm_prog_run)",
	[COL_KERNEL] = "kernel",
};

static void cell_fail(struct row *r, enum column c, const char *tag)
{
	r->col[c].state = CELL_FAIL;
	snprintf(r->col[c].tag, sizeof(r->col[c].tag), "%s", tag);
}

/* Did column c compute what the scalar native build did, in its result
 * and in memory? Says MISMATCH on stderr when not. */
static bool check(struct row *r, enum column c, __u64 got, __u64 want,
		  const void *mem)
{
	const struct bench *b = r->b;

	if (got != want) {
		fprintf(stderr, "MISMATCH %s: %s returned %#llx, native "
				"returned %#llx\n", b->name, engine_names[c],
			(unsigned long long)got, (unsigned long long)want);
	} else if (b->verify && !b->verify(mem, b->mem_size)) {
		fprintf(stderr, "MISMATCH %s: %s left wrong data in memory\n",
			b->name, engine_names[c]);
	} else {
		return true;
	}
	cell_fail(r, c, "MISMATCH");
	return false;
}

/* The runs of one benchmark that passed their check, timed together
 * (timing_measure_set) once all are known; the batches' contexts live
 * here until then. */
struct timed {
	struct native_run nat[2];
	struct bpfvm_bench_run interp, jit_run, jit;
	struct batch b[COL_COUNT];
	enum column col[COL_COUNT];
	size_t n;
};

static void add_timed(struct timed *t, enum column c, struct batch b)
{
	t->b[t->n] = b;
	t->col[t->n++] = c;
}

static void time_all(struct row *r, struct timed *t,
		     const struct timing_opts *o, void *mem)
{
	double ns[COL_COUNT];
	int err[COL_COUNT];

	r->b->setup(mem, r->b->mem_size);
	timing_measure_set(t->b, t->n, o, ns, err);
	for (size_t k = 0; k < t->n; k++) {
		enum column c = t->col[k];

		if (err[k]) {
			fprintf(stderr, "ERROR %s: %s failed while timed: "
					"%s\n", r->b->name, engine_names[c],
				strerror(-err[k]));
			cell_fail(r, c, "ERROR");
			continue;
		}
		r->col[c].ns = ns[k];
		r->col[c].state = CELL_OK;
	}
}

/* Both native builds, checked; the scalar one's result is the
 * reference. */
static bool run_native(struct row *r, void *mem, struct timed *t, __u64 *want)
{
	const struct bench *b = r->b;
	bool ok = true;

	t->nat[0] = (struct native_run){ b->code->native_scalar, mem,
					 b->mem_size };
	t->nat[1] = (struct native_run){ b->code->native_o2, mem, b->mem_size };
	for (int i = 0; i < 2; i++) {
		enum column c = i ? COL_O2 : COL_SCALAR;
		__u64 got;

		b->setup(mem, b->mem_size);
		got = t->nat[i].fn(mem, b->mem_size);
		if (!i) {
			*want = got;
			if (b->has_expect && got != b->expect) {
				fprintf(stderr, "MISMATCH %s: native returned "
						"%#llx, expected %#llx\n",
					b->name, (unsigned long long)got,
					(unsigned long long)b->expect);
				cell_fail(r, c, "MISMATCH");
				return false;
			}
		}
		if (check(r, c, got, *want, mem))
			add_timed(t, c, native_batch(&t->nat[i]));
		else
			ok = false;
	}
	return ok;
}

/* The JIT column runs the code called directly (as the native one is),
 * JIT-run the same code through bpfvm_prog_run; both checked first. */
static bool run_direct(struct row *r, struct timed *t, __u64 want)
{
	int err;

	add_timed(t, COL_JIT_RUN, bpfvm_batch(&t->jit_run));
	t->jit = t->jit_run;
	err = bpfvm_prog_jit_fn(t->jit.prog, &t->jit.direct);
	if (err) {
		fprintf(stderr, "ERROR %s: bpfvm_prog_jit_fn: %s\n",
			r->b->name, strerror(-err));
		cell_fail(r, COL_JIT, "ERROR");
		return false;
	}
	r->b->setup(t->jit.mem, r->b->mem_size);
	if (!check(r, COL_JIT, bpfvm_check_direct(&t->jit), want, t->jit.mem))
		return false;
	add_timed(t, COL_JIT, bpfvm_batch(&t->jit));
	return true;
}

/* One bpfvm engine: a counted run (for insns/run) and a plain one, both
 * checked, then queued for timing. -EOPNOTSUPP means the engine is not
 * built yet. */
static bool run_bpfvm(struct row *r, enum column c, struct bpfvm_prog *prog,
		      void *mem, struct timed *t, __u64 want)
{
	struct bpfvm_bench_run *run = c == COL_JIT ? &t->jit_run : &t->interp;
	char err[256] = "";
	__u64 got, insns;

	*run = (struct bpfvm_bench_run){
		.prog = prog,
		.engine = c == COL_JIT ? BPFVM_ENGINE_JIT : BPFVM_ENGINE_INTERP,
		.mem = mem,
		.mem_size = r->b->mem_size,
	};
	for (int counted = 1; counted >= 0; counted--) {
		int ret;

		r->b->setup(mem, r->b->mem_size);
		ret = bpfvm_check_run(run, &got, counted ? &insns : NULL,
				      err, sizeof(err));
		if (ret == -EOPNOTSUPP) {
			r->col[c].state = CELL_NA;
			return true;
		}
		if (ret) {
			fprintf(stderr, "ERROR %s: %s run failed: %s (%s)\n",
				r->b->name, engine_names[c], strerror(-ret),
				err);
			cell_fail(r, c, "ERROR");
			return false;
		}
		if (!check(r, c, got, want, mem))
			return false;
		if (counted && c == COL_INTERP)
			r->insns = insns;
	}
	if (c == COL_JIT)
		return run_direct(r, t, want);
	add_timed(t, c, bpfvm_batch(run));
	return true;
}

static bool run_kernel(struct row *r, void *mem, const struct timing_opts *t,
		       __u64 want)
{
	struct kcol_skip skip = { "", "" };
	struct kcol_run *kr;
	double empty_ns;
	__u64 got;
	bool ok = true;

	r->b->setup(mem, r->b->mem_size);
	kcol_check(r->b, mem, &kr, &got, &skip);
	if (kr && check(r, COL_KERNEL, got, want, mem)) {
		r->b->setup(mem, r->b->mem_size);
		if (kcol_time(kr, t, &r->col[COL_KERNEL].ns, &empty_ns,
			      &skip)) {
			r->col[COL_KERNEL].state = CELL_OK;
			kcol_describe(kr, r->note, sizeof(r->note));
		}
	} else if (kr) {
		ok = false;
	}
	kcol_close(kr);
	if (ok && r->col[COL_KERNEL].state != CELL_OK) {
		r->col[COL_KERNEL].state = CELL_SKIP;
		snprintf(r->col[COL_KERNEL].tag, sizeof(r->col[0].tag), "%s",
			 skip.tag);
		snprintf(r->note, sizeof(r->note), "kernel %s: %s", skip.tag,
			 skip.detail);
	}
	return ok;
}

static bool run_bench(const struct bench *b, const struct timing_opts *t,
		      struct row *r)
{
	size_t alloc = (b->mem_size + 63) / 64 * 64;
	void *mem = aligned_alloc(64, alloc);
	struct bpfvm_prog *prog = NULL;
	struct timed timed = { .n = 0 };
	char err[512] = "";
	__u64 want;
	bool ok;
	int ret;

	memset(r, 0, sizeof(*r));
	r->b = b;
	if (!mem) {
		fprintf(stderr, "ERROR %s: out of memory\n", b->name);
		return false;
	}
	ok = run_native(r, mem, &timed, &want);
	if (ok) {
		ret = bench_prog_create(b->code, &prog, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "ERROR %s: bpfvm_prog_create: %s (%s)\n",
				b->name, strerror(-ret), err);
			cell_fail(r, COL_INTERP, "ERROR");
			ok = false;
		}
	}
	if (ok) {
		ok &= run_bpfvm(r, COL_INTERP, prog, mem, &timed, want);
		ok &= run_bpfvm(r, COL_JIT, prog, mem, &timed, want);
	}
	time_all(r, &timed, t, mem);
	if (ok)
		ok &= run_kernel(r, mem, t, want);
	bpfvm_prog_free(prog);
	free(mem);
	return ok;
}

/* The empty program's time in each column that has one: what calling a
 * program costs there (the kernel column measures its own per benchmark). */
static void measure_empties(const struct timing_opts *t,
			    struct report_info *info)
{
	static __u64 mem[2];
	struct native_run nat = { bench_native_empty, mem, sizeof(mem) };
	struct bpfvm_bench_run run[3] = { { .mem = mem, .mem_size = sizeof(mem) } };
	enum column cols[4] = { COL_SCALAR, COL_INTERP, COL_JIT_RUN, COL_JIT };
	struct batch b[4];
	double ns[4];
	int err[4];

	if (bench_empty_prog_create(&run[0].prog))
		return;
	run[2] = run[1] = run[0];
	run[1].engine = run[2].engine = BPFVM_ENGINE_JIT;
	if (bpfvm_prog_jit_fn(run[0].prog, &run[2].direct)) {
		bpfvm_prog_free(run[0].prog);
		return;
	}
	b[0] = native_batch(&nat);
	for (int k = 0; k < 3; k++)
		b[k + 1] = bpfvm_batch(&run[k]);
	timing_measure_set(b, 4, t, ns, err);
	for (int k = 0; k < 4; k++)
		info->empty_ns[cols[k]] = err[k] ? 0 : ns[k];
	bpfvm_prog_free(run[0].prog);
}

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: bpfvm-bench [--filter NAME] [--rounds N] [--quick] "
		   "[--json]\n"
		   "  --filter NAME  only benchmarks whose name contains NAME\n"
		   "  --rounds N     timed batches per cell, the fastest counts "
		   "(default 9;\n"
		   "                 more give steadier figures on a busy "
		   "machine)\n"
		   "  --quick        tiny batches: checks results, times "
		   "nothing useful\n"
		   "  --json         print JSON instead of the table\n");
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	/* Many short batches rather than a few long ones: on a shared
	 * machine the fastest of many is the least disturbed. */
	struct timing_opts t = { .target_ns = 0.05e9, .rounds = 9,
				 .max_n = 1000000000 };
	struct report_info info = { .kernel_jit = kcol_jit_state() };
	struct row *rows;
	size_t n = 0;
	bool ok = true;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			o.filter = argv[++i];
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			o.rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			o.quick = true;
		else if (!strcmp(argv[i], "--json"))
			o.json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return usage(stdout, 0);
		else
			return usage(stderr, 2);
	}
	rows = calloc(bench_count, sizeof(*rows));
	if (!rows)
		return 1;
	if (o.quick)
		t = (struct timing_opts){ .target_ns = 1e5, .rounds = 1,
					  .max_n = 1000 };
	if (o.rounds > 0)
		t.rounds = o.rounds;
	info.quick = o.quick;
	measure_empties(&t, &info);

	for (size_t i = 0; i < bench_count; i++) {
		if (o.filter && !strstr(bench_list[i].name, o.filter))
			continue;
		if (!o.json && !o.quick) /* a full run takes a while */
			fprintf(stderr, "running %s...\n", bench_list[i].name);
		ok &= run_bench(&bench_list[i], &t, &rows[n++]);
	}
	if (!n) {
		fprintf(stderr, "no benchmark matches '%s'\n", o.filter);
		free(rows);
		return 2;
	}
	if (o.json) {
		report_json(stdout, rows, n, &info);
	} else {
		report_table(stdout, rows, n, &info);
		if (!o.filter)
			ok &= compile_speed_report(stdout, o.quick);
	}
	free(rows);
	return ok ? 0 : 1;
}
