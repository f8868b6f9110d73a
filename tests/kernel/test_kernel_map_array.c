/* ARRAY, PERCPU_ARRAY and ARRAY_OF_MAPS against the kernel (mapdiff.h):
 * every create flag and attribute error path, thousands of random
 * operations per shape (all update flags, BPF_F_LOCK, batches, freeze,
 * read-only / write-only maps), and scripted edge cases. SKIP (77)
 * without bpf(). */
#include <limits.h>
#include <stdio.h>

#include "mapdiff.h"

#define OPTS(...) (&(struct mapdiff_opts){ .sz = sizeof(struct mapdiff_opts), \
					   __VA_ARGS__ })

static const enum bpf_map_type types[] = {
	BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY,
	BPF_MAP_TYPE_ARRAY_OF_MAPS,
};

static const struct mapdiff_spec inner_array = {
	.name = "inner", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
	.value_size = 8, .max_entries = 4,
};

static struct mapdiff_spec base(enum bpf_map_type t)
{
	struct mapdiff_spec s = { .name = "arr", .type = t, .key_size = 4,
				  .value_size = 8, .max_entries = 8 };

	if (t == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		s.value_size = 4;
		s.inner = &inner_array;
	}
	return s;
}

/* Each of the 32 create flags alone, and the attribute limits. */
static void create_paths(void)
{
	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct mapdiff_spec s = base(types[t]);

		for (int bit = 0; bit < 32; bit++) {
			s.map_flags = 1u << bit;
			mapdiff_create(&s);
		}
		s.map_flags = BPF_F_RDONLY | BPF_F_WRONLY;
		mapdiff_create(&s);
		s.map_flags = BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
		mapdiff_create(&s);
		s.map_flags = BPF_F_NUMA_NODE;
		s.numa_node = 0;
		mapdiff_create(&s);
		s.numa_node = 1;
		mapdiff_create(&s);
		s.numa_node = UINT32_MAX;
		mapdiff_create(&s);
		s.map_flags = 0;
		s.numa_node = 1; /* without BPF_F_NUMA_NODE */
		mapdiff_create(&s);
		s = base(types[t]);
		s.key_size = 8;
		mapdiff_create(&s);
		s.key_size = 0;
		mapdiff_create(&s);
		s = base(types[t]);
		s.value_size = 0;
		mapdiff_create(&s);
		s.value_size = 16;
		mapdiff_create(&s);
		s = base(types[t]);
		s.max_entries = 0;
		mapdiff_create(&s);
		s = base(types[t]);
		s.map_extra = 1;
		mapdiff_create(&s);
		s = base(types[t]);
		s.spin_lock = true;
		mapdiff_create(&s);
	}
}

static void size_limits(void)
{
	struct mapdiff_spec s = base(BPF_MAP_TYPE_ARRAY);

	s.value_size = (uint32_t)INT_MAX + 1;
	mapdiff_create(&s);
	s.value_size = UINT32_MAX;
	mapdiff_create(&s);
	s = base(BPF_MAP_TYPE_PERCPU_ARRAY);
	s.value_size = 32768;
	mapdiff_create(&s);
	s.value_size = 32761;
	mapdiff_create(&s);
	s.value_size = 32769;
	mapdiff_create(&s);
	s = base(BPF_MAP_TYPE_ARRAY);
	s.value_size = 1 << 20;
	s.max_entries = 2;
	mapdiff_create(&s);
}

/* Random operations over value sizes, sizes and flags. */
static void random_arrays(enum bpf_map_type t)
{
	static const uint32_t vsizes[] = { 1, 4, 8, 13, 64, 300 };
	static const uint32_t entries[] = { 1, 2, 7, 64 };
	static const uint32_t flags[] = {
		0, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_NUMA_NODE, BPF_F_MMAPABLE,
		BPF_F_INNER_MAP,
	};
	uint64_t seed = 100 * t;

	for (unsigned v = 0; v < 6; v++)
		for (unsigned e = 0; e < 4; e++) {
			struct mapdiff_spec s = base(t);

			s.value_size = vsizes[v];
			s.max_entries = entries[e];
			mapdiff_run(&s, OPTS(.seed = ++seed, .ops = 400,
					     .freeze = (v + e) % 3 == 0));
		}
	for (unsigned f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		struct mapdiff_spec s = base(t);

		s.map_flags = flags[f];
		s.value_size = 24;
		mapdiff_run(&s, OPTS(.seed = ++seed, .ops = 400,
				     .freeze = f % 2));
	}
}

/* bpf_spin_lock in ARRAY values: BPF_F_LOCK updates and lookups. */
static void spin_lock_arrays(void)
{
	static const uint32_t offs[] = { 0, 4, 8, 20 };

	for (unsigned i = 0; i < 4; i++) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_ARRAY);

		s.name = "locked";
		s.value_size = 24;
		s.spin_lock = true;
		s.spin_lock_off = offs[i];
		mapdiff_run(&s, OPTS(.seed = 7000 + i, .ops = 600));
	}
}

static void array_of_maps(void)
{
	struct mapdiff_spec in_dyn = inner_array, in_pcpu = inner_array;
	struct mapdiff_spec s = base(BPF_MAP_TYPE_ARRAY_OF_MAPS);

	in_dyn.map_flags = BPF_F_INNER_MAP;
	in_pcpu.type = BPF_MAP_TYPE_PERCPU_ARRAY;
	mapdiff_run(&s, OPTS(.seed = 11, .ops = 600, .freeze = true));
	s.inner = &in_dyn;
	mapdiff_run(&s, OPTS(.seed = 12, .ops = 400));
	s.inner = &in_pcpu;
	s.max_entries = 3;
	mapdiff_run(&s, OPTS(.seed = 13, .ops = 400));
	s.inner = &inner_array;
	s.map_flags = BPF_F_WRONLY;
	mapdiff_run(&s, OPTS(.seed = 14, .ops = 200));
	s.map_flags = BPF_F_RDONLY;
	mapdiff_run(&s, OPTS(.seed = 15, .ops = 200));
}

#define DO(d, ...) mapdiff_do(d, &(struct mapdiff_op){ __VA_ARGS__ }, NULL)

/* Sequences the random mix makes rare: freezing twice, writes after a
 * freeze, batches from the last index, flags on every path. */
static void scripted(void)
{
	struct mapdiff_spec s = base(BPF_MAP_TYPE_ARRAY);
	struct mapdiff *d;

	if (mapdiff_open(&s, NULL, &d) != 0)
		return;
	DO(d, .kind = MAPDIFF_UPDATE, .key = 7, .value = 1);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .key = -1, .count = 8);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .key = -1, .count = 100);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 7);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 8);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = UINT32_MAX);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 6, .value = 3, .count = 4);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 0, .value = 3, .count = 4,
	   .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 0, .count = 2,
	   .flags = BPF_F_LOCK);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .key = 0, .flags = 2);
	DO(d, .kind = MAPDIFF_POP);
	DO(d, .kind = MAPDIFF_PUSH, .value = 4);
	DO(d, .kind = MAPDIFF_PEEK);
	DO(d, .kind = MAPDIFF_FREEZE);
	DO(d, .kind = MAPDIFF_FREEZE);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 2);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 0, .count = 2);
	DO(d, .kind = MAPDIFF_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 7);
	DO(d, .kind = MAPDIFF_COMPARE_ALL);
	mapdiff_close(d);
}

int main(void)
{
	mapdiff_require_kernel();
	create_paths();
	size_limits();
	for (unsigned t = 0; t < 2; t++)
		random_arrays(types[t]);
	spin_lock_arrays();
	array_of_maps();
	scripted();
	return mapdiff_report();
}
