/* Map-in-map (ARRAY_OF_MAPS, HASH_OF_MAPS): the inner map template the
 * outer map is created with, and the check every inner map must pass
 * (the kernel's bpf_map_meta_alloc / map_meta_equal). */
#ifndef BPFVM_MAPS_MAP_IN_MAP_H
#define BPFVM_MAPS_MAP_IN_MAP_H

#include "maps/map_priv.h"

/* What the template fixes; a copy, so the template may go afterwards. */
struct map_inner_meta {
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t map_flags;
	uint32_t max_entries;
	int32_t spin_lock_off;
};

/* The outer map's checks in the kernel's order: value_size 4 (a map
 * id) and no BPF_F_RDONLY_PROG / WRONLY_PROG (-EINVAL), then the outer
 * type's own (outer_check), then a template that exists and is not
 * map-in-map itself (-EINVAL) nor a PROG_ARRAY (-ENOTSUPP). */
int map_in_map_check(struct map_attr *attr,
		     int (*outer_check)(struct map_attr *));
void map_inner_meta_init(struct map_inner_meta *meta,
			 const struct bpfvm_map *tmpl);

/* The map a user-space value names (4-byte id) with a new reference:
 * -EBADF when no map has that id, -EINVAL when it does not fit the
 * template (type, sizes, flags, lock; max_entries too for an ARRAY
 * template without BPF_F_INNER_MAP). */
int map_inner_get(const struct map_inner_meta *meta, const void *value,
		  struct bpfvm_map **out);

/* Checked runs: call fn on each inner map the outer map holds now (a
 * slot emptied or replaced during a run is not visited, though the map
 * lives on until the run ends), stopping at the first nonzero answer,
 * which it returns; 0 for a map that is not a map-in-map. Each type's
 * walk: aom_walk (array_of_maps.c), hom_walk (hash_of_maps.c). */
typedef int (*map_inner_fn)(const struct bpfvm_map *inner, void *ctx);
int map_inner_walk(const struct bpfvm_map *outer, map_inner_fn fn, void *ctx);
int aom_walk(const struct bpfvm_map *outer, map_inner_fn fn, void *ctx);
int hom_walk(const struct bpfvm_map *outer, map_inner_fn fn, void *ctx);
/* map_ops value_access of both outer types: a value of an inner map. */
int map_in_map_value_access(const struct bpfvm_map *outer, uint64_t addr,
			    unsigned size, bool write);

#endif
