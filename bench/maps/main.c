/* bpfvm-bench-maps: ns per map operation, bpfvm vs the kernel's bpf().
 *
 *   bpfvm-bench-maps [--quick] [--no-kernel]
 *
 * Each row runs a batch of operations a few times and keeps the fastest
 * (the least disturbed by other load). The kernel column is SKIP when
 * bpf() cannot create maps (not root, seccomp ...). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_maps.h"
#include "kmap.h"

/* Every table of rows; program-side rows add theirs here. */
static const struct map_bench_row *const tables[] = {
	map_bench_user_rows,
	map_bench_hash_rows,
};

#define REPEATS 5
#define TARGET_GOAL 20.0 /* bpfvm's user-space ops vs the syscall */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Fastest ns/op over REPEATS batches of n, or a negative errno. */
static double time_op(int (*op)(struct map_bench_ctx *, uint64_t),
		      struct map_bench_ctx *c, uint64_t n)
{
	double best = -1;

	for (int r = 0; r < REPEATS; r++) {
		uint64_t t0 = now_ns();
		int err = op(c, n);
		double ns = (double)(now_ns() - t0) / (double)n;

		if (err)
			return err;
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

static bool run_row(const struct map_bench_row *row, bool kernel, bool quick)
{
	struct map_bench_ctx c = { .kernel = kernel, .kfd = -1 };
	uint64_t n_vm = quick ? 200000 : 2000000, n_k = quick ? 20000 : 200000;
	double vm, k = 0;
	int err = row->setup(&c);

	if (err) {
		printf("%-38s setup failed: %s\n", row->name, strerror(-err));
		return false;
	}
	vm = time_op(row->vm, &c, n_vm);
	if (c.kernel && row->kernel)
		k = time_op(row->kernel, &c, n_k);
	row->teardown(&c);
	if (vm < 0) {
		printf("%-38s bpfvm failed: %s\n", row->name, strerror((int)-vm));
		return false;
	}
	if (!c.kernel || !row->kernel) {
		printf("%-38s %11.1f %14s %12s\n", row->name, vm, "SKIP", "-");
		return true;
	}
	if (k < 0) {
		printf("%-38s %11.1f %14s %12s\n", row->name, vm,
		       strerror((int)-k), "-");
		return true;
	}
	printf("%-38s %11.1f %14.1f %11.1fx%s\n", row->name, vm, k, k / vm,
	       k / vm >= TARGET_GOAL ? "" : "  (below the 20x goal)");
	return true;
}

int main(int argc, char **argv)
{
	bool quick = false, kernel = true, ok = true;
	char why[128] = "";

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--no-kernel"))
			kernel = false;
		else {
			fprintf(stderr, "usage: %s [--quick] [--no-kernel]\n",
				argv[0]);
			return 2;
		}
	}
	if (kernel && !kmap_available(why, sizeof(why))) {
		printf("kernel column: SKIP (%s)\n", why);
		kernel = false;
	}
	printf("%-38s %11s %14s %12s\n", "map operation", "bpfvm ns/op",
	       "kernel ns/op", "kernel/bpfvm");
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct map_bench_row *r = tables[t]; r->name; r++)
			ok &= run_row(r, kernel, quick);
	return ok ? 0 : 1;
}
