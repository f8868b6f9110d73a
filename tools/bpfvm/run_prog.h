/* The program `bpfvm run` and `bpfvm test-run` drive: OBJ[:PROG] opened,
 * loaded and picked, and the options both commands share. */
#ifndef BPFVM_CLI_RUN_PROG_H
#define BPFVM_CLI_RUN_PROG_H

#include <stdbool.h>
#include <bpfvm/prog.h>

struct bpfvm_object;
struct bpfvm_obj_prog;

struct run_prog {
	struct bpfvm_object *obj;
	struct bpfvm_obj_prog *oprog;
	struct bpfvm_prog *prog;	/* loaded; held by obj */
	const char *path;		/* OBJ, as given */
};

/* Open and load OBJ, then take PROG (or the object's only program when
 * no name is given). 0, or -1 after printing why. */
int run_prog_open(const char *spec, struct run_prog *rp);
void run_prog_close(struct run_prog *rp);

/* The engine flags: "--jit" / "--interp" set *engine, "--checked" adds
 * BPFVM_RUN_F_CHECKED to *run_flags. False for any other argument. */
bool run_prog_engine_arg(const char *arg, enum bpfvm_engine *engine,
			 uint32_t *run_flags);
/* The default engine: the JIT where bpfvm has one (x86-64). */
enum bpfvm_engine run_prog_default_engine(void);
const char *run_prog_engine_name(enum bpfvm_engine engine);
/* With the JIT: compile the code runs with run_flags use now, so timings
 * do not include it (the kernel compiles at load too). */
void run_prog_warm(struct bpfvm_prog *prog, enum bpfvm_engine engine,
		   uint32_t run_flags);

#endif
