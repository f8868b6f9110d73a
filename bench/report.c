#include <math.h>
#include <string.h>
#include "json.h"
#include "report.h"

static const char *const col_names[COL_COUNT] = {
	[COL_SCALAR] = "native_scalar",
	[COL_O2] = "native_o2",
	[COL_INTERP] = "interp",
	[COL_JIT] = "jit",
	[COL_JIT_RUN] = "jit_prog_run",
	[COL_KERNEL] = "kernel",
};

/* Enough digits to compare, few enough to fit the column. */
static void fmt_ns(char *buf, size_t size, double ns)
{
	snprintf(buf, size, ns < 10 ? "%.2f" : ns < 100 ? "%.1f" : "%.0f", ns);
}

static void fmt_cell(char *buf, size_t size, const struct cell *c)
{
	if (c->state == CELL_OK)
		fmt_ns(buf, size, c->ns);
	else if (c->state == CELL_NA)
		snprintf(buf, size, "n/a");
	else if (c->state == CELL_NONE)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s", c->tag);
}

static bool both_ok(const struct row *r, enum column a, enum column b)
{
	return r->col[a].state == CELL_OK && r->col[b].state == CELL_OK &&
	       r->col[a].ns > 0 && r->col[b].ns > 0;
}

static double ns_per_insn(const struct row *r)
{
	return r->insns ? r->col[COL_INTERP].ns / (double)r->insns : 0;
}

static bool has_ns_per_insn(const struct row *r)
{
	return r->col[COL_INTERP].state == CELL_OK &&
	       r->insns >= NS_PER_INSN_MIN_INSNS;
}

/* The JIT's time minus its empty program's: what the kernel column is. */
static bool jit_net(const struct row *r, const struct report_info *info,
		    double *ns)
{
	double e = info->empty_ns[COL_JIT];

	if (r->col[COL_JIT].state != CELL_OK || e <= 0)
		return false;
	*ns = r->col[COL_JIT].ns > e ? r->col[COL_JIT].ns - e : 0;
	return true;
}

static void print_row(FILE *f, const struct row *r,
		      const struct report_info *info)
{
	char cells[COL_COUNT][32], npi[16] = "-", ratio[16] = "-", net[32] = "-";
	double ns;

	for (int c = 0; c < COL_COUNT; c++)
		fmt_cell(cells[c], sizeof(cells[c]), &r->col[c]);
	if (r->col[COL_INTERP].state == CELL_OK && r->insns)
		snprintf(npi, sizeof(npi), "%.2f", ns_per_insn(r));
	if (both_ok(r, COL_INTERP, COL_SCALAR))
		snprintf(ratio, sizeof(ratio), "%.1fx",
			 r->col[COL_INTERP].ns / r->col[COL_SCALAR].ns);
	if (jit_net(r, info, &ns))
		fmt_ns(net, sizeof(net), ns);
	fprintf(f, "%-13s %9llu %10s %10s %11s %8s %10s %9s %9s %9s %14s\n",
		r->b->name, (unsigned long long)r->insns, cells[COL_SCALAR],
		cells[COL_O2], cells[COL_INTERP], npi, ratio, cells[COL_JIT],
		cells[COL_JIT_RUN], net, cells[COL_KERNEL]);
}

/* Geometric mean of a/b over the rows that have both; 0 when none. */
static double geomean(const struct row *rows, size_t n, enum column a,
		      enum column b, size_t *used)
{
	double logs = 0;

	*used = 0;
	for (size_t i = 0; i < n; i++) {
		if (!both_ok(&rows[i], a, b))
			continue;
		logs += log(rows[i].col[a].ns / rows[i].col[b].ns);
		(*used)++;
	}
	return *used ? exp(logs / (double)*used) : 0;
}

/* Geometric mean of JIT-net / kernel: both net of their engine's empty
 * program, each counted as at least NET_FLOOR_NS; benchmarks where both
 * are below the floor (no measurable work: const, add) are left out. */
static double net_geomean(const struct row *rows, size_t n,
			  const struct report_info *info, size_t *used)
{
	double logs = 0;

	*used = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		double j, k = r->col[COL_KERNEL].ns;

		if (!jit_net(r, info, &j) || r->col[COL_KERNEL].state != CELL_OK)
			continue;
		if (j < NET_FLOOR_NS && k < NET_FLOOR_NS)
			continue;
		logs += log((j > NET_FLOOR_NS ? j : NET_FLOOR_NS) /
			    (k > NET_FLOOR_NS ? k : NET_FLOOR_NS));
		(*used)++;
	}
	return *used ? exp(logs / (double)*used) : 0;
}

static void print_ratio(FILE *f, const char *what, const struct row *rows,
			size_t n, enum column a, enum column b)
{
	size_t used;
	double g = geomean(rows, n, a, b, &used);

	if (used)
		fprintf(f, "  %-44s %8.2fx  (%zu of %zu benchmarks)\n", what,
			g, used, n);
	else
		fprintf(f, "  %-44s %9s\n", what, "n/a");
}

/* A goal on a geometric mean of ratios: "MET" when at or below `limit`. */
static void print_jit_goal(FILE *f, const char *what, const struct row *rows,
			   size_t n, enum column a, enum column b, double limit)
{
	size_t used;
	double g = geomean(rows, n, a, b, &used);

	if (!used)
		fprintf(f, "  %-44s n/a (no benchmark has both)\n", what);
	else
		fprintf(f, "  %-44s %.2fx, goal <= %.1fx: %s (%zu of %zu)\n",
			what, g, limit, g <= limit ? "MET" : "NOT MET", used,
			n);
}

/* The JIT issue's goals: as fast as gcc's scalar code within 10%, and
 * no slower than the kernel's JIT, each with its empty program's time
 * subtracted. */
static void print_jit_goals(FILE *f, const struct row *rows, size_t n,
			    const struct report_info *info)
{
	size_t used;
	double g = net_geomean(rows, n, info, &used);

	fprintf(f, "JIT goals:\n");
	print_jit_goal(f, "JIT / native scalar (geometric mean)", rows, n,
		       COL_JIT, COL_SCALAR, 1.1);
	if (used)
		fprintf(f, "  %-44s %.2fx, goal <= 1.0x: %s (%zu of %zu)\n",
			"JIT-net / kernel (geometric mean)", g,
			g <= 1.0 ? "MET" : "NOT MET", used, n);
	else
		fprintf(f, "  %-44s n/a (no benchmark has both)\n",
			"JIT-net / kernel (geometric mean)");
	fprintf(f, "  (JIT: the code called directly, call included, as the "
		   "native code is; JIT-net and kernel: the empty program's "
		   "time subtracted, each its own engine's; net times under "
		   "%.1f ns count as %.1f, benchmarks with both under it are "
		   "left out)\n", NET_FLOOR_NS, NET_FLOOR_NS);
}

static void print_goal(FILE *f, const struct row *rows, size_t n)
{
	double sum = 0;
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		if (!has_ns_per_insn(&rows[i]))
			continue;
		sum += ns_per_insn(&rows[i]);
		used++;
	}
	if (!used) {
		fprintf(f, "Interpreter ns per BPF instruction: no benchmark "
			   "ran >= %d instructions\n", NS_PER_INSN_MIN_INSNS);
		return;
	}
	fprintf(f, "Interpreter: %.2f ns per executed BPF instruction (mean "
		   "over %zu benchmarks running >= %d insns)\n",
		sum / (double)used, used, NS_PER_INSN_MIN_INSNS);
	fprintf(f, "  goal <= %.1f ns/insn (uBPF's interpreter: 6-7 ns/insn "
		   "on this machine class): %s\n", GOAL_NS_PER_INSN,
		sum / (double)used <= GOAL_NS_PER_INSN ? "met" : "NOT MET");
	for (size_t i = 0; i < n; i++) {
		if (has_ns_per_insn(&rows[i]) &&
		    ns_per_insn(&rows[i]) > GOAL_NS_PER_INSN)
			fprintf(f, "  over the goal: %s at %.2f ns/insn (%.1fx "
				   "the goal)\n", rows[i].b->name,
				ns_per_insn(&rows[i]),
				ns_per_insn(&rows[i]) / GOAL_NS_PER_INSN);
	}
}

static void print_empties(FILE *f, const struct report_info *info)
{
	static const struct {
		enum column c;
		const char *name;
	} e[] = {
		{ COL_SCALAR, "native" }, { COL_INTERP, "interpreter" },
		{ COL_JIT, "JIT" }, { COL_JIT_RUN, "JIT-run" },
	};

	fprintf(f, "\nThe empty program (r0 = 0), ns per call:");
	for (size_t k = 0; k < sizeof(e) / sizeof(e[0]); k++)
		if (info->empty_ns[e[k].c] > 0)
			fprintf(f, " %s %.2f%s", e[k].name,
				info->empty_ns[e[k].c],
				k + 1 < sizeof(e) / sizeof(e[0]) ? "," : "");
	fprintf(f, " (the kernel's: in the notes above)\n");
}

void report_table(FILE *f, const struct row *rows, size_t n,
		  const struct report_info *info)
{
	fprintf(f, "ns per run, best of several batches in thread CPU time. "
		   "Native: the same C source built with %s (nat-scalar, the "
		   "reference for interp/nat) and with %s (nat-O2), called "
		   "through a pointer. JIT: the compiled code called as a "
		   "function (bpfvm_prog_jit_fn: no options, plain run), as "
		   "the native code is; JIT-run: the same code through "
		   "bpfvm_prog_run (options, run state, error messages). "
		   "JIT-net: JIT minus the JIT's empty program (r0 = 0). "
		   "kernel: BPF_PROG_TEST_RUN, JIT %s, short programs called "
		   "many times per repetition (the kernel reports whole ns per "
		   "repetition), minus the kernel's empty program (same memory, "
		   "same calls): compare it with JIT-net.%s\n\n",
		BENCH_FLAGS_SCALAR, BENCH_FLAGS_O2, info->kernel_jit,
		info->quick ? "\n(--quick: too few runs for the times to mean "
			      "anything; results were checked)" : "");
	fprintf(f, "%-13s %9s %10s %10s %11s %8s %10s %9s %9s %9s %14s\n",
		"benchmark", "insns/run", "nat-scalar", "nat-O2", "interp",
		"ns/insn", "interp/nat", "JIT", "JIT-run", "JIT-net",
		"kernel");
	for (size_t i = 0; i < n; i++)
		print_row(f, &rows[i], info);

	fprintf(f, "\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-13s %s%s%s\n", rows[i].b->name, rows[i].b->what,
			rows[i].note[0] ? "; " : "", rows[i].note);
	print_empties(f, info);

	fprintf(f, "\nGeometric means of the ratios:\n");
	print_ratio(f, "interpreter / native scalar", rows, n, COL_INTERP,
		    COL_SCALAR);
	print_ratio(f, "interpreter / native -O2", rows, n, COL_INTERP, COL_O2);
	print_ratio(f, "JIT / native scalar", rows, n, COL_JIT, COL_SCALAR);
	print_ratio(f, "JIT / native -O2", rows, n, COL_JIT, COL_O2);
	print_ratio(f, "JIT-run (bpfvm_prog_run) / native scalar", rows, n,
		    COL_JIT_RUN, COL_SCALAR);
	print_ratio(f, "kernel (net of its empty program) / native", rows,
		    n, COL_KERNEL, COL_SCALAR);
	print_goal(f, rows, n);
	print_jit_goals(f, rows, n, info);
}

static void json_cell(FILE *f, const struct cell *c)
{
	if (c->state == CELL_OK)
		fprintf(f, "%.3f", c->ns);
	else if (c->state == CELL_NA || c->state == CELL_NONE)
		fprintf(f, "null");
	else
		fprintf(f, "\"%s\"", c->tag);
}

void report_json(FILE *f, const struct row *rows, size_t n,
		 const struct report_info *info)
{
	fprintf(f, "{\"kernel_jit\": \"%s\", \"quick\": %s, "
		   "\"goal_ns_per_insn\": %.1f, \"empty_ns\": {",
		info->kernel_jit, info->quick ? "true" : "false",
		GOAL_NS_PER_INSN);
	for (int c = 0; c < COL_COUNT; c++)
		fprintf(f, "%s\"%s\": %.3f", c ? ", " : "", col_names[c],
			info->empty_ns[c]);
	fprintf(f, "}, \"benchmarks\": [\n");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		fprintf(f, "  {\"name\": \"%s\", \"insns\": %llu", r->b->name,
			(unsigned long long)r->insns);
		for (int c = 0; c < COL_COUNT; c++) {
			fprintf(f, ", \"%s_ns\": ", col_names[c]);
			json_cell(f, &r->col[c]);
		}
		double net;

		if (jit_net(r, info, &net))
			fprintf(f, ", \"jit_net_ns\": %.3f", net);
		fprintf(f, ", \"note\": ");
		bench_json_string(f, r->note);
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "]}\n");
}
