/* bpfvm prog dump OBJ[:PROG] [--raw] [--kconfig FILE]: load an object and
 * print each program (or the one named) as the engines run it ("xlated":
 * relocated, subprograms appended, map references resolved), with its
 * source lines, as `bpftool prog dump xlated linum`; with -j as
 * `bpftool prog dump xlated -j`. */
#include "cli.h"
#include "cli_json.h"
#include "prog_print.h"

#include <bpfvm/object.h>
#include <bpfvm/prog.h>
#include <stdlib.h>
#include <string.h>

static void src_of(struct bpfvm_prog *prog, struct cli_prog_src *src)
{
	src->btf = bpfvm_prog_btf(prog);
	src->xlated_of = prog;
	src->func_info = bpfvm_prog_func_info(prog, &src->func_cnt);
	src->line_info = bpfvm_prog_line_info(prog, &src->line_cnt);
}

static bool dump_text(struct bpfvm_obj_prog *p, bool raw)
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
	src_of(prog, &src);
	return cli_print_prog(stdout, bpfvm_prog_xlated_insns(prog),
			      bpfvm_prog_insn_cnt(prog), &src, raw);
}

/* -j: one program named (OBJ:PROG) is bpftool's array of instructions;
 * a whole object an array of {"name", "type", "section", "insns"}
 * ("insns": null when autoload is off). */
static bool dump_json(struct cj *j, struct bpfvm_obj_prog *p, bool named,
		      bool raw)
{
	struct bpfvm_prog *prog = bpfvm_obj_prog_prog(p);
	struct cli_prog_src src = { 0 };
	bool ok = true;

	if (prog)
		src_of(prog, &src);
	if (named && prog)
		return cli_print_prog_json(j, NULL,
					   bpfvm_prog_xlated_insns(prog),
					   bpfvm_prog_insn_cnt(prog), &src, raw);
	cj_obj_begin(j, NULL);
	cj_str(j, "name", bpfvm_obj_prog_name(p));
	cj_str(j, "type", bpfvm_prog_type_name(bpfvm_obj_prog_type(p)) ?:
			  "unknown");
	cj_str(j, "section", bpfvm_obj_prog_section(p));
	if (prog)
		ok = cli_print_prog_json(j, "insns",
					 bpfvm_prog_xlated_insns(prog),
					 bpfvm_prog_insn_cnt(prog), &src, raw);
	else
		cj_null(j, "insns");
	cj_obj_end(j);
	return ok;
}

/* The program to show: the one named, or every one (NULL name). */
static struct bpfvm_obj_prog *find(struct bpfvm_object *obj, const char *name)
{
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_obj_prog *p = bpfvm_object_prog(obj, i);

		if (!strcmp(name, bpfvm_obj_prog_name(p)))
			return p;
	}
	return NULL;
}

static bool dump_all(struct bpfvm_object *obj, const char *name, bool raw)
{
	struct bpfvm_obj_prog *named = name ? find(obj, name) : NULL;
	struct cj jw, *j = cli_json_on() ? &jw : NULL;
	bool ok = true;
	size_t shown = 0;

	if (j) {
		cj_init(j, stdout);
		if (!named)
			cj_arr_begin(j, NULL);
	}
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_obj_prog *p = bpfvm_object_prog(obj, i);

		if (named && p != named)
			continue;
		if (!j && shown)
			putchar('\n');
		shown++;
		if (j)
			ok = dump_json(j, p, named, raw) && ok;
		else
			ok = dump_text(p, raw) && ok;
	}
	if (j) {
		if (!named)
			cj_arr_end(j);
		cj_end(j);
	}
	return shown && ok;
}

static int dump(const char *spec, const char *kconfig, bool raw)
{
	char *path = strdup(spec), *name = strrchr(path, ':');
	struct bpfvm_object *obj;
	bool loaded, ok = false;

	if (name)
		*name++ = 0;
	obj = cli_object_open(path, kconfig, &loaded);
	if (obj && loaded && name && !find(obj, name))
		cli_err("prog dump: %s has no program '%s'", path, name);
	else if (obj && loaded)
		ok = dump_all(obj, name, raw);
	bpfvm_object_close(obj);
	free(path);
	return ok ? 0 : 1;
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
