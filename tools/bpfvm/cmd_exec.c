/* bpfvm exec: run a program on a memory buffer; print r0 and the memory
 * (with -j as one JSON object). */
#include "cli.h"
#include "cli_json.h"

#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exec_args {
	const char *prog;	/* path or "-" */
	const char *mem_file;
	const char *mem_hex;
	struct bpfvm_run_opts run;
};

static int parse_args(int argc, char **argv, struct exec_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(arg, "--interp")) {
			a->run.engine = BPFVM_ENGINE_INTERP;
		} else if (!strcmp(arg, "--jit")) {
			a->run.engine = BPFVM_ENGINE_JIT;
		} else if (!strcmp(arg, "--checked")) {
			a->run.flags |= BPFVM_RUN_F_CHECKED;
		} else if (!strcmp(arg, "--budget") && val) {
			if (cli_parse_u64(val, &a->run.insn_budget)) {
				cli_err("--budget: '%s' is not a count", val);
				return -1;
			}
			i++;
		} else if (!strcmp(arg, "--mem") && val) {
			a->mem_file = argv[++i];
		} else if (!strcmp(arg, "--mem-hex") && val) {
			a->mem_hex = argv[++i];
		} else if (arg[0] == '-' && arg[1]) {
			cli_err("exec: unknown or incomplete option '%s'", arg);
			return -1;
		} else if (a->prog != NULL && strcmp(a->prog, "-")) {
			cli_err("exec: more than one program given ('%s')", arg);
			return -1;
		} else {
			a->prog = arg;
		}
	}
	if (a->mem_file && a->mem_hex) {
		cli_err("exec: give --mem or --mem-hex, not both");
		return -1;
	}
	return 0;
}

static int load_memory(const struct exec_args *a, uint8_t **mem, size_t *len)
{
	*mem = NULL;
	*len = 0;
	if (a->mem_hex)
		return cli_parse_hex(a->mem_hex, "--mem-hex", mem, len);
	if (a->mem_file) {
		*mem = (uint8_t *)cli_read_file(a->mem_file, len);
		return *mem ? 0 : -1;
	}
	return 0;
}

static void print_memory(const uint8_t *mem, size_t len)
{
	printf("memory (%zu bytes):\n", len);
	for (size_t i = 0; i < len; i++)
		printf("%s%02x%s", i % 16 ? " " : "", mem[i],
		       i % 16 == 15 || i + 1 == len ? "\n" : "");
}

/* r0 and the memory after the run; -j: {"r0": N, "r0_hex": "0x...",
 * "memory": "hex bytes"} (memory only when the run had some). */
static void print_result(uint64_t r0, const uint8_t *mem, size_t len)
{
	struct cj j;
	char hex[24];

	if (!cli_json_on()) {
		printf("r0 = 0x%016" PRIx64 "\n", r0);
		if (mem)
			print_memory(mem, len);
		return;
	}
	snprintf(hex, sizeof(hex), "0x%016" PRIx64, r0);
	cj_init(&j, stdout);
	cj_obj_begin(&j, NULL);
	cj_u64(&j, "r0", r0);
	cj_str(&j, "r0_hex", hex);
	if (mem)
		cj_hex(&j, "memory", mem, len);
	cj_obj_end(&j);
	cj_end(&j);
}

static int run(struct bpf_insn *insns, size_t cnt, uint8_t *mem,
	       size_t mem_len, struct bpfvm_run_opts *ropts)
{
	char log[1024] = "";
	struct bpfvm_prog_opts popts = {
		.sz = sizeof(popts), .log_buf = log, .log_size = sizeof(log),
	};
	struct bpfvm_prog *prog;
	uint64_t r0;
	int err = bpfvm_prog_create(insns, cnt, &popts, &prog);

	if (err) {
		cli_err("program rejected: %s", log[0] ? log : strerror(-err));
		return 1;
	}
	ropts->err_buf = log;
	ropts->err_size = sizeof(log);
	err = bpfvm_prog_run(prog, mem, mem_len, &r0, ropts);
	bpfvm_prog_free(prog);
	if (err) {
		cli_err("run failed: %s", log[0] ? log : strerror(-err));
		return 1;
	}
	print_result(r0, mem, mem_len);
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_args a = { .prog = "-", .run = { .sz = sizeof(a.run) } };
	struct bpf_insn *insns = NULL;
	uint8_t *mem = NULL;
	size_t cnt, mem_len;
	int ret = 2;

	if (parse_args(argc, argv, &a) == 0) {
		ret = 1;
		if (load_memory(&a, &mem, &mem_len) == 0 &&
		    cli_load_program(a.prog, &insns, &cnt) == 0)
			ret = run(insns, cnt, mem, mem_len, &a.run);
	}
	free(insns);
	free(mem);
	return ret;
}
