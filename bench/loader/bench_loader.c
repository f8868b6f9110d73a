/* bpfvm-bench-loader: how long an object takes to become runnable.
 *   - open + load (maps, relocation, program creation; bpfvm has no
 *     verifier pass in load) of zoo_big.o, the 10k-instruction object,
 *     from memory: median and min over many runs (goal: <= 1 ms)
 *   - libbpf's bpf_object__open_mem on the same bytes, and open + load
 *     into the kernel (its verifier included) where bpf() works
 *   - /sys/kernel/btf/vmlinux parsed by bpfvm_btf_vmlinux and libbpf's
 *     btf__parse (SKIP where absent)
 * Times are the calling thread's CPU time (kernel time included: the
 * kernel verifies in the bpf() call), steadier than wall time on a shared
 * machine. Ratios are libbpf / bpfvm (above 1: bpfvm is faster).
 * usage: bpfvm-bench-loader [--runs N] [--obj PATH] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpfvm/btf.h>
#include <bpfvm/object.h>
#ifdef BENCH_HAVE_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

struct stats {
	double median, min; /* microseconds */
	int ok;		    /* 0: the operation failed */
};

typedef int (*bench_fn)(void *ctx);

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Time `runs` calls of fn (after one warm-up); stop at the first error. */
static struct stats measure(bench_fn fn, void *ctx, int runs)
{
	struct stats s = { 0 };
	double *t = calloc((size_t)runs, sizeof(*t));

	if (!t || fn(ctx)) {
		free(t);
		return s;
	}
	for (int i = 0; i < runs; i++) {
		double t0 = now_us();

		if (fn(ctx)) {
			free(t);
			return s;
		}
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	s.median = t[runs / 2];
	s.min = t[0];
	s.ok = 1;
	free(t);
	return s;
}

struct obj_bytes {
	void *buf;
	size_t size;
	char log[1024];
};

static int bpfvm_open_only(void *ctx)
{
	struct obj_bytes *o = ctx;
	struct bpfvm_object_open_opts oo = {
		.sz = sizeof(oo), .log_buf = o->log, .log_size = sizeof(o->log),
		.target_btf = bpfvm_btf_builtin(),
	};
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_object_open_mem(o->buf, o->size, &oo, &obj);

	bpfvm_object_close(obj);
	return err;
}

static int bpfvm_open_load(void *ctx)
{
	struct obj_bytes *o = ctx;
	struct bpfvm_object_open_opts oo = {
		.sz = sizeof(oo), .log_buf = o->log, .log_size = sizeof(o->log),
		.target_btf = bpfvm_btf_builtin(),
	};
	struct bpfvm_object_load_opts lo = {
		.sz = sizeof(lo), .log_buf = o->log, .log_size = sizeof(o->log),
	};
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_object_open_mem(o->buf, o->size, &oo, &obj);

	if (!err)
		err = bpfvm_object_load(obj, &lo);
	bpfvm_object_close(obj);
	return err;
}

static int bpfvm_vmlinux(void *ctx)
{
	struct bpfvm_btf *btf = NULL;
	int err = bpfvm_btf_vmlinux(&btf);

	(void)ctx;
	bpfvm_btf_free(btf);
	return err;
}

#ifdef BENCH_HAVE_LIBBPF
static int libbpf_open_only(void *ctx)
{
	struct obj_bytes *o = ctx;
	struct bpf_object *obj = bpf_object__open_mem(o->buf, o->size, NULL);
	int err = (int)libbpf_get_error(obj);

	if (!err)
		bpf_object__close(obj);
	return err;
}

static int libbpf_open_load(void *ctx)
{
	struct obj_bytes *o = ctx;
	struct bpf_object *obj = bpf_object__open_mem(o->buf, o->size, NULL);
	int err = (int)libbpf_get_error(obj);

	if (err)
		return err;
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

static int libbpf_vmlinux(void *ctx)
{
	struct btf *btf = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	int err = (int)libbpf_get_error(btf);

	(void)ctx;
	if (!err)
		btf__free(btf);
	return err;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}
#endif

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*size = buf ? (size_t)n : 0;
	fclose(f);
	return buf;
}

static void row(const char *what, struct stats s, const char *unit,
		double scale)
{
	if (!s.ok)
		printf("  %-34s FAILED\n", what);
	else
		printf("  %-34s median %9.1f %s   min %9.1f %s\n", what,
		       s.median / scale, unit, s.min / scale, unit);
}

static void ratio(const char *what, struct stats lib, struct stats vm)
{
	if (lib.ok && vm.ok && vm.median > 0)
		printf("  ratio %-28s %9.2fx (median libbpf / bpfvm)\n", what,
		       lib.median / vm.median);
}

static int bench_object(const char *path, int runs)
{
	struct obj_bytes o = { 0 };
	struct stats vm_open, vm_load;

	o.buf = read_file(path, &o.size);
	if (!o.buf) {
		fprintf(stderr, "bpfvm-bench-loader: %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	printf("object %s (%zu bytes), %d runs, thread CPU time\n", path,
	       o.size, runs);
	vm_open = measure(bpfvm_open_only, &o, runs);
	row("bpfvm open", vm_open, "us", 1);
	vm_load = measure(bpfvm_open_load, &o, runs);
	row("bpfvm open + load (no verifier)", vm_load, "us", 1);
	if (!vm_load.ok)
		printf("  (bpfvm: %s)\n", o.log);
	else
		printf("  goal: open + load <= 1000 us: %s\n",
		       vm_load.median <= 1000 ? "met" : "NOT MET");
#ifdef BENCH_HAVE_LIBBPF
	{
		struct stats lib_open = measure(libbpf_open_only, &o, runs);
		struct stats lib_load;

		row("libbpf open", lib_open, "us", 1);
		ratio("open", lib_open, vm_open);
		/* the kernel's verifier is slower: fewer runs */
		lib_load = measure(libbpf_open_load, &o, runs / 10 + 1);
		if (lib_load.ok) {
			row("libbpf open + load (kernel)", lib_load, "us", 1);
			ratio("open + load", lib_load, vm_load);
		} else {
			printf("  libbpf open + load (kernel): SKIP (bpf() "
			       "refused: not root, or no kernel support)\n");
		}
	}
#else
	printf("  libbpf: SKIP (built without libbpf)\n");
#endif
	free(o.buf);
	return vm_load.ok ? 0 : 1;
}

static void bench_vmlinux(int runs)
{
	struct stats vm;

	printf("vmlinux BTF (/sys/kernel/btf/vmlinux), %d runs, thread CPU "
	       "time\n", runs);
	vm = measure(bpfvm_vmlinux, NULL, runs);
	if (!vm.ok) {
		printf("  SKIP: no /sys/kernel/btf/vmlinux, or bpfvm cannot "
		       "parse it\n");
		return;
	}
	row("bpfvm_btf_vmlinux", vm, "ms", 1000);
#ifdef BENCH_HAVE_LIBBPF
	{
		struct stats lib = measure(libbpf_vmlinux, NULL, runs);

		row("libbpf btf__parse", lib, "ms", 1000);
		ratio("vmlinux parse", lib, vm);
	}
#endif
}

int main(int argc, char **argv)
{
	char path[512];
	int runs = 200;

	snprintf(path, sizeof(path), "%s/zoo_big.o", BPFVM_OBJ_DIR);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--obj") && i + 1 < argc) {
			snprintf(path, sizeof(path), "%s", argv[++i]);
		} else {
			fprintf(stderr, "usage: bpfvm-bench-loader [--runs N] "
					"[--obj PATH]\n");
			return 2;
		}
	}
	if (runs < 1)
		runs = 1;
#ifdef BENCH_HAVE_LIBBPF
	libbpf_set_print(libbpf_quiet);
#endif
	if (bench_object(path, runs))
		return 1;
	bench_vmlinux(runs / 20 + 3);
	return 0;
}
