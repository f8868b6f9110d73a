/* The one ops table every map type implements, and the common map header
 * each type embeds as its first member (struct array_map { struct
 * bpfvm_map map; ... }). Program-side operations have the helpers'
 * semantics (pointers into the map, long -errno); map.c builds the
 * user-space API on top of them and of the optional sys_* entries.
 *
 * Memory rule: a pointer a program got from lookup stays valid (points at
 * memory of this map) until the map is destroyed, even if the element is
 * deleted or replaced concurrently; types recycle elements inside the map
 * instead of freeing them (as the kernel's preallocated maps do), so no
 * program can touch freed memory. */
#ifndef BPFVM_MAPS_MAP_PRIV_H
#define BPFVM_MAPS_MAP_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/map.h>

/* numa_node meaning "any node" (the kernel's NUMA_NO_NODE). */
#define MAP_NUMA_NO_NODE UINT32_MAX

struct map_attr {
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;	/* 0 without BPF_F_NUMA_NODE */
	uint64_t map_extra;
	struct bpfvm_map *inner_map;
	int32_t spin_lock_off;	/* -1: none */
};

/* Called for every element by for_each; return 1 to stop (bpf's rule). */
typedef long (*map_elem_cb)(struct bpfvm_map *map, const void *key,
			    void *value, void *ctx);

struct map_ops {
	/* Type-specific attribute checks (after the common ones in map.c);
	 * -EINVAL / -E2BIG. May normalise attr (max_entries). NULL: nothing
	 * more to check. */
	int (*check)(struct map_attr *attr);
	/* calloc the type's struct (struct bpfvm_map first) and its storage;
	 * map.c fills the common header afterwards. */
	int (*alloc)(const struct map_attr *attr, struct bpfvm_map **out);
	/* Free everything alloc made, references to inner objects too. */
	void (*free)(struct bpfvm_map *map);

	/* Program side (helpers; also user space via map.c) */
	void *(*lookup)(struct bpfvm_map *map, const void *key);
	long (*update)(struct bpfvm_map *map, const void *key,
		       const void *value, uint64_t flags);
	long (*delete)(struct bpfvm_map *map, const void *key);
	long (*push)(struct bpfvm_map *map, const void *value, uint64_t flags);
	long (*pop)(struct bpfvm_map *map, void *value);
	long (*peek)(struct bpfvm_map *map, void *value);
	/* Per-CPU types: the element's value on `cpu`. */
	void *(*lookup_percpu)(struct bpfvm_map *map, const void *key,
			       unsigned cpu);
	/* bpf_for_each_map_elem: returns elements visited, or -errno. */
	long (*for_each)(struct bpfvm_map *map, map_elem_cb cb, void *ctx,
			 uint64_t flags);

	/* User space. NULL entries get map.c's defaults: lookup = copy of
	 * ops->lookup's value (per-CPU: every lookup_percpu), update = update,
	 * delete = delete. -EINVAL / -ENOTSUPP where the kernel refuses. */
	int (*sys_lookup)(struct bpfvm_map *map, const void *key, void *value,
			  uint64_t flags);
	int (*sys_update)(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags);
	int (*sys_delete)(struct bpfvm_map *map, const void *key);
	int (*sys_lookup_and_delete)(struct bpfvm_map *map, const void *key,
				     void *value, uint64_t flags);
	int (*get_next_key)(struct bpfvm_map *map, const void *key,
			    void *next_key);
	void *(*mmap)(struct bpfvm_map *map);
	/* Global data (lddw BPF_PSEUDO_MAP_VALUE): the address of byte `off`
	 * of the value programs address directly; -EINVAL when the type (or
	 * off) does not allow it. ARRAY only, as in the kernel. */
	int (*direct_value_addr)(const struct bpfvm_map *map, uint32_t off,
				 uint64_t *addr);
	/* The last user-space reference went (map.c): drop what only user
	 * space could still want, breaking reference cycles (the kernel's
	 * map_release_uref: PROG_ARRAY and PERF_EVENT_ARRAY clear their
	 * slots). NULL: nothing to do. */
	void (*release_uref)(struct bpfvm_map *map);
	/* Checked runs: is [addr, addr + size) inside ONE value (or ring
	 * record) a program can have got from this map's helpers (inner
	 * maps' values too, for map-in-map)? 1 inside and allowed, -1
	 * inside but refused (a write where programs may only read), 0 not
	 * this map's. O(1) or O(log n) per pool (value_access.h). NULL: the
	 * type hands programs no pointers into itself. */
	int (*value_access)(const struct bpfvm_map *map, uint64_t addr,
			    unsigned size, bool write);
};

struct bpfvm_map {
	const struct map_ops *ops;
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	int32_t spin_lock_off;
	uint32_t id;
	atomic_uint refcnt;	/* every reference */
	atomic_uint usercnt;	/* those held by user space (map.c) */
	atomic_bool frozen;
	char name[BPF_OBJ_NAME_LEN];
};

/* The ops table of each type; map.c's registry says which type uses which
 * (adding a type: one file, one line there). */
extern const struct map_ops map_array_ops, map_percpu_array_ops,
	map_hash_ops, map_percpu_hash_ops, map_lru_hash_ops,
	map_lru_percpu_hash_ops, map_lpm_trie_ops, map_queue_ops,
	map_stack_ops, map_bloom_ops, map_ringbuf_ops, map_perf_array_ops,
	map_prog_array_ops, map_array_of_maps_ops, map_hash_of_maps_ops;

/* References (map.c). Programs, map-in-map slots and consumers hold
 * one each, through these; they are not user references (bpfvm_map_create
 * and bpfvm_map_get_by_id give those, bpfvm_map_free drops one), so a
 * program whose PROG_ARRAY slot holds it does not keep the array's slots
 * alive once user space has let go (map_ops.release_uref). */
void map_get(struct bpfvm_map *map);
void map_put(struct bpfvm_map *map);
/* The map with `id`, with a reference as map_get's; or NULL. */
struct bpfvm_map *map_get_by_id(uint32_t id);

/* Per-CPU values: each rounded up to 8 bytes in user-space buffers. */
static inline size_t map_round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A sysfs list file ("0-3,5") as its highest entry + 1; 0 if unreadable
 * (cpu.c). */
unsigned map_sysfs_count(const char *path);

/* The calling thread's CPU slot (cpu.c); < bpfvm_num_possible_cpus(). */
unsigned map_cpu_current(void);
#if defined(__x86_64__)
/* Where map_cpu_current's slot + 1 (0: none yet, call it) is: %fs:off
 * in every thread (cpu.c). */
intptr_t map_cpu_slot_tls_off(void);
#endif

/* bpf_spin_lock on a 4-byte word (spin_lock.c): test-and-test-and-set. */
void map_spin_lock(uint32_t *lock);
void map_spin_unlock(uint32_t *lock);

/* Copy a value into the map (or out of it) leaving the bpf_spin_lock
 * field, if any, untouched (the kernel's copy_map_value). */
void map_value_copy(const struct bpfvm_map *map, void *dst, const void *src);
/* BPF_F_LOCK forms: the same copy with the value's lock held. */
void map_value_copy_locked(const struct bpfvm_map *map, void *dst,
			   const void *src, bool to_map);

/* bpf(2)'s permission checks (map_sys.c): 0 or -EPERM (BPF_F_WRONLY /
 * BPF_F_RDONLY map, or frozen for writes). */
int map_can_read(const struct bpfvm_map *map);
int map_can_write(const struct bpfvm_map *map);

/* The flag checks of update (BPF_ANY/NOEXIST/EXIST, BPF_F_LOCK only with
 * a lock in the value): 0 or -EINVAL. */
int map_check_update_flags(const struct bpfvm_map *map, uint64_t flags);

#endif
