/* Executable memory: anonymous pages, written while read+write, then
 * sealed read+execute. Never writable and executable at once; one mapping
 * per image. Placed near the C functions the code calls when possible, so
 * those calls are direct rel32 calls. A large image's mapping, once freed,
 * is kept (inaccessible) for the next compile: faulting its pages in
 * again and clearing them is a tenth of a compile's time.
 *
 * Large images go on transparent huge pages where the kernel allows
 * them (the tail past the last whole one stays in 4 KiB pages): a 4 KiB
 * page costs a fault (or a MAP_POPULATE step) each, ~1.5 ms for a 4 MiB
 * image, a 2 MiB page one fault for 512 of them. */
#include <errno.h>
#include <pthread.h>
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

/* size bytes at hint (0: anywhere), huge-page aligned when huge; else
 * with MAP_POPULATE (one call instead of a fault per page). */
static void *map_at(size_t size, uint64_t hint, bool huge)
{
	size_t extra = huge ? HUGE_SIZE : 0;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (huge ? 0 : MAP_POPULATE);
	uint8_t *p = mmap((void *)(uintptr_t)hint, size + extra,
			  PROT_READ | PROT_WRITE, flags, -1, 0);
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

static pthread_mutex_t keep_lock = PTHREAD_MUTEX_INITIALIZER;

/* Freed images' mappings (PROT_NONE), for the next compiles: those of at
 * least KEEP_IMG_MIN bytes, the largest few. */
#define KEEP_IMG_MIN (1u << 20)
#define KEEP_IMG 2

static struct kept_map {
	void *p;
	size_t size;
} kept_img[KEEP_IMG];

/* A kept mapping of size bytes or a little more, that reaches [lo, hi]
 * (read+write again), or NULL. */
static void *take_image(size_t size, size_t *map_size, uint64_t lo,
			uint64_t hi)
{
	struct kept_map m = { NULL, 0 };

	if (size < KEEP_IMG_MIN)
		return NULL;
	pthread_mutex_lock(&keep_lock);
	for (int k = 0; k < KEEP_IMG && !m.p; k++) {
		struct kept_map *c = &kept_img[k];

		if (c->p && c->size >= size && c->size - size <= size / 2 &&
		    reaches((uintptr_t)c->p, c->size, lo, hi)) {
			m = *c;
			*c = (struct kept_map){ NULL, 0 };
		}
	}
	pthread_mutex_unlock(&keep_lock);
	if (!m.p)
		return NULL;
	if (mprotect(m.p, m.size, PROT_READ | PROT_WRITE)) {
		munmap(m.p, m.size);
		return NULL;
	}
	*map_size = m.size;
	return m.p;
}

/* Keep a freed image's mapping, or unmap it (or a smaller kept one). */
static void keep_image(void *mem, size_t size)
{
	struct kept_map drop = { mem, size };

	if (size >= KEEP_IMG_MIN && !mprotect(mem, size, PROT_NONE)) {
		pthread_mutex_lock(&keep_lock);
		for (int k = 0; k < KEEP_IMG && drop.p; k++) {
			if (!kept_img[k].p || kept_img[k].size < drop.size) {
				struct kept_map t = kept_img[k];

				kept_img[k] = drop;
				drop = t;
			}
		}
		pthread_mutex_unlock(&keep_lock);
	}
	if (drop.p)
		munmap(drop.p, drop.size);
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
	/* No callee: near this library's code, and so likely its caller's
	 * (AMD Zen 3 predicts a call and its return ~1 ns slower when the
	 * target's high address bits differ from the caller's). */
	if (near_lo > near_hi)
		near_lo = near_hi = (uintptr_t)jit_mem_alloc;
	p = take_image(size, map_size, near_lo, near_hi);
	if (p)
		return p;
	if (near_lo <= near_hi && near_lo > size + gap + HUGE_SIZE) {
		hints[0] = (near_lo - size - gap - HUGE_SIZE) & pg_mask;
		hints[1] = (near_hi + gap) & pg_mask;
	}
	for (int k = 0; k < 2 && hints[k]; k++) {
		p = map_at(size, hints[k], huge);
		if (p && reaches((uintptr_t)p, size, near_lo, near_hi))
			return p;
		if (p)
			munmap(p, size);
	}
	return map_at(size, 0, huge);
}

int jit_mem_seal(void *mem, size_t map_size)
{
	if (mprotect(mem, map_size, PROT_READ | PROT_EXEC))
		return -errno;
	return 0;
}

void jit_mem_free(void *mem, size_t map_size)
{
	keep_image(mem, map_size);
}


/* Scratch memory for a compile (per insn arrays, code buffers): malloc'ed
 * when small. Large blocks are mappings on huge pages, and the last few
 * freed are kept for the next compiles: a page a compile writes costs more
 * to fault in and clear than to fill, so reusing one that is mapped
 * already is what makes back-to-back compiles fast. A kept block's pages
 * are MADV_FREE: the kernel takes them back when it needs memory (then
 * they come back zeroed, which is fine: scratch is never zeroed). */
#define SCRATCH_MAPPED (1u << 20)
#define SCRATCH_KEEP 4
#define HDR 64 /* the block's size, in front of what callers see */

static void *kept[SCRATCH_KEEP];

static size_t block_size(const void *user)
{
	return *(const size_t *)((const uint8_t *)user - HDR);
}

/* The smallest kept block of at least size bytes (header included). */
static void *take_kept(size_t size)
{
	void *best = NULL;
	int at = -1;

	pthread_mutex_lock(&keep_lock);
	for (int k = 0; k < SCRATCH_KEEP; k++) {
		size_t s = kept[k] ? *(size_t *)kept[k] : 0;

		if (s >= size && (!best || s < *(size_t *)best)) {
			best = kept[k];
			at = k;
		}
	}
	if (at >= 0)
		kept[at] = NULL;
	pthread_mutex_unlock(&keep_lock);
	return best;
}

/* Keep a block, or unmap it (or the smallest kept) when all slots are
 * full. */
static void keep(void *b)
{
	void *drop = b;

	madvise(b, *(size_t *)b, MADV_FREE);
	pthread_mutex_lock(&keep_lock);
	for (int k = 0; k < SCRATCH_KEEP && drop; k++) {
		if (!kept[k] || *(size_t *)kept[k] < *(size_t *)drop) {
			void *t = kept[k];

			kept[k] = drop;
			drop = t;
		}
	}
	pthread_mutex_unlock(&keep_lock);
	if (drop)
		munmap(drop, *(size_t *)drop);
}

void *jit_mem_scratch(size_t size)
{
	uint8_t *b;

	size += HDR;
	if (size < SCRATCH_MAPPED) {
		b = malloc(size);
		if (b)
			*(size_t *)b = 0;
		return b ? b + HDR : NULL;
	}
	b = take_kept(size);
	if (!b) {
		size = page_round(size);
		b = map_at(size, 0, size >= HUGE_SIZE);
		if (!b)
			return NULL;
		*(size_t *)b = size;
	}
	return b + HDR;
}

void jit_mem_scratch_free(void *user)
{
	uint8_t *b = user ? (uint8_t *)user - HDR : NULL;

	if (!b)
		return;
	if (!*(size_t *)b)
		free(b);
	else
		keep(b);
}

void *jit_mem_scratch_grow(void *user, size_t size, size_t new_size)
{
	uint8_t *q;

	if (user && !block_size(user) && new_size + HDR < SCRATCH_MAPPED) {
		q = realloc((uint8_t *)user - HDR, new_size + HDR);
		return q ? q + HDR : NULL;
	}
	q = jit_mem_scratch(new_size);
	if (q && user) {
		memcpy(q, user, size);
		jit_mem_scratch_free(user);
	}
	return q;
}
