/* bpfvm asm: assembly text -> little-endian bytecode (raw, or hex text with
 * one instruction per line, which every bpfvm command reads back); with -j
 * a JSON summary of what was written (print_json). */
#include "cli.h"
#include "cli_json.h"

#include <bpfvm/isa.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct asm_args {
	const char *in;		/* path or "-" */
	const char *out;	/* NULL: stdout */
	bool hex;
	enum bpfvm_asm_dialect dialect;
};

static int parse_dialect(const char *s, enum bpfvm_asm_dialect *d)
{
	static const char *const names[] = { "auto", "llvm", "ubpf" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*d = (enum bpfvm_asm_dialect)i;
			return 0;
		}
	cli_err("asm: --dialect must be auto, llvm or ubpf, not '%s'", s);
	return -1;
}

static int parse_args(int argc, char **argv, struct asm_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--hex")) {
			a->hex = true;
		} else if (!strcmp(arg, "-o") && val) {
			a->out = argv[++i];
		} else if (!strcmp(arg, "--dialect") && val) {
			if (parse_dialect(argv[++i], &a->dialect))
				return -1;
		} else if (arg[0] == '-' && arg[1]) {
			cli_err("asm: unknown or incomplete option '%s'", arg);
			return -1;
		} else if (a->in) {
			cli_err("asm: more than one input given ('%s')", arg);
			return -1;
		} else {
			a->in = arg;
		}
	}
	if (!a->in)
		a->in = "-";
	return 0;
}

static int write_hex(FILE *f, const struct bpf_insn *insns, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		const unsigned char *b = (const unsigned char *)&insns[i];

		for (size_t j = 0; j < sizeof(*insns); j++)
			fprintf(f, "%02x%c", b[j], j + 1 < 8 ? ' ' : '\n');
	}
	return ferror(f) ? -1 : 0;
}

/* -j: what was written, {"file", "format", "insns", "bytes"}; without
 * -o the program itself goes in the JSON as "hex", one string per
 * instruction (raw bytes and JSON cannot share stdout). */
static void print_json(const struct asm_args *a,
		       const struct bpf_insn *insns, size_t cnt)
{
	struct cj j;

	cj_init(&j, stdout);
	cj_obj_begin(&j, NULL);
	if (a->out) {
		cj_str(&j, "file", a->out);
		cj_str(&j, "format", a->hex ? "hex" : "raw");
	}
	cj_u64(&j, "insns", cnt);
	cj_u64(&j, "bytes", cnt * sizeof(*insns));
	if (!a->out) {
		cj_arr_begin(&j, "hex");
		for (size_t i = 0; i < cnt; i++)
			cj_hex(&j, NULL, &insns[i], sizeof(*insns));
		cj_arr_end(&j);
	}
	cj_obj_end(&j);
	cj_end(&j);
}

static int write_out(const struct asm_args *a, const struct bpf_insn *insns,
		     size_t cnt)
{
	FILE *f = a->out ? fopen(a->out, a->hex ? "w" : "wb") : stdout;
	/* raw bytes on a terminal help nobody: print hex there */
	bool hex = a->hex || (!a->out && isatty(STDOUT_FILENO));
	int err;

	if (!f) {
		cli_err("asm: cannot write %s", a->out);
		return -1;
	}
	if (hex)
		err = write_hex(f, insns, cnt);
	else
		err = fwrite(insns, sizeof(*insns), cnt, f) == cnt ? 0 : -1;
	if (f != stdout)
		err = fclose(f) ? -1 : err;
	else
		err = fflush(f) ? -1 : err;
	if (err)
		cli_err("asm: error writing %s", a->out ? a->out : "stdout");
	return err;
}

int cmd_asm(int argc, char **argv)
{
	struct asm_args a = { 0 };
	struct bpf_insn *insns;
	size_t len, cnt;
	char log[512] = "";
	char *text;
	int ret;

	if (parse_args(argc, argv, &a))
		return 2;
	text = cli_read_file(a.in, &len);
	if (!text)
		return 1;
	struct bpfvm_asm_opts opts = {
		.sz = sizeof(opts),
		.dialect = a.dialect,
		.log_buf = log,
		.log_size = sizeof(log),
	};
	ret = bpfvm_asm_assemble(text, &opts, &insns, &cnt);
	free(text);
	if (ret) {
		cli_err("%s: %s", a.in, log[0] ? log : "cannot assemble");
		return 1;
	}
	if (cli_json_on() && !a.out)
		print_json(&a, insns, cnt);
	else if ((ret = write_out(&a, insns, cnt)) == 0 && cli_json_on())
		print_json(&a, insns, cnt);
	free(insns);
	return ret ? 1 : 0;
}
