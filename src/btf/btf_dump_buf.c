/* A growing text buffer with a budget, for the C printer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_dump_priv.h"

void sb_init(struct sbuf *s)
{
	memset(s, 0, sizeof(*s));
	s->limit = SBUF_LIMIT;
}

void sb_free(struct sbuf *s)
{
	free(s->p);
	sb_init(s);
}

static bool sb_room(struct sbuf *s, size_t n)
{
	size_t cap;
	char *p;

	if (s->err)
		return false;
	if (s->len + n > s->limit) {
		s->err = -E2BIG;
		return false;
	}
	if (s->len + n + 1 <= s->cap)
		return true;
	cap = s->cap ? s->cap : 64;
	while (cap < s->len + n + 1)
		cap *= 2;
	p = realloc(s->p, cap);
	if (!p) {
		s->err = -ENOMEM;
		return false;
	}
	if (!s->cap)
		p[0] = '\0';
	s->p = p;
	s->cap = cap;
	return true;
}

void sb_put(struct sbuf *s, const char *str, size_t n)
{
	if (!sb_room(s, n))
		return;
	memcpy(s->p + s->len, str, n);
	s->len += n;
	s->p[s->len] = '\0';
}

void sb_puts(struct sbuf *s, const char *str)
{
	sb_put(s, str, strlen(str));
}

void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(s, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
							 : sizeof(tmp) - 1);
}

void sb_prepend(struct sbuf *s, const char *str)
{
	size_t n = strlen(str);

	if (!sb_room(s, n))
		return;
	memmove(s->p + n, s->p, s->len + 1);
	memcpy(s->p, str, n);
	s->len += n;
}

void sb_indent(struct sbuf *s, int n)
{
	while (n-- > 0)
		sb_put(s, "\t", 1);
}
