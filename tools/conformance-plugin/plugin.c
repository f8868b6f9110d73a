/* A plugin for the public bpf_conformance runner: memory as hex in argv[1]
 * (optional), the program as hex on stdin; prints r0 in hex, or exits 1
 * with the error on stderr. Options: --jit, --checked. */
#include "conf_helper.h"
#include "../bpfvm/cli.h"

#include <bpfvm/bpfvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(const uint8_t *code, size_t code_len, uint8_t *mem,
	       size_t mem_len, struct bpfvm_run_opts *ropts)
{
	char log[512] = "";
	struct bpfvm_env *env = NULL;
	struct bpfvm_prog *prog = NULL;
	struct bpfvm_prog_opts popts = {
		.sz = sizeof(popts), .log_buf = log, .log_size = sizeof(log),
	};
	uint64_t r0;
	int err = conf_env_create(&env);

	popts.env = env;
	if (!err)
		err = bpfvm_prog_create((const struct bpf_insn *)code,
					code_len / 8, &popts, &prog);
	ropts->err_buf = log;
	ropts->err_size = sizeof(log);
	if (!err)
		err = bpfvm_prog_run(prog, mem, mem_len, &r0, ropts);
	if (err)
		fprintf(stderr, "%s\n", log[0] ? log : strerror(-err));
	else
		printf("%llx\n", (unsigned long long)r0);
	bpfvm_prog_free(prog);
	bpfvm_env_free(env);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bpfvm_run_opts ropts = { .sz = sizeof(ropts) };
	uint8_t *mem = NULL, *code = NULL;
	size_t mem_len = 0, code_len = 0, text_len;
	char *text;
	int ret = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--jit") == 0) {
			ropts.engine = BPFVM_ENGINE_JIT;
		} else if (strcmp(argv[i], "--checked") == 0) {
			ropts.flags |= BPFVM_RUN_F_CHECKED;
		} else if (mem) {
			cli_err("unexpected argument '%s'", argv[i]);
			goto out;
		} else if (cli_parse_hex(argv[i], "memory", &mem, &mem_len)) {
			goto out;
		}
	}
	text = cli_read_file("-", &text_len);
	if (!text || cli_parse_hex(text, "program", &code, &code_len))
		goto out_text;
	if (code_len == 0 || code_len % 8)
		cli_err("program: %zu bytes is not a whole number of "
			"instructions", code_len);
	else
		ret = run(code, code_len, mem, mem_len, &ropts);
out_text:
	free(text);
out:
	free(code);
	free(mem);
	return ret;
}
