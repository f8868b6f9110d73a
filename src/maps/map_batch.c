/* Batch operations, one generic form for every type (the kernel's
 * generic_map_*_batch): the position between calls is the last key done,
 * so in_batch / out_batch hold key_size bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/opts.h"
#include "maps/map_priv.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static int batch_flags(const struct bpfvm_map_batch_opts *opts,
		       uint64_t *elem_flags)
{
	*elem_flags = OPTS_GET(opts, elem_flags, 0);
	if ((*elem_flags & ~(uint64_t)BPF_F_LOCK) || OPTS_GET(opts, flags, 0))
		return -EINVAL;
	return 0;
}

/* One element: lookup, or lookup-and-delete for the _and_delete form. */
typedef int (*batch_read_fn)(struct bpfvm_map *map, const void *key,
			     void *value, uint64_t flags);

static int batch_read(struct bpfvm_map *map, const void *in_batch,
		      void *out_batch, uint8_t *keys, uint8_t *values,
		      uint32_t *count, const struct bpfvm_map_batch_opts *opts,
		      batch_read_fn read)
{
	size_t vsize = bpfvm_map_user_value_size(map);
	uint32_t max = *count, done = 0;
	uint64_t elem_flags;
	const void *prev = in_batch;
	int err = batch_flags(opts, &elem_flags);

	*count = 0;
	if (err || !max)
		return err;
	if (!keys || !values || !out_batch)
		return -EINVAL;
	while (done < max) {
		uint8_t *key = keys + (size_t)done * map->key_size;

		err = bpfvm_map_get_next_key(map, prev, key);
		if (err)
			break;
		err = read(map, key, values + (size_t)done * vsize, elem_flags);
		if (err == -ENOENT)
			continue; /* deleted meanwhile: try the next one */
		if (err)
			break;
		prev = key;
		done++;
	}
	if (done)
		memcpy(out_batch, keys + (size_t)(done - 1) * map->key_size,
		       map->key_size);
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
			  bpfvm_map_lookup);
}

int bpfvm_map_lookup_and_delete_batch(struct bpfvm_map *map,
				      const void *in_batch, void *out_batch,
				      void *keys, void *values,
				      uint32_t *count,
				      const struct bpfvm_map_batch_opts *opts)
{
	if (!count)
		return -EINVAL;
	if (!map->ops->sys_lookup_and_delete) {
		*count = 0;
		return -ENOTSUPP;
	}
	return batch_read(map, in_batch, out_batch, keys, values, count, opts,
			  bpfvm_map_lookup_and_delete);
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
	*count = 0;
	err = batch_flags(opts, &elem_flags);
	if (err || !max)
		return err;
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
	*count = 0;
	err = batch_flags(opts, &elem_flags);
	if (err || !max)
		return err;
	if (!keys)
		return -EINVAL;
	for (i = 0; i < max && !err; i++)
		err = bpfvm_map_delete(map, (const uint8_t *)keys +
						    (size_t)i * map->key_size);
	*count = err ? i - 1 : i;
	return err;
}
