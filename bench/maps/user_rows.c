/* Rows for the user-space map API: bpfvm_map_* against bpf(2)'s
 * BPF_MAP_*_ELEM on maps of the same shape. Keys cycle through the
 * filled ones so every operation hits. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpfvm/map.h>

#include "bench_maps.h"
#include "kmap.h"

#define ENTRIES 1024u

int map_bench_twin(int type, uint32_t key_size, uint32_t value_size,
		   uint32_t max_entries, uint32_t map_flags,
		   struct bpfvm_map **vm, int *kfd)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = map_flags };
	int err = bpfvm_map_create(type, key_size, value_size, max_entries,
				   &o, vm);

	if (err || !kfd)
		return err;
	*kfd = kmap_create(&(struct kmap_attr){
		.type = type, .key_size = key_size, .value_size = value_size,
		.max_entries = max_entries, .map_flags = map_flags });
	return 0;
}

int map_bench_pair(struct map_bench_ctx *c, int type, uint32_t key_size,
		   uint32_t value_size, uint32_t max_entries, uint32_t fill)
{
	size_t vsize;
	uint8_t *value;
	int err = map_bench_twin(type, key_size, value_size, max_entries, 0,
				 &c->vm, c->kernel ? &c->kfd : NULL);

	if (err)
		return err;
	if (c->kfd < 0)
		c->kernel = false; /* that row's kernel column: SKIP */
	vsize = bpfvm_map_user_value_size(c->vm);
	value = calloc(1, vsize);
	if (!value)
		return -ENOMEM;
	for (uint64_t k = 0; k < fill && !err; k++) {
		err = bpfvm_map_update(c->vm, &k, value, BPF_ANY);
		if (!err && c->kernel)
			err = kmap_update(c->kfd, &k, value, BPF_ANY);
	}
	free(value);
	return err;
}

void map_bench_pair_free(struct map_bench_ctx *c)
{
	bpfvm_map_free(c->vm);
	if (c->kfd >= 0)
		close(c->kfd);
	free(c->priv);
}

/* A value buffer big enough for the map's user-space values. */
static int with_buffer(struct map_bench_ctx *c)
{
	c->priv = calloc(1, bpfvm_map_user_value_size(c->vm));
	return c->priv ? 0 : -ENOMEM;
}

static int setup_array(struct map_bench_ctx *c)
{
	int err = map_bench_pair(c, BPF_MAP_TYPE_ARRAY, 4, 8, ENTRIES, 0);

	return err ? err : with_buffer(c);
}

static int setup_percpu(struct map_bench_ctx *c)
{
	int err = map_bench_pair(c, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, ENTRIES,
				 0);

	return err ? err : with_buffer(c);
}

static int setup_hash(struct map_bench_ctx *c)
{
	int err = map_bench_pair(c, BPF_MAP_TYPE_HASH, 8, 8, ENTRIES, ENTRIES);

	return err ? err : with_buffer(c);
}

/* Keys: u64 counters; on little-endian their first 4 bytes are the u32
 * key of the array rows. */
#define LOOP(call)                                                            \
	do {                                                                  \
		for (uint64_t i = 0; i < n; i++) {                            \
			uint64_t key = i % ENTRIES;                           \
			int err_ = (call);                                    \
			if (err_)                                             \
				return err_;                                  \
		}                                                             \
		return 0;                                                     \
	} while (0)

static int vm_lookup(struct map_bench_ctx *c, uint64_t n)
{
	LOOP(bpfvm_map_lookup(c->vm, &key, c->priv, 0));
}

static int k_lookup(struct map_bench_ctx *c, uint64_t n)
{
	LOOP(kmap_lookup(c->kfd, &key, c->priv, 0));
}

static int vm_update(struct map_bench_ctx *c, uint64_t n)
{
	LOOP(bpfvm_map_update(c->vm, &key, c->priv, BPF_ANY));
}

static int k_update(struct map_bench_ctx *c, uint64_t n)
{
	LOOP(kmap_update(c->kfd, &key, c->priv, BPF_ANY));
}

/* The walk's end (-ENOENT after the last key) is not an error here. */
static int not_end(int err)
{
	return err == -ENOENT ? 0 : err;
}

static int vm_next_key(struct map_bench_ctx *c, uint64_t n)
{
	uint64_t next;

	LOOP(not_end(bpfvm_map_get_next_key(c->vm, &key, &next)));
}

static int k_next_key(struct map_bench_ctx *c, uint64_t n)
{
	uint64_t next;

	LOOP(not_end(kmap_get_next_key(c->kfd, &key, &next)));
}

const struct map_bench_row map_bench_user_rows[] = {
	{ "array lookup (4B key, 8B value)", setup_array, vm_lookup, k_lookup,
	  map_bench_pair_free },
	{ "array update (4B key, 8B value)", setup_array, vm_update, k_update,
	  map_bench_pair_free },
	{ "percpu array lookup (8B x CPUs)", setup_percpu, vm_lookup, k_lookup,
	  map_bench_pair_free },
	{ "percpu array update (8B x CPUs)", setup_percpu, vm_update, k_update,
	  map_bench_pair_free },
	{ "hash lookup (8B key, 8B value)", setup_hash, vm_lookup, k_lookup,
	  map_bench_pair_free },
	{ "hash update (8B key, existing)", setup_hash, vm_update, k_update,
	  map_bench_pair_free },
	{ "hash get_next_key (8B key)", setup_hash, vm_next_key, k_next_key,
	  map_bench_pair_free },
	{ NULL },
};
