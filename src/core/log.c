#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"

int core_logf(char *buf, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !size)
		return err;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return err;
}
