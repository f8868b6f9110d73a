/* The ARRAY map's layout, shared with the JIT, which inlines lookups
 * (index < max_entries ? values + index * elem_size : NULL) as the kernel
 * does. */
#ifndef BPFVM_MAPS_ARRAY_H
#define BPFVM_MAPS_ARRAY_H

#include "maps/map_priv.h"

struct array_map {
	struct bpfvm_map map;
	uint32_t elem_size;	/* value_size rounded up to 8 */
	uint8_t *values;	/* max_entries * elem_size bytes, zeroed */
};

#endif
