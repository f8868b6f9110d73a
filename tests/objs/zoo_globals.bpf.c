/* Global data of every kind: .data, .rodata (const volatile, as
 * skeletons adjust it before load), .bss, string literals (merged into
 * .rodata.str1.1), custom .data.* / .rodata.* sections, plus arrays and
 * structs. glob_sum runs on memory and returns a checksum of it all. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int g_data = 5;				/* .data */
long g_data_arr[4] = { 1, 2, 3, 4 };	/* .data */
const volatile int g_ro = 100;		/* .rodata */
const volatile struct { int a; char b[3]; } g_ro_s = { 7, "xy" };
int g_bss;				/* .bss */
long g_bss_arr[8];			/* .bss */
int g_custom SEC(".data.custom") = 11;
const volatile int g_ro_custom SEC(".rodata.custom") = 13;
static volatile int g_static = 17;	/* .data, local symbol */

/* Sums the bytes of s up to its NUL, at most n of them (n from memory so
 * clang cannot fold the literal away). */
static __attribute__((noinline)) int str_sum(const char *s, unsigned long n)
{
	int sum = 0;

	for (unsigned long i = 0; i < 16 && i < n && s[i]; i++)
		sum += s[i];
	return sum;
}

/* Returns the sum of every global plus the first ctx[1] bytes of a string
 * literal ("zoo": 122 + 111 + 111 = 344 for ctx[1] >= 3) and counts the
 * run in .bss; writes ctx[0] into g_bss_arr[1]. ctx starts after the
 * record's first 8 bytes (the common header no program may read). */
SEC("tracepoint/zoo/globals")
int glob_sum(unsigned long *rec)
{
	unsigned long *ctx = rec + 1;
	long s = 0;

	g_bss++;
	g_bss_arr[1] = ctx[0];
	for (int i = 0; i < 4; i++)
		s += g_data_arr[i];
	s += g_data + g_ro + g_ro_s.a + g_ro_s.b[0] + g_custom +
	     g_ro_custom + g_static;
	s += str_sum("zoo", ctx[1]);
	s += g_bss;
	return (int)s;
}

char LICENSE[] SEC("license") = "GPL";
