/* Executable memory: fresh anonymous pages, written while read+write, then
 * sealed read+execute. Never writable and executable at once; one mapping
 * per image. Placed near the C functions the code calls when possible, so
 * those calls are direct rel32 calls.
 *
 * Large images go on transparent huge pages where the kernel allows
 * them (the tail past the last whole one stays in 4 KiB pages): a 4 KiB
 * page costs a fault (or a MAP_POPULATE step) each, ~1.5 ms for a 4 MiB
 * image, a 2 MiB page one fault for 512 of them. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/jit/jit_priv.h"

#define HUGE_SIZE (2u << 20)

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) & ~(pg - 1);
}

/* size bytes at hint (0: anywhere), huge-page aligned when huge. populate:
 * MAP_POPULATE (one call instead of a fault per page) when not huge. */
static void *map_at(size_t size, uint64_t hint, bool huge, bool populate)
{
	size_t extra = huge ? HUGE_SIZE : 0;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint8_t *p;

	if (populate && !huge)
		flags |= MAP_POPULATE;
	p = mmap((void *)(uintptr_t)hint, size + extra, PROT_READ | PROT_WRITE,
		 flags, -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED)
		return NULL;
	if (!huge)
		return p;
	a = (uint8_t *)(((uintptr_t)p + HUGE_SIZE - 1) & ~(uintptr_t)(HUGE_SIZE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + size < p + size + extra)
		munmap(a + size, (size_t)(p + size + extra - (a + size)));
	/* advice only: without huge pages, 4 KiB ones fault in as written */
	madvise(a, size, MADV_HUGEPAGE);
	return a;
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
	bool huge = size >= HUGE_SIZE;
	void *p;

	size = page_round(size);
	*map_size = size;
	if (near_lo <= near_hi && near_lo > size + gap + HUGE_SIZE) {
		hints[0] = (near_lo - size - gap - HUGE_SIZE) & pg_mask;
		hints[1] = (near_hi + gap) & pg_mask;
	}
	for (int k = 0; k < 2 && hints[k]; k++) {
		p = map_at(size, hints[k], huge, true);
		if (p && reaches((uintptr_t)p, size, near_lo, near_hi))
			return p;
		if (p)
			munmap(p, size);
	}
	return map_at(size, 0, huge, true);
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

/* Scratch memory (a compile's per-insn arrays and code buffers): the
 * same huge pages when large, zeroed. */
#define SCRATCH_MAPPED (1u << 20)

void *jit_mem_scratch(size_t size)
{
	if (size < SCRATCH_MAPPED)
		return calloc(1, size);
	size = page_round(size);
	return map_at(size, 0, size >= HUGE_SIZE, false);
}

void *jit_mem_scratch_grow(void *p, size_t size, size_t new_size)
{
	void *q;

	if (size >= SCRATCH_MAPPED) {
		q = mremap(p, page_round(size), page_round(new_size),
			   MREMAP_MAYMOVE);
		return q == MAP_FAILED ? NULL : q;
	}
	if (new_size < SCRATCH_MAPPED)
		return realloc(p, new_size);
	q = jit_mem_scratch(new_size);
	if (q) {
		memcpy(q, p, size);
		free(p);
	}
	return q;
}

void jit_mem_scratch_free(void *p, size_t size)
{
	if (size < SCRATCH_MAPPED)
		free(p);
	else if (p)
		munmap(p, page_round(size));
}
