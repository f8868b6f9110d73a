/* bpfvm-bench-maps: ns per map operation, bpfvm vs the kernel.
 *
 *   bpfvm-bench-maps [--quick] [--no-kernel] [--user | --prog] [--json]
 *                    [--filter TEXT]
 *
 * Two tables: user-space operations (bpfvm's API vs bpf(2)'s syscalls,
 * each row a batch run a few times, the fastest kept) and program-side
 * operations (a BPF program's loop of map operations, run by bpfvm's
 * interpreter and JIT and by the kernel's BPF_PROG_TEST_RUN; see
 * prog_bench.h), with the goals. --user / --prog: only that
 * table; --filter: only rows whose name contains TEXT. The kernel columns are SKIP when bpf() cannot create maps (not
 * root, seccomp ...). Exit status 1 when a row failed or a result was
 * wrong (not for goals missed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_maps.h"
#include "kmap.h"
#include "prog_bench.h"

/* Every table of user-space rows. */
static const struct map_bench_row *const tables[] = {
	map_bench_user_rows,
	map_bench_hash_rows,
};

#define REPEATS 5
#define TARGET_GOAL 20.0 /* bpfvm's user-space ops vs the syscall */
#define MAX_ROWS 64

struct opts {
	bool quick, kernel, json, user, prog;
	const char *filter;	/* only rows whose name contains this */
};

struct user_result {
	const char *name;
	double vm, k;		/* ns/op; k < 0: -errno, 0: no kernel */
	int err;		/* setup or bpfvm failed */
};

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

static void run_row(const struct map_bench_row *row, const struct opts *o,
		    struct user_result *res)
{
	struct map_bench_ctx c = { .kernel = o->kernel, .kfd = -1 };
	uint64_t n_vm = o->quick ? 200000 : 2000000;
	uint64_t n_k = o->quick ? 20000 : 200000;

	*res = (struct user_result){ .name = row->name };
	res->err = row->setup(&c);
	if (res->err) {
		row->teardown(&c);
		return;
	}
	res->vm = time_op(row->vm, &c, n_vm);
	if (c.kernel && row->kernel)
		res->k = time_op(row->kernel, &c, n_k);
	row->teardown(&c);
	if (res->vm < 0)
		res->err = (int)res->vm;
}

static void print_user(const struct user_result *r, size_t n)
{
	printf("%-38s %11s %14s %12s\n", "map operation (user space)",
	       "bpfvm ns/op", "kernel ns/op", "kernel/bpfvm");
	for (size_t i = 0; i < n; i++, r++) {
		if (r->err) {
			printf("%-38s failed: %s\n", r->name,
			       strerror(-r->err));
		} else if (r->k == 0) {
			printf("%-38s %11.1f %14s %12s\n", r->name, r->vm,
			       "SKIP", "-");
		} else if (r->k < 0) {
			printf("%-38s %11.1f %14s %12s\n", r->name, r->vm,
			       strerror((int)-r->k), "-");
		} else {
			printf("%-38s %11.1f %14.1f %11.1fx%s\n", r->name,
			       r->vm, r->k, r->k / r->vm,
			       r->k / r->vm >= TARGET_GOAL ?
				       "" : "  (below the 20x goal)");
		}
	}
}

static void json_user(const struct user_result *r, size_t n)
{
	printf("\"user\": [\n");
	for (size_t i = 0; i < n; i++, r++) {
		printf("  {\"name\": \"%s\", \"bpfvm_ns\": ", r->name);
		if (r->err)
			printf("null, \"error\": \"%s\"", strerror(-r->err));
		else
			printf("%.3f", r->vm);
		if (r->k > 0)
			printf(", \"kernel_ns\": %.3f", r->k);
		else
			printf(", \"kernel_ns\": null");
		printf("}%s\n", i + 1 < n ? "," : "");
	}
	printf("]");
}

static int parse(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			o->quick = true;
		else if (!strcmp(argv[i], "--no-kernel"))
			o->kernel = false;
		else if (!strcmp(argv[i], "--json"))
			o->json = true;
		else if (!strcmp(argv[i], "--user"))
			o->prog = false;
		else if (!strcmp(argv[i], "--prog"))
			o->user = false;
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			o->filter = argv[++i];
		else
			return -1;
	}
	return o->user || o->prog ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o = { .kernel = true, .user = true, .prog = true };
	static struct user_result ur[MAX_ROWS];
	static struct pb_result pr[MAX_ROWS];
	size_t nu = 0, np = 0;
	bool ok = true;
	char why[128] = "";

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--quick] [--no-kernel] "
			"[--user | --prog] [--json] [--filter TEXT]\n",
			argv[0]);
		return 2;
	}
	if (o.kernel && !kmap_available(why, sizeof(why))) {
		if (!o.json)
			printf("kernel column: SKIP (%s)\n", why);
		o.kernel = false;
	}
	for (size_t t = 0; o.user && t < sizeof(tables) / sizeof(tables[0]);
	     t++)
		for (const struct map_bench_row *r = tables[t];
		     r->name && nu < MAX_ROWS; r++) {
			if (o.filter && !strstr(r->name, o.filter))
				continue;
			run_row(r, &o, &ur[nu]);
			ok &= !ur[nu++].err;
		}
	for (const struct prog_row *r = prog_rows; o.prog && r->name; r++)
		if (!o.filter || strstr(r->name, o.filter))
			pb_run_row(r, &(struct pb_opts){ .quick = o.quick,
						 .kernel = o.kernel },
			   &pr[np++]);
	if (o.json) {
		printf("{\"quick\": %s, ", o.quick ? "true" : "false");
		json_user(ur, nu);
		printf(",\n\"prog\": ");
		pb_report_json(stdout, pr, np);
		printf("}\n");
	} else {
		if (nu)
			print_user(ur, nu);
		if (np) {
			pb_report_table(stdout, pr, np);
			pb_report_goals(stdout, pr, np);
		}
	}
	/* results must be right; goals are reported, not enforced */
	for (size_t i = 0; i < np; i++)
		for (int c = 0; c < PB_COLS; c++)
			ok &= pr[i].col[c].state != PB_FAIL;
	return ok ? 0 : 1;
}
