/* Executable memory: fresh anonymous pages, written while read+write, then
 * sealed read+execute. Never writable and executable at once; one mapping
 * per image. Placed near the C functions the code calls when possible, so
 * those calls are direct rel32 calls. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/jit/jit_priv.h"

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) & ~(pg - 1);
}

static void *map_at(size_t size, uint64_t hint)
{
	void *p = mmap((void *)(uintptr_t)hint, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static bool reaches(uint64_t base, size_t size, uint64_t lo, uint64_t hi)
{
	uint64_t a = base < lo ? base : lo;
	uint64_t b = base + size > hi ? base + size : hi;

	return b - a < (1ull << 31) - 4096;
}

void *jit_mem_alloc(size_t size, size_t *map_size, uint64_t near_lo,
		    uint64_t near_hi)
{
	/* Just below the lowest callee, then above the highest (past a
	 * heap's likely growth), then anywhere. */
	const uint64_t gap = 1ull << 26, pg_mask = ~(uint64_t)0xfff;
	uint64_t hints[2] = { 0, 0 };
	void *p;

	size = page_round(size);
	*map_size = size;
	if (near_lo <= near_hi && near_lo > size + gap) {
		hints[0] = (near_lo - size - gap) & pg_mask;
		hints[1] = (near_hi + gap) & pg_mask;
	}
	for (int k = 0; k < 2 && hints[k]; k++) {
		p = map_at(size, hints[k]);
		if (p && reaches((uintptr_t)p, size, near_lo, near_hi))
			return p;
		if (p)
			munmap(p, size);
	}
	return map_at(size, 0);
}

int jit_mem_seal(void *mem, size_t map_size)
{
	if (mprotect(mem, map_size, PROT_READ | PROT_EXEC))
		return -errno;
	return 0;
}

void jit_mem_free(void *mem, size_t map_size)
{
	munmap(mem, map_size);
}
