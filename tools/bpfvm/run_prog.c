/* OBJ[:PROG] for bpfvm run and bpfvm test-run (run_prog.h). */
#include "cli.h"
#include "prog_print.h"
#include "run_prog.h"

#include <bpfvm/object.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The program named, or the only one; prints why not. */
static struct bpfvm_obj_prog *pick(struct bpfvm_object *obj,
				   const char *path, const char *name)
{
	size_t n = bpfvm_object_prog_cnt(obj);
	struct bpfvm_obj_prog *p;

	if (name) {
		p = bpfvm_object_find_prog(obj, name);
		if (!p)
			cli_err("%s has no program '%s'", path, name);
		return p;
	}
	if (n == 1)
		return bpfvm_object_prog(obj, 0);
	if (n == 0) {
		cli_err("%s has no programs", path);
		return NULL;
	}
	cli_err("%s has %zu programs, name one as %s:PROG:", path, n, path);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s (section %s)\n",
			bpfvm_obj_prog_name(bpfvm_object_prog(obj, i)),
			bpfvm_obj_prog_section(bpfvm_object_prog(obj, i)));
	return NULL;
}

int run_prog_open(const char *spec, struct run_prog *rp)
{
	char *path = strdup(spec), *name;
	bool loaded;

	memset(rp, 0, sizeof(*rp));
	if (!path) {
		cli_err("out of memory");
		return -1;
	}
	/* OBJ:PROG splits at the last ':' unless OBJ itself is a file */
	name = strrchr(path, ':');
	if (name && !cli_is_elf(spec))
		*name++ = 0;
	else
		name = NULL;
	rp->path = spec;
	if (!cli_is_elf(path)) {
		FILE *f = fopen(path, "rb");

		if (f)
			cli_err("%s: not an ELF object (compile the program "
				"with clang -O2 -g -target bpf -c)", path);
		else
			cli_err("%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		free(path);
		return -1;
	}
	rp->obj = cli_object_open(path, NULL, &loaded);
	if (rp->obj && loaded)
		rp->oprog = pick(rp->obj, path, name);
	if (rp->oprog) {
		rp->prog = bpfvm_obj_prog_prog(rp->oprog);
		if (!rp->prog)
			cli_err("%s: program '%s' was not loaded", path,
				bpfvm_obj_prog_name(rp->oprog));
	}
	free(path);
	if (!rp->prog) {
		run_prog_close(rp);
		return -1;
	}
	return 0;
}

void run_prog_close(struct run_prog *rp)
{
	bpfvm_object_close(rp->obj);
	memset(rp, 0, sizeof(*rp));
}

bool run_prog_engine_arg(const char *arg, enum bpfvm_engine *engine,
			 uint32_t *run_flags)
{
	if (!strcmp(arg, "--jit"))
		*engine = BPFVM_ENGINE_JIT;
	else if (!strcmp(arg, "--interp"))
		*engine = BPFVM_ENGINE_INTERP;
	else if (!strcmp(arg, "--checked"))
		*run_flags |= BPFVM_RUN_F_CHECKED;
	else
		return false;
	return true;
}

enum bpfvm_engine run_prog_default_engine(void)
{
#if defined(__x86_64__)
	return BPFVM_ENGINE_JIT;
#else
	return BPFVM_ENGINE_INTERP;
#endif
}

const char *run_prog_engine_name(enum bpfvm_engine engine)
{
	return engine == BPFVM_ENGINE_JIT ? "jit" : "interp";
}

void run_prog_warm(struct bpfvm_prog *prog, enum bpfvm_engine engine,
		   uint32_t run_flags)
{
	struct bpfvm_jit_info info = { .sz = sizeof(info) };

	/* an error here is the run's to report */
	if (engine == BPFVM_ENGINE_JIT)
		bpfvm_prog_jit_info(prog, run_flags, &info);
}
