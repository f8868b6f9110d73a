/* bpfvm jit-dump: the machine code the JIT makes for a program, each BPF
 * instruction followed by the x86-64 instructions it became. The code
 * before the first instruction (prologue) and after the last (epilogue,
 * out-of-line error paths) is printed under its own heading. With -j, the
 * same as one JSON object (print_json). */
#include "cli.h"
#include "cli_json.h"
#include "x86_dis.h"

#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dump_args {
	const char *prog;
	uint32_t run_flags;	/* BPFVM_RUN_F_* */
	uint32_t prog_flags;	/* BPFVM_PROG_F_* */
};

static int parse_args(int argc, char **argv, struct dump_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--checked")) {
			a->run_flags |= BPFVM_RUN_F_CHECKED;
		} else if (!strcmp(arg, "--counted")) {
			a->run_flags |= BPFVM_RUN_F_COUNT;
		} else if (!strcmp(arg, "--blind")) {
			a->prog_flags |= BPFVM_PROG_F_JIT_BLIND;
		} else if (arg[0] == '-' && arg[1]) {
			cli_err("jit-dump: unknown option '%s'", arg);
			return -1;
		} else if (a->prog) {
			cli_err("jit-dump: more than one program given ('%s')",
				arg);
			return -1;
		} else {
			a->prog = arg;
		}
	}
	return 0;
}

static const char *variant(const struct dump_args *a, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s",
		 a->run_flags & BPFVM_RUN_F_CHECKED ? " checked" : "",
		 a->run_flags & BPFVM_RUN_F_COUNT ? " counted" : "",
		 a->prog_flags & BPFVM_PROG_F_JIT_BLIND ? " blinded" : "",
		 a->run_flags || a->prog_flags ? "" : " plain");
	return buf + 1;	/* past the first space */
}

static void print_header(const struct dump_args *a,
			 const struct bpfvm_jit_info *info)
{
	char buf[64];

	printf("; %zu BPF instructions -> %zu bytes of x86-64 "
	       "(variant: %s)\n", info->insn_cnt, info->code_size,
	       variant(a, buf, sizeof(buf)));
	if (!x86_dis_available())
		printf("; built without capstone (Debian: libcapstone-dev): "
		       "raw bytes instead of disassembly\n");
}

static void print_dump(const struct dump_args *a,
		       const struct bpf_insn *insns,
		       const struct bpfvm_jit_info *info)
{
	const uint8_t *code = info->code;
	const uint32_t *off = info->insn_off;
	size_t cnt = info->insn_cnt;
	char buf[160];

	print_header(a, info);
	if (off[0] > 0) {
		printf("; prologue\n");
		x86_dis_print(stdout, code, 0, off[0], "        ");
	}
	for (size_t i = 0; i < cnt;) {
		int n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					  NULL);
		size_t next = i + (n > 0 ? (size_t)n : 1);

		printf("%4zu: %s\n", i, buf);
		x86_dis_print(stdout, code, off[i], off[next], "        ");
		i = next;
	}
	if (off[cnt] < info->code_size) {
		printf("; epilogue and out-of-line code\n");
		x86_dis_print(stdout, code, off[cnt], info->code_size,
			      "        ");
	}
}

/* -j: {"insn_cnt", "code_size", "variant", "disassembler",
 * "prologue": [x86], "insns": [{"insn", "bpf", "x86": [{"addr",
 * "bytes", "asm"}]}], "epilogue": [x86]}. */
static void print_json(const struct dump_args *a,
		       const struct bpf_insn *insns,
		       const struct bpfvm_jit_info *info)
{
	const uint32_t *off = info->insn_off;
	size_t cnt = info->insn_cnt;
	char buf[160];
	struct cj j;

	cj_init(&j, stdout);
	cj_obj_begin(&j, NULL);
	cj_u64(&j, "insn_cnt", cnt);
	cj_u64(&j, "code_size", info->code_size);
	cj_str(&j, "variant", variant(a, buf, sizeof(buf)));
	cj_bool(&j, "disassembler", x86_dis_available());
	x86_dis_json(&j, "prologue", info->code, 0, off[0]);
	cj_arr_begin(&j, "insns");
	for (size_t i = 0; i < cnt;) {
		int n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					  NULL);
		size_t next = i + (n > 0 ? (size_t)n : 1);

		cj_obj_begin(&j, NULL);
		cj_u64(&j, "insn", i);
		cj_str(&j, "bpf", buf);
		x86_dis_json(&j, "x86", info->code, off[i], off[next]);
		cj_obj_end(&j);
		i = next;
	}
	cj_arr_end(&j);
	x86_dis_json(&j, "epilogue", info->code, off[cnt], info->code_size);
	cj_obj_end(&j);
	cj_end(&j);
}

/* Compile through a run-less query; -EOPNOTSUPP: no JIT in this build. */
static int dump(const struct dump_args *a, const struct bpf_insn *insns,
		size_t cnt)
{
	char log[1024] = "";
	struct bpfvm_prog_opts popts = {
		.sz = sizeof(popts), .log_buf = log, .log_size = sizeof(log),
		.flags = a->prog_flags,
	};
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	struct bpfvm_prog *prog;
	int err;

	err = bpfvm_prog_create(insns, cnt, &popts, &prog);
	if (err) {
		cli_err("program rejected: %s", log[0] ? log : strerror(-err));
		return 1;
	}
	err = bpfvm_prog_jit_info(prog, a->run_flags, &info);
	if (err)
		cli_err("jit-dump: %s", strerror(-err));
	else if (cli_json_on())
		print_json(a, bpfvm_prog_insns(prog), &info);
	else
		print_dump(a, bpfvm_prog_insns(prog), &info);
	bpfvm_prog_free(prog);
	return err ? 1 : 0;
}

int cmd_jit_dump(int argc, char **argv)
{
	struct dump_args a = { 0 };
	struct bpf_insn *insns;
	size_t cnt;
	int ret;

	if (parse_args(argc, argv, &a))
		return 2;
	if (cli_load_program(a.prog ? a.prog : "-", &insns, &cnt))
		return 1;
	ret = dump(&a, insns, cnt);
	free(insns);
	return ret;
}
