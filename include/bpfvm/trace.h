/* What programs print with bpf_trace_printk / bpf_trace_vprintk: one
 * process-wide trace, line by line in the format of the kernel's
 * /sys/kernel/tracing/trace_pipe:
 *
 *     "<comm>-<tid> [<cpu>] ..... <sec>.<usec>: bpf_trace_printk: <msg>\n"
 *
 * (comm right-aligned in 16 columns and the tid left-aligned in 7, as the
 * kernel prints them; comm is the calling thread's name, cpu its per-CPU
 * slot, the time CLOCK_MONOTONIC). As in the kernel, a message that ends
 * in "\n" gives an empty line after it. Lines go to three places:
 * - a buffer in memory that bpfvm_trace_read consumes (like reading
 *   trace_pipe; when full, the oldest lines are dropped and counted);
 * - an optional sink: a file or FIFO another process can stream (see
 *   bpfvm_trace_pipe_stream), set with bpfvm_trace_set_sink or, when that
 *   was never called, by the environment variable BPFVM_TRACE_PIPE=path;
 * - an optional callback, called in the thread that ran the program. */
#ifndef BPFVM_TRACE_H
#define BPFVM_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Consume up to size bytes of the buffer: whole lines when at least one
 * fits, else the first size bytes of the first line (the rest comes next
 * time). Waits up to timeout_ms for something to read (0: do not wait,
 * -1: wait forever). Returns the bytes copied (no NUL is added), 0 when
 * nothing came in time, or -EINVAL (buf NULL with size > 0). */
long bpfvm_trace_read(char *buf, size_t size, int timeout_ms);

/* Capacity of the buffer in bytes (default 1 MiB); 0 keeps no lines (only
 * the sink and the callback get them). Lines already buffered that no
 * longer fit are dropped. 0 or -ENOMEM. */
int bpfvm_trace_set_buffer_size(size_t bytes);
/* Forget buffered lines. */
void bpfvm_trace_clear(void);
/* Lines dropped from the buffer because it was full. */
uint64_t bpfvm_trace_dropped(void);

/* Append every line to `path` (created 0644 if missing; a FIFO is opened
 * without blocking: while no reader has it open, lines are skipped and
 * opening is retried every 200 ms). A reader that goes away never raises
 * SIGPIPE in this process. NULL stops. 0, -EINVAL or -ENOMEM. */
int bpfvm_trace_set_sink(const char *path);
/* The same with an fd the caller owns (and closes after setting another
 * sink or -1). */
int bpfvm_trace_set_sink_fd(int fd);

/* Called with each line (len bytes, ending in '\n', NUL-terminated) as it
 * is printed; NULL removes it. */
typedef void (*bpfvm_trace_cb)(const char *line, size_t len, void *ctx);
void bpfvm_trace_set_callback(bpfvm_trace_cb cb, void *ctx);

struct bpfvm_trace_stream_opts {
	size_t sz;		/* sizeof(struct bpfvm_trace_stream_opts) */
	int timeout_ms;		/* stop after this long; 0 or -1: never */
	uint64_t max_lines;	/* stop after this many lines; 0: never */
	volatile int *stop;	/* stop when *stop becomes non-zero */
	uint32_t flags;		/* BPFVM_TRACE_STREAM_F_* */
};

/* A regular file's existing lines are streamed too (default: only what
 * is appended from now on, as `tail -f`). */
#define BPFVM_TRACE_STREAM_F_FROM_START (1u << 0)

/* For `bpfvm trace-pipe` in another process: copy what programs write
 * into the sink `path` (NULL: $BPFVM_TRACE_PIPE) to `out`, line by line,
 * flushing each, until a stop condition in opts (NULL: none, so until an
 * error). A missing path is created as a FIFO (mode 0600). Programs in
 * any number of processes with BPFVM_TRACE_PIPE=path may come and go.
 * Returns the number of lines copied, or -errno (-EINVAL without a path,
 * open/read errors). */
long bpfvm_trace_pipe_stream(const char *path, FILE *out,
			     const struct bpfvm_trace_stream_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
