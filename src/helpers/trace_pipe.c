/* The process-wide trace of bpf_trace_printk: lines formatted as the
 * kernel's trace_pipe, kept in a byte ring that readers consume, and
 * handed to the sink (trace_sink.c) and the callback. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpfvm/trace.h>
#include "helpers/hlp_priv.h"
#include "helpers/trace_priv.h"
#include "maps/map_priv.h"

#define DEFAULT_CAPACITY (1u << 20)
/* The message (at most 1023 bytes) and the context before it. */
#define LINE_MAX_LEN (HLP_BPRINTF_BUF + 96)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t readable = PTHREAD_COND_INITIALIZER;
static char *ring;
static size_t cap = DEFAULT_CAPACITY, head, used;
static bool ring_made;	/* the default ring is allocated on first use */
static uint64_t dropped;
static bpfvm_trace_cb callback;
static void *callback_ctx;

static void ring_copy_out(char *dst, size_t off, size_t n)
{
	size_t at = (head + off) % cap, first = cap - at < n ? cap - at : n;

	memcpy(dst, ring + at, first);
	memcpy(dst + first, ring, n - first);
}

static void ring_copy_in(const char *src, size_t n)
{
	size_t at = (head + used) % cap, first = cap - at < n ? cap - at : n;

	memcpy(ring + at, src, first);
	memcpy(ring, src + first, n - first);
	used += n;
}

/* Bytes up to and including the first '\n' (or everything). */
static size_t first_line_len(void)
{
	for (size_t i = 0; i < used; i++)
		if (ring[(head + i) % cap] == '\n')
			return i + 1;
	return used;
}

static void drop_oldest_line(void)
{
	size_t n = first_line_len();

	head = (head + n) % cap;
	used -= n;
	dropped++;
}

static void ring_append(const char *line, size_t n)
{
	if (!ring_made) {
		ring_made = true;
		ring = cap ? malloc(cap) : NULL;
		if (!ring)
			cap = 0;
	}
	if (n > cap) {
		dropped += cap > 0;
		return;
	}
	while (cap - used < n)
		drop_oldest_line();
	ring_copy_in(line, n);
	pthread_cond_broadcast(&readable);
}

static size_t format_line(char *line, const char *msg)
{
	char comm[16];
	uint64_t ns = hlp_clock_ns(CLOCK_MONOTONIC);
	int n;

	if (hlp_current_comm(comm))
		strcpy(comm, "<...>");
	n = snprintf(line, LINE_MAX_LEN,
		     "%16s-%-7d [%03u] ..... %5llu.%06llu: bpf_trace_printk: "
		     "%s\n",
		     comm, (int)gettid(), map_cpu_current(),
		     (unsigned long long)(ns / 1000000000u),
		     (unsigned long long)(ns % 1000000000u / 1000u), msg);
	return n < 0 ? 0 : (size_t)n >= LINE_MAX_LEN ? LINE_MAX_LEN - 1
						      : (size_t)n;
}

void hlp_trace_emit(const char *msg)
{
	char line[LINE_MAX_LEN];
	size_t n = format_line(line, msg);
	bpfvm_trace_cb cb;
	void *ctx;

	pthread_mutex_lock(&lock);
	ring_append(line, n);
	trace_sink_write(line, n);
	cb = callback;
	ctx = callback_ctx;
	pthread_mutex_unlock(&lock);
	if (cb)
		cb(line, n, ctx);
}

/* How much of the buffer one read of `size` takes: whole lines if one
 * fits, else a piece of the first. */
static size_t read_len(size_t size)
{
	size_t take = used < size ? used : size, whole = 0;

	for (size_t i = 0; i < take; i++)
		if (ring[(head + i) % cap] == '\n')
			whole = i + 1;
	return whole ? whole : take;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

long bpfvm_trace_read(char *buf, size_t size, int timeout_ms)
{
	struct timespec deadline;
	size_t n = 0;

	if (!buf && size)
		return -EINVAL;
	if (!size)
		return 0;
	if (timeout_ms > 0)
		deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&lock);
	while (!used && timeout_ms != 0) {
		int err = timeout_ms < 0
				  ? pthread_cond_wait(&readable, &lock)
				  : pthread_cond_timedwait(&readable, &lock,
							   &deadline);

		if (err == ETIMEDOUT)
			break;
	}
	if (used) {
		n = read_len(size);
		ring_copy_out(buf, 0, n);
		head = (head + n) % cap;
		used -= n;
	}
	pthread_mutex_unlock(&lock);
	return (long)n;
}

int bpfvm_trace_set_buffer_size(size_t bytes)
{
	char *fresh = bytes ? malloc(bytes) : NULL;
	size_t keep = 0;

	if (bytes && !fresh)
		return -ENOMEM;
	pthread_mutex_lock(&lock);
	while (used > bytes)
		drop_oldest_line();
	if (used) {
		keep = used;
		ring_copy_out(fresh, 0, keep);
	}
	free(ring);
	ring = fresh;
	cap = bytes;
	head = 0;
	used = keep;
	ring_made = true;
	pthread_mutex_unlock(&lock);
	return 0;
}

void bpfvm_trace_clear(void)
{
	pthread_mutex_lock(&lock);
	head = used = 0;
	pthread_mutex_unlock(&lock);
}

uint64_t bpfvm_trace_dropped(void)
{
	uint64_t n;

	pthread_mutex_lock(&lock);
	n = dropped;
	pthread_mutex_unlock(&lock);
	return n;
}

void bpfvm_trace_set_callback(bpfvm_trace_cb cb, void *ctx)
{
	pthread_mutex_lock(&lock);
	callback = cb;
	callback_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void trace_lock(void)
{
	pthread_mutex_lock(&lock);
}

void trace_unlock(void)
{
	pthread_mutex_unlock(&lock);
}
