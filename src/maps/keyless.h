/* The keyed operations of keyless maps (queue, stack, bloom filter): the
 * kernel refuses them, programs use push / pop / peek instead. Types
 * whose kernel code answers otherwise (the bloom filter's delete and
 * get_next_key: -EOPNOTSUPP) define their own. */
#ifndef BPFVM_MAPS_KEYLESS_H
#define BPFVM_MAPS_KEYLESS_H

#include <errno.h>

#include "maps/map_priv.h"

static inline void *keyless_lookup(struct bpfvm_map *map, const void *key)
{
	(void)map;
	(void)key;
	return NULL;
}

static inline long keyless_update(struct bpfvm_map *map, const void *key,
				  const void *value, uint64_t flags)
{
	(void)map;
	(void)key;
	(void)value;
	(void)flags;
	return -EINVAL;
}

static inline long keyless_delete(struct bpfvm_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EINVAL;
}

static inline int keyless_get_next_key(struct bpfvm_map *map,
				       const void *key, void *next_key)
{
	(void)map;
	(void)key;
	(void)next_key;
	return -EINVAL;
}

#endif
