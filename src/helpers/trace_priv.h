/* Between the trace buffer (trace_pipe.c) and its sink (trace_sink.c). */
#ifndef BPFVM_HELPERS_TRACE_PRIV_H
#define BPFVM_HELPERS_TRACE_PRIV_H

#include <stddef.h>

/* The trace's lock: lines reach the sink whole and in order. */
void trace_lock(void);
void trace_unlock(void);

/* Write one line to the sink, if any (called with the lock held). */
void trace_sink_write(const char *line, size_t len);

#endif
