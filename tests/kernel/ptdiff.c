/* The program-type tests' kernel-vs-bpfvm test-run harness (ptdiff.h). */
#include "ptdiff.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

int ptd_failed, ptd_compared, ptd_kernel_ok;

static uint32_t ctx_size;
static size_t n_engines;

static const struct {
	enum bpfvm_engine e;
	uint32_t flags;
	const char *name;
} engines[] = {
	{ BPFVM_ENGINE_INTERP, 0, "interpreter" },
	{ BPFVM_ENGINE_JIT, 0, "JIT" },
	{ BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED, "checked" },
	{ BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED, "checked JIT" },
};

void ptd_init(uint32_t ctx, size_t engine_cnt)
{
	ctx_size = ctx;
	n_engines = engine_cnt < sizeof(engines) / sizeof(engines[0])
			    ? engine_cnt
			    : sizeof(engines) / sizeof(engines[0]);
}

/* A result zeroed as far as a run can write and differ / report read:
 * data_out up to its capacity. */
static void clear(struct ptd_result *r, const struct ptd_input *in)
{
	uint32_t cap = in->cap < PTD_DATA_MAX ? in->cap : PTD_DATA_MAX;

	memset(r, 0, offsetof(struct ptd_result, data));
	memset(r->data, 0, cap);
	memset(&r->ctx, 0, sizeof(r->ctx));
}

void ptd_kernel_run(int fd, const struct ptd_input *in, struct ptd_result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->data,
		    .data_size_in = in->len, .data_out = r->data,
		    .data_size_out = in->cap, .ctx_in = in->ctx_in,
		    .ctx_size_in = in->ctx_in ? in->ctx_size_in : 0,
		    .ctx_out = in->ctx_out ? &r->ctx : NULL,
		    .ctx_size_out = in->ctx_out ? ctx_size : 0,
		    .repeat = in->repeat);

	clear(r, in);
	r->err = bpf_prog_test_run_opts(fd, &o);
	if (r->err)
		r->err = -errno;
	r->retval = o.retval;
	r->size = o.data_size_out;
	r->ctx_size = o.ctx_size_out;
}

void ptd_vm_run(struct bpfvm_prog *p, const struct ptd_input *in,
		enum bpfvm_engine e, uint32_t flags, struct ptd_result *r,
		char *err, size_t err_size)
{
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = in->data, .data_size_in = in->len,
		.data_out = r->data, .data_size_out = in->cap,
		.ctx_in = in->ctx_in,
		.ctx_size_in = in->ctx_in ? in->ctx_size_in : 0,
		.ctx_out = in->ctx_out ? &r->ctx : NULL,
		.ctx_size_out = in->ctx_out ? ctx_size : 0,
		.repeat = in->repeat, .engine = e, .run_flags = flags,
		.err_buf = err, .err_size = err_size,
	};

	clear(r, in);
	err[0] = '\0';
	r->err = bpfvm_prog_test_run(p, &o);
	r->retval = o.retval;
	r->size = o.data_size_out;
	r->ctx_size = o.ctx_size_out;
}

void ptd_hexdump(const char *who, const uint8_t *d, uint32_t n)
{
	fprintf(stderr, "    %s:", who);
	for (uint32_t i = 0; i < n && i < 96; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n      ", d[i]);
	fprintf(stderr, "%s\n", n > 96 ? " ..." : "");
}

/* Where k and v differ first, or NULL when they agree. */
static const char *differ(const struct ptd_input *in,
			  const struct ptd_result *k,
			  const struct ptd_result *v, uint32_t *at)
{
	uint32_t n = k->size < in->cap ? k->size : in->cap;
	const uint8_t *kc = (const void *)&k->ctx, *vc = (const void *)&v->ctx;

	*at = 0;
	if (k->err != v->err)
		return "error";
	if (k->err && k->err != -ENOSPC)
		return NULL;
	if (k->retval != v->retval)
		return "retval";
	if (k->size != v->size)
		return "data_size_out";
	for (uint32_t i = 0; i < n; i++)
		if (k->data[i] != v->data[i]) {
			*at = i;
			return "data_out";
		}
	if (!in->ctx_out || k->err)
		return NULL;
	if (k->ctx_size != v->ctx_size)
		return "ctx_size_out";
	for (uint32_t i = 0; i < ctx_size; i++)
		if (kc[i] != vc[i]) {
			*at = i;
			return "ctx_out";
		}
	return NULL;
}

static void report(struct ptd_side *s, const struct ptd_input *in,
		   const char *eng, const char *what, uint32_t at,
		   const struct ptd_result *k, const struct ptd_result *v,
		   const char *msg)
{
	ptd_failed++;
	if (s->mismatched++)
		return;
	fprintf(stderr, "FAIL %s on %s (%u bytes, %s): %s differs", s->prog,
		in->what, in->len, eng, what);
	if (!strcmp(what, "data_out") || !strcmp(what, "ctx_out"))
		fprintf(stderr, " at byte %u", at);
	fprintf(stderr, "\n  kernel: err %d retval 0x%x size %u\n"
		"  bpfvm:  err %d retval 0x%x size %u (%s)\n", k->err,
		k->retval, k->size, v->err, v->retval, v->size, msg);
	ptd_hexdump("in", in->data, in->len);
	ptd_hexdump("kernel", k->data, k->size < in->cap ? k->size : in->cap);
	ptd_hexdump("bpfvm", v->data, v->size < in->cap ? v->size : in->cap);
	if (in->ctx_out) {
		ptd_hexdump("kernel ctx", (const void *)&k->ctx, ctx_size);
		ptd_hexdump("bpfvm ctx", (const void *)&v->ctx, ctx_size);
	}
}

void ptd_compare(struct ptd_side *s, const struct ptd_input *in)
{
	static struct ptd_result k, v;
	char msg[256];
	uint32_t at;

	ptd_kernel_run(s->fd, in, &k);
	ptd_kernel_ok += !k.err;
	for (size_t i = 0; i < n_engines; i++) {
		const char *what;

		ptd_vm_run(s->vm, in, engines[i].e, engines[i].flags, &v, msg,
			   sizeof(msg));
		ptd_compared++;
		what = differ(in, &k, &v, &at);
		if (what)
			report(s, in, engines[i].name, what, at, &k, &v, msg);
	}
}

int ptd_open_both(const char *obj_dir, const char *name, struct ptd_objs *o)
{
	char path[512], log[1024] = "";
	struct bpfvm_object_open_opts oo = { .sz = sizeof(oo),
					     .log_buf = log,
					     .log_size = sizeof(log) };
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo),
					     .log_buf = log,
					     .log_size = sizeof(log) };
	int err;

	snprintf(path, sizeof(path), "%s/%s.o", obj_dir, name);
	o->k = bpf_object__open_file(path, NULL);
	if (!o->k) {
		fprintf(stderr, "FAIL %s: libbpf open: %s\n", path,
			strerror(errno));
		return 1;
	}
	err = bpf_object__load(o->k);
	if (err == -EPERM || err == -ENOSYS || err == -EACCES) {
		printf("SKIP: the kernel does not load BPF here (%s)\n",
		       strerror(-err));
		return 77;
	}
	if (err) {
		fprintf(stderr, "FAIL %s: kernel load: %s\n", name,
			strerror(-err));
		return 1;
	}
	if (bpfvm_object_open_file(path, &oo, &o->v) ||
	    bpfvm_object_load(o->v, &lo)) {
		fprintf(stderr, "FAIL %s: bpfvm: %s\n", name, log);
		return 1;
	}
	return 0;
}

void ptd_close_both(struct ptd_objs *o)
{
	bpf_object__close(o->k);
	bpfvm_object_close(o->v);
}

int ptd_side_find(struct ptd_objs *o, const char *prog, struct ptd_side *s)
{
	struct bpf_program *kp = bpf_object__find_program_by_name(o->k, prog);
	struct bpfvm_obj_prog *vp = bpfvm_object_find_prog(o->v, prog);

	*s = (struct ptd_side){ prog, kp ? bpf_program__fd(kp) : -1,
				vp ? bpfvm_obj_prog_prog(vp) : NULL, 0 };
	if (s->fd < 0 || !s->vm) {
		fprintf(stderr, "FAIL %s: program missing\n", prog);
		ptd_failed++;
		return -1;
	}
	return 0;
}
