/* The JIT's switch dispatch (src/engine/jit/jit_switch.c): compare trees
 * and chains on one register, as clang emits for a switch, built by hand
 * in many shapes (dense, sparse, holes, several cases to one target, 32-
 * and 64-bit, signed and unsigned compares, every compare form, negative
 * cases, gotos to the leaves, a jump into the tree from outside, leaves
 * the compares fall through to). Each program runs for every value in and
 * around the cases' range, and at the extremes, in every variant (plain,
 * direct, checked, counted, under a budget, blinded), and must agree with
 * the interpreter: r0, error, instructions executed. The trees that should
 * become a table must (the root's code holds the indirect jump; not in the
 * counted and blinded variants), the sparse ones must not. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"

#define MAXI 8192
#define MAXC 1100
#define DEFAULT_ID 999
#define REG 6

/* The tree's compare forms: how a split at mid is written. */
enum form { F_GT, F_GE, F_LT, F_LE, F_MIX };

struct shape {
	const char *name;
	bool w32, sgn;
	enum form form;
	bool jne;	  /* single-case buckets as "if != goto default" */
	bool ja_leaves;	  /* fallthrough leaves are gotos to shared ones */
	bool chain;	  /* a linear chain of ==, no tree */
	bool outside;	  /* a jump from before the tree into its middle */
	bool want;	  /* the transform should fire */
};

struct builder {
	struct bpf_insn p[MAXI];
	size_t n;
	const struct shape *s;
	const int32_t *v;	/* sorted case values (in the compare order) */
	const int *id;		/* their leaf ids */
	size_t cnt;
	size_t fix_at[MAXI];	/* jumps to the leaf of id fix_id */
	int fix_id[MAXI];
	size_t n_fix;
	size_t interior;	/* a compare inside the tree (0: none yet) */
};

static void put(struct builder *b, struct bpf_insn in)
{
	if (b->n < MAXI)
		b->p[b->n++] = in;
}

static size_t jcond(struct builder *b, unsigned op, int32_t imm)
{
	unsigned cls = b->s->w32 ? BPF_JMP32 : BPF_JMP;

	put(b, INSN(cls | op | BPF_K, REG, 0, 0, imm));
	return b->n - 1;
}

static void to_leaf(struct builder *b, size_t at, int id)
{
	b->fix_at[b->n_fix] = at;
	b->fix_id[b->n_fix++] = id;
}

static void patch(struct builder *b, size_t at, size_t target)
{
	b->p[at].off = (int16_t)((int64_t)target - (int64_t)at - 1);
}

/* The leaf the compares fall through to: inline, or a goto. Inline
 * defaults differ from each other (by where they are), so a value sent to
 * the wrong one shows. */
static void fall_leaf(struct builder *b, int id)
{
	if (b->s->ja_leaves) {
		put(b, JA(0));
		to_leaf(b, b->n - 1, id);
		return;
	}
	put(b, MOV64_IMM(0, id == DEFAULT_ID ? 10000 + (int)b->n : id));
	put(b, EXIT());
}

static unsigned sop(const struct shape *s, unsigned u, unsigned sg)
{
	return s->sgn ? sg : u;
}

static void emit(struct builder *b, size_t lo, size_t hi, unsigned depth)
{
	enum form f = b->s->form == F_MIX ? (enum form)(depth % 4) :
					    b->s->form;
	size_t mid = (lo + hi) / 2, at;

	if (hi - lo == 1 && b->s->jne) {
		at = jcond(b, BPF_JNE, b->v[lo]);
		to_leaf(b, at, DEFAULT_ID);
		fall_leaf(b, b->id[lo]);
		return;
	}
	if (hi - lo <= 2) {
		for (size_t k = lo; k < hi; k++)
			to_leaf(b, jcond(b, BPF_JEQ, b->v[k]), b->id[k]);
		fall_leaf(b, DEFAULT_ID);
		return;
	}
	if (depth == 1 && !b->interior)
		b->interior = b->n;
	switch (f) {
	case F_GT:
	case F_GE:
		at = f == F_GT ? jcond(b, sop(b->s, BPF_JGT, BPF_JSGT),
				       b->v[mid - 1]) :
				 jcond(b, sop(b->s, BPF_JGE, BPF_JSGE), b->v[mid]);
		emit(b, lo, mid, depth + 1);
		patch(b, at, b->n);
		emit(b, mid, hi, depth + 1);
		return;
	default:
		at = f == F_LT ? jcond(b, sop(b->s, BPF_JLT, BPF_JSLT),
				       b->v[mid]) :
				 jcond(b, sop(b->s, BPF_JLE, BPF_JSLE),
				       b->v[mid - 1]);
		emit(b, mid, hi, depth + 1);
		patch(b, at, b->n);
		emit(b, lo, mid, depth + 1);
	}
}

static void emit_chain(struct builder *b)
{
	for (size_t k = 0; k < b->cnt; k++) {
		if (k == b->cnt / 2)
			b->interior = b->n;
		to_leaf(b, jcond(b, BPF_JEQ, b->v[k]), b->id[k]);
	}
	fall_leaf(b, DEFAULT_ID);
}

/* r6 = the value (mem[0]), r7 = mem[8]; [if r7 == 1 goto interior;]
 * the tree; the leaves (r0 = id; exit). Returns the root's index. */
static size_t build(struct builder *b)
{
	size_t root, jump = 0;
	int ids[MAXC + 1];
	size_t n_ids = 0;

	b->n = b->n_fix = b->interior = 0;
	put(b, LDX(BPF_DW, REG, 1, 0));
	put(b, LDX(BPF_DW, 7, 1, 8));
	if (b->s->outside) {
		jump = b->n;
		put(b, JMP_IMM(BPF_JEQ, 7, 1, 0));
	}
	root = b->n;
	if (b->s->chain)
		emit_chain(b);
	else
		emit(b, 0, b->cnt, 0);
	if (b->s->outside)
		patch(b, jump, b->interior ? b->interior : root);
	for (size_t k = 0; k < b->cnt; k++)
		ids[n_ids++] = b->id[k];
	ids[n_ids++] = DEFAULT_ID;
	for (size_t k = 0; k < n_ids; k++) {
		bool dup = false;
		size_t at = b->n;

		for (size_t j = 0; j < k; j++)
			dup |= ids[j] == ids[k];
		if (dup)
			continue;
		put(b, MOV64_IMM(0, ids[k]));
		put(b, EXIT());
		for (size_t f = 0; f < b->n_fix; f++)
			if (b->fix_id[f] == ids[k])
				patch(b, b->fix_at[f], at);
	}
	return root;
}

/* ---- running ---- */

static uint8_t mem[16];

struct res {
	int err;
	uint64_t r0, executed;
};

static struct res run(struct bpfvm_prog *prog, enum bpfvm_engine e,
		      uint32_t flags, uint64_t budget)
{
	char msg[128];
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = e,
				     .flags = flags, .insn_budget = budget,
				     .err_buf = msg, .err_size = sizeof(msg) };
	struct res r = { 0 };

	r.err = bpfvm_prog_run(prog, mem, sizeof(mem), &r.r0, &ro);
	r.executed = ro.insn_executed;
	return r;
}

static bool same(struct res a, struct res b, bool counted)
{
	return a.err == b.err && (a.err || a.r0 == b.r0) &&
	       (!counted || a.executed == b.executed);
}

static unsigned long mismatches, compared;

static void report(const char *name, const char *variant, uint64_t v,
		   struct res want, struct res got)
{
	if (mismatches++ < 10)
		fprintf(stderr, "%s, %s, value %#llx: JIT err %d r0 %llu "
				"executed %llu, interpreter err %d r0 %llu "
				"executed %llu\n", name, variant,
			(unsigned long long)v, got.err,
			(unsigned long long)got.r0,
			(unsigned long long)got.executed, want.err,
			(unsigned long long)want.r0,
			(unsigned long long)want.executed);
}

/* Value v through every variant; false on a difference. */
static bool agree_at(struct bpfvm_prog *prog, struct bpfvm_prog *blind,
		     const char *name, uint64_t v, uint64_t flag)
{
	struct res want, wcnt, wbud, got;
	bpfvm_jit_fn fn;
	bool ok = true;

	memcpy(mem, &v, 8);
	memcpy(mem + 8, &flag, 8);
	compared++;
	want = run(prog, BPFVM_ENGINE_INTERP, 0, 0);
	wcnt = run(prog, BPFVM_ENGINE_INTERP, BPFVM_RUN_F_COUNT, 0);
	wbud = run(prog, BPFVM_ENGINE_INTERP, 0, wcnt.executed - 1);
#define VS(w, g, counted, what)                                             \
	do {                                                                \
		got = (g);                                                  \
		if (!same(w, got, counted)) {                               \
			report(name, what, v, w, got);                      \
			ok = false;                                         \
		}                                                           \
	} while (0)
	VS(want, run(prog, BPFVM_ENGINE_JIT, 0, 0), false, "plain");
	VS(want, run(prog, BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED, 0), false,
	   "checked");
	VS(wcnt, run(prog, BPFVM_ENGINE_JIT, BPFVM_RUN_F_COUNT, 0), true,
	   "counted");
	VS(wbud, run(prog, BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED,
		     wcnt.executed - 1), false, "checked, budget");
	VS(want, run(blind, BPFVM_ENGINE_JIT, 0, 0), false, "blinded");
	if (bpfvm_prog_jit_fn(prog, &fn) == 0) {
		got = (struct res){ 0, fn(mem, sizeof(mem)), 0 };
		if (!same(want, got, false)) {
			report(name, "direct", v, want, got);
			ok = false;
		}
	}
#undef VS
	return ok;
}

/* Does the root's code hold the table jump (jmp [r10 + r11 * 8])? */
static int dispatches(struct bpfvm_prog *prog, uint32_t flags, size_t root)
{
	static const uint8_t jmp[4] = { 0x43, 0xff, 0x24, 0xda };
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	const uint8_t *c;

	if (bpfvm_prog_jit_info(prog, flags, &info))
		return -1;
	c = info.code;
	for (uint32_t k = info.insn_off[root];
	     k + 4 <= info.insn_off[root + 1]; k++)
		if (!memcmp(c + k, jmp, 4))
			return 1;
	return 0;
}

/* The values to try: around every case, around the range, extremes; for
 * 32-bit compares also with garbage in the upper half. */
static size_t values(const struct shape *s, const int32_t *v, size_t cnt,
		     uint64_t *out)
{
	static const uint64_t ext[] = {
		0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
		~0ull - 1, 0xffffffff80000000ull,
	};
	size_t n = 0;

	for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++)
		out[n++] = ext[k];
	/* the span in the compares' order (cases sorted in it) */
	uint32_t span = (uint32_t)v[cnt - 1] - (uint32_t)v[0];

	for (uint64_t d = 0; d <= (uint64_t)span + 10; d++) {
		uint64_t x = (uint64_t)(int64_t)v[0] - 5 + d;

		out[n++] = x;
		if (s->w32)
			out[n++] = (uint64_t)(uint32_t)x | 0xabcd123400000000ull;
		if (n > 16 * MAXC)
			break;
	}
	for (size_t k = 0; k < cnt; k++) {
		out[n++] = (uint64_t)(int64_t)v[k] + (1ull << 32);
		out[n++] = (uint64_t)(uint32_t)v[k];
	}
	return n;
}

static void try_shape(const struct shape *s, const int32_t *v,
		      const int *id, size_t cnt)
{
	static struct builder b;
	static uint64_t vals[20 * MAXC];
	char log[256] = "";
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .log_buf = log,
				      .log_size = sizeof(log) };
	struct bpfvm_prog *prog, *blind;
	size_t root, nv;
	bool ok = true;

	b.s = s;
	b.v = v;
	b.id = id;
	b.cnt = cnt;
	root = build(&b);
	CHECK(b.n < MAXI);
	if (bpfvm_prog_create(b.p, b.n, &po, &prog)) {
		fprintf(stderr, "%s: %s\n", s->name, log);
		CHECK(!"bpfvm_prog_create");
		return;
	}
	po.flags = BPFVM_PROG_F_JIT_BLIND;
	if (bpfvm_prog_create(b.p, b.n, &po, &blind)) {
		CHECK(!"bpfvm_prog_create (blind)");
		bpfvm_prog_free(prog);
		return;
	}
	nv = values(s, v, cnt, vals);
	for (size_t k = 0; k < nv; k++) {
		ok &= agree_at(prog, blind, s->name, vals[k], 0);
		if (s->outside)
			ok &= agree_at(prog, blind, s->name, vals[k], 1);
	}
	if (!ok)
		fprintf(stderr, "%s: the JIT and the interpreter differ\n",
			s->name);
	CHECK(ok);
	if (dispatches(prog, 0, root) != (int)s->want ||
	    dispatches(prog, BPFVM_RUN_F_CHECKED, root) != (int)s->want)
		fprintf(stderr, "%s: dispatch %s expected\n", s->name,
			s->want ? "" : "not");
	CHECK(dispatches(prog, 0, root) == (int)s->want);
	CHECK(dispatches(prog, BPFVM_RUN_F_CHECKED, root) == (int)s->want);
	CHECK(dispatches(prog, BPFVM_RUN_F_COUNT, root) == 0);
	CHECK(dispatches(blind, 0, root) == 0);
	bpfvm_prog_free(prog);
	bpfvm_prog_free(blind);
}

/* ---- the shapes ---- */

static int32_t cv[MAXC];
static int cid[MAXC];

/* Cases first, first + step, ...; ids distinct, or repeating every
 * `dup` cases (0: distinct). */
static size_t cases(int32_t first, int32_t step, size_t cnt, int dup)
{
	for (size_t k = 0; k < cnt; k++) {
		cv[k] = (int32_t)((uint32_t)first + (uint32_t)step * k);
		cid[k] = dup ? (int)(k % (size_t)dup) + 1 : (int)k + 1;
	}
	return cnt;
}

static void shapes(void)
{
	static const struct shape s[] = {
		{ "dense u64 >", false, false, F_GT, .want = true },
		{ "dense u32 >=", true, false, F_GE, .want = true },
		{ "dense s32 <", true, true, F_LT, .want = true },
		{ "dense s64 <=", false, true, F_LE, .want = true },
		{ "dense s32 mixed forms", true, true, F_MIX, .want = true },
		{ "dense u64 mixed, !=", false, false, F_MIX, .jne = true,
		  .want = true },
		{ "dense s32, goto leaves", true, true, F_GT,
		  .ja_leaves = true, .want = true },
		{ "dense s64, jump into the tree", false, true, F_GT,
		  .outside = true, .want = true },
		{ "chain u32 ==", true, false, F_GT, .chain = true,
		  .want = true },
		{ "chain u64 ==, jump into it", false, false, F_GT,
		  .chain = true, .outside = true, .want = true },
	};
	size_t n;

	for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		n = cases(0, 1, 63, 0);
		try_shape(&s[k], cv, cid, n);
	}
	/* negative cases, signed compares */
	n = cases(-20, 1, 40, 0);
	try_shape(&s[2], cv, cid, n);
	try_shape(&s[3], cv, cid, n);
	/* around the sign bit of 32 bits, unsigned */
	n = cases(0x7ffffff0, 1, 32, 0);
	try_shape(&s[1], cv, cid, n);
	/* holes: every third value, the table has default entries */
	n = cases(100, 3, 30, 0);
	try_shape(&s[0], cv, cid, n);
	try_shape(&s[4], cv, cid, n);
	/* several cases per target (8 targets) */
	n = cases(5, 1, 48, 8);
	try_shape(&s[5], cv, cid, n);
	try_shape(&s[6], cv, cid, n);
	/* small: 8 cases, and a big one near the table's limit */
	n = cases(10, 1, 8, 0);
	try_shape(&s[0], cv, cid, n);
	n = cases(-500, 1, 1000, 0);
	try_shape(&s[3], cv, cid, n);
}

/* Trees that must stay compares: too sparse, too few targets, too big. */
static void refused(void)
{
	static const struct shape sp[] = {
		{ "sparse u64", false, false, F_GT, .want = false },
		{ "sparse s32 chain", true, true, F_GT, .chain = true,
		  .want = false },
	};
	size_t n = cases(0, 100, 20, 0);

	try_shape(&sp[0], cv, cid, n);
	try_shape(&sp[1], cv, cid, n);
	n = cases(0, 1, 6, 0); /* 7 targets with the default */
	try_shape(&sp[0], cv, cid, n);
	n = cases(0, 1, 2000 > MAXC ? MAXC : 2000, 0); /* table > 1024 */
	try_shape(&sp[0], cv, cid, n);
}

int main(void)
{
	shapes();
	refused();
	printf("%lu values compared in 6 JIT variants, %lu mismatches\n",
	       compared, mismatches);
	return check_report();
}
