/* Values in and out of hash elements with atomics (htab.h): a program
 * may touch the same value at any time, and the map's own copies must not
 * be data races. Stores release, loads acquire: the seqlock's order. A bpf_spin_lock word in the value is left alone,
 * as the kernel's copy_map_value does. */
#include <string.h>

#include "maps/htab.h"

/* The largest naturally aligned piece (8, 4 or 1 bytes) at addr. */
static size_t htab_piece(uintptr_t addr, size_t len)
{
	if (!(addr & 7) && len >= 8)
		return 8;
	if (!(addr & 3) && len >= 4)
		return 4;
	return 1;
}

void htab_copy_in(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (len) {
		size_t n = htab_piece((uintptr_t)d, len);
		uint64_t v8;
		uint32_t v4;

		if (n == 8) {
			memcpy(&v8, s, 8);
			__atomic_store_n((uint64_t *)d, v8, __ATOMIC_RELEASE);
		} else if (n == 4) {
			memcpy(&v4, s, 4);
			__atomic_store_n((uint32_t *)d, v4, __ATOMIC_RELEASE);
		} else {
			__atomic_store_n(d, *s, __ATOMIC_RELEASE);
		}
		d += n;
		s += n;
		len -= n;
	}
}

void htab_copy_out(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (len) {
		size_t n = htab_piece((uintptr_t)s, len);
		uint64_t v8;
		uint32_t v4;

		if (n == 8) {
			v8 = __atomic_load_n((const uint64_t *)s,
					     __ATOMIC_ACQUIRE);
			memcpy(d, &v8, 8);
		} else if (n == 4) {
			v4 = __atomic_load_n((const uint32_t *)s,
					     __ATOMIC_ACQUIRE);
			memcpy(d, &v4, 4);
		} else {
			*d = __atomic_load_n(s, __ATOMIC_ACQUIRE);
		}
		d += n;
		s += n;
		len -= n;
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

void htab_values_store_all(const struct htab *h, struct htab_elem *e,
			   const void *src)
{
	htab_copy_in(htab_value(h, e, 0), src,
		     (size_t)h->ncopies * h->val_words * 8);
}

void htab_values_init(const struct htab *h, struct htab_elem *e,
		      const void *src, bool all)
{
	if (all) {
		htab_values_store_all(h, e, src);
		return;
	}
	htab_zero(htab_value(h, e, 0), (size_t)h->ncopies * h->val_words * 8);
	htab_copy_in(htab_value(h, e, h->ncopies > 1 ? map_cpu_current() : 0),
		     src, h->map.value_size);
}
