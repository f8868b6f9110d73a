/* PROG_ARRAY's side for programs (prog_array.c): the slots bpf_tail_call
 * reads, and the rule on which programs may share one array. */
#ifndef BPFVM_MAPS_PROG_ARRAY_H
#define BPFVM_MAPS_PROG_ARRAY_H

#include <stdint.h>
#include <bpfvm/env.h>
#include "maps/map_priv.h"

struct bpfvm_prog;

/* The programs in one PROG_ARRAY, and those that reference it, were all
 * created with the same env (opts.env; every program created without one
 * counts as the same default env): the first of them fixes it, as the
 * kernel's first program fixes the array's program type. 0, or -EINVAL
 * when `env_key` is another env. */
int map_prog_array_bind(struct bpfvm_map *map, const struct bpfvm_env *env_key);

/* The program in slot `index` with a new reference (core_prog_put it), or
 * NULL for an empty slot or an index past the end. */
struct bpfvm_prog *map_prog_array_get(struct bpfvm_map *map, uint32_t index);

#endif
