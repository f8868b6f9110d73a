/* The format engine behind bpf_trace_printk / bpf_trace_vprintk /
 * bpf_snprintf: what the kernel's bpf_bprintf_prepare accepts and refuses,
 * bstr_printf's output, the 512-byte argument buffer, and the helpers'
 * argument and return rules. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "helpers/hlp_priv.h"
#include "hlp_call.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

static char out[2048];

static long fmt3(const char *fmt, uint64_t a, uint64_t b, uint64_t c)
{
	const uint64_t args[3] = { a, b, c };

	memset(out, 0x7f, sizeof(out));
	return hlp_bprintf(out, sizeof(out), fmt, strlen(fmt) + 1, args, 3);
}

#define EXPECT(fmt, a, want)                                                 \
	do {                                                                 \
		long n_ = fmt3(fmt, (uint64_t)(a), 0, 0);                    \
		CHECK_EQ_U64(n_, strlen(want));                              \
		CHECK_STREQ(out, want);                                      \
	} while (0)

static void test_integers(void)
{
	EXPECT("hello", 0, "hello");
	EXPECT("%d", 0xffffffffu, "-1");
	EXPECT("%d", 0x100000005ull, "5");	/* an int takes 32 bits */
	EXPECT("%i", -7, "-7");
	EXPECT("%ld", -5, "-5");
	EXPECT("%lld", INT64_MIN, "-9223372036854775808");
	EXPECT("%u", 0xffffffffu, "4294967295");
	EXPECT("%lu", UINT64_MAX, "18446744073709551615");
	EXPECT("%x", 0xdeadbeef12345678ull, "12345678");
	EXPECT("%llx", 0xdeadbeef12345678ull, "deadbeef12345678");
	EXPECT("%lX", 0xabcull, "ABC");
	EXPECT("%5d", 42, "   42");
	EXPECT("%-5d|", 42, "42   |");
	EXPECT("%05d", -42, "-0042");
	EXPECT("%+d", 5, "+5");
	EXPECT("% d", 5, " 5");
	EXPECT("%+u", 5, "5");			/* no sign for unsigned */
	EXPECT("%-05d|", 7, "7    |");		/* '-' beats '0' */
	EXPECT("%08x", 0xbeef, "0000beef");
	EXPECT("%1d", 1234, "1234");
	EXPECT("100%%", 0, "100%");
}

static void test_chars_strings(void)
{
	EXPECT("%c", 'A', "A");
	EXPECT("%3c", 'A', "  A");
	EXPECT("%-3c|", 'A', "A  |");
	EXPECT("%s", P("str"), "str");
	EXPECT("%6s", P("str"), "   str");
	EXPECT("%-6s|", P("str"), "str   |");
	EXPECT("%06s", P("str"), "   str");	/* strings pad with spaces */
	EXPECT("%s.", 0, ".");			/* unreadable: empty */
	EXPECT("[%s]", 8, "[]");
	EXPECT("%pks", P("kernel"), "kernel");
	EXPECT("%pus", P("user"), "user");
	/* %c of 0 is a NUL in the output, counted */
	CHECK_EQ_U64(fmt3("a%cb", 0, 0, 0), 3);
}

static void test_pointers(void)
{
	static const uint8_t ip4[4] = { 192, 168, 1, 2 };
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0xab, 0xcd };

	EXPECT("%p", 0x1234, "0000000000001234");
	EXPECT("%px", 0x1234, "0000000000001234");
	EXPECT("%pK", 0x1234, "0000000000001234");
	EXPECT("%20p", 0x1234, "                1234");
	EXPECT("%p.", 0, "0000000000000000.");
	EXPECT("%pKfoo|", 0x1234, "0000000000001234|"); /* alnum skipped */
	EXPECT("%ps", 0x1234, "0x1234");
	EXPECT("%pS", 0, "0x0");
	EXPECT("%pB", 0x10, "0x10");
	EXPECT("%pI4", P(ip4), "192.168.1.2");
	EXPECT("%pi4", P(ip4), "192.168.001.002");
	EXPECT("%pI6", P(ip6), "2001:0db8:0000:0000:0000:0000:0000:abcd");
	EXPECT("%pi6", P(ip6), "20010db800000000000000000000abcd");
	EXPECT("%pI6c", P(ip6), "2001:0db8:0000:0000:0000:0000:0000:abcd");
	EXPECT("%pI4", 0, "0.0.0.0");		/* unreadable: zeros */
}

static void test_invalid(void)
{
	static const char *const bad[] = {
		"%d %d %d %d", "%q", "%lc", "%ls", "%hd", "%.2d", "%#x", "%",
		"abc%", "%sx", "%pX", "%pI5", "%pe", "\x01", "%p%", "%\x80",
		"%*d", "%lld%llld", "%5%", "%s%",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		long n = fmt3(bad[i], P("s"), 1, 2);

		CHECK_EQ_U64(n, ERR(-EINVAL));
		if (n != -EINVAL)
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
	}
	/* the format must end within fmt_size */
	CHECK_EQ_U64(hlp_bprintf(out, 8, "abcd", 4, NULL, 0), ERR(-EINVAL));
	CHECK_EQ_U64(hlp_bprintf(out, 8, "abcd", 5, NULL, 0), 4);
	/* no arguments: no conversion */
	CHECK_EQ_U64(hlp_bprintf(out, 8, "%d", 3, NULL, 0), ERR(-EINVAL));
	/* UTF-8 text passes, as since Linux 6.18's stable updates */
	EXPECT("caf\xc3\xa9", 0, "caf\xc3\xa9");
}

/* Strings share a 512-byte buffer with the other arguments. */
static void test_arg_buffer(void)
{
	static char big[1000];

	memset(big, 'b', sizeof(big) - 1);
	CHECK_EQ_U64(fmt3("%s", P(big), 0, 0), 511);
	CHECK_EQ_U64(fmt3("%s%s", P(big), P("x"), 0), ERR(-ENOSPC));
	big[510] = '\0';
	CHECK_EQ_U64(fmt3("%s %d", P(big), 1, 0), ERR(-ENOSPC));
	big[506] = '\0';	/* 507 bytes, 508 after alignment: room for 4 */
	CHECK_EQ_U64(fmt3("%s%d", P(big), 1, 0), 507);
	CHECK_EQ_U64(fmt3("%s%ld", P(big), 1, 0), ERR(-ENOSPC));
}

static void test_truncation(void)
{
	char small[4];

	CHECK_EQ_U64(hlp_bprintf(small, 4, "hello", 6, NULL, 0), 5);
	CHECK_STREQ(small, "hel");
	small[0] = 'z';
	CHECK_EQ_U64(hlp_bprintf(small, 0, "hello", 6, NULL, 0), 5);
	CHECK(small[0] == 'z');
	CHECK_EQ_U64(fmt3("%2000d", 1, 0, 0), 2000);
}

static void test_snprintf(void)
{
	uint64_t data[13] = { 42, P("abc"), 'z' };
	char buf[16];

	memset(buf, 0x7f, sizeof(buf));
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), sizeof(buf),
			   P("%d %s %c"), P(data), 24), 9);
	CHECK_STREQ(buf, "42 abc z");
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 4, P("%d %s %c"),
			   P(data), 24), 9);
	CHECK_STREQ(buf, "42 ");
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, 0, 0, P("%d"), P(data), 8), 3);
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 16, P("%d"), P(data),
			   12), ERR(-EINVAL));	/* not a multiple of 8 */
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 16, P("x"), 0, 8),
		     ERR(-EINVAL));		/* no data with a length */
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 16, P("%d"), P(data),
			   13 * 8), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 16, P("%d %d"),
			   P(data), 8), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 16, P("no args"), 0, 0),
		     8);
	for (int i = 0; i < 12; i++)
		data[i] = (uint64_t)i;
	CHECK_EQ_U64(hcall(BPF_FUNC_snprintf, P(buf), 16,
			   P("%d%d%d%d%d%d%d%d%d%d%d%d"), P(data), 96), 15);
	CHECK_STREQ(buf, "01234567891011");
}

int main(void)
{
	test_integers();
	test_chars_strings();
	test_pointers();
	test_invalid();
	test_arg_buffer();
	test_truncation();
	test_snprintf();
	return check_report();
}
