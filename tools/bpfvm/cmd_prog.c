/* bpfvm prog dump OBJ[:PROG] [--raw] [--kconfig FILE]: load an object and
 * print each program (or the one named) as the engines run it ("xlated":
 * relocated, subprograms appended, map references resolved), with its
 * source lines, as `bpftool prog dump xlated linum`. */
#include "cli.h"
#include "prog_print.h"

#include <bpfvm/object.h>
#include <bpfvm/prog.h>
#include <stdlib.h>
#include <string.h>

static bool dump_one(struct bpfvm_obj_prog *p, bool raw)
{
	struct bpfvm_prog *prog = bpfvm_obj_prog_prog(p);
	struct cli_prog_src src = { 0 };

	printf("%s: %s (section %s)\n", bpfvm_obj_prog_name(p),
	       bpfvm_prog_type_name(bpfvm_obj_prog_type(p)) ?: "unknown",
	       bpfvm_obj_prog_section(p));
	if (!prog) {
		printf("  (not loaded: autoload is off)\n");
		return true;
	}
	src.btf = bpfvm_prog_btf(prog);
	src.xlated_of = prog;
	src.func_info = bpfvm_prog_func_info(prog, &src.func_cnt);
	src.line_info = bpfvm_prog_line_info(prog, &src.line_cnt);
	return cli_print_prog(stdout, bpfvm_prog_xlated_insns(prog),
			      bpfvm_prog_insn_cnt(prog), &src, raw);
}

static int dump(const char *spec, const char *kconfig, bool raw)
{
	char *path = strdup(spec), *name = strrchr(path, ':');
	struct bpfvm_object *obj;
	bool loaded, ok = true;
	size_t shown = 0;

	if (name)
		*name++ = 0;
	obj = cli_object_open(path, kconfig, &loaded);
	if (!obj || !loaded) {
		bpfvm_object_close(obj);
		free(path);
		return 1;
	}
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_obj_prog *p = bpfvm_object_prog(obj, i);

		if (name && strcmp(name, bpfvm_obj_prog_name(p)))
			continue;
		if (shown++)
			putchar('\n');
		ok = dump_one(p, raw) && ok;
	}
	if (name && !shown)
		cli_err("prog dump: %s has no program '%s'", path, name);
	bpfvm_object_close(obj);
	free(path);
	return shown && ok ? 0 : 1;
}

int cmd_prog(int argc, char **argv)
{
	const char *spec = NULL, *kconfig_path = NULL;
	char *kconfig = NULL;
	bool raw = false;
	size_t len;
	int ret;

	if (argc < 2 || strcmp(argv[1], "dump")) {
		cli_err("prog: usage: bpfvm prog dump OBJ[:PROG] [--raw] "
			"[--kconfig FILE]");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--raw")) {
			raw = true;
		} else if (!strcmp(argv[i], "--kconfig") && i + 1 < argc) {
			kconfig_path = argv[++i];
		} else if (argv[i][0] == '-' || spec) {
			cli_err("prog dump: unexpected '%s'", argv[i]);
			return 2;
		} else {
			spec = argv[i];
		}
	}
	if (!spec) {
		cli_err("prog dump: no object given");
		return 2;
	}
	if (kconfig_path && !(kconfig = cli_read_file(kconfig_path, &len)))
		return 1;
	ret = dump(spec, kconfig, raw);
	free(kconfig);
	return ret;
}
