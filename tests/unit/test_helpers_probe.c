/* bpf_probe_read* on mapped, unmapped and half-mapped memory: a faulting
 * read returns -EFAULT (-ERANGE for a non-canonical kernel address) and
 * zeroes the destination; the process never crashes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "helpers/hlp_priv.h"
#include "hlp_call.h"

#define ERR(e) ((uint64_t)(int64_t)(e))
#define NONCANON 0x8000000000001000ull

static uint8_t *page;	/* one readable page followed by a PROT_NONE one */
static size_t psize;

static uint64_t probe(uint32_t id, void *dst, uint32_t size, uint64_t src)
{
	memset(dst, 0xaa, size);
	return hcall(id, P(dst), size, src, 0, 0);
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_read(void)
{
	static const uint32_t ids[] = { BPF_FUNC_probe_read,
					BPF_FUNC_probe_read_user,
					BPF_FUNC_probe_read_kernel };
	uint8_t dst[64];

	for (size_t k = 0; k < 3; k++) {
		uint32_t id = ids[k];

		CHECK_EQ_U64(probe(id, dst, 16, P(page)), 0);
		CHECK(memcmp(dst, page, 16) == 0);
		/* the last bytes before the unmapped page are fine */
		CHECK_EQ_U64(probe(id, dst, 8, P(page + psize - 8)), 0);
		/* crossing into it is not */
		CHECK_EQ_U64(probe(id, dst, 16, P(page + psize - 8)),
			     ERR(-EFAULT));
		CHECK(all_zero(dst, 16));
		CHECK_EQ_U64(probe(id, dst, 8, P(page + psize)), ERR(-EFAULT));
		CHECK_EQ_U64(probe(id, dst, 8, 0), ERR(-EFAULT));
		CHECK(all_zero(dst, 8));
		CHECK_EQ_U64(probe(id, dst, 0, 0), 0);
		CHECK_EQ_U64(probe(id, dst, 8, UINT64_MAX - 3), ERR(-EFAULT));
	}
	/* x86-64: the kernel flavour refuses non-canonical addresses */
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read_kernel, dst, 8, NONCANON),
		     ERR(-ERANGE));
	CHECK(all_zero(dst, 8));
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read, dst, 8, NONCANON),
		     ERR(-ERANGE));
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read_user, dst, 8, NONCANON),
		     ERR(-EFAULT));
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read_kernel, dst, 0, NONCANON),
		     ERR(-ERANGE));
}

static void test_read_str(void)
{
	static const uint32_t ids[] = { BPF_FUNC_probe_read_str,
					BPF_FUNC_probe_read_user_str,
					BPF_FUNC_probe_read_kernel_str };
	char dst[32];
	uint8_t *end = page + psize;

	strcpy((char *)page, "hello");
	memcpy(end - 4, "abc", 4);		/* ends just before the hole */
	memcpy(end - 3, "xyz", 3);		/* runs into it */
	for (size_t k = 0; k < 3; k++) {
		uint32_t id = ids[k];

		CHECK_EQ_U64(probe(id, dst, 32, P(page)), 6);
		CHECK_STREQ(dst, "hello");
		CHECK((uint8_t)dst[6] == 0xaa);	/* no padding */
		CHECK_EQ_U64(probe(id, dst, 4, P(page)), 4);
		CHECK_STREQ(dst, "hel");	/* cut and terminated */
		CHECK_EQ_U64(probe(id, dst, 1, P(page)), 1);
		CHECK(dst[0] == 0);
		CHECK_EQ_U64(probe(id, dst, 0, 0), 0);
		CHECK_EQ_U64(probe(id, dst, 32, P(end - 4)), ERR(-EFAULT));
		CHECK(all_zero((uint8_t *)dst, 32));
		CHECK_EQ_U64(probe(id, dst, 3, P(end - 3)), 3);
		CHECK_STREQ(dst, "xy");	/* stopped before the hole */
		CHECK_EQ_U64(probe(id, dst, 32, 0), ERR(-EFAULT));
	}
	memcpy(end - 4, "abc", 4);
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read_kernel_str, dst, 32,
			   P(end - 4)), 4);
	CHECK_STREQ(dst, "abc");
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read_kernel_str, dst, 8, NONCANON),
		     ERR(-ERANGE));
	CHECK_EQ_U64(probe(BPF_FUNC_probe_read_user_str, dst, 8, NONCANON),
		     ERR(-EFAULT));
}

/* A long read spanning many pages, and one through the safe-read layer
 * directly. */
static void test_large(void)
{
	size_t n = 64 * 1024;
	uint8_t *src = malloc(n), *dst = malloc(n);

	for (size_t i = 0; i < n; i++)
		src[i] = (uint8_t)(i * 7);
	CHECK(hlp_read_safe(dst, P(src), n) == 0);
	CHECK(memcmp(src, dst, n) == 0);
	CHECK(hlp_read_safe(dst, P(page), psize + 1) == -EFAULT);
	free(src);
	free(dst);
}

int main(void)
{
	psize = (size_t)sysconf(_SC_PAGESIZE);
	page = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	mprotect(page + psize, psize, PROT_NONE);
	memset(page, 'p', psize);
	test_read();
	test_read_str();
	test_large();
	return check_report();
}
