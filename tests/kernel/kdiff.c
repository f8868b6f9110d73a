/* Differential runs, bpfvm against the kernel; see kdiff.h. */
#include "kdiff.h"
#include "engdiff.h"
#include "minimize.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void kdiff_init(struct kdiff *d, struct bpfvm_env *env)
{
	memset(d, 0, sizeof(*d));
	d->env = env;
}

/* bpfvm's side: a checked run with a budget, so a bpfvm bug shows up as
 * an error rather than a crash or a hang of the test. */
static int run_bpfvm(struct kdiff *d, const struct bpf_insn *insns,
		     size_t cnt, enum bpfvm_engine engine, uint8_t *mem,
		     uint64_t *r0)
{
	struct bpfvm_prog_opts popts = {
		.sz = sizeof(popts), .env = d->env,
		.log_buf = d->why, .log_size = sizeof(d->why),
	};
	struct bpfvm_run_opts ropts = {
		.sz = sizeof(ropts), .engine = engine,
		.flags = BPFVM_RUN_F_CHECKED,
		.insn_budget = KDIFF_INSN_BUDGET,
		.err_buf = d->why, .err_size = sizeof(d->why),
	};
	struct bpfvm_prog *prog;
	int err = bpfvm_prog_create(insns, cnt, &popts, &prog);

	if (err)
		return err;
	err = bpfvm_prog_run(prog, d->has_mem ? mem : NULL, d->mem_len, r0,
			     &ropts);
	bpfvm_prog_free(prog);
	return err;
}

static enum kdiff_outcome run_kernel(struct kdiff *d,
				     const struct bpf_insn *insns, size_t cnt)
{
	struct kernel_oracle_opts o = {
		.sz = sizeof(o), .log_buf = d->log, .log_size = sizeof(d->log),
		.err_buf = d->why, .err_size = sizeof(d->why),
	};

	d->kst = kernel_oracle_run(insns, cnt, d->has_mem ? d->k_mem : NULL,
				   d->mem_len, &d->k_r0, &o);
	switch (d->kst) {
	case KERNEL_ORACLE_OK:
		return KDIFF_SAME;
	case KERNEL_ORACLE_REJECTED:
		return KDIFF_REJECTED;
	case KERNEL_ORACLE_UNAVAILABLE:
		return KDIFF_UNAVAILABLE;
	case KERNEL_ORACLE_ERROR:
		break;
	}
	return KDIFF_ERROR;
}

enum kdiff_outcome kdiff_run(struct kdiff *d, const struct bpf_insn *insns,
			     size_t cnt, const uint8_t *mem, size_t mem_len,
			     bool has_mem)
{
	enum kdiff_outcome out;

	d->why[0] = d->log[0] = '\0';
	d->vm_r0 = d->jit_r0 = d->k_r0 = 0;
	d->vm_err = d->jit_err = 0;
	d->has_mem = has_mem && mem;
	d->mem_len = d->has_mem ? mem_len : 0;
	if (d->mem_len > KDIFF_MAX_MEM) {
		snprintf(d->why, sizeof(d->why), "memory above %u bytes",
			 KDIFF_MAX_MEM);
		return KDIFF_ERROR;
	}
	if (d->mem_len) { /* mem may be NULL, and memcpy's NULL is UB */
		memcpy(d->mem_in, mem, d->mem_len);
		memcpy(d->k_mem, mem, d->mem_len);
		memcpy(d->vm_mem, mem, d->mem_len);
		memcpy(d->jit_mem, mem, d->mem_len);
	}
	/* The kernel first: a rejection ends the comparison before bpfvm. */
	out = run_kernel(d, insns, cnt);
	if (out != KDIFF_SAME)
		return out;
	d->vm_err = run_bpfvm(d, insns, cnt, BPFVM_ENGINE_INTERP, d->vm_mem,
			      &d->vm_r0);
	if (d->vm_err || d->vm_r0 != d->k_r0 ||
	    memcmp(d->vm_mem, d->k_mem, d->mem_len))
		return KDIFF_DIFFERENT;
	if (!d->with_jit)
		return KDIFF_SAME;
	d->jit_err = run_bpfvm(d, insns, cnt, BPFVM_ENGINE_JIT, d->jit_mem,
			       &d->jit_r0);
	if (d->jit_err || d->jit_r0 != d->k_r0 ||
	    memcmp(d->jit_mem, d->k_mem, d->mem_len))
		return KDIFF_DIFFERENT;
	return KDIFF_SAME;
}

/* What a mismatch looks like: which of r0, the error and each memory byte
 * differ. Shrinking keeps it, so that deleting the instruction that wrote
 * a register or a stack slot does not trade the mismatch for a different
 * one (an uninitialised value, a pointer leaking into r0). */
static void signature(const struct kdiff *d, uint8_t *sig)
{
	sig[0] = (uint8_t)((d->vm_r0 != d->k_r0) | (d->vm_err ? 2 : 0) |
			   (d->jit_r0 != d->k_r0 ? 4 : 0) |
			   (d->jit_err ? 8 : 0));
	for (size_t i = 0; i < d->mem_len; i++)
		sig[1 + i] = (uint8_t)((d->vm_mem[i] != d->k_mem[i]) |
				       (d->jit_mem[i] != d->k_mem[i]) << 1);
}

struct min_ctx {
	struct kdiff *d;
	const uint8_t *mem;
	size_t mem_len;
	bool has_mem;
	const uint8_t *want;
};

static bool still_different(void *ctx, const struct bpf_insn *insns,
			    size_t cnt)
{
	static uint8_t sig[1 + KDIFF_MAX_MEM];
	struct min_ctx *m = ctx;

	if (kdiff_run(m->d, insns, cnt, m->mem, m->mem_len, m->has_mem) !=
	    KDIFF_DIFFERENT)
		return false;
	signature(m->d, sig);
	return memcmp(sig, m->want, 1 + m->d->mem_len) == 0;
}

size_t kdiff_minimize(struct kdiff *d, struct bpf_insn *insns, size_t cnt,
		      const uint8_t *mem, size_t mem_len, bool has_mem)
{
	static uint8_t want[1 + KDIFF_MAX_MEM];
	struct min_ctx m = { d, mem, mem_len, has_mem, want };

	if (kdiff_run(d, insns, cnt, mem, mem_len, has_mem) == KDIFF_DIFFERENT) {
		signature(d, want);
		cnt = minimize_prog(insns, cnt, still_different, &m);
	}
	kdiff_run(d, insns, cnt, mem, mem_len, has_mem);
	return cnt;
}

void kdiff_disasm(FILE *f, const struct bpf_insn *insns, size_t cnt)
{
	engdiff_disasm(f, insns, cnt);
}

static void report_mem(const struct kdiff *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->mem_len; i++) {
		if (d->vm_mem[i] != d->k_mem[i])
			fprintf(f, "  mem[%zu]: bpfvm 0x%02x, kernel 0x%02x "
				"(was 0x%02x)\n", i, d->vm_mem[i], d->k_mem[i],
				d->mem_in[i]);
		if (d->with_jit && !d->vm_err && d->jit_mem[i] != d->k_mem[i])
			fprintf(f, "  mem[%zu]: bpfvm JIT 0x%02x, kernel 0x%02x "
				"(was 0x%02x)\n", i, d->jit_mem[i],
				d->k_mem[i], d->mem_in[i]);
	}
}

static void report_engine(FILE *f, const char *name, int err, uint64_t r0,
			  uint64_t k_r0, const char *why)
{
	if (err)
		fprintf(f, "  %s failed: %s (%s)\n", name, strerror(-err), why);
	else
		fprintf(f, "  r0: %s 0x%" PRIx64 ", kernel 0x%" PRIx64 "\n",
			name, r0, k_r0);
}

void kdiff_report(const struct kdiff *d, FILE *f, const struct bpf_insn *insns,
		  size_t cnt)
{
	kdiff_disasm(f, insns, cnt);
	report_engine(f, "bpfvm", d->vm_err, d->vm_r0, d->k_r0, d->why);
	/* the JIT ran only when the interpreter agreed */
	if (d->with_jit && !d->vm_err && d->vm_r0 == d->k_r0)
		report_engine(f, "bpfvm JIT", d->jit_err, d->jit_r0, d->k_r0,
			      d->why);
	report_mem(d, f);
}

const char *kdiff_reject_reason(const char *log, char *buf, size_t size)
{
	const char *line = log, *best = NULL;
	size_t best_len = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17)) {
			best = line;
			best_len = len;
		}
		line += len + (end ? 1 : 0);
	}
	if (!best)
		snprintf(buf, size, "(no verifier log)");
	else
		snprintf(buf, size, "%.*s", (int)best_len, best);
	return buf;
}
