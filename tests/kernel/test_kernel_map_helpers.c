/* Built-in helpers against the running kernel: programs calling strtol,
 * strtoul, strncmp, csum_diff, snprintf, trace_printk, probe_read_kernel
 * (and _str) give the same r0 and leave the same bytes in bpfvm (both
 * engines) as in the kernel (XDP, BPF_PROG_TEST_RUN); formats the
 * kernel's verifier refuses make bpfvm's helpers return -EINVAL; the
 * clocks agree. Exits 77 (SKIP) where bpf() cannot be used.
 *
 * (Named test_kernel_map_* so tests/kernel's glob picks it up.) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hprog.h"
#include "kernel_oracle.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

static int failures, cases;

static void same(const char *name, hp_build_fn build, const void *ctx)
{
	cases++;
	if (!hp_same(name, build, ctx))
		failures++;
}

/* --- strtol / strtoul: buffer at r10-96 (96 bytes), result at -104 --- */

struct strto {
	uint32_t helper;
	const char *s;
	uint32_t len;	/* 0: strlen */
	uint64_t flags;
};

static void build_strto(struct hprog *p, const void *ctx)
{
	const struct strto *c = ctx;
	char buf[96] = { 0 };
	size_t len = c->len ? c->len : strlen(c->s);

	memcpy(buf, c->s, strlen(c->s) < 96 ? strlen(c->s) : 96);
	hp_stack_bytes(p, -96, buf, sizeof(buf));
	hp_stack_ptr(p, 1, -96);
	hp_mov_imm(p, 2, (int32_t)len);
	hp_ld64(p, 3, c->flags);
	hp_stack_ptr(p, 4, -104);
	hp_call(p, c->helper);
	hp_save_r0(p);
	hp_copy_out(p, -104, 8, 0);
	hp_exit_saved(p);
}

static void test_strto(void)
{
	static char zeros[80];
	static const struct strto cases_[] = {
		{ BPF_FUNC_strtol, "123", 0, 10 },
		{ BPF_FUNC_strtol, "  -0x1f", 0, 0 },
		{ BPF_FUNC_strtol, "0x1F", 0, 16 },
		{ BPF_FUNC_strtol, "0x", 0, 16 },
		{ BPF_FUNC_strtol, "0x", 0, 0 },
		{ BPF_FUNC_strtol, "0xg", 0, 0 },
		{ BPF_FUNC_strtol, "08", 0, 0 },
		{ BPF_FUNC_strtol, "077", 0, 0 },
		{ BPF_FUNC_strtol, "9223372036854775807", 0, 10 },
		{ BPF_FUNC_strtol, "9223372036854775808", 0, 10 },
		{ BPF_FUNC_strtol, "-9223372036854775808", 0, 10 },
		{ BPF_FUNC_strtol, "-9223372036854775809", 0, 10 },
		{ BPF_FUNC_strtol, "18446744073709551616", 0, 10 },
		{ BPF_FUNC_strtol, "+5", 0, 10 },
		{ BPF_FUNC_strtol, "   ", 0, 10 },
		{ BPF_FUNC_strtol, "-", 0, 10 },
		{ BPF_FUNC_strtol, "12345", 3, 10 },
		{ BPF_FUNC_strtol, "\xa0" "42", 0, 10 },
		{ BPF_FUNC_strtol, "\t\n\v\f\r 7", 0, 10 },
		{ BPF_FUNC_strtol, "12", 0, 2 },
		{ BPF_FUNC_strtol, "12", 0, 0x20 | 10 },
		{ BPF_FUNC_strtol, " 12abc", 0, 10 },
		{ BPF_FUNC_strtol, "12", 5, 10 },	/* NULs after */
		{ BPF_FUNC_strtoul, "18446744073709551615", 0, 10 },
		{ BPF_FUNC_strtoul, "18446744073709551616", 0, 10 },
		{ BPF_FUNC_strtoul, "-1", 0, 10 },
		{ BPF_FUNC_strtoul, "0xffffffffffffffff", 0, 0 },
		{ BPF_FUNC_strtoul, "777", 0, 8 },
		{ BPF_FUNC_strtoul, "8", 0, 8 },
		{ BPF_FUNC_strtoul, "0X1a", 0, 16 },
	};
	struct strto long_zeros = { BPF_FUNC_strtol, zeros, 71, 10 };
	char name[64];

	for (size_t i = 0; i < sizeof(cases_) / sizeof(*cases_); i++) {
		snprintf(name, sizeof(name), "strto%s \"%s\" base %llu",
			 cases_[i].helper == BPF_FUNC_strtol ? "l" : "ul",
			 cases_[i].s, (unsigned long long)cases_[i].flags);
		same(name, build_strto, &cases_[i]);
	}
	memset(zeros, '0', 70);
	zeros[70] = '1';
	same("strtol 70 zeros then 1", build_strto, &long_zeros);
}

/* --- strncmp: s1 at r10-64, s2 a constant string --- */

struct ncmp {
	const char *s1;
	uint32_t n;
	const char *s2;
};

static void build_strncmp(struct hprog *p, const void *ctx)
{
	const struct ncmp *c = ctx;
	char buf[64] = { 0 };

	memcpy(buf, c->s1, strlen(c->s1));
	hp_stack_bytes(p, -64, buf, sizeof(buf));
	hp_stack_ptr(p, 1, -64);
	hp_mov_imm(p, 2, (int32_t)c->n);
	hp_const_str(p, 3, c->s2);
	hp_call(p, BPF_FUNC_strncmp);
	hp_save_r0(p);
	hp_exit_saved(p);
}

static void test_strncmp(void)
{
	static const struct ncmp cases_[] = {
		{ "abc", 3, "abc" }, { "abd", 3, "abc" }, { "abb", 3, "abc" },
		{ "ab", 2, "abc" },  { "ab", 3, "abc" },  { "\x80", 1, "\x01" },
		{ "abc", 10, "abc" }, { "", 1, "" },     { "zzz", 3, "" },
		{ "abcdefgh", 64, "abcdefgh" },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(cases_) / sizeof(*cases_); i++) {
		snprintf(name, sizeof(name), "strncmp \"%s\" %u \"%s\"",
			 cases_[i].s1, cases_[i].n, cases_[i].s2);
		same(name, build_strncmp, &cases_[i]);
	}
}

/* --- csum_diff: from at r10-64 (32 bytes), to at r10-128 (64) --- */

struct csum {
	uint32_t from_size, to_size;
	uint64_t seed;
	uint8_t fill;	/* data pattern */
};

static void build_csum(struct hprog *p, const void *ctx)
{
	const struct csum *c = ctx;
	uint8_t from[32], to[64];

	for (size_t i = 0; i < sizeof(to); i++)
		to[i] = (uint8_t)(i * c->fill + 3);
	for (size_t i = 0; i < sizeof(from); i++)
		from[i] = (uint8_t)(i * (c->fill ^ 0x5a) + 1);
	if (c->fill == 0) {	/* the same bytes on both sides */
		memcpy(from, to, sizeof(from));
	}
	hp_stack_bytes(p, -64, from, sizeof(from));
	hp_stack_bytes(p, -128, to, sizeof(to));
	if (c->from_size)
		hp_stack_ptr(p, 1, -64);
	else
		hp_mov_imm(p, 1, 0);
	hp_mov_imm(p, 2, (int32_t)c->from_size);
	if (c->to_size)
		hp_stack_ptr(p, 3, -128);
	else
		hp_mov_imm(p, 3, 0);
	hp_mov_imm(p, 4, (int32_t)c->to_size);
	hp_ld64(p, 5, c->seed);
	hp_call(p, BPF_FUNC_csum_diff);
	hp_save_r0(p);
	hp_exit_saved(p);
}

static void test_csum(void)
{
	static const struct csum cases_[] = {
		{ 0, 4, 0, 1 },	   { 4, 4, 0, 0 },	{ 4, 0, 0, 1 },
		{ 0, 0, 0x123456789ull, 1 },		{ 0, 0, 0, 1 },
		{ 0, 3, 0, 1 },	   { 5, 7, 0x1234, 7 }, { 32, 64, 0xffffffff, 9 },
		{ 16, 16, 0, 0 },  { 0, 64, 0xdeadbeef, 0xff },
		{ 12, 0, 0xffff, 13 }, { 1, 1, 0, 0 },	{ 32, 0, 0, 0 },
		{ 0, 8, 0xffffffffffffffffull, 4 },
	};
	char name[80];

	for (size_t i = 0; i < sizeof(cases_) / sizeof(*cases_); i++) {
		snprintf(name, sizeof(name), "csum_diff %u/%u seed %#llx",
			 cases_[i].from_size, cases_[i].to_size,
			 (unsigned long long)cases_[i].seed);
		same(name, build_csum, &cases_[i]);
	}
}

/* --- formats: arguments, strings at r10-464 (304 bytes) --- */

#define STR_AREA (-464)
#define STR_SIZE 304

enum arg_kind { A_INT, A_STR, A_BYTES };

struct arg {
	enum arg_kind kind;
	uint64_t v;		/* A_INT: the value; else offset in the area */
};

struct fmt_case {
	const char *fmt;
	uint32_t fmt_size;	/* trace_printk; 0: strlen + 1 */
	struct arg args[12];
	uint32_t nargs;
	uint32_t out_size;	/* snprintf */
};

/* The string area: "hello" at 0, 16 address bytes at 8 (an IPv4
 * address in the first 4), a 272-char string at 24. */
static void area(struct hprog *p)
{
	char a[STR_SIZE] = "hello";

	memcpy(a + 8, "\xc0\xa8\x01\x02\x20\x01\x0d\xb8\0\0\0\0\xfe\x80"
		      "\xab\xcd", 16);
	memset(a + 24, 'L', 272);
	a[296] = '\0';
	hp_stack_bytes(p, STR_AREA, a, sizeof(a));
}

static void load_arg(struct hprog *p, int reg, const struct arg *a)
{
	if (a->kind == A_INT)
		hp_ld64(p, reg, a->v);
	else
		hp_stack_ptr(p, reg, STR_AREA + (int)a->v);
}

static void build_printk(struct hprog *p, const void *ctx)
{
	const struct fmt_case *c = ctx;
	char fmt[64] = { 0 };

	area(p);
	memcpy(fmt, c->fmt, strlen(c->fmt));
	hp_stack_bytes(p, -64, fmt, sizeof(fmt));
	for (uint32_t i = 0; i < c->nargs && i < 3; i++)
		load_arg(p, 3 + (int)i, &c->args[i]);
	hp_stack_ptr(p, 1, -64);
	hp_mov_imm(p, 2, (int32_t)(c->fmt_size ? c->fmt_size
					       : strlen(c->fmt) + 1));
	hp_call(p, BPF_FUNC_trace_printk);
	hp_save_r0(p);
	hp_exit_saved(p);
}

#define I(x) { A_INT, (uint64_t)(x) }
#define S_HELLO { A_STR, 0 }
#define S_LONG { A_STR, 24 }
#define IP4 { A_BYTES, 8 }
#define IP6 { A_BYTES, 8 }

static const struct fmt_case printk_cases[] = {
	{ "hello\n", 0, { I(0) }, 0, 0 },
	{ "%d", 0, { I(-5) }, 1, 0 },
	{ "%d %u %x", 0, { I(-1), I(-1), I(0xabcdef12345ull) }, 3, 0 },
	{ "%5d|%-5d|%05d", 0, { I(42), I(-42), I(-42) }, 3, 0 },
	{ "%+d % d %+u", 0, { I(5), I(5), I(5) }, 3, 0 },
	{ "%lld %llx %lX", 0, { I(-1), I(-1), I(0xabc) }, 3, 0 },
	{ "%ld %li %lu", 0, { I(1ull << 63), I(-7), I(-7) }, 3, 0 },
	{ "%s!", 0, { S_HELLO }, 1, 0 },
	{ "%8s|%-8s|", 0, { S_HELLO, S_HELLO }, 2, 0 },
	{ "[%s]", 0, { I(0) }, 1, 0 },
	{ "[%s]", 0, { I(8) }, 1, 0 },
	{ "%s%s", 0, { S_LONG, S_LONG }, 2, 0 },
	{ "%s%s%d", 0, { S_LONG, S_LONG, I(1) }, 3, 0 },
	{ "%p", 0, { I(0x1234) }, 1, 0 },
	{ "%px %pK", 0, { I(0x1234), I(0) }, 2, 0 },
	{ "%ps|%pS", 0, { I(0x1234), I(0x1234) }, 2, 0 },
	{ "%20p|%-20px|", 0, { I(0x1234), I(0x1234) }, 2, 0 },
	{ "%pI4 %pi4", 0, { IP4, IP4 }, 2, 0 },
	{ "%pI6 %pi6", 0, { IP6, IP6 }, 2, 0 },
	/* (not %pus: the kernel's stack is no user memory, bpfvm's is) */
	{ "%pks|%5pks", 0, { S_HELLO, S_HELLO }, 2, 0 },
	{ "%c%c%3c", 0, { I('a'), I('b'), I('c') }, 3, 0 },
	{ "100%% %d%%", 0, { I(7) }, 1, 0 },
	{ "%1000d", 0, { I(1) }, 1, 0 },
	{ "a%cb", 0, { I(0) }, 1, 0 },
	{ "abc", 4, { I(0) }, 0, 0 },
	{ "ab\0cd", 6, { I(0) }, 0, 0 },
	/* refused at run time */
	{ "%d %d %d %d", 0, { I(1), I(2), I(3) }, 3, 0 },
	{ "%q", 0, { I(0) }, 1, 0 },
	{ "%lc %ls", 0, { I(0) }, 1, 0 },
	{ "%hd", 0, { I(0) }, 1, 0 },
	{ "%.2d", 0, { I(0) }, 1, 0 },
	{ "%#x", 0, { I(0) }, 1, 0 },
	{ "%sx", 0, { S_HELLO }, 1, 0 },
	{ "%pX", 0, { I(0) }, 1, 0 },
	{ "%pe", 0, { I(0) }, 1, 0 },
	{ "%p%", 0, { I(0) }, 1, 0 },
	{ "%s%", 0, { S_HELLO }, 1, 0 },
	{ "tab\tok \x01 not", 0, { I(0) }, 0, 0 },
	{ "abc", 3, { I(0) }, 0, 0 },		/* no NUL in fmt_size */
	{ "%", 0, { I(0) }, 0, 0 },
	{ "caf\xc3\xa9", 0, { I(0) }, 0, 0 },	/* UTF-8 text */
	{ "%\xc3", 0, { I(0) }, 0, 0 },
};

/* A few results pinned, so agreeing on a wrong value cannot pass. */
static void pinned(const char *fmt, uint64_t want)
{
	const struct fmt_case *c = printk_cases;
	struct hprog *p = malloc(sizeof(*p));
	struct hp_result k;

	while (strcmp(c->fmt, fmt))
		c++;
	cases++;
	hp_init(p, true);
	build_printk(p, c);
	hp_run_kernel(p, &k);
	hp_free(p);
	free(p);
	if (k.status || k.r0 != want) {
		printf("FAIL pinned \"%s\": kernel r0 %#llx (status %d), "
		       "want %#llx\n", c->fmt, (unsigned long long)k.r0,
		       k.status, (unsigned long long)want);
		failures++;
	}
}

static void test_printk(void)
{
	char name[96];

	pinned("%s%s%d", ERR(-ENOSPC));
	pinned("%s%s", 272 + 238);	/* the second cut to the room left */
	pinned("%p", 16);
	pinned("%ps|%pS", 13);
	pinned("%p%", ERR(-EINVAL));
	pinned("caf\xc3\xa9", 5);

	for (size_t i = 0; i < sizeof(printk_cases) / sizeof(*printk_cases);
	     i++) {
		snprintf(name, sizeof(name), "trace_printk \"%s\"",
			 printk_cases[i].fmt);
		same(name, build_printk, &printk_cases[i]);
	}
}

/* snprintf: out at r10-64 (64 bytes), data at r10-160 (12 u64). */
static void build_snprintf(struct hprog *p, const void *ctx)
{
	const struct fmt_case *c = ctx;

	area(p);
	hp_stack_bytes(p, -64, (char[64]){ 0 }, 64);
	for (uint32_t i = 0; i < c->nargs; i++) {
		load_arg(p, 8, &c->args[i]);
		hp_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_DW |
						      BPF_MEM,
					      .dst_reg = 10, .src_reg = 8,
					      .off = (int16_t)(-160 + 8 * i) });
	}
	hp_stack_ptr(p, 1, -64);
	hp_mov_imm(p, 2, (int32_t)c->out_size);
	hp_const_str(p, 3, c->fmt);
	if (c->nargs)
		hp_stack_ptr(p, 4, -160);
	else
		hp_mov_imm(p, 4, 0);
	hp_mov_imm(p, 5, (int32_t)(8 * c->nargs));
	hp_call(p, BPF_FUNC_snprintf);
	hp_save_r0(p);
	hp_copy_out(p, -64, 64, 0);
	hp_exit_saved(p);
}

static const struct fmt_case snprintf_cases[] = {
	{ "hello", 0, { I(0) }, 0, 64 },
	{ "hello", 0, { I(0) }, 0, 3 },
	{ "%d %s %c", 0, { I(42), S_HELLO, I('z') }, 3, 64 },
	{ "%s", 0, { S_LONG }, 1, 64 },
	{ "%d%d%d%d%d%d%d%d%d%d%d%d", 0,
	  { I(0), I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9),
	    I(10), I(11) }, 12, 64 },
	{ "%pI4|%pi6", 0, { IP4, IP6 }, 2, 64 },
	{ "%-6s|%06d|%x", 0, { S_HELLO, I(-3), I(255) }, 3, 64 },
	{ "%s%s%s", 0, { S_LONG, S_LONG, S_HELLO }, 3, 64 },
	{ "%llu", 0, { I(-1) }, 1, 1 },
};

/* What the kernel's verifier refuses: the format checked at load. */
static const struct fmt_case snprintf_bad[] = {
	{ "%d %d", 0, { I(1) }, 1, 64 },
	{ "%q", 0, { I(1) }, 1, 64 },
	{ "%p%", 0, { I(1) }, 1, 64 },
	{ "%lc", 0, { I(1) }, 1, 64 },
	{ "\x01", 0, { I(1) }, 0, 64 },
};

/* Plain %p prints a hash of the pointer in the kernel (same width). */
static bool prints_hash(const char *fmt)
{
	for (const char *q = strchr(fmt, '%'); q; q = strchr(q + 1, '%')) {
		q += strspn(q + 1, "0123456789+- ") + 1;
		if (!*q)
			break;
		if (*q == 'p' && !isalnum((unsigned char)q[1]))
			return true;
	}
	return false;
}

/* The trace_printk formats through snprintf, whose output text is
 * compared too: the same engine. What the kernel's verifier refuses must
 * be -EINVAL at run time in bpfvm. */
static void test_printk_text(void)
{
	struct fmt_case c;
	char name[96];

	for (size_t i = 0; i < sizeof(printk_cases) / sizeof(*printk_cases);
	     i++) {
		if (printk_cases[i].fmt_size || prints_hash(printk_cases[i].fmt))
			continue;
		c = printk_cases[i];
		c.out_size = 64;
		snprintf(name, sizeof(name), "snprintf text \"%s\"", c.fmt);
		cases++;
		if (!hp_same_or_rejected(name, build_snprintf, &c,
					 ERR(-EINVAL)))
			failures++;
	}
}

static void test_snprintf(void)
{
	char name[96];

	for (size_t i = 0;
	     i < sizeof(snprintf_cases) / sizeof(*snprintf_cases); i++) {
		snprintf(name, sizeof(name), "snprintf \"%s\" size %u",
			 snprintf_cases[i].fmt, snprintf_cases[i].out_size);
		same(name, build_snprintf, &snprintf_cases[i]);
	}
	for (size_t i = 0; i < sizeof(snprintf_bad) / sizeof(*snprintf_bad);
	     i++) {
		snprintf(name, sizeof(name), "snprintf refuses \"%s\"",
			 snprintf_bad[i].fmt);
		cases++;
		if (!hp_kernel_rejects(name, build_snprintf, &snprintf_bad[i],
				       ERR(-EINVAL)))
			failures++;
	}
}

/* --- probe_read_kernel(_str): dst at r10-64 (32 bytes, 0x55 first),
 * the source the string area or an address --- */

struct probe {
	uint32_t helper;
	uint32_t size;
	bool from_stack;	/* else addr */
	uint64_t addr;		/* or the offset in the string area */
};

static void build_probe(struct hprog *p, const void *ctx)
{
	const struct probe *c = ctx;
	uint8_t fill[32];

	memset(fill, 0x55, sizeof(fill));
	area(p);
	hp_stack_bytes(p, -64, fill, sizeof(fill));
	hp_stack_ptr(p, 1, -64);
	hp_mov_imm(p, 2, (int32_t)c->size);
	if (c->from_stack)
		hp_stack_ptr(p, 3, STR_AREA + (int)c->addr);
	else
		hp_ld64(p, 3, c->addr);
	hp_call(p, c->helper);
	hp_save_r0(p);
	hp_copy_out(p, -64, 32, 0);
	hp_exit_saved(p);
}

static void test_probe(void)
{
	static const struct probe cases_[] = {
		{ BPF_FUNC_probe_read_kernel, 16, true, 0 },
		{ BPF_FUNC_probe_read_kernel, 32, true, 24 },
		{ BPF_FUNC_probe_read_kernel, 0, false, 0x8000000000000000ull },
		{ BPF_FUNC_probe_read_kernel, 8, false, 0x8000000000000000ull },
		{ BPF_FUNC_probe_read_kernel, 8, false, 0xfffffffffffff000ull },
		{ BPF_FUNC_probe_read_kernel_str, 32, true, 0 },
		{ BPF_FUNC_probe_read_kernel_str, 4, true, 0 },
		{ BPF_FUNC_probe_read_kernel_str, 32, true, 24 },
		{ BPF_FUNC_probe_read_kernel_str, 0, false, 0 },
		{ BPF_FUNC_probe_read_kernel_str, 8, false,
		  0x8000000000000000ull },
		{ BPF_FUNC_probe_read_kernel_str, 8, false,
		  0xfffffffffffff000ull },
	};
	char name[96];

	for (size_t i = 0; i < sizeof(cases_) / sizeof(*cases_); i++) {
		snprintf(name, sizeof(name), "probe_read_kernel%s size %u %s "
			 "%#llx", cases_[i].helper == BPF_FUNC_probe_read_kernel
					? "" : "_str",
			 cases_[i].size, cases_[i].from_stack ? "stack+" : "",
			 (unsigned long long)cases_[i].addr);
		same(name, build_probe, &cases_[i]);
	}
}

/* --- clocks: the same clock, read a moment apart --- */

static void build_clock(struct hprog *p, const void *ctx)
{
	hp_call(p, *(const uint32_t *)ctx);
	hp_save_r0(p);
	hp_exit_saved(p);
}

static void clock_close(const char *name, uint32_t helper, uint64_t slack)
{
	struct hprog *p = malloc(sizeof(*p));
	struct hp_result k, v;
	uint64_t d;

	cases++;
	hp_init(p, true);
	build_clock(p, &helper);
	hp_run_kernel(p, &k);
	hp_init(p, false);
	build_clock(p, &helper);
	hp_run_vm(p, BPFVM_ENGINE_INTERP, &v);
	free(p);
	d = v.r0 > k.r0 ? v.r0 - k.r0 : k.r0 - v.r0;
	if (k.status || v.status || d > slack) {
		printf("FAIL %s: kernel %llu (status %d), bpfvm %llu (status "
		       "%d)\n", name, (unsigned long long)k.r0, k.status,
		       (unsigned long long)v.r0, v.status);
		failures++;
	}
}

int main(void)
{
	hp_require_kernel();
	test_strto();
	test_strncmp();
	test_csum();
	test_printk();
	test_snprintf();
	test_printk_text();
	test_probe();
	clock_close("ktime_get_ns", BPF_FUNC_ktime_get_ns, 1000000000u);
	clock_close("ktime_get_boot_ns", BPF_FUNC_ktime_get_boot_ns,
		    1000000000u);
	clock_close("jiffies64", BPF_FUNC_jiffies64, 250);
	printf("compared with bpfvm's interpreter%s\n",
	       hp_jit_available() ? " and JIT" : " (no JIT here)");
	printf("%d passed, %d failed\n", cases - failures, failures);
	return failures ? 1 : 0;
}
