/* bpfvm disasm: print a program one instruction per line, "   N: insn",
 * with the instruction's bytes after the index when --raw is given (the
 * listing reads back through bpfvm asm either way). An ELF object: each
 * program with its source lines (prog_print.c). */
#include "cli.h"
#include "prog_print.h"

#include <bpfvm/object.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An ELF object: every program as loaded (relocated, subprograms
 * appended) with its source lines; as in the ELF when it cannot load. */
static bool print_object(const char *path, bool raw)
{
	bool loaded, ok = true;
	struct bpfvm_object *obj = cli_object_open(path, NULL, &loaded);

	for (size_t i = 0; obj && i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_obj_prog *p = bpfvm_object_prog(obj, i);
		struct cli_prog_src src = { .btf = bpfvm_object_btf(obj) };
		const struct bpf_insn *insns;
		size_t cnt = 0;

		src.func_info = bpfvm_obj_prog_func_info(p, &src.func_cnt);
		src.line_info = bpfvm_obj_prog_line_info(p, &src.line_cnt);
		insns = bpfvm_obj_prog_insns(p, &cnt);
		printf("%s%s: section %s%s\n", i ? "\n" : "",
		       bpfvm_obj_prog_name(p), bpfvm_obj_prog_section(p),
		       loaded ? "" : " (not loaded: no source lines)");
		ok = cli_print_prog(stdout, insns, cnt, &src, raw) && ok;
	}
	bpfvm_object_close(obj);
	return obj && ok;
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
	if (path && cli_is_elf(path))
		return print_object(path, raw) ? 0 : 1;
	if (cli_load_program(path ? path : "-", &insns, &cnt))
		return 1;
	ok = cli_print_prog(stdout, insns, cnt, NULL, raw);
	free(insns);
	if (!ok)
		cli_err("disasm: the program has invalid instructions");
	return ok ? 0 : 1;
}
