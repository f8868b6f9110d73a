/* bpfvm test-run OBJ[:PROG] [--data FILE|--data-hex HEX] [--ctx FILE|
 *   --ctx-hex HEX] [--data-out FILE] [--ctx-out FILE] [--data-size-out N]
 *   [--ctx-size-out N] [--repeat N] [--jit|--interp] [--checked]
 * One BPF_PROG_TEST_RUN, as `bpftool prog run`: the return value, the
 * mean duration, and the output data and ctx (as hex, or into files). */
#include "cli.h"
#include "cli_json.h"
#include "map_update.h"
#include "run_prog.h"

#include <bpfvm/test_run.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_OUT_DEFAULT (64u * 1024)
#define CTX_OUT_DEFAULT 4096u

struct tr_args {
	const char *spec;
	const char *data, *data_hex, *ctx, *ctx_hex;
	const char *data_out, *ctx_out;
	uint64_t data_size_out, ctx_size_out, repeat;
	enum bpfvm_engine engine;
	uint32_t run_flags;
	struct map_updates updates;
};

static const char usage_text[] =
	"usage: bpfvm test-run OBJ[:PROG] [--data FILE|--data-hex HEX]\n"
	"         [--ctx FILE|--ctx-hex HEX] [--data-out FILE] [--ctx-out "
	"FILE]\n"
	"         [--data-size-out N] [--ctx-size-out N] [--repeat N]\n"
	"         [--jit|--interp] [--checked] [--map-update NAME KEY VALUE]...\n"
	"One BPF_PROG_TEST_RUN, as bpftool prog run: data and ctx in from files\n"
	"(raw bytes) or hex, the return value, the mean duration per run and\n"
	"the output data / ctx as hex (or into files). -j: JSON.";

/* The option's slot for a string value, or NULL. */
static const char **str_opt(struct tr_args *a, const char *arg)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "--data", offsetof(struct tr_args, data) },
		{ "--data-hex", offsetof(struct tr_args, data_hex) },
		{ "--ctx", offsetof(struct tr_args, ctx) },
		{ "--ctx-hex", offsetof(struct tr_args, ctx_hex) },
		{ "--data-out", offsetof(struct tr_args, data_out) },
		{ "--ctx-out", offsetof(struct tr_args, ctx_out) },
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(arg, opts[i].name))
			return (const char **)((char *)a + opts[i].off);
	return NULL;
}

static uint64_t *num_opt(struct tr_args *a, const char *arg)
{
	if (!strcmp(arg, "--data-size-out"))
		return &a->data_size_out;
	if (!strcmp(arg, "--ctx-size-out"))
		return &a->ctx_size_out;
	return !strcmp(arg, "--repeat") ? &a->repeat : NULL;
}

/* 0, 1 after printing --help, -1 after printing why not. */
static int parse_args(int argc, char **argv, struct tr_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = argv[i + 1];
		const char **s = str_opt(a, arg);
		uint64_t *n = num_opt(a, arg);

		int mu = map_update_arg(argc, argv, &i, &a->updates);

		if (mu < 0)
			return -1;
		if (mu || run_prog_engine_arg(arg, &a->engine, &a->run_flags))
			continue;
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			puts(usage_text);
			return 1;
		}
		if ((s || n) && !val) {
			cli_err("test-run: %s needs a value", arg);
			return -1;
		}
		if (s) {
			*s = argv[++i];
		} else if (n) {
			if (cli_parse_u64(val, n) || *n > UINT32_MAX) {
				cli_err("test-run: %s: '%s' is not a number up "
					"to %u", arg, val, UINT32_MAX);
				return -1;
			}
			i++;
		} else if (arg[0] == '-' || a->spec) {
			cli_err("test-run: unexpected '%s'", arg);
			return -1;
		} else {
			a->spec = arg;
		}
	}
	if (!a->spec) {
		cli_err("test-run: no program given (OBJ:PROG)");
		return -1;
	}
	if ((a->data && a->data_hex) || (a->ctx && a->ctx_hex)) {
		cli_err("test-run: give a file or hex, not both");
		return -1;
	}
	return 0;
}

/* Input bytes from a file or hex text; none: NULL, 0. */
static int input(const char *file, const char *hex, const char *what,
		 uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (hex)
		return cli_parse_hex(hex, what, buf, len);
	if (!file)
		return 0;
	*buf = (uint8_t *)cli_read_file(file, len);
	if (*buf && *len > UINT32_MAX) {
		cli_err("%s: %s is too large", what, file);
		return -1;
	}
	return *buf ? 0 : -1;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(p, 1, n, f) == n;

	if (f && fclose(f))
		ok = false;
	if (!ok)
		cli_err("%s: %s", path, strerror(errno));
	return ok ? 0 : -1;
}

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
	printf("%s (%zu bytes):\n", what, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x%s", i % 16 ? " " : "", p[i],
		       i % 16 == 15 || i + 1 == n ? "\n" : "");
}

struct tr_out {
	uint8_t *data, *ctx;
};

/* Results: files written, the rest printed (text or JSON). */
static int report(const struct tr_args *a,
		  const struct bpfvm_test_run_opts *o, const struct tr_out *b)
{
	bool show_data = o->data_out && !a->data_out;
	bool show_ctx = o->ctx_out && !a->ctx_out;

	if (a->data_out && write_file(a->data_out, b->data, o->data_size_out))
		return -1;
	if (a->ctx_out && write_file(a->ctx_out, b->ctx, o->ctx_size_out))
		return -1;
	if (cli_json_on()) {
		struct cj j;

		cj_init(&j, stdout);
		cj_obj_begin(&j, NULL);
		cj_u64(&j, "retval", o->retval);
		cj_u64(&j, "duration", o->duration);
		if (show_data)
			cj_hex(&j, "data_out", b->data, o->data_size_out);
		if (show_ctx)
			cj_hex(&j, "ctx_out", b->ctx, o->ctx_size_out);
		cj_obj_end(&j);
		cj_end(&j);
		return 0;
	}
	printf("Return value: %u, duration%s: %uns\n", o->retval,
	       a->repeat > 1 ? " (average)" : "", o->duration);
	if (show_data)
		print_hex("data_out", b->data, o->data_size_out);
	if (show_ctx)
		print_hex("ctx_out", b->ctx, o->ctx_size_out);
	return 0;
}

static int run(const struct tr_args *a, struct bpfvm_prog *prog,
	       struct bpfvm_test_run_opts *o, struct tr_out *b)
{
	char errbuf[1024] = "";
	uint32_t data_cap = o->data_size_out, ctx_cap = o->ctx_size_out;
	int err;

	o->err_buf = errbuf;
	o->err_size = sizeof(errbuf);
	run_prog_warm(prog, a->engine, a->run_flags);
	err = bpfvm_prog_test_run(prog, o);
	if (err == -ENOSPC && (o->data_size_out > data_cap ||
			       o->ctx_size_out > ctx_cap)) {
		cli_err("test-run: the output (data %u, ctx %u bytes) does not "
			"fit: raise --data-size-out / --ctx-size-out",
			o->data_size_out, o->ctx_size_out);
		return 1;
	}
	if (err) {
		cli_err("test-run: %s", errbuf[0] ? errbuf : strerror(-err));
		return 1;
	}
	return report(a, o, b) ? 1 : 0;
}

int cmd_test_run(int argc, char **argv)
{
	struct tr_args a = { .engine = run_prog_default_engine() };
	struct bpfvm_test_run_opts o = { .sz = sizeof(o) };
	struct tr_out b = { 0 };
	struct run_prog rp;
	uint8_t *data = NULL, *ctx = NULL;
	size_t data_len, ctx_len;
	int ret = 1;

	ret = parse_args(argc, argv, &a);
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "%s\n", usage_text);
		return ret < 0 ? 2 : 0;
	}
	ret = 1;
	if (input(a.data, a.data_hex, "--data", &data, &data_len) ||
	    input(a.ctx, a.ctx_hex, "--ctx", &ctx, &ctx_len) ||
	    run_prog_open(a.spec, &rp))
		goto out;
	if (map_update_apply(rp.obj, &a.updates)) {
		run_prog_close(&rp);
		goto out;
	}
	o.data_in = data;
	o.data_size_in = (uint32_t)data_len;
	o.ctx_in = ctx;
	o.ctx_size_in = (uint32_t)ctx_len;
	o.repeat = (uint32_t)a.repeat;
	o.engine = a.engine;
	o.run_flags = a.run_flags;
	o.data_size_out = a.data_size_out ? a.data_size_out : DATA_OUT_DEFAULT;
	o.ctx_size_out = a.ctx_size_out ? a.ctx_size_out : CTX_OUT_DEFAULT;
	b.data = malloc(o.data_size_out);
	b.ctx = malloc(o.ctx_size_out);
	if (!b.data || !b.ctx) {
		cli_err("out of memory");
	} else {
		/* no buffer, no size: types without packets refuse both;
		 * raw tracepoints refuse ctx_out too (as the kernel) */
		o.data_out = data || a.data_out ? b.data : NULL;
		o.ctx_out = a.ctx_out || (ctx && bpfvm_prog_type(rp.prog) !=
					 BPF_PROG_TYPE_RAW_TRACEPOINT)
				    ? b.ctx : NULL;
		o.data_size_out = o.data_out ? o.data_size_out : 0;
		o.ctx_size_out = o.ctx_out ? o.ctx_size_out : 0;
		ret = run(&a, rp.prog, &o, &b);
	}
	run_prog_close(&rp);
out:
	free(data);
	free(ctx);
	free(b.data);
	free(b.ctx);
	return ret;
}
