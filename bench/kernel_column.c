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

void kcol_close(struct kcol_run *kr)
{
	(void)kr;
}

#else

#include <kernel_oracle.h>

struct kcol_run {
	struct kernel_prog prog;
	struct kernel_prog empty;	/* r0 = 0: the wrapper's own cost */
	void *mem;
	char err[200];
};

/* The last non-empty line of the verifier log: usually the reason. */
static void last_line(const char *log, char *out, size_t size)
{
	size_t end = strlen(log), start;

	while (end && (log[end - 1] == '\n' || log[end - 1] == ' '))
		end--;
	start = end;
	while (start && log[start - 1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), log + start);
}

static bool load(const struct bpf_insn *insns, size_t cnt, size_t mem_len,
		 struct kernel_prog *kp, struct kcol_skip *skip)
{
	static char log[1 << 20]; /* the verifier is chatty on long loops */
	char err[160] = "";
	struct kernel_oracle_opts o = {
		.sz = sizeof(o),
		.log_buf = log,
		.log_size = sizeof(log),
		.err_buf = err,
		.err_size = sizeof(err),
	};
	enum kernel_oracle_status st;
	char line[160];

	st = kernel_oracle_load(insns, cnt, mem_len, true, kp, &o);
	if (st == KERNEL_ORACLE_OK)
		return true;
	if (st == KERNEL_ORACLE_REJECTED) {
		last_line(log, line, sizeof(line));
		skip_set(skip, "verifier", line);
	} else {
		skip_set(skip, st == KERNEL_ORACLE_UNAVAILABLE ? "no bpf"
							     : "error", err);
	}
	return false;
}

void kcol_check(const struct bench *b, void *mem, struct kcol_run **out,
		__u64 *r0, struct kcol_skip *skip)
{
	static const struct bpf_insn empty[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	size_t cnt = b->code->bpf_size / sizeof(struct bpf_insn);
	struct kcol_run *kr;
	struct bpf_insn *insns;
	char why[160];
	uint64_t res;

	*out = NULL;
	*r0 = 0;
	if (!kernel_oracle_available(why, sizeof(why))) {
		skip_set(skip, "no bpf", why);
		return;
	}
	if (b->mem_size > KERNEL_ORACLE_MAX_MEM) {
		snprintf(why, sizeof(why),
			 "%zu bytes of memory; the XDP packet holds %u",
			 b->mem_size, KERNEL_ORACLE_MAX_MEM);
		skip_set(skip, "size", why);
		return;
	}
	kr = calloc(1, sizeof(*kr));
	insns = malloc(b->code->bpf_size);
	if (!kr || !insns) {
		free(kr);
		free(insns);
		skip_set(skip, "error", "out of memory");
		return;
	}
	memcpy(insns, b->code->bpf, b->code->bpf_size);
	kr->mem = mem;
	kr->empty.fd = -1;
	if (!load(insns, cnt, b->mem_size, &kr->prog, skip)) {
		free(insns);
		free(kr);
		return;
	}
	free(insns);
	if (!load(empty, 2, b->mem_size, &kr->empty, skip)) {
		kcol_close(kr);
		return;
	}
	{
		struct kernel_oracle_opts o = {
			.sz = sizeof(o),
			.err_buf = why,
			.err_size = sizeof(why),
		};

		if (kernel_oracle_exec(&kr->prog, mem, &res, &o) !=
		    KERNEL_ORACLE_OK) {
			skip_set(skip, "error", why);
			kcol_close(kr);
			return;
		}
	}
	*r0 = res;
	*out = kr;
}

struct kcol_batch {
	struct kcol_run *kr;
	const struct kernel_prog *prog;
};

/* The kernel times the runs itself (BPF_PROG_TEST_RUN's duration, the
 * average over `repeat`), which leaves out the syscall. */
static int kcol_run_n(void *ctx, __u64 n, double *elapsed_ns)
{
	struct kcol_batch *kb = ctx;
	struct kernel_oracle_opts o = {
		.sz = sizeof(o),
		.err_buf = kb->kr->err,
		.err_size = sizeof(kb->kr->err),
		.repeat = (uint32_t)n,
	};
	uint64_t r0;

	if (kernel_oracle_exec(kb->prog, kb->kr->mem, &r0, &o) !=
	    KERNEL_ORACLE_OK)
		return o.err ? -o.err : -1;
	*elapsed_ns = (double)o.duration_ns * (double)n;
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
	if (timing_measure(&b, &kt, ns_per_run) ||
	    timing_measure(&e, &kt, empty_ns)) {
		skip_set(skip, "error", kr->err);
		return false;
	}
	*ns_per_run -= *empty_ns;
	if (*ns_per_run < 0)
		*ns_per_run = 0;
	return true;
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
