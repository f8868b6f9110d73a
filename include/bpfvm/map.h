/* Maps: the kernel's map types with the kernel's semantics, shared by
 * programs (through helpers) and the host (through this API). Every call
 * returns 0 or a negative errno, the values bpf(2) would set: -ENOENT,
 * -EEXIST, -E2BIG (full), -EINVAL, -EPERM (frozen / read-only), -ENOMEM. */
#ifndef BPFVM_MAP_H
#define BPFVM_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_map;

struct bpfvm_map_opts {
	size_t sz;		/* sizeof(struct bpfvm_map_opts) */
	const char *name;	/* up to BPF_OBJ_NAME_LEN - 1 chars; may be NULL */
	uint32_t map_flags;	/* BPF_F_NO_PREALLOC, BPF_F_MMAPABLE, ... */
	uint32_t numa_node;	/* with BPF_F_NUMA_NODE; recorded only */
	uint64_t map_extra;	/* BLOOM_FILTER: number of hash functions */
	/* ARRAY_OF_MAPS / HASH_OF_MAPS: every inner map must match this
	 * one's type, key, value and (unless BPF_F_INNER_MAP) max_entries. */
	struct bpfvm_map *inner_map;
	/* A struct bpf_spin_lock in the value (BTF tells the loader), at
	 * spin_lock_off, when has_spin_lock is set: a zeroed opts (or one
	 * without these fields) declares no lock. */
	bool has_spin_lock;
	uint32_t spin_lock_off;
};

/* Create a map. -EINVAL names no field; the same attribute checks as
 * BPF_MAP_CREATE (sizes, flags the type accepts, max_entries). The
 * returned map holds one reference, dropped by bpfvm_map_free. */
int bpfvm_map_create(enum bpf_map_type type, uint32_t key_size,
		     uint32_t value_size, uint32_t max_entries,
		     const struct bpfvm_map_opts *opts, struct bpfvm_map **out);
/* Drop a reference; the map goes when programs and other maps holding it
 * have let go too. NULL is fine. */
void bpfvm_map_free(struct bpfvm_map *map);

/* Process-wide id (as the kernel's map ids); never 0. Programs name maps
 * by id in lddw BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE (bpfvm has no
 * file descriptors), and prog/map-in-map slots hold ids from user space. */
uint32_t bpfvm_map_id(const struct bpfvm_map *map);
/* A new reference to the map with this id, or NULL. */
struct bpfvm_map *bpfvm_map_get_by_id(uint32_t id);

enum bpf_map_type bpfvm_map_type(const struct bpfvm_map *map);
uint32_t bpfvm_map_key_size(const struct bpfvm_map *map);
uint32_t bpfvm_map_value_size(const struct bpfvm_map *map);
uint32_t bpfvm_map_max_entries(const struct bpfvm_map *map);
uint32_t bpfvm_map_flags(const struct bpfvm_map *map);
const char *bpfvm_map_name(const struct bpfvm_map *map);

/* Bytes a lookup writes to `value` from user space: value_size, or for
 * per-CPU maps bpfvm_num_possible_cpus() values each rounded up to 8. */
size_t bpfvm_map_user_value_size(const struct bpfvm_map *map);

/* The user-space operations of bpf(2). flags as the kernel's: BPF_ANY,
 * BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK. QUEUE/STACK: lookup = peek,
 * lookup_and_delete = pop, update = push (key NULL). PROG_ARRAY and map-in-
 * map values are 4-byte program / map ids. */
int bpfvm_map_lookup(struct bpfvm_map *map, const void *key, void *value,
		     uint64_t flags);
int bpfvm_map_update(struct bpfvm_map *map, const void *key,
		     const void *value, uint64_t flags);
int bpfvm_map_delete(struct bpfvm_map *map, const void *key);
int bpfvm_map_lookup_and_delete(struct bpfvm_map *map, const void *key,
				void *value, uint64_t flags);
/* key NULL (or not in the map, for hash types): the first key. -ENOENT
 * after the last. */
int bpfvm_map_get_next_key(struct bpfvm_map *map, const void *key,
			   void *next_key);
/* After freeze, user space may no longer write (-EPERM); programs still
 * may unless the map is BPF_F_RDONLY_PROG. */
int bpfvm_map_freeze(struct bpfvm_map *map);

/* Batch operations, as BPF_MAP_*_BATCH. in_batch NULL starts at the
 * beginning; out_batch receives the position to continue from (key_size
 * bytes). *count is in: room in keys/values, out: elements done. -ENOENT
 * when the end was reached (count may still be > 0). */
struct bpfvm_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
};

int bpfvm_map_lookup_batch(struct bpfvm_map *map, const void *in_batch,
			   void *out_batch, void *keys, void *values,
			   uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts);
int bpfvm_map_lookup_and_delete_batch(struct bpfvm_map *map,
				      const void *in_batch, void *out_batch,
				      void *keys, void *values,
				      uint32_t *count,
				      const struct bpfvm_map_batch_opts *opts);
int bpfvm_map_update_batch(struct bpfvm_map *map, const void *keys,
			   const void *values, uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts);
int bpfvm_map_delete_batch(struct bpfvm_map *map, const void *keys,
			   uint32_t *count,
			   const struct bpfvm_map_batch_opts *opts);

/* BPF_F_MMAPABLE arrays: the values, max_entries * round_up(value_size,
 * 8) bytes, shared with programs (what mmap() of the map fd gives). NULL
 * for other maps. */
void *bpfvm_map_mmap(struct bpfvm_map *map);

/* CPUs of per-CPU maps. Each thread that runs programs or touches per-CPU
 * maps is "on" one CPU slot: assigned round-robin on first use, or chosen
 * with bpfvm_thread_set_cpu. Threads sharing a slot share per-CPU values
 * (like two programs preempting each other; use atomics). */
unsigned bpfvm_num_possible_cpus(void);
unsigned bpfvm_thread_cpu(void);
/* -EINVAL for cpu >= bpfvm_num_possible_cpus(). */
int bpfvm_thread_set_cpu(unsigned cpu);

#ifdef __cplusplus
}
#endif
#endif
