/* The reading end of the trace sink, for `bpfvm trace-pipe`: follow a
 * FIFO (opened read-write, so writers may come and go without an end of
 * file) or a regular file (as tail -f) and copy its lines out. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpfvm/trace.h>
#include "core/opts.h"
#include "helpers/hlp_priv.h"

#define POLL_MS 100

struct stream {
	int fd;
	bool fifo;
	FILE *out;
	int timeout_ms;
	uint64_t max_lines, lines;
	volatile int *stop;
	uint64_t start_ns;
};

static int stream_open(const char *path, uint32_t flags, struct stream *s)
{
	struct stat st;

	if (stat(path, &st) && (errno != ENOENT || mkfifo(path, 0600)))
		return -errno;
	if (stat(path, &st))
		return -errno;
	s->fifo = S_ISFIFO(st.st_mode);
	s->fd = open(path, (s->fifo ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	if (!s->fifo && !(flags & BPFVM_TRACE_STREAM_F_FROM_START))
		lseek(s->fd, 0, SEEK_END);
	return 0;
}

static bool stream_done(const struct stream *s)
{
	uint64_t ms = (hlp_clock_ns(CLOCK_MONOTONIC) - s->start_ns) / 1000000u;

	if (s->stop && *s->stop)
		return true;
	if (s->max_lines && s->lines >= s->max_lines)
		return true;
	return s->timeout_ms > 0 && ms >= (uint64_t)s->timeout_ms;
}

/* Copy n bytes, stopping after the line that reaches max_lines; the
 * rest of a chunk read past it is not printed. */
static void stream_out(struct stream *s, const char *buf, size_t n)
{
	size_t len = n;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		s->lines++;
		if (s->max_lines && s->lines >= s->max_lines) {
			len = i + 1;
			break;
		}
	}
	fwrite(buf, 1, len, s->out);
	fflush(s->out);
}

static long stream_loop(struct stream *s)
{
	char buf[4096];

	while (!stream_done(s)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		ssize_t n;

		if (s->fifo && poll(&p, 1, POLL_MS) <= 0)
			continue;
		n = read(s->fd, buf, sizeof(buf));
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n > 0)
			stream_out(s, buf, (size_t)n);
		else if (!s->fifo)
			poll(NULL, 0, POLL_MS); /* end of the file: wait */
	}
	return (long)s->lines;
}

long bpfvm_trace_pipe_stream(const char *path, FILE *out,
			     const struct bpfvm_trace_stream_opts *opts)
{
	struct stream s = { .fd = -1, .out = out };
	long ret;

	if (!path || !*path)
		path = getenv("BPFVM_TRACE_PIPE");
	if (!path || !*path || !out)
		return -EINVAL;
	s.timeout_ms = OPTS_GET(opts, timeout_ms, 0);
	s.max_lines = OPTS_GET(opts, max_lines, 0);
	s.stop = OPTS_GET(opts, stop, NULL);
	s.start_ns = hlp_clock_ns(CLOCK_MONOTONIC);
	ret = stream_open(path, OPTS_GET(opts, flags, 0), &s);
	if (ret)
		return ret;
	ret = stream_loop(&s);
	close(s.fd);
	return ret;
}
