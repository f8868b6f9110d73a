/* Deferred release of maps a program may still be using: what RCU does
 * for the kernel's map-in-map. A program that looked an inner map up
 * keeps using the pointer after user space replaced or deleted that slot;
 * the slot's reference is dropped only once every program run that could
 * have seen it has finished.
 *
 * Readers: code running programs brackets each run with
 * map_rcu_read_lock / map_rcu_read_unlock (nesting is fine; per thread).
 * Until the first map_rcu_read_lock in the process (or after a reader
 * failed to register for lack of memory), nothing is known about readers,
 * so retired maps are only released by map_retire_drain (the owner's
 * destruction) -- safe, but a map-in-map whose slots churn keeps its old
 * inner maps until then. The JIT's direct entry (bpfvm_prog_jit_fn)
 * brackets itself the same way when the program names a map-in-map or a
 * PROG_ARRAY (jit_direct.c); other programs reach no inner map. */
#ifndef BPFVM_MAPS_MAP_RCU_H
#define BPFVM_MAPS_MAP_RCU_H

#include <pthread.h>
#include <stdint.h>

#include "maps/map_priv.h"

void map_rcu_read_lock(void);
void map_rcu_read_unlock(void);

struct map_retired;

/* Maps waiting for a grace period; owned by one outer map. */
struct map_retire_list {
	pthread_mutex_t lock;
	struct map_retired *head;
};

void map_retire_init(struct map_retire_list *l);
/* Drop one reference to `map` once no program run that started before
 * this call is still going (the caller already unpublished it). */
void map_retire(struct map_retire_list *l, struct bpfvm_map *map);
/* Drop every pending reference now: the owner is being destroyed, so no
 * program can reach them through it any more. */
void map_retire_drain(struct map_retire_list *l);

#endif
