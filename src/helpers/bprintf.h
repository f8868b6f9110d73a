/* The two passes of hlp_bprintf (bprintf.c): prepare checks the format
 * and captures each argument as the kernel's bpf_bprintf_prepare does
 * (strings and IP addresses read now, into a 512-byte buffer); the output
 * pass (bprintf_out.c) formats them as bstr_printf. */
#ifndef BPFVM_HELPERS_BPRINTF_H
#define BPFVM_HELPERS_BPRINTF_H

#include <stddef.h>
#include <stdint.h>

#define BP_BIN_ARGS 512u	/* MAX_BPRINTF_BIN_ARGS */

enum bp_kind {
	BP_INT,		/* value, 4 or 8 bytes as the conversion says */
	BP_CHAR,
	BP_PTR,		/* %p, %pK, %px: the pointer value */
	BP_SYM,		/* %ps, %pS: no symbols here, printed as an address */
	BP_STR,		/* %s, %pks, %pus, %pB, %pI4...: text in bin[] */
};

struct bp_arg {
	enum bp_kind kind;
	uint64_t value;
	uint32_t str_off;	/* BP_STR: offset of the text in bin[] */
};

struct bp_args {
	struct bp_arg arg[16];
	uint32_t cnt;
	char bin[BP_BIN_ARGS];
};

/* Flags of a conversion, as the kernel's printf_spec. */
enum { BP_LEFT = 1, BP_PLUS = 2, BP_SPACE = 4, BP_ZERO = 8 };

/* Check fmt[0..len) (len: up to the NUL) for num_args arguments and
 * capture them into out. 0, -EINVAL or -ENOSPC. */
int bp_prepare(const char *fmt, size_t len, const uint64_t *args,
	       uint32_t num_args, struct bp_args *out);

/* Format fmt (already prepared) into buf[0..size); returns the full
 * length. */
size_t bp_format(char *buf, size_t size, const char *fmt,
		 const struct bp_args *a);

/* "[0 +-]*[1-9][0-9]*" at *p: the flags and the width (-1: none),
 * clamped to the kernel's limit. Advances *p. */
void bp_flags_width(const char **p, unsigned *flags, int *width);

#endif
