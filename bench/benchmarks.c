/* The benchmark table and the inputs each program runs on. Sizes here must
 * agree with the constants in progs/<name>.c. */
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "bench.h"

#define BENCH_PROG(name) extern const struct bench_code bench_code_##name;
#include "bench_progs.def"
#undef BENCH_PROG

/* splitmix64: fixed seeds give the same inputs on every run. */
static __u64 rng_next(__u64 *state)
{
	__u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill_random(void *mem, size_t size, __u64 seed)
{
	unsigned char *p = mem;

	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)rng_next(&seed);
}

static void setup_random(void *mem, size_t size)
{
	fill_random(mem, size, 1);
}

/* Values of every magnitude, so each branch of the log2 goes both ways. */
static void setup_log2(void *mem, size_t size)
{
	__u64 *v = mem;
	__u64 seed = 2;

	for (size_t i = 0; i < size / sizeof(*v); i++)
		v[i] = rng_next(&seed) >> (rng_next(&seed) % 64);
}

/* Scratch memory: dirty, so a program that skips clearing it is caught. */
static void setup_dirty(void *mem, size_t size)
{
	memset(mem, 0xa5, size);
}

/* Source half random, destination half dirty. */
static void setup_copy(void *mem, size_t size)
{
	fill_random(mem, size / 2, 3);
	memset((char *)mem + size / 2, 0xa5, size / 2);
}

static bool verify_copy(const void *mem, size_t size)
{
	return memcmp(mem, (const char *)mem + size / 2, size / 2) == 0;
}

/* Two strings of STR_MAX bytes each; `diff_at` < 0: equal to the end. */
enum { STR_MAX = 256 };

static void setup_strings(void *mem, int diff_at)
{
	char *a = mem, *b = a + STR_MAX;

	for (int i = 0; i < STR_MAX - 1; i++)
		a[i] = (char)('a' + i % 26);
	a[STR_MAX - 1] = 0;
	memcpy(b, a, STR_MAX);
	if (diff_at >= 0)
		b[diff_at] = 'Z';
}

static void setup_strcmp_early(void *mem, size_t size)
{
	(void)size;
	setup_strings(mem, 3);
}

static void setup_strcmp_full(void *mem, size_t size)
{
	(void)size;
	setup_strings(mem, -1);
}

/* The Internet checksum, written independently of the program's. */
static __u16 inet_csum(const void *data, size_t len, __u32 sum)
{
	const unsigned char *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static void put_be16(void *p, __u16 v)
{
	unsigned char *b = p;

	b[0] = (unsigned char)(v >> 8);
	b[1] = (unsigned char)v;
}

/* A 64-byte Ethernet/IPv4/UDP frame with a random payload and both
 * checksums correct. Headers are built apart and copied in: in the frame
 * the IPv4 header is only 2-byte aligned. */
static void setup_udp(void *mem, size_t size)
{
	unsigned char *pkt = mem;
	unsigned char *udp = pkt + ETH_HLEN + sizeof(struct iphdr);
	size_t ulen = size - ETH_HLEN - sizeof(struct iphdr);
	struct iphdr ip = {
		.version = 4,
		.ihl = 5,
		.ttl = 64,
		.protocol = IPPROTO_UDP,
	};
	unsigned char pseudo[12];

	fill_random(pkt, size, 4);
	put_be16(pkt + 12, ETH_P_IP);
	put_be16(&ip.tot_len, (__u16)(size - ETH_HLEN));
	memcpy(&ip.saddr, (unsigned char[]){ 192, 0, 2, 1 }, 4);
	memcpy(&ip.daddr, (unsigned char[]){ 198, 51, 100, 7 }, 4);
	put_be16(&ip.check, inet_csum(&ip, sizeof(ip), 0));
	memcpy(pkt + ETH_HLEN, &ip, sizeof(ip));

	put_be16(udp, 40000);
	put_be16(udp + 2, 53);
	put_be16(udp + 4, (__u16)ulen);
	put_be16(udp + 6, 0);
	memcpy(pseudo, &ip.saddr, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	put_be16(pseudo + 10, (__u16)ulen);
	put_be16(udp + 6, inet_csum(udp, ulen,
				    (__u32)(0xffff & ~inet_csum(pseudo, 12, 0))));
}

/* `expect`: the answer worked out by hand, checked on top of native == BPF
 * (a setup bug would otherwise make both agree on nonsense). */
const struct bench bench_list[] = {
	{ .name = "const", .what = "return a constant",
	  .code = &bench_code_ret_const, .mem_size = 16,
	  .setup = setup_random, .has_expect = true, .expect = 42 },
	{ .name = "add", .what = "a + b loaded from memory",
	  .code = &bench_code_add_mem, .mem_size = 16, .setup = setup_random },
	{ .name = "log2", .what = "sum of log2 of 8192 u64 values",
	  .code = &bench_code_log2, .mem_size = 8192 * 8,
	  .setup = setup_log2 },
	{ .name = "sieve", .what = "count primes to 10^4, sieve in memory",
	  .code = &bench_code_sieve, .mem_size = 10001, .setup = setup_dirty,
	  .has_expect = true, .expect = 1229 },
	{ .name = "memcpy-1m", .what = "copy 1 MiB, 8 bytes at a time",
	  .code = &bench_code_memcpy_1m, .mem_size = 2 << 20,
	  .setup = setup_copy, .verify = verify_copy,
	  .has_expect = true, .expect = 1 << 20 },
	{ .name = "strcmp-early", .what = "strcmp, strings differ at byte 3",
	  .code = &bench_code_strcmp, .mem_size = 2 * STR_MAX,
	  .setup = setup_strcmp_early, .has_expect = true, .expect = 'd' - 'Z' },
	{ .name = "strcmp-full", .what = "strcmp, 255 equal bytes + NUL",
	  .code = &bench_code_strcmp, .mem_size = 2 * STR_MAX,
	  .setup = setup_strcmp_full, .has_expect = true, .expect = 0 },
	{ .name = "switch64", .what = "64-case switch, 256 random selectors",
	  .code = &bench_code_switch64, .mem_size = 256,
	  .setup = setup_random },
	/* UDP length 30; both folded sums 0xffff for a valid frame. */
	{ .name = "udp-parse",
	  .what = "Eth/IPv4/UDP parse + IP and UDP checksums, 64 B frame",
	  .code = &bench_code_udp_parse, .mem_size = 64, .setup = setup_udp,
	  .has_expect = true, .expect = 30ull << 32 | 0xffffffffull },
	{ .name = "copy-sum-4k", .what = "copy 4 KiB byte by byte, summing",
	  .code = &bench_code_copy_sum, .mem_size = 2 * 4096,
	  .setup = setup_copy, .verify = verify_copy },
};

const size_t bench_count = sizeof(bench_list) / sizeof(bench_list[0]);
