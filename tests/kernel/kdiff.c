/* Differential runs, bpfvm against the kernel; see kdiff.h. */
#include "kdiff.h"

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
		     size_t cnt)
{
	struct bpfvm_prog_opts popts = {
		.sz = sizeof(popts), .env = d->env,
		.log_buf = d->why, .log_size = sizeof(d->why),
	};
	struct bpfvm_run_opts ropts = {
		.sz = sizeof(ropts), .flags = BPFVM_RUN_F_CHECKED,
		.insn_budget = KDIFF_INSN_BUDGET,
		.err_buf = d->why, .err_size = sizeof(d->why),
	};
	struct bpfvm_prog *prog;
	int err = bpfvm_prog_create(insns, cnt, &popts, &prog);

	if (err)
		return err;
	err = bpfvm_prog_run(prog, d->has_mem ? d->vm_mem : NULL, d->mem_len,
			     &d->vm_r0, &ropts);
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
	d->vm_r0 = d->k_r0 = 0;
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
	}
	/* The kernel first: a rejection ends the comparison before bpfvm. */
	out = run_kernel(d, insns, cnt);
	if (out != KDIFF_SAME)
		return out;
	d->vm_err = run_bpfvm(d, insns, cnt);
	if (d->vm_err || d->vm_r0 != d->k_r0 ||
	    memcmp(d->vm_mem, d->k_mem, d->mem_len))
		return KDIFF_DIFFERENT;
	return KDIFF_SAME;
}

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* Where a jump or bpf-to-bpf call's relative target lives, or NULL. */
static int32_t *branch_field(struct bpf_insn *in, int32_t *tmp)
{
	uint8_t cls = in->code & 0x07, op = in->code & 0xf0;

	if (cls != BPF_JMP && cls != BPF_JMP32)
		return NULL;
	if (op == BPF_EXIT)
		return NULL;
	if (op == BPF_CALL)
		return in->src_reg == BPF_PSEUDO_CALL ? &in->imm : NULL;
	if (cls == BPF_JMP32 && op == BPF_JA)
		return &in->imm; /* gotol */
	*tmp = in->off;
	return tmp;
}

/* Index x after deleting slots [at, at + n). */
static size_t shifted(size_t x, size_t at, size_t n)
{
	return x < at ? x : x >= at + n ? x - n : at;
}

/* Delete slots [at, at + n) of a copy; jumps into them land after them. */
static size_t delete_slots(const struct bpf_insn *in, size_t cnt,
			   struct bpf_insn *out, size_t at, size_t n)
{
	size_t j, k = 0;

	for (j = 0; j < cnt; j++) {
		int32_t tmp, *f;

		if (j >= at && j < at + n)
			continue;
		out[k] = in[j];
		f = branch_field(&out[k], &tmp);
		if (f && !(j > 0 && is_lddw(&in[j - 1]))) {
			int64_t t = (int64_t)j + 1 + *f;

			if (t < 0 || t > (int64_t)cnt)
				return 0;
			*f = (int32_t)((int64_t)shifted((size_t)t, at, n) -
				       (int64_t)k - 1);
			if (f == &tmp)
				out[k].off = (int16_t)tmp;
		}
		k++;
	}
	return k;
}

/* Root may read stack never written, whose contents differ between bpfvm
 * and the kernel: shrinking keeps every plain stack store. */
static bool writes_stack(const struct bpf_insn *in)
{
	uint8_t cls = in->code & 0x07;

	return (cls == BPF_ST || cls == BPF_STX) &&
	       (in->code & 0xe0) == BPF_MEM && in->dst_reg == BPF_REG_10;
}

/* What a mismatch looks like: which of r0, the error and each memory byte
 * differ. Shrinking keeps it, so that deleting the instruction that wrote
 * a register or a stack slot does not trade the mismatch for a different
 * one (an uninitialised value, a pointer leaking into r0). */
static void signature(const struct kdiff *d, uint8_t *sig)
{
	sig[0] = (uint8_t)((d->vm_r0 != d->k_r0) | (d->vm_err ? 2 : 0));
	for (size_t i = 0; i < d->mem_len; i++)
		sig[1 + i] = d->vm_mem[i] != d->k_mem[i];
}

static bool still_different(struct kdiff *d, const struct bpf_insn *insns,
			    size_t cnt, const uint8_t *mem, size_t mem_len,
			    bool has_mem, const uint8_t *want)
{
	static uint8_t sig[1 + KDIFF_MAX_MEM];

	if (kdiff_run(d, insns, cnt, mem, mem_len, has_mem) != KDIFF_DIFFERENT)
		return false;
	signature(d, sig);
	return memcmp(sig, want, 1 + d->mem_len) == 0;
}

size_t kdiff_minimize(struct kdiff *d, struct bpf_insn *insns, size_t cnt,
		      const uint8_t *mem, size_t mem_len, bool has_mem)
{
	static uint8_t want[1 + KDIFF_MAX_MEM];
	struct bpf_insn *try = malloc(cnt * sizeof(*try));
	bool progress = try != NULL;

	if (kdiff_run(d, insns, cnt, mem, mem_len, has_mem) != KDIFF_DIFFERENT)
		progress = false;
	signature(d, want);

	while (progress) {
		progress = false;
		for (size_t i = 0; i < cnt; i++) {
			size_t n = is_lddw(&insns[i]) ? 2 : 1;
			size_t k = writes_stack(&insns[i]) ? 0 :
				   delete_slots(insns, cnt, try, i, n);

			if (k && still_different(d, try, k, mem, mem_len,
						 has_mem, want)) {
				memcpy(insns, try, k * sizeof(*try));
				cnt = k;
				progress = true;
				i--; /* the same index holds the next one now */
			} else if (n == 2) {
				i++;
			}
		}
	}
	free(try);
	kdiff_run(d, insns, cnt, mem, mem_len, has_mem);
	return cnt;
}

void kdiff_disasm(FILE *f, const struct bpf_insn *insns, size_t cnt)
{
	char buf[256];
	size_t i = 0;

	while (i < cnt) {
		int n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					  NULL);

		fprintf(f, "  %4zu: %s\n", i, buf);
		i += n > 0 ? (size_t)n : 1;
	}
}

static void report_mem(const struct kdiff *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->mem_len; i++)
		if (d->vm_mem[i] != d->k_mem[i])
			fprintf(f, "  mem[%zu]: bpfvm 0x%02x, kernel 0x%02x "
				"(was 0x%02x)\n", i, d->vm_mem[i], d->k_mem[i],
				d->mem_in[i]);
}

void kdiff_report(const struct kdiff *d, FILE *f, const struct bpf_insn *insns,
		  size_t cnt)
{
	kdiff_disasm(f, insns, cnt);
	if (d->vm_err)
		fprintf(f, "  bpfvm failed: %s (%s)\n", strerror(-d->vm_err),
			d->why);
	else
		fprintf(f, "  r0: bpfvm 0x%" PRIx64 ", kernel 0x%" PRIx64 "\n",
			d->vm_r0, d->k_r0);
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
