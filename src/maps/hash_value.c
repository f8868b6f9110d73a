/* Values in and out of hash elements with atomics (htab.h): a program
 * may touch the same value at any time, and the map's own copies must not
 * be data races. Stores release, loads acquire: the seqlock's order. A
 * bpf_spin_lock word in the value is left alone, as the kernel's
 * copy_map_value does. */
#include <string.h>

#include "maps/htab.h"

/* The largest naturally aligned piece (8, 4 or 1 bytes) at addr. */
static size_t htab_piece_size(uintptr_t addr, size_t len)
{
	if (!(addr & 7) && len >= 8)
		return 8;
	if (!(addr & 3) && len >= 4)
		return 4;
	return 1;
}

/* One piece, through a union so its bytes keep their order. */
union htab_piece {
	uint64_t u64;
	uint32_t u32;
	uint8_t u8;
};

static void htab_piece_store(void *p, const union htab_piece *w, size_t n)
{
	if (n == 8)
		__atomic_store_n((uint64_t *)p, w->u64, __ATOMIC_RELEASE);
	else if (n == 4)
		__atomic_store_n((uint32_t *)p, w->u32, __ATOMIC_RELEASE);
	else
		__atomic_store_n((uint8_t *)p, w->u8, __ATOMIC_RELEASE);
}

static void htab_piece_load(const void *p, union htab_piece *w, size_t n)
{
	if (n == 8)
		w->u64 = __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
	else if (n == 4)
		w->u32 = __atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE);
	else
		w->u8 = __atomic_load_n((const uint8_t *)p, __ATOMIC_ACQUIRE);
}

void htab_copy_in(void *dst, const void *src, size_t len)
{
	for (size_t n; len; len -= n) {
		union htab_piece w;

		n = htab_piece_size((uintptr_t)dst, len);
		memcpy(&w, src, n);
		htab_piece_store(dst, &w, n);
		dst = (uint8_t *)dst + n;
		src = (const uint8_t *)src + n;
	}
}

void htab_copy_out(void *dst, const void *src, size_t len)
{
	for (size_t n; len; len -= n) {
		union htab_piece w;

		n = htab_piece_size((uintptr_t)src, len);
		htab_piece_load(src, &w, n);
		memcpy(dst, &w, n);
		dst = (uint8_t *)dst + n;
		src = (const uint8_t *)src + n;
	}
}

static void htab_zero(void *dst, size_t len)
{
	static const uint64_t zeros[64];

	for (size_t n; len; len -= n, dst = (uint8_t *)dst + n) {
		n = len < sizeof(zeros) ? len : sizeof(zeros);
		htab_copy_in(dst, zeros, n);
	}
}

/* Copy value_size bytes but the lock word; `in`: into the element. */
static void htab_value_copy(const struct htab *h, void *dst, const void *src,
			    bool in)
{
	void (*copy)(void *, const void *, size_t) =
		in ? htab_copy_in : htab_copy_out;
	int32_t off = h->map.spin_lock_off;
	size_t skip;

	if (off < 0) {
		copy(dst, src, h->map.value_size);
		return;
	}
	skip = (size_t)off + 4;
	copy(dst, src, (size_t)off);
	copy((uint8_t *)dst + skip, (const uint8_t *)src + skip,
	     h->map.value_size - skip);
}

static uint32_t *htab_lock_word(const struct htab *h, const void *value)
{
	return (uint32_t *)((uint8_t *)value + h->map.spin_lock_off);
}

void htab_value_store(const struct htab *h, void *dst, const void *src,
		      bool locked)
{
	if (!locked) {
		htab_value_copy(h, dst, src, true);
		return;
	}
	map_spin_lock(htab_lock_word(h, dst));
	htab_value_copy(h, dst, src, true);
	map_spin_unlock(htab_lock_word(h, dst));
}

void htab_values_load(const struct htab *h, const struct htab_elem *e,
		      void *dst, uint64_t flags)
{
	const uint8_t *src = htab_value(h, e, 0);

	if (h->percpu) {
		htab_copy_out(dst, src, (size_t)h->ncopies * h->val_words * 8);
		return;
	}
	if (flags & BPF_F_LOCK)
		map_spin_lock(htab_lock_word(h, src));
	htab_value_copy(h, dst, src, false);
	if (flags & BPF_F_LOCK)
		map_spin_unlock(htab_lock_word(h, src));
	if (h->map.spin_lock_off >= 0) /* user space sees the lock as 0 */
		memset(htab_lock_word(h, dst), 0, 4);
}

static void *htab_my_value(const struct htab *h, const struct htab_elem *e)
{
	return htab_value(h, e, h->ncopies > 1 ? map_cpu_current() : 0);
}

void htab_values_write(const struct htab *h, struct htab_elem *e,
		       const void *src, bool all)
{
	if (all)
		htab_copy_in(htab_value(h, e, 0), src,
			     (size_t)h->ncopies * h->val_words * 8);
	else
		htab_value_store(h, htab_my_value(h, e), src, false);
}

void htab_values_init(const struct htab *h, struct htab_elem *e,
		      const void *src, bool all)
{
	if (!all)
		htab_zero(htab_value(h, e, 0),
			  (size_t)h->ncopies * h->val_words * 8);
	htab_values_write(h, e, src, all);
}
