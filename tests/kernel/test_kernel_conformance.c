/* Every bpf_conformance file the kernel's verifier accepts runs in bpfvm
 * and in the kernel with the same memory: r0 and the memory afterwards
 * must be identical. Files the kernel rejects are counted by reason, and
 * each reason must be one the kernel is known to have (see `expected`).
 *
 * Excluded before the kernel sees them (printed as such):
 * - files that call a helper: the conformance helper 5 ("return arg 1,
 *   stop on 0") is not the kernel's helper 5 (bpf_ktime_get_ns);
 * - files with an unknown section, which every runner skips.
 *
 * usage: test_kernel_conformance [-v] [DIR]  (exit 77: bpf() unusable) */
#include "insn_scan.h"
#include "conf_file.h"
#include "kdiff.h"

#include <stdlib.h>
#include <string.h>

#ifndef BPFVM_CONFORMANCE_DIR
#define BPFVM_CONFORMANCE_DIR "../shared/conformance/tests"
#endif

/* What the kernel's verifier refuses in these files, and why that is not
 * a bpfvm bug: the kernel verifies programs, the ISA does not. Anything
 * else it refuses fails the test (kernel 6.18 refuses exactly 12 shift
 * files and callx.data). */
static const struct expected {
	const char *match;	/* substring of the verifier's reason */
	const char *why;
} expected[] = {
	{ "invalid shift", "shift by an immediate >= the operand width or "
	  "negative; the ISA masks it, the verifier refuses it" },
	{ "unknown opcode 8d", "callx (call by register, 0x8d) is not in "
	  "the kernel's instruction set" },
};

struct tally {
	int same, different, excluded, unavailable, errors;
	int rejected[sizeof(expected) / sizeof(expected[0])];
	int rejected_unexpected;
};

static bool verbose;

static void count_rejection(struct tally *t, const char *name,
			    const char *log)
{
	char reason[256];
	size_t i;

	kdiff_reject_reason(log, reason, sizeof(reason));
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (strstr(reason, expected[i].match)) {
			t->rejected[i]++;
			if (verbose)
				printf("rejected %s: %s\n", name, reason);
			return;
		}
	}
	t->rejected_unexpected++;
	printf("FAIL %s: rejected for an unexpected reason: %s\n%s\n", name,
	       reason, log);
}

static void compare(struct kdiff *d, const char *name,
		    const struct conf_test *ct, const struct bpf_insn *insns,
		    size_t cnt, struct tally *t)
{
	switch (kdiff_run(d, insns, cnt, ct->mem, ct->mem_len, ct->mem)) {
	case KDIFF_SAME:
		t->same++;
		break;
	case KDIFF_DIFFERENT:
		t->different++;
		printf("FAIL %s: bpfvm and the kernel differ\n", name);
		kdiff_report(d, stdout, insns, cnt);
		break;
	case KDIFF_REJECTED:
		count_rejection(t, name, d->log);
		break;
	case KDIFF_UNAVAILABLE:
		t->unavailable++;
		break;
	case KDIFF_ERROR:
		t->errors++;
		printf("FAIL %s: %s\n", name, d->why);
		break;
	}
}

static void run_file(struct kdiff *d, const char *dir, const char *name,
		     struct tally *t)
{
	char path[4096], why[512] = "";
	struct bpf_insn *insns = NULL;
	struct conf_test ct;
	size_t cnt = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = conf_read_file(path);
	if (!text || conf_test_parse(text, &ct, why, sizeof(why))) {
		printf("FAIL %s: cannot read or parse: %s\n", name, why);
		t->errors++;
		free(text);
		return;
	}
	if (ct.skip_reason || conf_test_program(&ct, &insns, &cnt, why,
						sizeof(why))) {
		printf("excluded %s: %s\n", name,
		       ct.skip_reason ? "unknown section" : why);
		t->excluded++;
	} else if (insn_scan_calls_helper(insns, cnt)) {
		printf("excluded %s: calls a helper (conformance helper 5 is "
		       "not the kernel's)\n", name);
		t->excluded++;
	} else {
		compare(d, name, &ct, insns, cnt, t);
	}
	free(insns);
	conf_test_free(&ct);
	free(text);
}

static int summarize(const struct tally *t, size_t files)
{
	int rejected = t->rejected_unexpected;
	size_t i;

	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		rejected += t->rejected[i];
	printf("%zu files: %d identical in bpfvm and the kernel, %d "
	       "different, %d rejected by the kernel, %d excluded, %d errors\n",
	       files, t->same, t->different, rejected, t->excluded, t->errors);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		if (t->rejected[i])
			printf("  %3d rejected: %s\n", t->rejected[i],
			       expected[i].why);
	if (t->rejected_unexpected)
		printf("  %3d rejected for unexpected reasons\n",
		       t->rejected_unexpected);
	if (files == 0)
		printf("FAIL: no .data files found\n");
	if (t->unavailable)
		printf("FAIL: bpf() failed for %d files\n", t->unavailable);
	return t->different || t->errors || t->rejected_unexpected ||
	       t->unavailable ||
	       files == 0 || t->same == 0;
}

int main(int argc, char **argv)
{
	const char *dir = BPFVM_CONFORMANCE_DIR;
	static struct kdiff d;
	struct tally t = { 0 };
	char why[256], **names;
	size_t n, i;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-v") == 0)
			verbose = true;
		else
			dir = argv[a];
	}
	if (!kernel_oracle_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return KDIFF_SKIP;
	}
	kdiff_init(&d, NULL);
	n = conf_list_dir(dir, &names);
	for (i = 0; i < n; i++) {
		run_file(&d, dir, names[i], &t);
		free(names[i]);
	}
	free(names);
	if (t.unavailable == (int)n && n) {
		printf("SKIP: bpf() became unavailable\n");
		return KDIFF_SKIP;
	}
	return summarize(&t, n);
}
