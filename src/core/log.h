/* Messages into caller-provided buffers (log_buf, err_buf). */
#ifndef BPFVM_CORE_LOG_H
#define BPFVM_CORE_LOG_H

#include <stddef.h>

/* snprintf into buf when there is one; a NULL buf or zero size is fine.
 * Returns err so callers can write `return core_logf(buf, n, -EINVAL, ...)`. */
int core_logf(char *buf, size_t size, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
