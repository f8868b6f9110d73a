/* bpfvm trace-pipe [PATH] [--from-start] [--timeout MS] [--lines N]:
 * stream what programs print with bpf_trace_printk, as
 * `cat /sys/kernel/debug/tracing/trace_pipe` does for the kernel. Programs
 * in other processes write to PATH when BPFVM_TRACE_PIPE=PATH is set in
 * their environment (or bpfvm_trace_set_sink(PATH) was called). With -j,
 * JSON lines (stream). */
#include "cli.h"
#include "cli_json.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/trace.h>

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* -j: each line as a JSON object on a line of its own (a stream, so JSON
 * lines rather than one array): {"text": the line, and when it has the
 * trace_pipe shape "comm", "pid", "cpu", "timestamp", "msg"}. The stream
 * writes lines into a FILE whose writes come here. */
struct json_lines {
	char line[4096];
	size_t len;
};

static void put_fields(struct cj *j, const char *s)
{
	static const char tag_s[] = ": bpf_trace_printk: ";
	const char *tag = strstr(s, tag_s), *open = strchr(s, '[');
	const char *dash, *ts;

	if (!tag || !open || open > tag)
		return;
	while (*s == ' ')
		s++;
	/* comm may hold '-': the tid follows the last one before " [" */
	for (dash = open; dash > s && *dash != '-'; dash--)
		;
	if (*dash != '-')
		return;
	for (ts = tag; ts > open && ts[-1] != ' '; ts--)
		;
	cj_strn(j, "comm", s, (size_t)(dash - s));
	cj_u64(j, "pid", strtoull(dash + 1, NULL, 10));
	cj_u64(j, "cpu", strtoull(open + 1, NULL, 10));
	cj_strn(j, "timestamp", ts, (size_t)(tag - ts));
	cj_str(j, "msg", tag + sizeof(tag_s) - 1);
}

static void emit(struct json_lines *jl)
{
	struct cj j;

	jl->line[jl->len] = 0;
	cj_init(&j, stdout);
	j.pretty = false;	/* one object per line, -p or not */
	cj_obj_begin(&j, NULL);
	cj_str(&j, "text", jl->line);
	put_fields(&j, jl->line);
	cj_obj_end(&j);
	cj_end(&j);
	jl->len = 0;
}

static ssize_t json_write(void *cookie, const char *buf, size_t n)
{
	struct json_lines *jl = cookie;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			emit(jl);
		else if (jl->len < sizeof(jl->line) - 1)
			jl->line[jl->len++] = buf[i];
	}
	return (ssize_t)n;
}

static long stream(const char *path, const struct bpfvm_trace_stream_opts *o)
{
	cookie_io_functions_t io = { .write = json_write };
	struct json_lines jl = { .len = 0 };
	FILE *f;
	long n;

	if (!cli_json_on())
		return bpfvm_trace_pipe_stream(path, stdout, o);
	f = fopencookie(&jl, "w", io);
	if (!f)
		return -ENOMEM;
	setvbuf(f, NULL, _IOLBF, 0);
	n = bpfvm_trace_pipe_stream(path, f, o);
	fclose(f);
	if (jl.len)	/* a last line without its newline */
		emit(&jl);
	return n;
}

static int parse_num(const char *s, const char *what, uint64_t *out)
{
	if (cli_parse_u64(s, out) == 0)
		return 0;
	cli_err("trace-pipe: %s: '%s' is not a non-negative number", what, s);
	return -1;
}

int cmd_trace_pipe(int argc, char **argv)
{
	struct bpfvm_trace_stream_opts o = { .sz = sizeof(o),
					     .stop = &stop_flag };
	const char *path = NULL;
	uint64_t v;
	long n;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--from-start")) {
			o.flags |= BPFVM_TRACE_STREAM_F_FROM_START;
		} else if ((!strcmp(a, "--timeout") || !strcmp(a, "--lines")) &&
			   i + 1 < argc) {
			if (parse_num(argv[++i], a, &v))
				return 2;
			if (a[2] == 't')
				o.timeout_ms = v > 0x7fffffff ? 0x7fffffff
							      : (int)v;
			else
				o.max_lines = v;
		} else if (a[0] == '-' && a[1]) {
			cli_err("trace-pipe: unknown option '%s'", a);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			cli_err("trace-pipe: one PATH only ('%s')", a);
			return 2;
		}
	}
	if (!path && !getenv("BPFVM_TRACE_PIPE")) {
		cli_err("trace-pipe: no PATH and BPFVM_TRACE_PIPE is not set");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	n = stream(path, &o);
	if (n < 0) {
		cli_err("trace-pipe: %s: %s", path ? path : getenv("BPFVM_TRACE_PIPE"),
			strerror((int)-n));
		return 1;
	}
	return 0;
}
