/* bpfvm's conformance runner: runs bpf_conformance *.data files and prints
 * "N passed, N failed, N skipped".
 * usage: conformance [--jit] [--checked] [--expect-pass N] DIR|FILE... */
#include "conf_file.h"
#include "conf_helper.h"

#include <bpfvm/bpfvm.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally {
	int passed, failed, skipped;
};

/* Run one parsed test; returns 0 when it behaved as the file says. */
static int run_test(const struct conf_test *t, struct bpfvm_env *env,
		    struct bpfvm_run_opts *ropts, char *why, size_t size)
{
	struct bpf_insn *insns = NULL;
	struct bpfvm_prog *prog = NULL;
	size_t cnt;
	uint64_t r0 = 0;
	int err = conf_test_program(t, &insns, &cnt, why, size);

	if (!err) {
		struct bpfvm_prog_opts popts = {
			.sz = sizeof(popts), .env = env,
			.log_buf = why, .log_size = size,
		};
		err = bpfvm_prog_create(insns, cnt, &popts, &prog);
	}
	if (!err) {
		ropts->err_buf = why;
		ropts->err_size = size;
		err = bpfvm_prog_run(prog, t->mem, t->mem_len, &r0, ropts);
	}
	bpfvm_prog_free(prog);
	free(insns);
	if (t->error)
		return err ? 0 : (snprintf(why, size, "ran, but the file "
				  "expects the error '%s'", t->error), -1);
	if (err)
		return -1;
	if (t->has_result && r0 != t->result) {
		snprintf(why, size, "r0 = 0x%" PRIx64 ", expected 0x%" PRIx64,
			 r0, t->result);
		return -1;
	}
	return 0;
}

static void run_file(const char *path, struct bpfvm_env *env,
		     struct bpfvm_run_opts *ropts, struct tally *tally)
{
	char why[512] = "";
	struct conf_test t;
	char *text = conf_read_file(path);

	if (!text) {
		printf("FAIL %s: %s\n", path, strerror(errno));
		tally->failed++;
		return;
	}
	if (conf_test_parse(text, &t, why, sizeof(why))) {
		printf("FAIL %s: %s\n", path, why);
		tally->failed++;
	} else if (t.skip_reason) {
		printf("SKIP %s: unknown section '%s'\n", path, t.skip_reason);
		tally->skipped++;
	} else if (run_test(&t, env, ropts, why, sizeof(why))) {
		printf("FAIL %s: %s\n", path, why);
		tally->failed++;
	} else {
		tally->passed++;
	}
	conf_test_free(&t);
	free(text);
}

/* Files of a directory ending in .data, in name order. */
static void run_dir(const char *dir, struct bpfvm_env *env,
		    struct bpfvm_run_opts *ropts, struct tally *tally)
{
	char **names, *path;
	size_t n = conf_list_dir(dir, &names);

	for (size_t i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) >= 0) {
			run_file(path, env, ropts, tally);
			free(path);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	struct bpfvm_run_opts ropts = { .sz = sizeof(ropts) };
	struct tally tally = { 0 };
	struct bpfvm_env *env;
	long expect = -1;
	int inputs = 0;

	if (conf_env_create(&env)) {
		fprintf(stderr, "conformance: cannot create an environment\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		DIR *d;
		if (strcmp(argv[i], "--jit") == 0) {
			ropts.engine = BPFVM_ENGINE_JIT;
		} else if (strcmp(argv[i], "--checked") == 0) {
			ropts.flags |= BPFVM_RUN_F_CHECKED;
		} else if (strcmp(argv[i], "--expect-pass") == 0 && i + 1 < argc) {
			expect = strtol(argv[++i], NULL, 10);
		} else if ((d = opendir(argv[i]))) {
			closedir(d);
			run_dir(argv[i], env, &ropts, &tally);
			inputs++;
		} else {
			run_file(argv[i], env, &ropts, &tally);
			inputs++;
		}
	}
	bpfvm_env_free(env);
	printf("%d passed, %d failed, %d skipped\n", tally.passed,
	       tally.failed, tally.skipped);
	if (!inputs)
		fprintf(stderr, "conformance: no test files given\n");
	if (expect >= 0 && tally.passed != expect)
		fprintf(stderr, "conformance: expected %ld to pass\n", expect);
	return tally.failed || !inputs ||
	       (expect >= 0 && tally.passed != expect);
}
