/* Differential test, interpreter against JIT: random programs
 * (tests/lib/randprog) with every bpfvm-only extra turned on (helper
 * calls, callx to functions and helper ids, recursion into the depth
 * limit, atomics on memory, stray accesses for checked runs) run in every
 * variant of both engines: plain, counted, checked, checked+counted, with
 * budgets at and below the instruction count, and JIT-compiled with
 * constant blinding. Everything must agree with the plain interpreter
 * run: error, the instruction it names, r0, memory, instruction counts.
 * The machine code's instruction map is checked, and blinded code must
 * not contain the program's immediates.
 *
 * While the JIT returns -EOPNOTSUPP only the interpreter's variants are
 * compared with each other, and the test exits 77 (SKIP).
 *
 * usage: test_jit_diff [--seed N] [--count N] [--stop] [--minimize]
 *                      [--print] [--interp-only] [--all]
 * Program i uses seed N + i: replay one with --seed S --count 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engdiff.h"
#include "jit_image_check.h"
#include "minimize.h"
#include "randprog.h"

#define HELPER_MIX 0x7001u	/* ids far from Linux's, no clash */
#define HELPER_STOP 0x7002u
#define MAX_CFGS 20
#define MAX_EXECUTED 200000u	/* a generated program runs fewer */
/* Programs per `make check` run: a few seconds on two cores, and a quarter
 * of that under the sanitizers (which slow it down about fourfold). */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_COUNT 2000ul
#else
#define DEFAULT_COUNT 8000ul
#endif

static const uint32_t helper_ids[] = { HELPER_MIX, HELPER_STOP };

struct config {
	uint64_t seed;
	unsigned long count;
	bool stop, minimize, print, interp_only;
	unsigned long max_reports;	/* mismatches printed in full */
	bool jit;		/* the JIT is available */
};

struct tally {
	unsigned long progs, runs, stray, mismatches, errors;
	unsigned long outcome[4];	/* ok, -EFAULT, -ETIME, other error */
};

/* ---- helpers the programs call ---- */

static uint64_t h_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		      uint64_t e, struct bpfvm_run *run)
{
	(void)run;
	return (a * 0x9e3779b97f4a7c15ull) ^ (b << 7 | b >> 57) ^ (c + 3 * d) ^
	       ~e;
}

/* Ends the run from inside a helper, in whatever frame it was called. */
static uint64_t h_stop(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		       uint64_t e, struct bpfvm_run *run)
{
	if ((a & 7) == 0)
		bpfvm_run_stop(run, b ^ c);
	return a + b + d + e;
}

static struct bpfvm_env *make_env(void)
{
	struct bpfvm_env *env;

	if (bpfvm_env_create(&env) ||
	    bpfvm_helper_register(env, HELPER_MIX, "test_mix", h_mix) ||
	    bpfvm_helper_register(env, HELPER_STOP, "test_stop", h_stop))
		return NULL;
	return env;
}

/* ---- what one seed generates ---- */

/* Every seed picks its own shape, so sizes, memory and features vary. */
static void gen_opts(uint64_t seed, struct randprog_opts *o, bool *stray)
{
	static const size_t mems[] = { 0, 8, 64, 64, 256 };
	static const unsigned bodies[] = { 12, 48, 48, 120 };
	uint64_t h = seed * 0x9e3779b97f4a7c15ull;

	randprog_default_opts(o);
	o->mem_len = mems[(h >> 8) % 5];
	o->body_insns = bodies[(h >> 16) % 4];
	o->calls = (h >> 24) % 8 != 0;
	o->mem_atomics = true;
	o->recursion = (h >> 28) % 8 == 0;
	o->callx = true;
	o->helpers = helper_ids;
	o->nhelpers = 2;
	*stray = (h >> 32) % 5 == 0;
	o->stray_pct = *stray ? 4 : 0;
}

/* ---- one program ---- */

struct prog_case {
	uint64_t seed;
	struct bpf_insn *insns;
	size_t cnt;
	uint8_t mem[256];
	size_t mem_len;
	bool has_mem, stray;
	struct bpfvm_env *env;
};

static int create(const struct prog_case *pc, const struct bpf_insn *insns,
		  size_t cnt, uint32_t flags, struct bpfvm_prog **out)
{
	char log[256];
	struct bpfvm_prog_opts o = {
		.sz = sizeof(o), .env = pc->env, .flags = flags,
		.log_buf = log, .log_size = sizeof(log),
	};
	int err = bpfvm_prog_create(insns, cnt, &o, out);

	if (err)
		printf("FAIL seed %" PRIu64 ": bpfvm_prog_create: %s\n",
		       pc->seed, log);
	return err;
}

/* The configurations to compare with the reference (cfgs[0]): each
 * engine in each mode, then budgets around the counted run's total. */
static size_t plan(const struct prog_case *pc, bool jit, uint64_t total,
		   struct engdiff_cfg *cfgs)
{
	static const uint32_t modes[] = {
		0, BPFVM_RUN_F_COUNT, BPFVM_RUN_F_CHECKED,
		BPFVM_RUN_F_CHECKED | BPFVM_RUN_F_COUNT,
	};
	uint32_t base = pc->stray ? BPFVM_RUN_F_CHECKED : 0;
	size_t n = 0;

	for (int e = 0; e <= jit; e++) {
		enum bpfvm_engine eng = e ? BPFVM_ENGINE_JIT
					  : BPFVM_ENGINE_INTERP;

		for (size_t m = 0; m < 4; m++)
			if ((modes[m] & base) == base)
				cfgs[n++] = (struct engdiff_cfg){ eng, modes[m], 0 };
		if (e && !base) /* the plain run, through bpfvm_jit_fn */
			cfgs[n++] = (struct engdiff_cfg){ eng, ENGDIFF_F_DIRECT,
							  0 };
		if (total == 0)
			continue;
		/* the exact total passes; one less stops at the last insn */
		cfgs[n++] = (struct engdiff_cfg){ eng, base, total };
		cfgs[n++] = (struct engdiff_cfg){ eng, base, total - 1 + !(total - 1) };
		cfgs[n++] = (struct engdiff_cfg){ eng, base,
						  1 + pc->seed % total };
	}
	return n;
}

/* What res[i] must agree with: a JIT run with its interpreter twin (same
 * flags and budget), an interpreter run with the plain one. */
static const struct engdiff_result *
reference_for(const struct engdiff_result *res, size_t i)
{
	if (res[i].cfg.engine != BPFVM_ENGINE_JIT)
		return &res[0];
	for (size_t j = 0; j < i; j++)
		if (res[j].cfg.engine == BPFVM_ENGINE_INTERP &&
		    res[j].cfg.budget == res[i].cfg.budget &&
		    res[j].cfg.flags == (res[i].cfg.flags & ~ENGDIFF_F_DIRECT))
			return &res[j];
	return &res[0];
}

static bool agrees(const struct engdiff_result *res, size_t i,
		   size_t mem_len)
{
	const struct engdiff_result *ref = reference_for(res, i);

	if (res[i].cfg.flags & ENGDIFF_F_DIRECT)
		return engdiff_same_direct(ref, &res[i], mem_len);
	/* a budget that ran out differs from the unbudgeted run by design */
	if (res[i].cfg.budget && !ref->cfg.budget && res[i].err == -ETIME)
		return true;
	return engdiff_same(ref, &res[i], mem_len);
}

static void count_outcome(struct tally *t, int err)
{
	t->outcome[err == 0 ? 0 : err == -EFAULT ? 1 : err == -ETIME ? 2 : 3]++;
}

/* Run every configuration of one program (prog, and blind for the
 * blinded JIT); returns the index of the first disagreeing result or 0. */
static size_t run_all(const struct prog_case *pc, struct bpfvm_prog *prog,
		      struct bpfvm_prog *blind, bool jit,
		      struct engdiff_result *res, size_t *nres)
{
	/* how many instructions it runs, for the budgets (checked: the
	 * program may have stray accesses) */
	static const struct engdiff_cfg counted = {
		BPFVM_ENGINE_INTERP, BPFVM_RUN_F_COUNT | BPFVM_RUN_F_CHECKED,
		MAX_EXECUTED
	};
	struct engdiff_cfg cfgs[MAX_CFGS];
	const uint8_t *mem = pc->has_mem ? pc->mem : NULL;
	size_t n;

	if (engdiff_run(prog, &counted, mem, pc->mem_len, &res[0]) == -ETIME) {
		printf("FAIL seed %" PRIu64 ": runs over %u instructions (a "
		       "generator bug: its programs are meant to be short)\n",
		       pc->seed, MAX_EXECUTED);
		*nres = 0;
		return MAX_CFGS;
	}
	n = plan(pc, jit, res[0].executed, cfgs);
	for (size_t i = 0; i < n; i++) {
		engdiff_run(prog, &cfgs[i], mem, pc->mem_len, &res[i]);
		if (i && !agrees(res, i, pc->mem_len)) {
			*nres = i + 1;
			return i;
		}
	}
	if (jit) { /* blinding changes the code, never the result */
		struct engdiff_cfg b = { BPFVM_ENGINE_JIT, cfgs[0].flags, 0 };

		engdiff_run(blind, &b, mem, pc->mem_len, &res[n]);
		if (!agrees(res, n, pc->mem_len)) {
			*nres = n + 1;
			return n;
		}
		n++;
	}
	*nres = n;
	return 0;
}

/* ---- minimizing a mismatch ---- */

struct min_ctx {
	const struct prog_case *pc;
	struct engdiff_cfg a, b;
	int want_a_err, want_b_err;
};

static bool still_differs(void *ctx, const struct bpf_insn *insns,
			  size_t cnt)
{
	static struct engdiff_result ra, rb;
	struct min_ctx *m = ctx;
	struct bpfvm_prog *p;
	bool differs;
	char log[64];
	struct bpfvm_prog_opts o = {
		.sz = sizeof(o), .env = m->pc->env, .log_buf = log,
		.log_size = sizeof(log),
	};
	const uint8_t *mem = m->pc->has_mem ? m->pc->mem : NULL;

	if (bpfvm_prog_create(insns, cnt, &o, &p))
		return false;
	/* the unchecked variants must not run into a stray access or a
	 * runaway loop the deletion made */
	ra.cfg = m->a;
	differs = engdiff_run(p, &m->a, mem, m->pc->mem_len, &ra) ==
			  m->want_a_err &&
		  engdiff_run(p, &m->b, mem, m->pc->mem_len, &rb) ==
			  m->want_b_err &&
		  !engdiff_same(&ra, &rb, m->pc->mem_len);
	bpfvm_prog_free(p);
	return differs;
}

static void minimize_and_print(const struct prog_case *pc,
			       const struct engdiff_result *a,
			       const struct engdiff_result *b)
{
	struct min_ctx m = { pc, a->cfg, b->cfg, a->err, b->err };
	struct bpf_insn *copy = malloc(pc->cnt * sizeof(*copy));
	size_t cnt;

	/* only checked, budgeted runs are safe on arbitrary deletions */
	m.a.flags |= BPFVM_RUN_F_CHECKED;
	m.b.flags |= BPFVM_RUN_F_CHECKED;
	if (!m.a.budget)
		m.a.budget = 1000000;
	if (!m.b.budget)
		m.b.budget = 1000000;
	if (!copy)
		return;
	memcpy(copy, pc->insns, pc->cnt * sizeof(*copy));
	if (still_differs(&m, copy, pc->cnt)) {
		cnt = minimize_prog(copy, pc->cnt, still_differs, &m);
		printf("minimized to %zu insns (checked, budgeted):\n", cnt);
		engdiff_disasm(stdout, copy, cnt);
	}
	free(copy);
}

static void report(const struct prog_case *pc, const struct config *c,
		   const struct engdiff_result *res, size_t bad,
		   struct tally *t)
{
	const struct engdiff_result *ref = reference_for(res, bad);

	if (++t->mismatches > c->max_reports) {
		if (t->mismatches == c->max_reports + 1)
			printf("(further mismatches: seed only)\n");
		printf("FAIL seed %" PRIu64 "\n", pc->seed);
		return;
	}
	printf("FAIL seed %" PRIu64 ": engines disagree (%zu insns, %zu bytes "
	       "of memory%s)\n", pc->seed, pc->cnt, pc->mem_len,
	       pc->stray ? ", stray accesses" : "");
	engdiff_disasm(stdout, pc->insns, pc->cnt);
	engdiff_report(stdout, ref, &res[bad], pc->has_mem ? pc->mem : NULL,
		       pc->mem_len);
	if (c->minimize)
		minimize_and_print(pc, ref, &res[bad]);
}

static void run_seed(const struct config *c, struct bpfvm_env *env,
		     uint64_t seed, struct tally *t)
{
	static struct engdiff_result res[MAX_CFGS + 1];
	struct prog_case pc = { .seed = seed, .env = env };
	struct bpfvm_prog *prog = NULL, *blind = NULL;
	struct randprog_opts o;
	size_t bad, n = 0;

	gen_opts(seed, &o, &pc.stray);
	if (randprog_generate(seed, &o, &pc.insns, &pc.cnt)) {
		t->errors++;
		return;
	}
	pc.mem_len = o.mem_len;
	pc.has_mem = o.mem_len > 0 || seed % 2;
	randprog_fill_mem(seed, pc.mem, pc.mem_len);
	if (c->print) {
		printf("seed %" PRIu64 ":\n", seed);
		engdiff_disasm(stdout, pc.insns, pc.cnt);
	}
	if (create(&pc, pc.insns, pc.cnt, 0, &prog) ||
	    create(&pc, pc.insns, pc.cnt, BPFVM_PROG_F_JIT_BLIND, &blind)) {
		t->errors++;
	} else {
		bad = run_all(&pc, prog, blind, c->jit, res, &n);
		if (bad == MAX_CFGS)
			t->errors++;
		else if (bad)
			report(&pc, c, res, bad, t);
		if (c->jit && !pc.stray &&
		    !jit_image_check(prog, blind, pc.insns, pc.cnt, seed))
			t->errors++;
		count_outcome(t, res[0].err);
	}
	t->progs++;
	t->stray += pc.stray;
	t->runs += n;
	bpfvm_prog_free(prog);
	bpfvm_prog_free(blind);
	free(pc.insns);
}

static int parse_args(int argc, char **argv, struct config *c)
{
	c->seed = 1;
	c->count = DEFAULT_COUNT;
	c->max_reports = 5;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--stop"))
			c->stop = true;
		else if (!strcmp(a, "--interp-only"))
			c->interp_only = true;
		else if (!strcmp(a, "--all"))
			c->max_reports = ~0ul;
		else if (!strcmp(a, "--print"))
			c->print = true;
		else if (!strcmp(a, "--minimize"))
			c->minimize = true;
		else if (!strcmp(a, "--seed") && v)
			c->seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--count") && v)
			c->count = strtoul(argv[++i], NULL, 0);
		else
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config c = { 0 };
	struct tally t = { 0 };
	struct bpfvm_env *env = make_env();
	char why[300];

	if (parse_args(argc, argv, &c)) {
		fprintf(stderr, "usage: %s [--seed N] [--count N] [--stop] "
			"[--minimize] [--print] [--interp-only] [--all]\n", argv[0]);
		return 2;
	}
	if (!env)
		return 1;
	c.jit = engdiff_jit_available(why, sizeof(why));
	if (c.interp_only) {
		c.jit = false;
		snprintf(why, sizeof(why), "--interp-only");
	}
	if (!c.jit) /* the interpreter's variants still cross-check */
		c.count = c.count < 2000 ? c.count : 2000;
	for (unsigned long i = 0; i < c.count; i++) {
		run_seed(&c, env, c.seed + i, &t);
		if (c.stop && (t.mismatches || t.errors))
			break;
	}
	printf("%lu programs (seeds %" PRIu64 "..%" PRIu64 ", %lu with stray "
	       "accesses), %lu runs compared: %lu mismatches, %lu errors; "
	       "reference outcomes: %lu ok, %lu -EFAULT, %lu -ETIME, %lu "
	       "other\n", t.progs, c.seed, c.seed + t.progs - 1, t.stray, t.runs,
	       t.mismatches, t.errors, t.outcome[0], t.outcome[1],
	       t.outcome[2], t.outcome[3]);
	bpfvm_env_free(env);
	if (t.mismatches || t.errors || !t.progs)
		return 1;
	if (!c.jit) {
		printf("SKIP: %s (the interpreter's variants agree)\n", why);
		return ENGDIFF_SKIP;
	}
	return 0;
}
