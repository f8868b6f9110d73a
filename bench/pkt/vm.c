/* bpfvm measured the kernel's way: bpfvm_prog_test_run with the same
 * repeat on the same frames, in this process (see bench_pkt.h); the
 * thread's CPU time per call / repeat (the call's own setup included). */
#include "bench_pkt.h"

#include <bpfvm/object.h>
#include <bpfvm/test_run.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The thread's CPU time: the kernel's test_run timer leaves out the time
 * it is scheduled away (bpf_test_timer), and so does this; wall time on
 * a shared machine would not. */
static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int run_sample(struct bpfvm_prog *prog, const struct pkt_set *pool,
		      const size_t *idx, size_t n, unsigned repeat, bool jit,
		      int *ret, struct pkt_result *r)
{
	static unsigned char out[4096];
	double sum = 0;

	for (size_t k = 0; k < n; k++) {
		struct bpfvm_test_run_opts t = {
			.sz = sizeof(t),
			.data_in = pool->data[idx[k]],
			.data_size_in = (uint32_t)pool->len[idx[k]],
			.data_out = out,
			.data_size_out = sizeof(out),
			.repeat = repeat,
			.engine = jit ? BPFVM_ENGINE_JIT : BPFVM_ENGINE_INTERP,
			.err_buf = r->why,
			.err_size = sizeof(r->why),
		};
		double t0 = cpu_ns();
		int err = bpfvm_prog_test_run(prog, &t);

		sum += (cpu_ns() - t0) / repeat;
		if (err) {
			ret[k] = -1;
			return err;
		}
		ret[k] = (int)t.retval;
	}
	r->ns = n ? sum / n : 0;
	r->packets = n * (size_t)repeat;
	return 0;
}

struct pkt_result vm_measure(const struct pkt_prog *p,
			     const struct pkt_set *pool, const size_t *idx,
			     size_t n, unsigned repeat, bool jit, int *ret)
{
	struct bpfvm_object_open_opts oo = { .sz = sizeof(oo) };
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo) };
	struct pkt_result r = { 0 };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_obj_prog *op;
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s", BPFVM_EXAMPLES_DIR, p->obj);
	err = bpfvm_object_open_file(path, &oo, &obj);
	if (!err)
		err = bpfvm_object_load(obj, &lo);
	op = err ? NULL : bpfvm_object_find_prog(obj, p->prog);
	if (!op || !bpfvm_obj_prog_prog(op)) {
		snprintf(r.why, sizeof(r.why), "bpfvm cannot load %s:%s",
			 p->obj, p->prog);
	} else {
		/* a first short pass compiles the JIT and warms caches */
		run_sample(bpfvm_obj_prog_prog(op), pool, idx, n, 1, jit, ret,
			   &r);
		r.ok = run_sample(bpfvm_obj_prog_prog(op), pool, idx, n,
				  repeat, jit, ret, &r) == 0;
	}
	bpfvm_object_close(obj);
	return r;
}
