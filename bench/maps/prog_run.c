/* One program-side row in every column: build it, check each column's
 * result once (from start index 0), then time the columns taking turns
 * (timing.c: best of a few rounds, bpfvm in the thread's CPU time, the
 * kernel by BPF_PROG_TEST_RUN's own duration). */
#include <errno.h>
#include <string.h>

#include <bpfvm/prog.h>

#include "kprog.h"
#include "prog_bench.h"
#include "timing.h"

#define PKT_LEN 64 /* the XDP packet the kernel's runs get (ignored) */
#define MAX_REPEAT (1u << 20)

struct pb_exec {
	struct prog_bench *pb;
	struct pb_progs *progs;
	enum pb_col col;
	bpfvm_jit_fn fn;
	uint8_t pkt[PKT_LEN];
	char err[200];
};

static volatile uint64_t pb_sink; /* results of timed runs */

/* n runs in a row; *ns how long they took; *r0 the last run's r0. */
static int exec_n(struct pb_exec *e, uint32_t n, uint64_t *r0, double *ns)
{
	struct bpfvm_run_opts o = { .sz = sizeof(o), .err_buf = e->err,
				    .err_size = sizeof(e->err) };
	uint64_t acc = 0, res = 0;
	uint32_t ret = 0, dur = 0;
	double t0 = timing_cpu_ns();
	int err = 0;

	switch (e->col) {
	case PB_INTERP:
		for (uint32_t i = 0; i < n && !err; i++) {
			err = bpfvm_prog_run(e->progs->vm, NULL, 0, &res, &o);
			acc += res;
		}
		break;
	case PB_JIT:
		for (uint32_t i = 0; i < n; i++)
			acc += res = e->fn(NULL, 0);
		break;
	case PB_KERNEL:
		err = kprog_test_run_repeat(e->progs->kfd, e->pkt, PKT_LEN, n,
					    &ret, &dur);
		res = ret;
		break;
	default:
		return -EINVAL;
	}
	*ns = e->col == PB_KERNEL ? (double)dur * n : timing_cpu_ns() - t0;
	pb_sink = acc;
	*r0 = res;
	if (err && !e->err[0])
		snprintf(e->err, sizeof(e->err), "run: %s", strerror(-err));
	return err;
}

/* The batch for timing.c: n runs in chunks the row can hold between two
 * drains; only the runs are timed. */
static int exec_batch(void *ctx, __u64 n, double *elapsed_ns)
{
	struct pb_exec *e = ctx;
	uint32_t chunk = e->pb->chunk ? e->pb->chunk : MAX_REPEAT;
	uint64_t r0;

	*elapsed_ns = 0;
	while (n) {
		uint32_t m = n < chunk ? (uint32_t)n : chunk;
		double ns;
		int err = exec_n(e, m, &r0, &ns);

		if (!err && e->pb->drain)
			err = e->pb->drain(e->pb, e->col == PB_KERNEL, m);
		if (err)
			return err;
		*elapsed_ns += ns;
		n -= m;
	}
	return 0;
}

static void cell_set(struct pb_cell *c, enum pb_state st, const char *why)
{
	size_t n = strnlen(why, sizeof(c->why) - 1);

	c->state = st;
	memcpy(c->why, why, n);
	c->why[n] = '\0';
}

/* One run from index 0: the row's sum (the kernel's XDP result is its
 * low 32 bits), and what the run left for the drain. */
static void check(struct pb_exec *e, struct pb_cell *c)
{
	uint64_t r0, want = e->pb->expect;
	double ns;
	int err = pb_reset(e->pb);

	if (!err)
		err = exec_n(e, 1, &r0, &ns);
	if (!err && e->pb->drain &&
	    (err = e->pb->drain(e->pb, e->col == PB_KERNEL, 1)))
		snprintf(e->err, sizeof(e->err), "drain: %s", strerror(-err));
	if (err) {
		cell_set(c, PB_FAIL, e->err[0] ? e->err : strerror(-err));
		return;
	}
	if (e->col == PB_KERNEL)
		want = (uint32_t)want;
	if (r0 != want) {
		snprintf(c->why, sizeof(c->why), "r0 %llu, expected %llu",
			 (unsigned long long)r0, (unsigned long long)want);
		c->state = PB_FAIL;
		return;
	}
	c->state = PB_OK;
}

static void prepare(struct pb_exec *e, struct pb_cell *c,
		    const struct pb_opts *o)
{
	int err;

	switch (e->col) {
	case PB_JIT:
		err = bpfvm_prog_jit_fn(e->progs->vm, &e->fn);
		if (err) {
			cell_set(c, PB_SKIP, strerror(-err));
			return;
		}
		break;
	case PB_KERNEL:
		if (!o->kernel) {
			cell_set(c, PB_SKIP, "no bpf()");
			return;
		}
		if (e->progs->kfd < 0) {
			cell_set(c, PB_SKIP, e->pb->kernel_why);
			return;
		}
		break;
	default:
		break;
	}
	check(e, c);
}

static void time_cols(struct pb_exec *e, struct pb_result *res,
		      const struct pb_opts *o)
{
	struct timing_opts t = { .target_ns = o->quick ? 2e6 : 2e7,
				 .rounds = o->quick ? 2 : 5,
				 .max_n = MAX_REPEAT };
	struct batch b[PB_COLS];
	enum pb_col which[PB_COLS];
	double ns[PB_COLS];
	int err[PB_COLS];
	size_t n = 0;

	for (int c = 0; c < PB_COLS; c++) {
		double ignored;
		int werr;

		if (res->col[c].state != PB_OK)
			continue;
		werr = exec_batch(&e[c], e->pb->warm_runs, &ignored);
		if (werr) {
			cell_set(&res->col[c], PB_FAIL, e[c].err[0] ?
				 e[c].err : strerror(-werr));
			continue;
		}
		which[n] = (enum pb_col)c;
		b[n++] = (struct batch){ exec_batch, &e[c] };
	}
	timing_measure_set(b, n, &t, ns, err);
	for (size_t k = 0; k < n; k++) {
		struct pb_cell *c = &res->col[which[k]];

		if (err[k])
			cell_set(c, PB_FAIL, e[which[k]].err[0] ?
				 e[which[k]].err : strerror(-err[k]));
		else
			c->ns = ns[k] / e->pb->ops;
	}
}

void pb_run_row(const struct prog_row *row, const struct pb_opts *o,
		struct pb_result *res)
{
	struct prog_bench pb = { .kernel = o->kernel };
	struct pb_progs progs = { .kfd = -1 };
	struct pb_exec e[PB_COLS];
	int err;

	memset(res, 0, sizeof(*res));
	res->row = row;
	err = row->setup(&pb);
	if (!err)
		err = pb_load(&pb, &progs);
	if (err) {
		for (int c = 0; c < PB_COLS; c++)
			cell_set(&res->col[c], PB_FAIL,
				 pb.err_msg[0] ? pb.err_msg : strerror(-err));
		pb_progs_free(&progs);
		pb_free(&pb);
		return;
	}
	for (int c = 0; c < PB_COLS; c++) {
		e[c] = (struct pb_exec){ .pb = &pb, .progs = &progs,
					 .col = (enum pb_col)c };
		prepare(&e[c], &res->col[c], o);
	}
	time_cols(e, res, o);
	pb_progs_free(&progs);
	pb_free(&pb);
}
