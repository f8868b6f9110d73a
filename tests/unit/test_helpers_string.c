/* bpf_strncmp, bpf_strtol, bpf_strtoul and bpf_csum_diff called directly:
 * the kernel's rules (lib/kstrtox.c, kernel/bpf/helpers.c,
 * net/core/filter.c) case by case. tests/kernel/test_kernel_map_helpers.c
 * compares the same helpers with the running kernel. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "check.h"
#include "hlp_call.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

struct strto_case {
	const char *buf;
	int len;		/* -1: strlen(buf) */
	uint64_t flags;
	int64_t ret;		/* chars consumed or -errno */
	uint64_t res;
};

static void check_strto(uint32_t id, const struct strto_case *c)
{
	uint64_t res = 0x5555, ret;
	size_t len = c->len < 0 ? strlen(c->buf) : (size_t)c->len;

	ret = hcall(id, P(c->buf), len, c->flags, P(&res), 0);
	CHECK_EQ_U64(ret, (uint64_t)c->ret);
	CHECK_EQ_U64(res, c->ret < 0 ? 0 : c->res);
	if (ret != (uint64_t)c->ret)
		fprintf(stderr, "  for \"%s\" base %llu\n", c->buf,
			(unsigned long long)c->flags);
}

static void test_strtol(void)
{
	static char zeros[80];
	static const struct strto_case cases[] = {
		{ "123", -1, 10, 3, 123 },
		{ "  -0x1f", -1, 0, 7, (uint64_t)-31 },
		{ "0x1F", -1, 16, 4, 31 },
		{ "1f", -1, 16, 2, 31 },
		{ "0x", -1, 16, -EINVAL, 0 },
		{ "0x", -1, 0, 1, 0 },		/* octal "0", then 'x' */
		{ "0xg", -1, 0, 1, 0 },
		{ "08", -1, 0, 1, 0 },
		{ "077", -1, 0, 3, 63 },
		{ "077", -1, 10, 3, 77 },
		{ "9223372036854775807", -1, 10, 19, INT64_MAX },
		{ "9223372036854775808", -1, 10, -ERANGE, 0 },
		{ "-9223372036854775808", -1, 10, 20, (uint64_t)INT64_MIN },
		{ "-9223372036854775809", -1, 10, -ERANGE, 0 },
		{ "18446744073709551616", -1, 10, -ERANGE, 0 },
		{ "+5", -1, 10, -EINVAL, 0 },
		{ "   ", -1, 10, -EINVAL, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "-", -1, 10, -EINVAL, 0 },
		{ "-x", -1, 10, -EINVAL, 0 },
		{ "12345", 3, 10, 3, 123 },
		{ "\xa0" "42", -1, 10, 3, 42 },	/* a space to the kernel */
		{ "\t\n\v\f\r 7", -1, 10, 7, 7 },
		{ "12", -1, 2, -EINVAL, 0 },
		{ "12", -1, 0x20 | 10, -EINVAL, 0 },
		{ "12", -1, 26, -EINVAL, 0 },
		{ " 12abc", -1, 10, 3, 12 },
		{ "-0", -1, 10, 2, 0 },
	};
	struct strto_case long_zeros = { zeros, 71, 10, 63, 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		check_strto(BPF_FUNC_strtol, &cases[i]);
	/* only 63 characters after the sign are looked at */
	memset(zeros, '0', 70);
	zeros[70] = '1';
	check_strto(BPF_FUNC_strtol, &long_zeros);
}

static void test_strtoul(void)
{
	static const struct strto_case cases[] = {
		{ "18446744073709551615", -1, 10, 20, UINT64_MAX },
		{ "18446744073709551616", -1, 10, -ERANGE, 0 },
		{ "-1", -1, 10, -EINVAL, 0 },
		{ "0xffffffffffffffff", -1, 0, 18, UINT64_MAX },
		{ "  42", -1, 0, 4, 42 },
		{ "777", -1, 8, 3, 511 },
		{ "8", -1, 8, -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		check_strto(BPF_FUNC_strtoul, &cases[i]);
}

static uint64_t ncmp(const char *s1, uint32_t n, const char *s2)
{
	return hcall(BPF_FUNC_strncmp, P(s1), n, P(s2), 0, 0);
}

static void test_strncmp(void)
{
	const char raw[4] = { 'a', 'b', 'c', 'd' }; /* no NUL */

	CHECK_EQ_U64(ncmp("abc", 3, "abc"), 0);
	CHECK_EQ_U64(ncmp("abd", 3, "abc"), 1);
	CHECK_EQ_U64(ncmp("abb", 3, "abc"), ERR(-1));
	CHECK_EQ_U64(ncmp("ab", 2, "abc"), 0);
	CHECK_EQ_U64(ncmp("abc\0zz", 6, "abc"), 0);
	CHECK_EQ_U64(ncmp("\x80", 1, "\x01"), 1); /* bytes are unsigned */
	CHECK_EQ_U64(ncmp("ab", 3, "abc"), ERR(-1));
	CHECK_EQ_U64(ncmp(raw, 4, "abcd"), 0);
	CHECK_EQ_U64(ncmp(raw, 4, "abcde"), 0);
	CHECK_EQ_U64(ncmp(raw, 0, "x"), 0);
}

static uint64_t csum(const void *from, uint32_t fs, const void *to,
		     uint32_t ts, uint64_t seed)
{
	return hcall(BPF_FUNC_csum_diff, P(from), fs, P(to), ts, seed);
}

/* RFC 1071 over little-endian 16-bit words, as an independent check of
 * the value modulo 0xffff. */
static uint32_t ref_sum(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i < n; i += 2)
		acc += p[i] | (i + 1 < n ? p[i + 1] << 8 : 0);
	return acc;
}

static void test_csum_diff(void)
{
	const uint8_t a[] = { 1, 2, 3, 4 }, z[8] = { 0 };
	uint8_t rnd[64], rnd2[36];
	uint32_t seed = 0x1234abcd;

	CHECK_EQ_U64(csum(NULL, 0, a, 4, 0), 0x0604);
	CHECK_EQ_U64(csum(a, 4, a, 4, 0), 0xffff); /* never +0 */
	CHECK_EQ_U64(csum(NULL, 0, z, 8, 0), 0);
	CHECK_EQ_U64(csum(a, 4, NULL, 0, 0), 0xf9fb);
	CHECK_EQ_U64(csum(NULL, 0, a, 3, 0), 0x0204);	/* odd sizes too */
	CHECK_EQ_U64(csum(NULL, 0, NULL, 0, 0x123456789ull), 0x8ace);
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 37 + 11);
	for (size_t i = 0; i < sizeof(rnd2); i++)
		rnd2[i] = (uint8_t)(i * 91 + 7);
	{
		/* to - from + seed, compared modulo 0xffff */
		uint64_t got = csum(rnd2, 36, rnd, 64, seed);
		uint32_t want = ref_sum(rnd, 64, (seed & 0xffff) + (seed >> 16));
		uint32_t sub = ref_sum(rnd2, 36, 0) % 0xffff;

		want = (want % 0xffff + 0xffff - sub) % 0xffff;
		CHECK(got <= 0xffff);
		CHECK_EQ_U64(got % 0xffff, want);
	}
}

int main(void)
{
	test_strtol();
	test_strtoul();
	test_strncmp();
	test_csum_diff();
	return check_report();
}
