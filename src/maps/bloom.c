/* BPF_MAP_TYPE_BLOOM_FILTER: keyless; push adds a value, peek answers
 * "maybe present" (0) or "definitely absent" (-ENOENT). Sized and hashed
 * as the kernel does (a power-of-two bit array of about n * k / ln 2 bits,
 * jhash2 for values whose size is a multiple of 4, jhash otherwise, seed +
 * i for hash i), so false-positive rates match the kernel's; with
 * BPF_F_ZERO_SEED the bits are the kernel's exactly. */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "maps/jhash.h"
#include "maps/keyless.h"
#include "maps/map_priv.h"

#define BLOOM_FLAGS                                                         \
	(BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_RDONLY | BPF_F_WRONLY |  \
	 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define BLOOM_VALUE_MAX (4u << 20) /* the kernel's KMALLOC_MAX_SIZE */
#define BLOOM_DEFAULT_HASHES 5

struct bloom_map {
	struct bpfvm_map map;
	uint32_t mask;		/* bits - 1 */
	uint32_t seed;
	uint32_t nhash;
	uint32_t words32;	/* value_size / 4 when a multiple of 4, else 0 */
	_Atomic uint64_t bits[];
};

static struct bloom_map *bloom_of(struct bpfvm_map *map)
{
	return (struct bloom_map *)map;
}

static int bloom_check(struct map_attr *a)
{
	if (a->value_size > BLOOM_VALUE_MAX)
		return -E2BIG;
	if (a->key_size || !a->value_size || !a->max_entries ||
	    (a->map_flags & ~(uint32_t)BLOOM_FLAGS) || (a->map_extra & ~0xfull))
		return -EINVAL;
	return 0;
}

/* The kernel's size: max_entries * hashes * 7 / 5 bits (7/5 ~ 1/ln 2),
 * at least 64, rounded up to a power of two; 2^32 bits when that does not
 * fit in 2^31 (or the products overflow 32 bits). Returns the mask. */
static uint32_t bloom_mask(uint32_t max_entries, uint32_t nhash)
{
	uint64_t n = (uint64_t)max_entries * nhash;
	uint64_t p = 64;

	if (n > UINT32_MAX || n / 5 * 7 > UINT32_MAX)
		return UINT32_MAX;
	n = n / 5 * 7;
	if (n > (1ull << 31))
		return UINT32_MAX;
	while (p < n)
		p <<= 1;
	return (uint32_t)(p - 1);
}

static uint32_t bloom_seed(uint32_t map_flags)
{
	uint32_t seed;

	if (map_flags & BPF_F_ZERO_SEED)
		return 0;
	if (getrandom(&seed, sizeof(seed), 0) == sizeof(seed))
		return seed;
	return (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)&seed;
}

static int bloom_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	uint32_t nhash = a->map_extra ? (uint32_t)a->map_extra
				      : BLOOM_DEFAULT_HASHES;
	uint32_t mask = bloom_mask(a->max_entries, nhash);
	size_t words = ((size_t)mask + 1 + 63) / 64;
	struct bloom_map *b = calloc(1, sizeof(*b) + words * 8);

	if (!b)
		return -ENOMEM;
	b->mask = mask;
	b->nhash = nhash;
	b->seed = bloom_seed(a->map_flags);
	b->words32 = a->value_size % 4 ? 0 : a->value_size / 4;
	*out = &b->map;
	return 0;
}

static void bloom_free(struct bpfvm_map *map)
{
	free(map);
}

static uint32_t bloom_bit(const struct bloom_map *b, const void *value,
			  uint32_t i)
{
	uint32_t h = b->words32 ? jhash2(value, b->words32, b->seed + i)
				: jhash(value, b->map.value_size, b->seed + i);

	return h & b->mask;
}

static long bloom_push(struct bpfvm_map *map, const void *value,
		       uint64_t flags)
{
	struct bloom_map *b = bloom_of(map);

	if (flags != BPF_ANY)
		return -EINVAL;
	for (uint32_t i = 0; i < b->nhash; i++) {
		uint32_t h = bloom_bit(b, value, i);

		atomic_fetch_or_explicit(&b->bits[h / 64], 1ull << (h % 64),
					 memory_order_relaxed);
	}
	return 0;
}

static long bloom_peek(struct bpfvm_map *map, void *value)
{
	struct bloom_map *b = bloom_of(map);

	for (uint32_t i = 0; i < b->nhash; i++) {
		uint32_t h = bloom_bit(b, value, i);
		uint64_t w = atomic_load_explicit(&b->bits[h / 64],
						  memory_order_relaxed);

		if (!(w >> (h % 64) & 1))
			return -ENOENT;
	}
	return 0;
}

/* The kernel's bloom filter answers these two with -EOPNOTSUPP. */
static long bloom_delete(struct bpfvm_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EOPNOTSUPP;
}

/* A key was refused before (map_sys.c). */
static int bloom_get_next_key(struct bpfvm_map *map, const void *key,
			      void *next_key)
{
	(void)map;
	(void)key;
	(void)next_key;
	return -EOPNOTSUPP;
}

/* No pop: BPF_MAP_LOOKUP_AND_DELETE_ELEM gets map_sys.c's -ENOTSUPP, as
 * from the kernel (whose pop op, -EOPNOTSUPP, the syscall never calls). */
const struct map_ops map_bloom_ops = {
	.check = bloom_check,
	.alloc = bloom_alloc,
	.free = bloom_free,
	.lookup = keyless_lookup,
	.update = keyless_update,
	.delete = bloom_delete,
	.push = bloom_push,
	.peek = bloom_peek,
	.get_next_key = bloom_get_next_key,
};
