/* Built-in helpers: strings and checksums — strncmp, strtol, strtoul,
 * csum_diff, with the kernel's exact results (kernel/bpf/helpers.c,
 * lib/kstrtox.c, net/core/filter.c as of 6.13+). */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>

#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"

#define ERR(e) ((uint64_t)(int64_t)(e))
#define STRTOX_BASE_MASK 0x1fu
#define STRTOX_MAX_CHARS 63u	/* the kernel parses a 64-byte copy */

/* The kernel's strncmp: -1, 0 or 1, bytes compared as unsigned. */
static uint64_t strncmp_helper(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	const unsigned char *s1 = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *s2 = (const unsigned char *)(uintptr_t)r3;
	uint32_t n = (uint32_t)r2;

	(void)r4, (void)r5, (void)run;
	for (uint32_t i = 0; i < n; i++) {
		if (s1[i] != s2[i])
			return s1[i] < s2[i] ? ERR(-1) : 1;
		if (!s1[i])
			break;
	}
	return 0;
}

static unsigned digit_value(unsigned char c)
{
	unsigned lc = c | 0x20;

	if (c >= '0' && c <= '9')
		return c - '0';
	if (lc >= 'a' && lc <= 'f')
		return lc - 'a' + 10;
	return 16;
}

/* "0x" (base 16 or 0 when a hex digit follows) or "0" (base 0: octal). */
static const char *fixup_radix(const char *s, unsigned *base)
{
	if (*base == 0) {
		if (s[0] == '0' && (s[1] | 0x20) == 'x' && hlp_isxdigit(s[2]))
			*base = 16;
		else
			*base = s[0] == '0' ? 8 : 10;
	}
	if (*base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	return s;
}

/* Digits consumed, or -ERANGE past 2^64 - 1 (the kernel's
 * _parse_integer). */
static long parse_digits(const char *s, unsigned base, uint64_t *res)
{
	uint64_t v = 0;
	bool overflow = false;
	long n = 0;
	unsigned d;

	while ((d = digit_value((unsigned char)s[n])) < base) {
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		v = v * base + d;
		n++;
	}
	*res = v;
	return overflow ? -ERANGE : n;
}

/* The kernel's __bpf_strtoull: leading space, one '-', then at most 63
 * characters hold the number. Returns characters consumed or -errno. */
static long strtoull_k(const char *buf, size_t len, uint64_t flags,
		       uint64_t *res, bool *neg)
{
	unsigned base = flags & STRTOX_BASE_MASK;
	char str[STRTOX_MAX_CHARS + 1];
	size_t i = 0, n;
	const char *p;
	long digits;

	if (!buf || !len || (flags & ~(uint64_t)STRTOX_BASE_MASK) ||
	    (base != 0 && base != 8 && base != 10 && base != 16))
		return -EINVAL;
	while (i < len && hlp_isspace((unsigned char)buf[i]))
		i++;
	*neg = i < len && buf[i] == '-';
	i += *neg;
	if (i == len)
		return -EINVAL;
	n = len - i < STRTOX_MAX_CHARS ? len - i : STRTOX_MAX_CHARS;
	memcpy(str, buf + i, n);
	str[n] = '\0';
	p = fixup_radix(str, &base);
	digits = parse_digits(p, base, res);
	if (digits <= 0)
		return digits ? digits : -EINVAL;
	return (long)(i + (size_t)(p - str) + (size_t)digits);
}

/* Both helpers zero *res first, as the kernel's. */
static long strto_args(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
		       uint64_t *v, bool *neg)
{
	*(uint64_t *)(uintptr_t)r4 = 0;
	return strtoull_k((const char *)(uintptr_t)r1, r2, r3, v, neg);
}

static uint64_t strtol_helper(uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	uint64_t v;
	bool neg;
	long n = strto_args(r1, r2, r3, r4, &v, &neg);

	(void)r5, (void)run;
	if (n < 0)
		return ERR(n);
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return ERR(-ERANGE);
	*(int64_t *)(uintptr_t)r4 = neg ? (int64_t)(0 - v) : (int64_t)v;
	return (uint64_t)n;
}

static uint64_t strtoul_helper(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	uint64_t v;
	bool neg;
	long n = strto_args(r1, r2, r3, r4, &v, &neg);

	(void)r5, (void)run;
	if (n < 0 || neg)
		return ERR(n < 0 ? n : -EINVAL);
	*(uint64_t *)(uintptr_t)r4 = v;
	return (uint64_t)n;
}

/* Ones'-complement sums as x86-64's csum_partial computes them: the data
 * as little-endian 32-bit words, the tail zero-padded, plus the seed,
 * folded with end-around carry. 0 only when everything is 0. */
static uint32_t csum_partial(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint64_t sum = seed;

	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t w = 0;

		memcpy(&w, p + i, len - i < 4 ? len - i : 4);
		sum += w;
	}
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	return (uint32_t)sum;
}

static uint16_t csum_from32to16(uint32_t sum)
{
	sum += (sum >> 16) | (sum << 16);
	return (uint16_t)(sum >> 16);
}

/* bpf_csum_diff since Linux 6.13: any sizes, the 16-bit folded (not
 * complemented) sum; the seed folded when both sizes are 0. */
static uint64_t csum_diff(uint64_t r1, uint64_t r2, uint64_t r3,
			  uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	const uint8_t *from = (const uint8_t *)(uintptr_t)r1;
	const uint8_t *to = (const uint8_t *)(uintptr_t)r3;
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4;
	uint32_t seed = (uint32_t)r5;

	(void)run;
	if (from_size && to_size)
		return csum_from32to16(
			hlp_csum_add(csum_partial(to, to_size, seed),
				     ~csum_partial(from, from_size, 0)));
	if (to_size)
		return csum_from32to16(csum_partial(to, to_size, seed));
	if (from_size)
		return csum_from32to16(~csum_partial(from, from_size, ~seed));
	return csum_from32to16(seed);
}

#define DEF(id, fn, ...)                                                     \
	{ BPF_FUNC_##id, fn,                                                 \
	  { .ret = HRET_INTEGER, .args = { __VA_ARGS__ } } }

const struct helper_def hlp_string[] = {
	DEF(strncmp, strncmp_helper, HARG_PTR_TO_MEM, HARG_CONST_SIZE,
	    HARG_PTR_TO_CONST_STR),
	DEF(strtol, strtol_helper, HARG_PTR_TO_MEM, HARG_CONST_SIZE,
	    HARG_ANYTHING, HARG_PTR_TO_LONG),
	DEF(strtoul, strtoul_helper, HARG_PTR_TO_MEM, HARG_CONST_SIZE,
	    HARG_ANYTHING, HARG_PTR_TO_LONG),
	DEF(csum_diff, csum_diff, HARG_PTR_TO_MEM_OR_NULL,
	    HARG_CONST_SIZE_OR_ZERO, HARG_PTR_TO_MEM_OR_NULL,
	    HARG_CONST_SIZE_OR_ZERO, HARG_ANYTHING),
	{ 0 },
};
