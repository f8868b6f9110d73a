/* LPM_TRIE, QUEUE, STACK and BLOOM_FILTER against the kernel (mapdiff.h):
 * create flags and attribute limits, random operations (LPM: longest-
 * prefix lookups, updates with every flag up to -ENOSPC, deletes of inner
 * and leaf nodes, get_next_key order compared exactly; queue/stack:
 * push/pop/peek with wrap-around and BPF_EXIST overwrites; bloom: no
 * false negatives on either side), scripted edge cases, and with
 * BPF_F_ZERO_SEED the bloom filter answering exactly as the kernel's
 * (same hashes, same bit-array size). SKIP (77) without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpfvm/map.h>

#include "kmap.h"
#include "mapdiff.h"

#define OPTS(...) (&(struct mapdiff_opts){ .sz = sizeof(struct mapdiff_opts), \
					   __VA_ARGS__ })
#define DO(d, ...) mapdiff_do(d, &(struct mapdiff_op){ __VA_ARGS__ }, NULL)

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	return x ^ (x >> 33);
}

/* LPM key idx: { prefixlen, data }. Groups of 4 indexes share their data
 * and groups of 32 its first half, so prefixes nest and split at every
 * depth; prefixlen runs 0..max + 1 (max + 1: the -EINVAL paths); odd
 * indexes keep bits past prefixlen (the kernel stores and returns them). */
static void lpm_key(uint32_t idx, void *key, uint32_t key_size, void *ctx)
{
	uint32_t ds = key_size - 4, max = ds * 8;
	uint32_t plen = (uint32_t)(mix(idx) % (max + 2));
	uint8_t *data = (uint8_t *)key + 4;

	(void)ctx;
	memcpy(key, &plen, 4);
	for (uint32_t i = 0; i < ds; i++) {
		uint64_t h = i < (ds + 1) / 2 ? mix(idx / 32 * 64 + i / 8)
					      : mix(idx / 4 * 64 + i / 8 + 1);

		data[i] = (uint8_t)(h >> (8 * (i % 8)));
	}
	for (uint32_t b = plen; !(idx & 1) && b < max; b++)
		data[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

static struct mapdiff_spec lpm(uint32_t data_size, uint32_t value_size,
			       uint32_t max_entries)
{
	struct mapdiff_spec s = { .name = "lpm", .type = BPF_MAP_TYPE_LPM_TRIE,
				  .key_size = 4 + data_size,
				  .value_size = value_size,
				  .max_entries = max_entries,
				  .map_flags = BPF_F_NO_PREALLOC,
				  .key_of = lpm_key };
	return s;
}

static struct mapdiff_spec keyless(enum bpf_map_type t, uint32_t value_size,
				   uint32_t max_entries)
{
	struct mapdiff_spec s = { .name = "keyless", .type = t,
				  .value_size = value_size,
				  .max_entries = max_entries };
	return s;
}

/* Each create flag alone (LPM: also with BPF_F_NO_PREALLOC), NUMA
 * nodes, map_extra, a spin lock, key / value / max_entries limits. */
static void create_paths(void)
{
	static const enum bpf_map_type types[] = {
		BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
		BPF_MAP_TYPE_BLOOM_FILTER,
	};

	for (unsigned t = 0; t < 4; t++) {
		struct mapdiff_spec b = t ? keyless(types[t], 8, 4) : lpm(4, 8, 4);
		struct mapdiff_spec s = b;

		for (int bit = 0; bit < 32; bit++) {
			s.map_flags = 1u << bit;
			mapdiff_create(&s);
			s.map_flags |= b.map_flags;
			mapdiff_create(&s);
		}
		s = b;
		s.map_flags |= BPF_F_NUMA_NODE;
		s.numa_node = 0;
		mapdiff_create(&s);
		s.numa_node = 1000;
		mapdiff_create(&s);
		s = b;
		s.map_flags |= BPF_F_RDONLY | BPF_F_WRONLY;
		mapdiff_create(&s);
		for (uint64_t extra = 0; extra < 18; extra++) {
			s = b;
			s.map_extra = extra;
			mapdiff_create(&s);
		}
		s.map_extra = 1ull << 32;
		mapdiff_create(&s);
		s = b;
		s.spin_lock = true;
		mapdiff_create(&s);
		s = b;
		s.max_entries = 0;
		mapdiff_create(&s);
		s.max_entries = UINT32_MAX; /* LPM, bloom: lazily sized */
		if (t != 1 && t != 2)
			mapdiff_create(&s);
		for (uint32_t k = 0; k < 10; k++) {
			s = b;
			s.key_size = k;
			mapdiff_create(&s);
		}
	}
}

static void size_limits(void)
{
	static const uint32_t lpm_keys[] = { 5, 6, 20, 259, 260, 261, 1000 };
	static const uint32_t lpm_vals[] = { 0, 1, 4194024, 4194025 };
	static const uint32_t qs_vals[] = { 0, 1, 4u << 20, (4u << 20) + 1,
					    UINT32_MAX };

	for (unsigned i = 0; i < 7; i++) {
		struct mapdiff_spec s = lpm(4, 8, 4);

		s.key_size = lpm_keys[i];
		mapdiff_create(&s);
	}
	for (unsigned i = 0; i < 4; i++) {
		struct mapdiff_spec s = lpm(4, lpm_vals[i], 4);

		mapdiff_create(&s);
	}
	for (unsigned i = 0; i < 5; i++) {
		struct mapdiff_spec q = keyless(BPF_MAP_TYPE_QUEUE, qs_vals[i], 2);
		struct mapdiff_spec b = keyless(BPF_MAP_TYPE_BLOOM_FILTER,
						qs_vals[i], 2);

		mapdiff_create(&q);
		b.key_size = 4; /* -E2BIG comes before the key check */
		mapdiff_create(&b);
	}
}

static void random_lpm(void)
{
	static const uint32_t dsizes[] = { 4, 16, 1, 3, 9 };
	static const uint32_t entries[] = { 1, 6, 40, 300 };
	static const uint32_t flags[] = { BPF_F_RDONLY, BPF_F_WRONLY,
					  BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG };
	uint64_t seed = 500;

	for (unsigned d = 0; d < 5; d++)
		for (unsigned e = 0; e < 4; e++) {
			struct mapdiff_spec s = lpm(dsizes[d], d % 2 ? 5 : 8,
						    entries[e]);

			mapdiff_run(&s, OPTS(.seed = ++seed, .ops = 1500,
					     .freeze = (d + e) % 4 == 0));
		}
	for (unsigned f = 0; f < 4; f++) {
		struct mapdiff_spec s = lpm(4, 8, 16);

		s.map_flags |= flags[f];
		mapdiff_run(&s, OPTS(.seed = ++seed, .ops = 300));
	}
	/* a big trie: deep, with the lookup table; order checked often */
	struct mapdiff_spec big = lpm(4, 8, 1500);

	mapdiff_run(&big, OPTS(.seed = 77, .ops = 5000, .key_space = 3000,
			       .check_every = 1000));
}

static void random_keyless(void)
{
	static const enum bpf_map_type types[] = { BPF_MAP_TYPE_QUEUE,
						   BPF_MAP_TYPE_STACK,
						   BPF_MAP_TYPE_BLOOM_FILTER };
	static const uint32_t vsizes[] = { 1, 4, 7, 8, 16, 100 };
	static const uint32_t entries[] = { 1, 2, 7, 64 };
	uint64_t seed = 900;

	for (unsigned t = 0; t < 3; t++)
		for (unsigned v = 0; v < 6; v++)
			for (unsigned e = 0; e < 4; e++) {
				struct mapdiff_spec s = keyless(types[t],
								vsizes[v],
								entries[e]);

				s.map_extra = t == 2 ? (v + e) % 16 : 0;
				mapdiff_run(&s, OPTS(.seed = ++seed, .ops = 500,
						     .value_space = 200,
						     .freeze = v == 3));
			}
}

/* The kernel's example trie, absent keys, keys too long, bits past the
 * prefix, an inner node's prefix, deletes down to empty. */
static void scripted_lpm(void)
{
	struct mapdiff_spec s = lpm(4, 8, 8);
	struct {
		uint32_t plen;
		uint8_t d[4];
	} k[] = {
		{ 16, { 192, 168, 0, 0 } },   { 24, { 192, 168, 0, 0 } },
		{ 24, { 192, 168, 128, 0 } }, { 24, { 192, 168, 1, 0 } },
		{ 23, { 192, 168, 0, 0 } },   { 33, { 192, 168, 0, 0 } },
		{ 24, { 192, 168, 1, 99 } },  { 32, { 192, 168, 1, 7 } },
		{ 0, { 1, 2, 3, 4 } },	      { 8, { 192, 7, 7, 7 } },
	};
	const int n = sizeof(k) / sizeof(k[0]);
	struct mapdiff *d;

	if (mapdiff_open(&s, NULL, &d) != 0)
		return;
	for (int i = 0; i < 4; i++)
		DO(d, .kind = MAPDIFF_UPDATE, .raw_key = &k[i], .value = i);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = -1);
	for (int i = 0; i < n; i++) {
		DO(d, .kind = MAPDIFF_NEXT_KEY, .raw_key = &k[i]);
		DO(d, .kind = MAPDIFF_LOOKUP, .raw_key = &k[i]);
	}
	DO(d, .kind = MAPDIFF_COMPARE_ALL);
	for (int i = 4; i < n; i++) {
		DO(d, .kind = MAPDIFF_UPDATE, .raw_key = &k[i], .value = i,
		   .flags = BPF_EXIST);
		DO(d, .kind = MAPDIFF_UPDATE, .raw_key = &k[i], .value = i,
		   .flags = BPF_NOEXIST);
		DO(d, .kind = MAPDIFF_UPDATE, .raw_key = &k[i], .value = i + 1,
		   .flags = BPF_NOEXIST);
		DO(d, .kind = MAPDIFF_COMPARE_ALL);
	}
	for (int i = 0; i < n; i++) {
		DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .raw_key = &k[i]);
		DO(d, .kind = MAPDIFF_DELETE, .raw_key = &k[i]);
		DO(d, .kind = MAPDIFF_DELETE, .raw_key = &k[i]);
		DO(d, .kind = MAPDIFF_COMPARE_ALL);
		DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .key = -1, .count = 3);
	}
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = -1);
	mapdiff_close(d);
}

static void scripted_keyless(enum bpf_map_type t)
{
	struct mapdiff_spec s = keyless(t, 4, 3);
	uint32_t one = 1;
	struct mapdiff *d;

	if (mapdiff_open(&s, NULL, &d) != 0)
		return;
	DO(d, .kind = MAPDIFF_POP);
	DO(d, .kind = MAPDIFF_PEEK);
	for (int i = 0; i < 5; i++)
		DO(d, .kind = MAPDIFF_PUSH, .value = i);
	for (uint64_t f = 0; f < 8; f++)
		DO(d, .kind = MAPDIFF_PUSH, .value = 10 + f, .flags = f);
	DO(d, .kind = MAPDIFF_POP, .flags = BPF_F_LOCK);
	DO(d, .kind = MAPDIFF_PEEK, .flags = BPF_F_LOCK);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = -1);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .raw_key = &one); /* no keys: -EINVAL */
	DO(d, .kind = MAPDIFF_DELETE, .key = -1);
	DO(d, .kind = MAPDIFF_LOOKUP, .raw_key = &one);
	DO(d, .kind = MAPDIFF_UPDATE, .raw_key = &one, .value = 1);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .raw_key = &one);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .key = -1, .count = 2);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE_BATCH, .key = -1, .count = 2);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 0, .count = 2);
	DO(d, .kind = MAPDIFF_DELETE_BATCH, .key = 0, .count = 2);
	for (int i = 0; i < 4; i++)
		DO(d, .kind = MAPDIFF_POP);
	DO(d, .kind = MAPDIFF_FREEZE);
	DO(d, .kind = MAPDIFF_PUSH, .value = 1);
	DO(d, .kind = MAPDIFF_POP);
	DO(d, .kind = MAPDIFF_PEEK);
	mapdiff_close(d);
}

/* Zero seed: the same jhash, seeds and bit-array size as the kernel, so
 * every peek must answer alike, false positives included. */
static int bloom_exact(uint32_t value_size, uint32_t max, uint64_t hashes)
{
	struct mapdiff_spec s = keyless(BPF_MAP_TYPE_BLOOM_FILTER, value_size,
					max);
	uint8_t v[64] = { 0 };
	uint32_t diff = 0, yes = 0, probes = 20000;
	struct mapdiff *d;
	int kfd;

	s.map_flags = BPF_F_ZERO_SEED;
	s.map_extra = hashes;
	if (mapdiff_open(&s, NULL, &d) != 0)
		return 1;
	kfd = mapdiff_kernel_fd(d);
	for (uint32_t i = 0; i < max; i++) {
		memcpy(v, &i, 4);
		kmap_update(kfd, NULL, v, 0);
		bpfvm_map_update(mapdiff_bpfvm(d), NULL, v, 0);
	}
	for (uint32_t i = 0; i < probes; i++) {
		int kr, vr;

		memcpy(v, &i, 4);
		v[value_size - 1] ^= (uint8_t)(i >> 12);
		kr = kmap_lookup(kfd, NULL, v, 0);
		vr = bpfvm_map_lookup(mapdiff_bpfvm(d), NULL, v, 0);
		diff += kr != vr;
		yes += kr == 0;
	}
	printf("bloom zero seed, value_size %u, %u values, %llu hashes: "
	       "%u of %u answers differ (kernel: %u maybe-present)\n",
	       value_size, max, (unsigned long long)hashes, diff, probes, yes);
	mapdiff_close(d);
	return diff != 0;
}

int main(void)
{
	int fails = 0;

	mapdiff_require_kernel();
	create_paths();
	size_limits();
	scripted_lpm();
	scripted_keyless(BPF_MAP_TYPE_QUEUE);
	scripted_keyless(BPF_MAP_TYPE_STACK);
	scripted_keyless(BPF_MAP_TYPE_BLOOM_FILTER);
	random_lpm();
	random_keyless();
	fails += bloom_exact(4, 1000, 0);	/* jhash2 */
	fails += bloom_exact(7, 1000, 3);	/* jhash */
	fails += bloom_exact(16, 5000, 1);
	fails += bloom_exact(13, 200, 15);
	if (fails)
		printf("bloom zero seed: %d case(s) differ\n", fails);
	return mapdiff_report() || fails;
}
