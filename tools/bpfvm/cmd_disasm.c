/* bpfvm disasm: print a program one instruction per line, "   N: insn",
 * with the instruction's bytes after the index when --raw is given (the
 * listing reads back through bpfvm asm either way). An ELF object: each
 * program with its source lines (prog_print.c). With -j: an array of
 * {"insn", "opcode", "disasm"} objects; for an object, an array of its
 * programs, {"name", "section", "loaded", "insns": [...]}. */
#include "cli.h"
#include "cli_json.h"
#include "prog_print.h"

#include <bpfvm/object.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One program of an object: a heading then its listing (text), or
 * {"name", "section", "loaded", "insns": [...]} (JSON). */
static bool print_obj_prog(struct cj *j, struct bpfvm_object *obj, size_t i,
			   bool loaded, bool raw)
{
	struct bpfvm_obj_prog *p = bpfvm_object_prog(obj, i);
	struct cli_prog_src src = { .btf = bpfvm_object_btf(obj) };
	const struct bpf_insn *insns;
	size_t cnt = 0;
	bool ok;

	src.func_info = bpfvm_obj_prog_func_info(p, &src.func_cnt);
	src.line_info = bpfvm_obj_prog_line_info(p, &src.line_cnt);
	insns = bpfvm_obj_prog_insns(p, &cnt);
	if (!j) {
		printf("%s%s: section %s%s\n", i ? "\n" : "",
		       bpfvm_obj_prog_name(p), bpfvm_obj_prog_section(p),
		       loaded ? "" : " (not loaded: no source lines)");
		return cli_print_prog(stdout, insns, cnt, &src, raw);
	}
	cj_obj_begin(j, NULL);
	cj_str(j, "name", bpfvm_obj_prog_name(p));
	cj_str(j, "section", bpfvm_obj_prog_section(p));
	cj_bool(j, "loaded", loaded);
	ok = cli_print_prog_json(j, "insns", insns, cnt, &src, raw);
	cj_obj_end(j);
	return ok;
}

/* An ELF object: every program as loaded (relocated, subprograms
 * appended) with its source lines; as in the ELF when it cannot load. */
static bool print_object(const char *path, bool raw)
{
	char why[2048] = "";
	struct cj jw, *j = cli_json_on() ? &jw : NULL;
	bool loaded, ok = true;
	struct bpfvm_object *obj = cli_object_open_log(path, NULL, &loaded,
						       why, sizeof(why));

	if (!obj)
		return false;
	if (!loaded)
		cli_warn("%s: load: %s", path, why);
	if (j) {
		cj_init(j, stdout);
		cj_arr_begin(j, NULL);
	}
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++)
		ok = print_obj_prog(j, obj, i, loaded, raw) && ok;
	if (j) {
		cj_arr_end(j);
		cj_end(j);
	}
	bpfvm_object_close(obj);
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
	if (path && cli_is_elf(path))
		return print_object(path, raw) ? 0 : 1;
	if (cli_load_program(path ? path : "-", &insns, &cnt))
		return 1;
	if (cli_json_on()) {
		struct cj j;

		cj_init(&j, stdout);
		ok = cli_print_prog_json(&j, NULL, insns, cnt, NULL, raw);
		cj_end(&j);
	} else {
		ok = cli_print_prog(stdout, insns, cnt, NULL, raw);
	}
	free(insns);
	/* the listing says which ones ("invalid"): stdout stays one
	 * document with -j */
	if (!ok)
		cli_warn("disasm: the program has invalid instructions");
	return ok ? 0 : 1;
}
