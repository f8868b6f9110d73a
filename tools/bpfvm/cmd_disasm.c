/* bpfvm disasm: print a program one instruction per line, "   N: insn",
 * with the instruction's bytes after the index when --raw is given (the
 * listing reads back through bpfvm asm either way). */
#include "cli.h"

#include <bpfvm/isa.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_raw(const struct bpf_insn *insn)
{
	const unsigned char *b = (const unsigned char *)insn;

	for (size_t j = 0; j < sizeof(*insn); j++)
		printf(" %02x", b[j]);
	putchar('\t');
}

/* Print the program; false if an instruction is not valid. */
static bool print_listing(const struct bpf_insn *insns, size_t cnt, bool raw)
{
	struct bpfvm_disasm_opts opts = { .sz = sizeof(opts) };
	bool ok = true;
	char buf[160];

	for (size_t i = 0; i < cnt;) {
		int n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					  &opts);

		printf("%4zu:", i);
		if (raw)
			print_raw(&insns[i]);
		printf(" %s%s\n", n < 0 ? "invalid: " : "", buf);
		if (n < 0) {
			ok = false;
			n = 1;
		}
		/* an lddw's second slot: its bytes on a line of their own */
		if (n == 2 && raw) {
			printf("%4zu:", i + 1);
			print_raw(&insns[i + 1]);
			putchar('\n');
		}
		i += (size_t)n;
	}
	return ok;
}

int cmd_disasm(int argc, char **argv)
{
	const char *path = NULL;
	struct bpf_insn *insns;
	bool raw = false, ok;
	size_t cnt;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--raw")) {
			raw = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_err("disasm: unknown option '%s'", argv[i]);
			return 2;
		} else if (path) {
			cli_err("disasm: more than one program given ('%s')",
				argv[i]);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (cli_load_program(path ? path : "-", &insns, &cnt))
		return 1;
	ok = print_listing(insns, cnt, raw);
	free(insns);
	if (!ok)
		cli_err("disasm: the program has invalid instructions");
	return ok ? 0 : 1;
}
