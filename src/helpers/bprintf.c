/* Format checks and argument capture of the bprintf-like helpers, as the
 * kernel's bpf_bprintf_prepare (kernel/bpf/helpers.c): which conversions
 * are allowed (%d %i %u %x %X with l/ll, %c, %s, %p %pK %px %ps %pS %pB
 * %pks %pus %pi4 %pI4 %pi6 %pI6; flags "0+- " and a width; no precision),
 * how many arguments, and the 512-byte buffer strings are copied into
 * (a longer string is cut, a full buffer is -ENOSPC). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "helpers/bprintf.h"
#include "helpers/hlp_priv.h"

#define FIELD_WIDTH_MAX ((1 << 23) - 1)	/* the kernel clamps to this */

void bp_flags_width(const char **p, unsigned *flags, int *width)
{
	const char *s = *p;
	long w = -1;

	*flags = 0;
	for (;; s++) {
		if (*s == '0')
			*flags |= BP_ZERO;
		else if (*s == '+')
			*flags |= BP_PLUS;
		else if (*s == '-')
			*flags |= BP_LEFT;
		else if (*s == ' ')
			*flags |= BP_SPACE;
		else
			break;
	}
	if (*s >= '1' && *s <= '9')
		for (w = 0; *s >= '0' && *s <= '9'; s++)
			if (w <= FIELD_WIDTH_MAX)
				w = w * 10 + (*s - '0');
	*width = w > FIELD_WIDTH_MAX ? FIELD_WIDTH_MAX : (int)w;
	*p = s;
}

/* Capture state: the arguments, where the next goes in bin[]. */
struct prep {
	const uint64_t *args;
	uint32_t num_args;
	size_t off;
	struct bp_args *out;
};

static int push(struct prep *pp, enum bp_kind kind, uint32_t str_off)
{
	struct bp_arg *a = &pp->out->arg[pp->out->cnt];

	a->kind = kind;
	a->value = pp->args[pp->out->cnt];
	a->str_off = str_off;
	pp->out->cnt++;
	return 0;
}

/* Integers and pointers take 4 or 8 bytes at a 4-byte boundary. */
static int push_num(struct prep *pp, enum bp_kind kind, size_t size)
{
	pp->off = (pp->off + 3) & ~(size_t)3;
	if (pp->off > BP_BIN_ARGS || BP_BIN_ARGS - pp->off < size)
		return -ENOSPC;
	pp->off += size;
	return push(pp, kind, 0);
}

/* Text made now (%pB, %pI4...): stored cut to the room left, but it
 * takes its whole length + 1, as the kernel's snprintf into the buffer. */
static int push_text(struct prep *pp, const char *text)
{
	size_t n = strlen(text), room;
	uint32_t at = (uint32_t)pp->off;

	if (pp->off >= BP_BIN_ARGS)
		return -ENOSPC;
	room = BP_BIN_ARGS - pp->off;
	if (n >= room)
		n = room - 1;
	memcpy(pp->out->bin + at, text, n);
	pp->out->bin[at + n] = '\0';
	pp->off += strlen(text) + 1;
	return push(pp, BP_STR, at);
}

/* %s and %pks / %pus: a string must end the conversion (space,
 * punctuation or the end follows). An unreadable one is "". */
static int prep_str(struct prep *pp, const char *fmt, size_t i)
{
	unsigned char next = (unsigned char)fmt[i + 1];
	uint32_t at = (uint32_t)pp->off;
	long n;

	if (next && !hlp_isspace(next) && !hlp_ispunct(next))
		return -EINVAL;
	if (pp->off >= BP_BIN_ARGS)
		return -ENOSPC;
	n = hlp_strncpy_safe(pp->out->bin + at, pp->args[pp->out->cnt],
			     BP_BIN_ARGS - pp->off);
	if (n <= 0) {
		pp->out->bin[at] = '\0';
		n = 1;
	}
	pp->off += (size_t)n;
	return push(pp, BP_STR, at);
}

static void ip_text(char *text, size_t size, const uint8_t *ip, char how,
		    bool v6)
{
	size_t n = 0;

	if (!v6) {
		snprintf(text, size, how == 'i' ? "%03u.%03u.%03u.%03u"
						: "%u.%u.%u.%u",
			 ip[0], ip[1], ip[2], ip[3]);
		return;
	}
	for (int k = 0; k < 16; k++) {
		n += (size_t)snprintf(text + n, size - n, "%02x", ip[k]);
		if (how == 'I' && k % 2 && k != 15)
			text[n++] = ':';
	}
}

/* %pI4 %pi4 %pI6 %pi6: the address is read now; unreadable: zeros. */
static int prep_ip(struct prep *pp, char how, bool v6)
{
	size_t size = v6 ? 16 : 4;
	uint8_t ip[16] = { 0 };
	char text[48];

	if (pp->off > BP_BIN_ARGS || BP_BIN_ARGS - pp->off < size)
		return -ENOSPC;
	if (hlp_read_safe(ip, pp->args[pp->out->cnt], size))
		memset(ip, 0, size);
	ip_text(text, sizeof(text), ip, how, v6);
	return push_text(pp, text);
}

/* After 'p' at fmt[*i]. Plain %p must be followed by the end, space or
 * punctuation other than '%' (which the kernel took as the start of
 * another conversion while checking, but not while printing). */
static int prep_pointer(struct prep *pp, const char *fmt, size_t *i)
{
	unsigned char n1 = (unsigned char)fmt[*i + 1], n2;
	char text[24];

	if ((n1 == 'k' || n1 == 'u') && fmt[*i + 2] == 's') {
		*i += 2;
		return prep_str(pp, fmt, *i);
	}
	if (!n1 || hlp_isspace(n1) || (hlp_ispunct(n1) && n1 != '%') ||
	    n1 == 'K' || n1 == 'x' || n1 == 's' || n1 == 'S') {
		*i += 1;
		return push_num(pp, n1 == 's' || n1 == 'S' ? BP_SYM : BP_PTR,
				8);
	}
	if (n1 == 'B') {
		*i += 1;
		snprintf(text, sizeof(text), "0x%llx",
			 (unsigned long long)pp->args[pp->out->cnt]);
		return push_text(pp, text);
	}
	n2 = (unsigned char)fmt[*i + 2];
	if ((n1 != 'i' && n1 != 'I') || (n2 != '4' && n2 != '6'))
		return -EINVAL;
	*i += 2;
	return prep_ip(pp, (char)n1, n2 == '6');
}

/* One conversion starting at fmt[*i] (after the flags and width); *i
 * ends on its last character. */
static int prep_conv(struct prep *pp, const char *fmt, size_t *i)
{
	size_t size = 4;

	switch (fmt[*i]) {
	case 'p':
		return prep_pointer(pp, fmt, i);
	case 's':
		return prep_str(pp, fmt, *i);
	case 'c':
		if (pp->off >= BP_BIN_ARGS)
			return -ENOSPC;
		pp->off++;
		return push(pp, BP_CHAR, 0);
	}
	for (int l = 0; l < 2 && fmt[*i] == 'l'; l++, (*i)++)
		size = 8;
	if (!strchr("iduxX", fmt[*i]) || !fmt[*i])
		return -EINVAL;
	return push_num(pp, BP_INT, size);
}

/* Plain text: printable ASCII, white space, and (since the kernel
 * accepts UTF-8 literals) any byte >= 0x80; control bytes are refused. */
static bool text_ok(unsigned char c)
{
	return c >= 0x80 || hlp_isprint(c) || hlp_isspace(c);
}

int bp_prepare(const char *fmt, size_t len, const uint64_t *args,
	       uint32_t num_args, struct bp_args *out)
{
	struct prep pp = { args, num_args, 0, out };
	int err;

	out->cnt = 0;
	for (size_t i = 0; i < len; i++) {
		const char *p;
		unsigned flags;
		int width;

		if (!text_ok((unsigned char)fmt[i]))
			return -EINVAL;
		if (fmt[i] != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (out->cnt >= num_args || (unsigned char)fmt[i + 1] >= 0x80)
			return -EINVAL;
		p = fmt + i + 1;
		bp_flags_width(&p, &flags, &width);
		i = (size_t)(p - fmt);
		err = prep_conv(&pp, fmt, &i);
		if (err)
			return err;
	}
	return 0;
}

long hlp_bprintf(char *out, size_t out_size, const char *fmt,
		 size_t fmt_size, const uint64_t *args, uint32_t num_args)
{
	const char *end = memchr(fmt, 0, fmt_size);
	struct bp_args a;
	int err;

	if (!end || num_args > HLP_BPRINTF_VARARGS)
		return -EINVAL;
	err = bp_prepare(fmt, (size_t)(end - fmt), args, num_args, &a);
	if (err)
		return err;
	return (long)bp_format(out, out_size, fmt, &a);
}
