/* HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS against
 * the kernel (mapdiff.h): every create flag and attribute error path,
 * size limits, random operations over key / value sizes and flags
 * (update flags, full maps, lookup-and-delete, batches, freeze, read-only
 * and write-only maps, BPF_F_LOCK values), compared as key sets since the
 * orders differ; LRU maps as far as eviction choices allow (the driver
 * resyncs keys one side evicted, and checks counts against max_entries).
 * SKIP (77) without bpf(). */
#include <stdio.h>

#include "mapdiff.h"

#define OPTS(...) (&(struct mapdiff_opts){ .sz = sizeof(struct mapdiff_opts), \
					   __VA_ARGS__ })
#define DO(d, ...) mapdiff_do(d, &(struct mapdiff_op){ __VA_ARGS__ }, NULL)

static const enum bpf_map_type types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_HASH_OF_MAPS,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static const struct mapdiff_spec inner_hash = {
	.name = "inner", .type = BPF_MAP_TYPE_HASH, .key_size = 4,
	.value_size = 8, .max_entries = 4,
};

static bool is_lru(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static struct mapdiff_spec base(enum bpf_map_type t)
{
	struct mapdiff_spec s = { .name = "hash", .type = t, .key_size = 8,
				  .value_size = 8, .max_entries = 16 };

	if (t == BPF_MAP_TYPE_HASH_OF_MAPS) {
		s.key_size = 4;
		s.value_size = 4;
		s.inner = &inner_hash;
	}
	return s;
}

/* The kernel waits for an RCU grace period on every map-in-map write
 * (milliseconds), so HASH_OF_MAPS runs are kept short. */
static uint32_t ops_for(enum bpf_map_type t, uint32_t ops)
{
	return t == BPF_MAP_TYPE_HASH_OF_MAPS ? ops / 5 : ops;
}

static enum mapdiff_compare cmp_of(enum bpf_map_type t)
{
	return is_lru(t) ? MAPDIFF_CMP_LRU : MAPDIFF_CMP_UNORDERED;
}

/* HASH_OF_MAPS: every keyed op but lookup-and-delete batches, which the
 * generic batch code cannot do for it yet (it goes through the single
 * lookup-and-delete, -ENOTSUPP for map-in-map as in the kernel, while the
 * kernel's hash batch does it). 0: the driver's default mix. */
static uint32_t ops_of(enum bpf_map_type t)
{
	if (t != BPF_MAP_TYPE_HASH_OF_MAPS)
		return 0;
	return MAPDIFF_BIT(MAPDIFF_LOOKUP) | MAPDIFF_BIT(MAPDIFF_UPDATE) |
	       MAPDIFF_BIT(MAPDIFF_DELETE) | MAPDIFF_BIT(MAPDIFF_NEXT_KEY) |
	       MAPDIFF_BIT(MAPDIFF_LOOKUP_AND_DELETE) |
	       MAPDIFF_BIT(MAPDIFF_LOOKUP_BATCH) |
	       MAPDIFF_BIT(MAPDIFF_UPDATE_BATCH) |
	       MAPDIFF_BIT(MAPDIFF_DELETE_BATCH) |
	       MAPDIFF_BIT(MAPDIFF_COMPARE_ALL);
}

/* Each create flag alone and with the ones the type pairs it with. */
static void create_flags(const struct mapdiff_spec *b)
{
	static const uint32_t pairs[] = {
		BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU,
		BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE,
		BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED,
		BPF_F_RDONLY | BPF_F_WRONLY,
		BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG,
		BPF_F_RDONLY_PROG | BPF_F_NO_PREALLOC,
	};
	struct mapdiff_spec s = *b;

	for (int bit = 0; bit < 32; bit++) {
		s.map_flags = 1u << bit;
		mapdiff_create(&s);
	}
	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		s.map_flags = pairs[i];
		mapdiff_create(&s);
	}
	s.map_flags = BPF_F_NUMA_NODE;
	s.numa_node = 0;
	mapdiff_create(&s);
	s.numa_node = 1000;
	mapdiff_create(&s);
	s.map_flags = 0;
	s.numa_node = 1; /* without BPF_F_NUMA_NODE: ignored */
	mapdiff_create(&s);
}

/* Zero sizes, map_extra, a spin lock (HASH only takes one), max_entries
 * rounding of per-CPU LRU lists. */
static void create_attrs(const struct mapdiff_spec *b)
{
	struct mapdiff_spec s = *b;

	s.key_size = 0;
	mapdiff_create(&s);
	s = *b;
	s.value_size = 0;
	mapdiff_create(&s);
	s.value_size = 16;
	mapdiff_create(&s);
	s = *b;
	s.max_entries = 0;
	mapdiff_create(&s);
	s.max_entries = 1;
	mapdiff_create(&s);
	s.max_entries = 3;
	s.map_flags = BPF_F_NO_COMMON_LRU;
	mapdiff_create(&s);
	s = *b;
	s.map_extra = 1;
	mapdiff_create(&s);
	s = *b;
	s.spin_lock = true;
	s.value_size = 8;
	mapdiff_create(&s);
}

static void create_paths(void)
{
	for (unsigned t = 0; t < NTYPES; t++) {
		struct mapdiff_spec b = base(types[t]);

		create_flags(&b);
		create_attrs(&b);
	}
}

/* key + value < 4 MiB - 48; per-CPU values up to 32 KiB; max_entries up
 * to 1 << 31 (bigger: -E2BIG before any allocation). */
static void size_limits(void)
{
	static const uint32_t ksizes[] = { 1, 512, 513, (4u << 20) - 48 - 9,
					   (4u << 20) - 48 - 8 };
	static const uint32_t pvsizes[] = { 32761, 32768, 32769 };

	for (unsigned i = 0; i < sizeof(ksizes) / sizeof(ksizes[0]); i++) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_HASH);

		s.key_size = ksizes[i];
		s.max_entries = 1;
		s.map_flags = BPF_F_NO_PREALLOC;
		mapdiff_create(&s);
	}
	for (unsigned t = 0; t < 4; t++)
		for (unsigned i = 0; i < 3; i++) {
			struct mapdiff_spec s = base(types[t]);

			s.value_size = pvsizes[i];
			s.max_entries = 2;
			mapdiff_create(&s);
		}
	for (unsigned t = 0; t < NTYPES; t++) {
		struct mapdiff_spec s = base(types[t]);

		s.max_entries = (1u << 31) + 1;
		mapdiff_create(&s);
		s.max_entries = UINT32_MAX;
		mapdiff_create(&s);
	}
}

/* Random operations over shapes: key and value sizes, fullness. */
static void random_shapes(enum bpf_map_type t, uint64_t seed)
{
	static const uint32_t ksizes[] = { 4, 8, 1, 3, 12, 33 };
	static const uint32_t vsizes[] = { 8, 1, 4, 13, 64, 300 };
	static const uint32_t entries[] = { 1, 3, 16, 200 };

	for (unsigned k = 0; k < 6; k++)
		for (unsigned e = 0; e < 4; e++) {
			struct mapdiff_spec s = base(t);

			if (t == BPF_MAP_TYPE_HASH_OF_MAPS && (k > 2 || e % 2))
				continue;

			s.key_size = ksizes[k];
			if (t != BPF_MAP_TYPE_HASH_OF_MAPS)
				s.value_size = vsizes[(k + e) % 6];
			s.max_entries = entries[e];
			mapdiff_run(&s, OPTS(.seed = ++seed,
					     .ops = ops_for(t, 500),
					     .compare = cmp_of(t),
					     .op_mask = ops_of(t),
					     .freeze = (k + e) % 5 == 0));
		}
}

/* Random operations under each create flag the type accepts. */
static void random_flags(enum bpf_map_type t, uint64_t seed)
{
	static const uint32_t flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED, BPF_F_RDONLY,
		BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
		BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE,
	};

	for (unsigned f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		struct mapdiff_spec s = base(t);

		s.map_flags = flags[f];
		if (is_lru(t) == (flags[f] == BPF_F_NO_PREALLOC) ||
		    (!is_lru(t) && flags[f] == BPF_F_NO_COMMON_LRU))
			continue; /* refused alike: create_paths has them */
		if (flags[f] == BPF_F_NO_COMMON_LRU)
			s.max_entries = 64; /* room on every CPU's list */
		mapdiff_run(&s, OPTS(.seed = ++seed, .ops = ops_for(t, 400),
				     .compare = cmp_of(t), .op_mask = ops_of(t),
				     .freeze = f % 2));
	}
}

/* bpf_spin_lock in HASH values: BPF_F_LOCK updates, lookups and
 * lookup-and-deletes, with the lock at either end or inside a word, in
 * preallocated and growing maps. */
static void spin_lock_hash(void)
{
	static const struct {
		uint32_t value_size, off, flags;
	} shapes[] = {
		{ 24, 0, 0 }, { 24, 4, BPF_F_NO_PREALLOC }, { 12, 8, 0 },
		{ 40, 36, BPF_F_NO_PREALLOC }, { 4, 0, 0 },
	};

	for (unsigned i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_HASH);

		s.name = "locked";
		s.value_size = shapes[i].value_size;
		s.map_flags = shapes[i].flags;
		s.spin_lock = true;
		s.spin_lock_off = shapes[i].off;
		mapdiff_run(&s, OPTS(.seed = 7000 + i, .ops = 500,
				     .compare = MAPDIFF_CMP_UNORDERED));
	}
}

static void hash_of_maps(void)
{
	struct mapdiff_spec in_lru = inner_hash, in_arr = inner_hash;
	struct mapdiff_spec s = base(BPF_MAP_TYPE_HASH_OF_MAPS);

	in_lru.type = BPF_MAP_TYPE_LRU_HASH;
	in_arr.type = BPF_MAP_TYPE_ARRAY;
	s.inner = &in_lru;
	mapdiff_run(&s, OPTS(.seed = 21, .ops = 150,
			     .compare = MAPDIFF_CMP_UNORDERED,
			     .op_mask = ops_of(s.type)));
	s.inner = &in_arr;
	s.max_entries = 3;
	mapdiff_run(&s, OPTS(.seed = 22, .ops = 150,
			     .compare = MAPDIFF_CMP_UNORDERED,
			     .op_mask = ops_of(s.type), .freeze = true));
}

/* A full map: every flag on present and absent keys, deletes making room,
 * lookup-and-delete flags, get_next_key from an absent key, batches. */
static void scripted(enum bpf_map_type t)
{
	struct mapdiff_spec s = base(t);
	struct mapdiff *d;

	s.max_entries = 4;
	if (mapdiff_open(&s, OPTS(.compare = cmp_of(t)), &d) != 0)
		return;
	for (int k = 0; k < 6; k++)
		DO(d, .kind = MAPDIFF_UPDATE, .key = k, .value = k,
		   .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_COMPARE_ALL);
	for (uint64_t f = 0; f < 6; f++) {
		DO(d, .kind = MAPDIFF_UPDATE, .key = 2, .value = 9, .flags = f);
		DO(d, .kind = MAPDIFF_UPDATE, .key = 9, .value = 9, .flags = f);
		DO(d, .kind = MAPDIFF_LOOKUP, .key = 2, .flags = f);
		DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .key = 9, .flags = f);
	}
	DO(d, .kind = MAPDIFF_COMPARE_ALL);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 1000);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .key = 3);
	DO(d, .kind = MAPDIFF_DELETE, .key = 3);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 3, .value = 1, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 3, .value = 1);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .key = -1, .count = 3);
	if (!ops_of(t))
		DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE_BATCH, .key = -1,
		   .count = 2);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 20, .value = 1, .count = 3);
	DO(d, .kind = MAPDIFF_DELETE_BATCH, .key = 20, .count = 3);
	DO(d, .kind = MAPDIFF_COMPARE_ALL);
	DO(d, .kind = MAPDIFF_FREEZE);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 2);
	DO(d, .kind = MAPDIFF_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_COMPARE_ALL);
	mapdiff_close(d);
}

int main(void)
{
	mapdiff_require_kernel();
	create_paths();
	size_limits();
	for (unsigned t = 0; t < NTYPES; t++) {
		random_shapes(types[t], 1000 * (t + 1));
		random_flags(types[t], 1000 * (t + 1) + 500);
		scripted(types[t]);
	}
	spin_lock_hash();
	hash_of_maps();
	return mapdiff_report();
}
