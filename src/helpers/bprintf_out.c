/* The output pass of the bprintf-like helpers: the kernel's bstr_printf
 * over arguments bp_prepare captured. Numbers, padding and widths follow
 * lib/vsprintf.c; pointers print their real value (the kernel prints a
 * hash of it for %p / %pK unless booted with no_hash_pointers; same
 * width), and %ps / %pS an address as "0x..." (what the kernel prints for
 * an address that is no kernel symbol). */
#include <string.h>

#include "helpers/bprintf.h"
#include "helpers/hlp_priv.h"

struct out {
	char *buf;
	size_t size;
	size_t pos;	/* the full length so far */
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

/* The kernel's loops: `while (--width >= 0)`. */
static void pad(struct out *o, int *width, char c)
{
	while (--*width >= 0)
		put(o, c);
}

struct num_spec {
	unsigned flags;
	int width;
	unsigned base;
	bool is_signed;
	bool upper;
};

static void number(struct out *o, uint64_t num, struct num_spec s)
{
	const char *digits = s.upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], sign = 0;
	int i = 0, w = s.width;

	if (s.flags & BP_LEFT)
		s.flags &= ~(unsigned)BP_ZERO;
	if (s.is_signed && (int64_t)num < 0) {
		sign = '-';
		num = 0 - num;
	} else if (s.is_signed && (s.flags & (BP_PLUS | BP_SPACE))) {
		sign = (s.flags & BP_PLUS) ? '+' : ' ';
	}
	w -= sign != 0;
	do {
		tmp[i++] = digits[num % s.base];
		num /= s.base;
	} while (num);
	w -= i;
	if (!(s.flags & (BP_ZERO | BP_LEFT)))
		pad(o, &w, ' ');
	if (sign)
		put(o, sign);
	if (!(s.flags & BP_LEFT))
		pad(o, &w, (s.flags & BP_ZERO) ? '0' : ' ');
	while (--i >= 0)
		put(o, tmp[i]);
	pad(o, &w, ' ');
}

/* Strings pad with spaces only (the kernel's widen_string). */
static void string(struct out *o, const char *s, unsigned flags, int width)
{
	int w = width - (int)strlen(s);

	if (!(flags & BP_LEFT))
		pad(o, &w, ' ');
	while (*s)
		put(o, *s++);
	pad(o, &w, ' ');
}

static void character(struct out *o, char c, unsigned flags, int width)
{
	int w = width - 1;

	if (!(flags & BP_LEFT))
		pad(o, &w, ' ');
	put(o, c);
	pad(o, &w, ' ');
}

/* A pointer: 16 zero-padded hex digits unless a width is given. */
static void pointer(struct out *o, uint64_t v, unsigned flags, int width)
{
	struct num_spec s = { flags, width, 16, false, false };

	if (width == -1) {
		s.width = 16;
		s.flags |= BP_ZERO;
	}
	number(o, v, s);
}

static void symbol(struct out *o, uint64_t v, unsigned flags, int width)
{
	char text[24] = "0x";
	struct out t = { text + 2, sizeof(text) - 2, 0 };

	number(&t, v, (struct num_spec){ 0, -1, 16, false, false });
	text[2 + t.pos] = '\0';
	string(o, text, flags, width);
}

/* One conversion at *p (after flags and width), with argument a. */
static const char *conversion(struct out *o, const char *p,
			      const struct bp_arg *a, const char *bin,
			      unsigned flags, int width)
{
	struct num_spec s = { flags, width, 10, false, false };
	bool wide = false;

	if (*p == 'p' || *p == 's') {
		if (a->kind == BP_STR)
			string(o, bin + a->str_off, flags, width);
		else if (a->kind == BP_SYM)
			symbol(o, a->value, flags, width);
		else
			pointer(o, a->value, flags, width);
		/* vsprintf skips what follows %p up to a non-alnum */
		if (*p++ == 'p')
			while (hlp_isalnum((unsigned char)*p))
				p++;
		return p;
	}
	if (*p == 'c') {
		character(o, (char)a->value, flags, width);
		return p + 1;
	}
	for (; *p == 'l'; p++)
		wide = true;
	s.is_signed = *p == 'd' || *p == 'i';
	s.base = (*p == 'x' || *p == 'X') ? 16 : 10;
	s.upper = *p == 'X';
	if (wide)
		number(o, a->value, s);
	else if (s.is_signed)
		number(o, (uint64_t)(int64_t)(int32_t)a->value, s);
	else
		number(o, (uint32_t)a->value, s);
	return p + 1;
}

size_t bp_format(char *buf, size_t size, const char *fmt,
		 const struct bp_args *a)
{
	struct out o = { buf, size, 0 };
	uint32_t n = 0;

	while (*fmt) {
		unsigned flags;
		int width;

		if (fmt[0] != '%' || fmt[1] == '%') {
			put(&o, *fmt);
			fmt += fmt[0] == '%' ? 2 : 1;
			continue;
		}
		fmt++;
		bp_flags_width(&fmt, &flags, &width);
		fmt = conversion(&o, fmt, &a->arg[n++], a->bin, flags, width);
	}
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos;
}
