/* The program-side table: ns per map operation in each column, the
 * ratios, the goals (bpfvm's JIT), and the same as JSON. */
#include <string.h>

#include "json.h"
#include "prog_bench.h"

static const char *const col_names[PB_COLS] = { "interp", "jit", "kernel" };

/* The goals, on bpfvm's JIT (the engine meant for speed). */
static const struct goal {
	const char *id;
	const char *what;
	double max_ns;
} goals[] = {
	{ "array", "program-side ARRAY lookup", 2.0 },
	{ "hash8", "program-side HASH lookup, 8-byte keys", 25.0 },
};

static bool ok(const struct pb_result *r, enum pb_col c)
{
	return r->col[c].state == PB_OK;
}

static void cell(FILE *f, const struct pb_result *r, enum pb_col c)
{
	if (ok(r, c))
		fprintf(f, " %9.2f", r->col[c].ns);
	else
		fprintf(f, " %9s", r->col[c].state == PB_SKIP ? "SKIP" : "FAIL");
}

static void ratio(FILE *f, const struct pb_result *r, enum pb_col a,
		  enum pb_col b)
{
	if (ok(r, a) && ok(r, b) && r->col[b].ns > 0)
		fprintf(f, " %10.2fx", r->col[a].ns / r->col[b].ns);
	else
		fprintf(f, " %11s", "-");
}

static bool is_ringbuf(const struct pb_result *r)
{
	return r->row->goal && !strcmp(r->row->goal, "ringbuf");
}

/* Is column c not OK in every row for one reason (no bpf() at all)? */
static bool same_everywhere(const struct pb_result *r, size_t n,
			    enum pb_col c)
{
	for (size_t i = 0; i < n; i++)
		if (ok(&r[i], c) || r[i].col[c].state != r[0].col[c].state ||
		    strcmp(r[i].col[c].why, r[0].col[c].why))
			return false;
	return n > 0;
}

static void notes(FILE *f, const struct pb_result *r, size_t n)
{
	bool all[PB_COLS];

	for (int c = 0; c < PB_COLS; c++) {
		all[c] = same_everywhere(r, n, (enum pb_col)c);
		if (all[c])
			fprintf(f, "  every row, %s: %s %s\n", col_names[c],
				r[0].col[c].state == PB_SKIP ? "SKIP" : "FAIL",
				r[0].col[c].why);
	}
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < PB_COLS; c++)
			if (!all[c] && !ok(&r[i], (enum pb_col)c))
				fprintf(f, "  %s, %s: %s %s\n", r[i].row->name,
					col_names[c],
					r[i].col[c].state == PB_SKIP ? "SKIP"
								      : "FAIL",
					r[i].col[c].why);
}

void pb_report_table(FILE *f, const struct pb_result *r, size_t n)
{
	fprintf(f, "\nProgram-side map operations: ns per operation, a BPF "
		   "loop of %u per run (key made from the loop index, result "
		   "summed into r0)\n", PB_OPS);
	fprintf(f, "%-36s %9s %9s %9s %11s %11s\n", "operation", "interp",
		"JIT", "kernel", "JIT/kernel", "interp/JIT");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%-36s", r[i].row->name);
		for (int c = 0; c < PB_COLS; c++)
			cell(f, &r[i], (enum pb_col)c);
		ratio(f, &r[i], PB_JIT, PB_KERNEL);
		ratio(f, &r[i], PB_INTERP, PB_JIT);
		fputc('\n', f);
	}
	notes(f, r, n);
	for (size_t i = 0; i < n; i++) {
		if (!is_ringbuf(&r[i]))
			continue;
		fprintf(f, "  %s: records/s:", r[i].row->name);
		for (int c = 0; c < PB_COLS; c++)
			if (ok(&r[i], (enum pb_col)c) && r[i].col[c].ns > 0)
				fprintf(f, " %s %.1f M", col_names[c],
					1e3 / r[i].col[c].ns);
		fprintf(f, " (producing; the drain between batches is not "
			   "timed)\n");
	}
}

static const struct pb_result *goal_row(const struct pb_result *r, size_t n,
					const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].row->goal && !strcmp(r[i].row->goal, id))
			return &r[i];
	return NULL;
}

bool pb_report_goals(FILE *f, const struct pb_result *r, size_t n)
{
	bool all = true;

	fprintf(f, "Goals (bpfvm's JIT, ns per operation):\n");
	for (size_t g = 0; g < sizeof(goals) / sizeof(goals[0]); g++) {
		const struct pb_result *row = goal_row(r, n, goals[g].id);
		bool met = row && ok(row, PB_JIT) &&
			   row->col[PB_JIT].ns <= goals[g].max_ns;

		all &= met;
		fprintf(f, "  %-40s <= %4.1f ns: ", goals[g].what,
			goals[g].max_ns);
		if (!row || !ok(row, PB_JIT)) {
			fprintf(f, "NOT MET (no JIT figure)\n");
			continue;
		}
		fprintf(f, "%6.2f ns  %s", row->col[PB_JIT].ns,
			met ? "MET" : "NOT MET");
		if (ok(row, PB_KERNEL))
			fprintf(f, "  (kernel %.2f ns)", row->col[PB_KERNEL].ns);
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < PB_COLS; c++)
			all &= r[i].col[c].state != PB_FAIL;
	return all;
}

void pb_report_json(FILE *f, const struct pb_result *r, size_t n)
{
	fprintf(f, "{\"ops_per_run\": %u, \"rows\": [\n", PB_OPS);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "  {\"name\": ");
		bench_json_string(f, r[i].row->name);
		for (int c = 0; c < PB_COLS; c++) {
			const struct pb_cell *x = &r[i].col[c];

			fprintf(f, ", \"%s_ns\": ", col_names[c]);
			if (x->state == PB_OK) {
				fprintf(f, "%.3f", x->ns);
				continue;
			}
			fprintf(f, "null, \"%s_%s\": ", col_names[c],
				x->state == PB_SKIP ? "skip" : "fail");
			bench_json_string(f, x->why);
		}
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "], \"goals\": [");
	for (size_t g = 0; g < sizeof(goals) / sizeof(goals[0]); g++) {
		const struct pb_result *row = goal_row(r, n, goals[g].id);
		bool have = row && ok(row, PB_JIT);

		fprintf(f, "%s{\"goal\": \"%s\", \"max_ns\": %.1f, "
			   "\"jit_ns\": ", g ? ", " : "", goals[g].id,
			goals[g].max_ns);
		if (have)
			fprintf(f, "%.3f", row->col[PB_JIT].ns);
		else
			fprintf(f, "null");
		fprintf(f, ", \"met\": %s}",
			have && row->col[PB_JIT].ns <= goals[g].max_ns ?
				"true" : "false");
	}
	fprintf(f, "]}");
}
