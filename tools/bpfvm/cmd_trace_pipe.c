/* bpfvm trace-pipe [PATH] [--from-start] [--timeout MS] [--lines N]:
 * stream what programs print with bpf_trace_printk, as
 * `cat /sys/kernel/debug/tracing/trace_pipe` does for the kernel. Programs
 * in other processes write to PATH when BPFVM_TRACE_PIPE=PATH is set in
 * their environment (or bpfvm_trace_set_sink(PATH) was called). */
#include "cli.h"

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
	n = bpfvm_trace_pipe_stream(path, stdout, &o);
	if (n < 0) {
		cli_err("trace-pipe: %s: %s", path ? path : getenv("BPFVM_TRACE_PIPE"),
			strerror((int)-n));
		return 1;
	}
	return 0;
}
