/* The JIT's compile speed; see compile_speed.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/prog.h>
#include "compile_speed.h"
#include "timing.h"

#define GOAL_INSNS_PER_SEC 50e6
#define ROUNDS 9	/* best of: the first compile also faults pages in,
			 * and the machine may be shared */

#ifndef BENCH_HAVE_KERNEL_ORACLE /* no tests/lib: no randprog either */

bool compile_speed_report(FILE *f, bool quick)
{
	(void)quick;
	fprintf(f, "\nJIT compile speed: n/a (built without tests/lib)\n");
	return true;
}

#else

#include <randprog.h>

/* About `want` instructions of random code (no subprograms: their size
 * is random and could push the total past the limit). */
static int make_prog(size_t want, struct bpf_insn **insns, size_t *cnt)
{
	struct randprog_opts o;
	unsigned body = (unsigned)want;

	randprog_default_opts(&o);
	o.calls = false;
	o.body_insns = body;
	for (;;) {
		int err = randprog_generate(1, &o, insns, cnt);

		if (err || *cnt <= BPFVM_MAX_INSNS)
			return err;
		free(*insns);
		o.body_insns = body = body - body / 16;
	}
}

/* Seconds for one compile of a fresh program (each prog compiles once). */
static int time_compile(const struct bpf_insn *insns, size_t cnt,
			double *secs)
{
	struct bpfvm_prog_opts po = { .sz = sizeof(po) };
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	struct bpfvm_prog *prog;
	double t0;
	int err = bpfvm_prog_create(insns, cnt, &po, &prog);

	if (err)
		return err;
	t0 = timing_cpu_ns(); /* the compiling thread's: kernel time too */
	err = bpfvm_prog_jit_info(prog, 0, &info);
	*secs = (timing_cpu_ns() - t0) / 1e9;
	bpfvm_prog_free(prog);
	return err;
}

bool compile_speed_report(FILE *f, bool quick)
{
	struct bpf_insn *insns;
	size_t cnt;
	double best = 0, secs;
	int err = make_prog(quick ? 20000 : 960000, &insns, &cnt);

	for (int i = 0; !err && i < (quick ? 1 : ROUNDS); i++) {
		err = time_compile(insns, cnt, &secs);
		if (!err && (i == 0 || secs < best))
			best = secs;
	}
	fprintf(f, "\nJIT compile speed (random program, best of %d, thread "
		"CPU time):\n", quick ? 1 : ROUNDS);
	if (err == -EOPNOTSUPP) {
		fprintf(f, "  n/a (the JIT is not available)\n");
	} else if (err) {
		fprintf(f, "  ERROR: %s\n", strerror(-err));
	} else {
		double rate = (double)cnt / best;

		fprintf(f, "  %zu BPF instructions in %.1f ms: %.1fM insns/s, "
			"%.1f ms per 1M; goal >= %.0fM insns/s: %s\n", cnt,
			best * 1e3, rate / 1e6, 1e3 * 1e6 / rate,
			GOAL_INSNS_PER_SEC / 1e6,
			rate >= GOAL_INSNS_PER_SEC ? "MET" : "NOT MET");
	}
	if (!err || err == -EOPNOTSUPP)
		free(insns);
	return !err || err == -EOPNOTSUPP;
}

#endif
