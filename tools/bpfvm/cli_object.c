/* Objects for the CLI: open and load an ELF file (see prog_print.h). */
#include "cli.h"
#include "prog_print.h"

#include <bpfvm/object.h>
#include <stdio.h>
#include <string.h>

bool cli_is_elf(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	char magic[4] = { 0 };
	bool elf;

	if (!f)
		return false;
	elf = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\177ELF", 4);
	fclose(f);
	return elf;
}

struct bpfvm_object *cli_object_open_log(const char *path,
					 const char *kconfig, bool *loaded,
					 char *load_err, size_t size)
{
	char log[2048] = "";
	struct bpfvm_object_open_opts oo = {
		.sz = sizeof(oo), .log_buf = log, .log_size = sizeof(log),
		.kconfig = kconfig,
	};
	struct bpfvm_object_load_opts lo = {
		.sz = sizeof(lo), .log_buf = log, .log_size = sizeof(log),
	};
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_object_open_file(path, &oo, &obj);

	*loaded = false;
	if (err) {
		cli_err("%s: %s", path, log[0] ? log : strerror(-err));
		return NULL;
	}
	log[0] = 0;
	err = bpfvm_object_load(obj, &lo);
	if (err)
		snprintf(load_err, size, "%s", log[0] ? log : strerror(-err));
	*loaded = err == 0;
	return obj;
}

struct bpfvm_object *cli_object_open(const char *path, const char *kconfig,
				     bool *loaded)
{
	char why[2048];
	struct bpfvm_object *obj = cli_object_open_log(path, kconfig, loaded,
						       why, sizeof(why));

	if (obj && !*loaded)
		cli_err("%s: load: %s", path, why);
	return obj;
}
