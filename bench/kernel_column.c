#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel_column.h"

static void skip_set(struct kcol_skip *skip, const char *tag,
		     const char *detail)
{
	snprintf(skip->tag, sizeof(skip->tag), "SKIP(%s)", tag);
	snprintf(skip->detail, sizeof(skip->detail), "%s", detail);
}

const char *kcol_jit_state(void)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int on = -1;

	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = -1;
		fclose(f);
	}
	return on < 0 ? "?" : on ? "on" : "off";
}

#ifndef BENCH_HAVE_KERNEL_ORACLE

void kcol_check(const struct bench *b, void *mem, struct kcol_run **out,
		__u64 *r0, struct kcol_skip *skip)
{
	(void)b;
	(void)mem;
	*out = NULL;
	*r0 = 0;
	skip_set(skip, "n/a", "built without tests/lib's kernel oracle");
}

bool kcol_time(struct kcol_run *kr, const struct timing_opts *t,
	       double *ns_per_run, double *empty_ns, struct kcol_skip *skip)
{
	(void)kr;
	(void)t;
	*ns_per_run = *empty_ns = 0;
	skip_set(skip, "n/a", "built without tests/lib's kernel oracle");
	return false;
}

void kcol_describe(const struct kcol_run *kr, char *buf, size_t size)
{
	(void)kr;
	snprintf(buf, size, "%s", "");
}

void kcol_close(struct kcol_run *kr)
{
	(void)kr;
}

#else

#include <kernel_oracle.h>

/* Where the kernel's copy of the memory lives. Packet mode would do up to
 * KERNEL_ORACLE_MAX_MEM, but map mode measured no slower on the benchmarks
 * that fit a packet (the wrapper's inlined lookup is in the empty
 * program's time too, and the program's code is the same: loads and
 * stores through a pointer the verifier already proved), so one mode
 * serves every benchmark and the numbers compare across them. */
#define KCOL_MEM KERNEL_ORACLE_MEM_MAP

/* The kernel reports the time per test_run repetition truncated to whole
 * ns, and a repetition also pays for the XDP run and the wrapper: for a
 * program of a few ns, prog - empty is then 0-4 ns of noise. So when one
 * repetition is short, the wrapper calls the program N times in a row
 * (unrolled bpf-to-bpf calls, N chosen so a repetition lasts about
 * KCOL_REP_NS), the empty program is measured with the same N, and both
 * are divided by N: the truncation costs at most 1/N ns per run, and the
 * per-repetition overhead is spread over N runs before it is subtracted.
 * The calls are unrolled rather than a bpf_loop or a counted loop so that
 * the only cost per run besides the program is the call itself (r1, r2,
 * call, ret), exactly what the empty program's runs contain as well; the
 * verifier checks the program once per call, which is cheap for the short
 * programs that need it. */
#define KCOL_REP_NS 4000.0
#define KCOL_MAX_CALLS 1024u
#define KCOL_PROBE_NS 1e6
#define KCOL_PROBE_MAX_REPEAT 1000000u

struct kcol_run {
	const struct bench *b;
	struct kernel_prog prog;
	struct kernel_prog empty;	/* r0 = 0: the wrapper's own cost */
	uint32_t calls;			/* program calls per repetition */
	double empty_ns;		/* per call, once timed */
	void *mem;
	char err[200];
};

/* The last non-blank line of log[0, end): returns where it ends and sets
 * *start to where it starts. */
static size_t line_from_end(const char *log, size_t end, size_t *start)
{
	while (end && (log[end - 1] == '\n' || log[end - 1] == ' '))
		end--;
	*start = end;
	while (*start && log[*start - 1] != '\n')
		(*start)--;
	return end;
}

/* Why the verifier refused: the last line of its log, or when that is the
 * "processed N insns" summary, the line before it with the summary after. */
static void reject_reason(const char *log, char *out, size_t size)
{
	size_t start, end = line_from_end(log, strlen(log), &start);
	size_t rstart, rend = end;

	rstart = start;
	if (!strncmp(log + start, "processed ", 10))
		rend = line_from_end(log, start, &rstart);
	if (rend == end)
		snprintf(out, size, "%.*s", (int)(end - start), log + start);
	else
		snprintf(out, size, "%.*s (%.*s)", (int)(rend - rstart),
			 log + rstart, (int)(end - start), log + start);
}

static bool load(const struct bpf_insn *insns, size_t cnt, size_t mem_len,
		 uint32_t calls, struct kernel_prog *kp,
		 struct kcol_skip *skip)
{
	static char log[1 << 20]; /* the verifier is chatty on long loops */
	char err[160] = "";
	struct kernel_oracle_opts o = {
		.sz = sizeof(o),
		.log_buf = log,
		.log_size = sizeof(log),
		.err_buf = err,
		.err_size = sizeof(err),
		.mem_kind = KCOL_MEM,
		.calls = calls,
	};
	enum kernel_oracle_status st;
	char line[sizeof(skip->detail)];

	st = kernel_oracle_load(insns, cnt, mem_len, true, kp, &o);
	if (st == KERNEL_ORACLE_OK)
		return true;
	if (st == KERNEL_ORACLE_REJECTED) {
		reject_reason(log, line, sizeof(line));
		skip_set(skip, "verifier", line);
	} else {
		skip_set(skip, st == KERNEL_ORACLE_UNAVAILABLE ? "no bpf"
							     : "error", err);
	}
	return false;
}

/* The benchmark's program and the empty one, both wrapped for `calls`
 * calls per repetition; on failure neither is loaded. The bytecode is
 * copied out because the embedded bytes need not be aligned for struct
 * bpf_insn. */
static bool load_pair(struct kcol_run *kr, uint32_t calls,
		      struct kcol_skip *skip)
{
	static const struct bpf_insn empty[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const struct bench *b = kr->b;
	struct bpf_insn *insns = malloc(b->code->bpf_size);
	bool ok;

	if (!insns) {
		skip_set(skip, "error", "out of memory");
		return false;
	}
	memcpy(insns, b->code->bpf, b->code->bpf_size);
	ok = load(insns, b->code->bpf_size / sizeof(*insns), b->mem_size,
		  calls, &kr->prog, skip);
	free(insns);
	if (ok && !load(empty, 2, b->mem_size, calls, &kr->empty, skip)) {
		kernel_oracle_close(&kr->prog);
		ok = false;
	}
	if (ok)
		kr->calls = calls;
	return ok;
}

void kcol_check(const struct bench *b, void *mem, struct kcol_run **out,
		__u64 *r0, struct kcol_skip *skip)
{
	struct kcol_run *kr;
	char why[160];
	uint64_t res;
	struct kernel_oracle_opts o = {
		.sz = sizeof(o),
		.err_buf = why,
		.err_size = sizeof(why),
	};

	*out = NULL;
	*r0 = 0;
	if (!kernel_oracle_available(why, sizeof(why))) {
		skip_set(skip, "no bpf", why);
		return;
	}
	kr = calloc(1, sizeof(*kr));
	if (!kr) {
		skip_set(skip, "error", "out of memory");
		return;
	}
	kr->b = b;
	kr->mem = mem;
	if (!load_pair(kr, 1, skip)) {
		free(kr);
		return;
	}
	if (kernel_oracle_exec(&kr->prog, mem, &res, &o) != KERNEL_ORACLE_OK) {
		skip_set(skip, "error", why);
		kcol_close(kr);
		return;
	}
	*r0 = res;
	*out = kr;
}

struct kcol_batch {
	struct kcol_run *kr;
	const struct kernel_prog *prog;
};

/* One test_run of `repeat` repetitions; the kernel's ns per repetition. */
static int kcol_exec(struct kcol_run *kr, const struct kernel_prog *prog,
		     uint32_t repeat, uint64_t *rep_ns)
{
	struct kernel_oracle_opts o = {
		.sz = sizeof(o),
		.err_buf = kr->err,
		.err_size = sizeof(kr->err),
		.repeat = repeat,
	};
	uint64_t r0;

	*rep_ns = 0;
	if (kernel_oracle_exec(prog, kr->mem, &r0, &o) != KERNEL_ORACLE_OK)
		return o.err ? -o.err : -1;
	*rep_ns = o.duration_ns;
	return 0;
}

/* The kernel times the runs itself (BPF_PROG_TEST_RUN's duration, the
 * average over `repeat`), which leaves out the syscall and the map
 * update/lookup around it. */
static int kcol_run_n(void *ctx, __u64 n, double *elapsed_ns)
{
	struct kcol_batch *kb = ctx;
	uint64_t rep_ns;
	int err = kcol_exec(kb->kr, kb->prog, (uint32_t)n, &rep_ns);

	*elapsed_ns = (double)rep_ns * (double)n;
	return err;
}

/* The single-call program's ns per repetition, from repetitions grown 10x
 * at a time until they add up to KCOL_PROBE_NS: few for long programs,
 * and for short ones enough to spread test_run's fixed cost (timer start,
 * migrate_disable, a cold first run) thin. */
static int probe_rep_ns(struct kcol_run *kr, uint64_t *rep_ns)
{
	uint32_t repeat = 10;
	int err;

	for (;;) {
		err = kcol_exec(kr, &kr->prog, repeat, rep_ns);
		if (err || (double)*rep_ns * repeat >= KCOL_PROBE_NS ||
		    repeat >= KCOL_PROBE_MAX_REPEAT)
			return err;
		repeat *= 10;
	}
}

/* How many calls per repetition: enough for a repetition to last about
 * KCOL_REP_NS, or as many as the verifier accepts (each copy of a loop
 * adds to its pending branches: strcmp's 256-byte loop allows a few
 * dozen), halving from the wish; kcol_describe says how many. */
static int choose_calls(struct kcol_run *kr)
{
	struct kcol_skip ignored;
	uint64_t rep_ns;
	double want;
	uint32_t calls;
	int err = probe_rep_ns(kr, &rep_ns);

	if (err)
		return err;
	want = KCOL_REP_NS / (double)(rep_ns ? rep_ns : 1);
	calls = want > KCOL_MAX_CALLS ? KCOL_MAX_CALLS : (uint32_t)want;
	for (; calls > 1; calls /= 2) {
		struct kcol_run more = *kr;

		if (load_pair(&more, calls, &ignored)) {
			kernel_oracle_close(&kr->prog);
			kernel_oracle_close(&kr->empty);
			*kr = more;
			break;
		}
	}
	return 0;
}

bool kcol_time(struct kcol_run *kr, const struct timing_opts *t,
	       double *ns_per_run, double *empty_ns, struct kcol_skip *skip)
{
	struct timing_opts kt = *t;
	struct kcol_batch prog = { kr, &kr->prog }, empty = { kr, &kr->empty };
	struct batch b = { kcol_run_n, &prog }, e = { kcol_run_n, &empty };

	if (kt.max_n > UINT32_MAX)
		kt.max_n = UINT32_MAX; /* test_run's repeat is 32 bits */
	kr->err[0] = '\0';
	if (choose_calls(kr) || timing_measure(&b, &kt, ns_per_run) ||
	    timing_measure(&e, &kt, empty_ns)) {
		skip_set(skip, "error", kr->err);
		return false;
	}
	*ns_per_run /= kr->calls;
	*empty_ns /= kr->calls;
	kr->empty_ns = *empty_ns;
	*ns_per_run -= *empty_ns;
	if (*ns_per_run < 0)
		*ns_per_run = 0;
	return true;
}

void kcol_describe(const struct kcol_run *kr, char *buf, size_t size)
{
	snprintf(buf, size, "kernel: memory in %s, %u call%s per test_run "
		 "repetition, empty program %.2f ns per call (subtracted)",
		 KCOL_MEM == KERNEL_ORACLE_MEM_MAP ? "an array map"
						   : "the packet",
		 kr->calls, kr->calls == 1 ? "" : "s", kr->empty_ns);
}

void kcol_close(struct kcol_run *kr)
{
	if (!kr)
		return;
	kernel_oracle_close(&kr->prog);
	kernel_oracle_close(&kr->empty);
	free(kr);
}

#endif
