/* The trace's sink: a file or FIFO that every line is appended to, so
 * another process can stream it. Writing never blocks the program (a
 * FIFO without reader or with a full pipe skips the line) and never
 * raises SIGPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpfvm/trace.h>
#include "helpers/hlp_priv.h"
#include "helpers/trace_priv.h"

#define RETRY_NS 200000000ull

static struct {
	char *path;		/* NULL: none, or an fd the caller owns */
	int fd;
	bool owned;		/* we opened fd */
	bool configured;	/* set by the API: BPFVM_TRACE_PIPE ignored */
	uint64_t retry_at;	/* CLOCK_MONOTONIC ns of the next open try */
} sink = { .fd = -1 };

static void sink_close(void)
{
	if (sink.owned && sink.fd >= 0)
		close(sink.fd);
	sink.fd = -1;
	sink.owned = false;
}

static void sink_open(void)
{
	uint64_t now = hlp_clock_ns(CLOCK_MONOTONIC);

	if (!sink.path || now < sink.retry_at)
		return;
	sink.fd = open(sink.path,
		       O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC,
		       0644);
	sink.owned = sink.fd >= 0;
	if (sink.fd < 0)
		sink.retry_at = now + RETRY_NS;
}

/* write() with SIGPIPE blocked; a SIGPIPE it raised is taken back so
 * the process never sees it. */
static ssize_t write_nosigpipe(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	ssize_t n;
	int err;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	n = write(fd, buf, len);
	err = errno;
	if (n < 0 && err == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return n;
}

/* BPFVM_TRACE_PIPE, unless the API chose a sink first. */
static void sink_from_env(void)
{
	static bool done;
	const char *env;

	if (done || sink.configured)
		return;
	done = true;
	env = getenv("BPFVM_TRACE_PIPE");
	if (env && *env)
		sink.path = strdup(env);
}

void trace_sink_write(const char *line, size_t len)
{
	sink_from_env();
	if (sink.fd < 0)
		sink_open();
	if (sink.fd < 0)
		return;
	if (write_nosigpipe(sink.fd, line, len) < 0 && errno != EAGAIN &&
	    sink.owned) {
		/* the reader went away: reopen later */
		sink_close();
		sink.retry_at = hlp_clock_ns(CLOCK_MONOTONIC) + RETRY_NS;
	}
}

static void sink_set(char *path, int fd)
{
	trace_lock();
	sink_close();
	free(sink.path);
	sink.path = path;
	sink.fd = fd;
	sink.retry_at = 0;
	sink.configured = true;
	trace_unlock();
}

int bpfvm_trace_set_sink(const char *path)
{
	char *copy = NULL;

	if (path && !*path)
		return -EINVAL;
	if (path && !(copy = strdup(path)))
		return -ENOMEM;
	sink_set(copy, -1);
	return 0;
}

int bpfvm_trace_set_sink_fd(int fd)
{
	sink_set(NULL, fd < 0 ? -1 : fd);
	return 0;
}
