/* Batch operations, one generic form for every type (the kernel's
 * generic_map_*_batch): the position between calls is the last key done,
 * so in_batch / out_batch hold key_size bytes. As in bpf(2): permissions
 * first, then whether the type has the operation (-ENOTSUPP), then the
 * element flags; *count is left alone by those errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "maps/map_priv.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

enum batch_op { B_LOOKUP = 1, B_LOOKUP_DEL = 2, B_UPDATE = 4, B_DELETE = 8 };

/* Which batch commands each type offers in the kernel. */
static unsigned batch_ops_of(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return B_LOOKUP | B_UPDATE;
	case BPF_MAP_TYPE_LPM_TRIE:
		return B_LOOKUP | B_UPDATE | B_DELETE;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return B_LOOKUP | B_LOOKUP_DEL | B_UPDATE | B_DELETE;
	default:
		return 0;
	}
}

static int batch_check(const struct bpfvm_map *map, enum batch_op op,
		       const struct bpfvm_map_batch_opts *opts,
		       uint64_t *elem_flags)
{
	int err = op == B_UPDATE || op == B_DELETE ? 0 : map_can_read(map);

	if (!err && op != B_LOOKUP)
		err = map_can_write(map);
	if (err)
		return err;
	if (!(batch_ops_of(map->type) & op))
		return -ENOTSUPP;
	*elem_flags = OPTS_GET(opts, elem_flags, 0);
	if ((*elem_flags & ~(uint64_t)BPF_F_LOCK) || OPTS_GET(opts, flags, 0))
		return -EINVAL;
	if ((*elem_flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	return 0;
}

/* One element: lookup, or lookup-and-delete for the _and_delete form. */
typedef int (*batch_read_fn)(struct bpfvm_map *map, const void *key,
			     void *value, uint64_t flags);

/* An element whose read says -ENOENT (deleted meanwhile, an empty
 * map-in-map slot) is skipped: the walk goes on from its key. */
static int batch_read(struct bpfvm_map *map, const void *in_batch,
		      void *out_batch, uint8_t *keys, uint8_t *values,
		      uint32_t *count, const struct bpfvm_map_batch_opts *opts,
		      enum batch_op op, batch_read_fn read)
{
	size_t vsize = bpfvm_map_user_value_size(map);
	uint32_t max = *count, done = 0;
	uint64_t elem_flags;
	const void *from = NULL;
	uint8_t *prev;
	int err = batch_check(map, op, opts, &elem_flags);

	if (err || !max)
		return err;
	*count = 0;
	if (!keys || !values || !out_batch)
		return -EINVAL;
	prev = malloc(map->key_size);
	if (!prev)
		return -ENOMEM;
	if (in_batch)
		from = memcpy(prev, in_batch, map->key_size);
	while (done < max) {
		uint8_t *key = keys + (size_t)done * map->key_size;

		err = map->ops->get_next_key(map, from, key);
		if (err)
			break;
		from = memcpy(prev, key, map->key_size);
		err = read(map, key, values + (size_t)done * vsize, elem_flags);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		done++;
	}
	if (done) /* the last key visited, skipped ones included */
		memcpy(out_batch, prev, map->key_size);
	free(prev);
	*count = done;
	return err;
}

int bpfvm_map_lookup_batch(struct bpfvm_map *map, const void *in_batch,
			   void *out_batch, void *keys, void *values,
			   uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts)
{
	if (!count)
		return -EINVAL;
	return batch_read(map, in_batch, out_batch, keys, values, count, opts,
			  B_LOOKUP, bpfvm_map_lookup);
}

int bpfvm_map_lookup_and_delete_batch(struct bpfvm_map *map,
				      const void *in_batch, void *out_batch,
				      void *keys, void *values,
				      uint32_t *count,
				      const struct bpfvm_map_batch_opts *opts)
{
	if (!count)
		return -EINVAL;
	return batch_read(map, in_batch, out_batch, keys, values, count, opts,
			  B_LOOKUP_DEL, bpfvm_map_lookup_and_delete);
}

int bpfvm_map_update_batch(struct bpfvm_map *map, const void *keys,
			   const void *values, uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts)
{
	size_t vsize;
	uint64_t elem_flags;
	uint32_t max, i;
	int err;

	if (!count)
		return -EINVAL;
	vsize = bpfvm_map_user_value_size(map);
	max = *count;
	err = batch_check(map, B_UPDATE, opts, &elem_flags);
	if (err || !max)
		return err;
	*count = 0;
	if (!keys || !values)
		return -EINVAL;
	for (i = 0; i < max && !err; i++)
		err = bpfvm_map_update(map, (const uint8_t *)keys +
						    (size_t)i * map->key_size,
				       (const uint8_t *)values + (size_t)i * vsize,
				       elem_flags);
	*count = err ? i - 1 : i;
	return err;
}

int bpfvm_map_delete_batch(struct bpfvm_map *map, const void *keys,
			   uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts)
{
	uint64_t elem_flags;
	uint32_t max, i;
	int err;

	if (!count)
		return -EINVAL;
	max = *count;
	err = batch_check(map, B_DELETE, opts, &elem_flags);
	if (err || !max)
		return err;
	*count = 0;
	if (!keys)
		return -EINVAL;
	for (i = 0; i < max && !err; i++)
		err = bpfvm_map_delete(map, (const uint8_t *)keys +
						    (size_t)i * map->key_size);
	*count = err ? i - 1 : i;
	return err;
}
