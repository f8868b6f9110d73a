/* Kernel maps through bpf(2), no libbpf: thin wrappers returning the
 * result or -errno, for differential tests and benchmarks. */
#ifndef BPFVM_TESTS_KMAP_H
#define BPFVM_TESTS_KMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* Can this process create kernel maps? Probed once. When not, `why` (may
 * be NULL) gets a one-line reason for a SKIP message. */
bool kmap_available(char *why, size_t why_size);

struct kmap_attr {
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	int inner_map_fd;		/* 0: none */
	const char *name;		/* NULL: none */
	uint32_t btf_fd;		/* 0: no BTF */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
};

/* A map fd, or -errno. */
int kmap_create(const struct kmap_attr *a);

/* A BTF object (fd, or -errno) describing a value of value_size bytes
 * with a struct bpf_spin_lock at lock_off (a multiple of 4), so the map
 * accepts BPF_F_LOCK; *key_id / *value_id get the type ids to pass with
 * it (key: a u32 when key_size is 4, else 0). */
int kmap_btf_spin_lock(uint32_t key_size, uint32_t value_size,
		       uint32_t lock_off, uint32_t *key_id,
		       uint32_t *value_id);

int kmap_lookup(int fd, const void *key, void *value, uint64_t flags);
int kmap_update(int fd, const void *key, const void *value, uint64_t flags);
int kmap_delete(int fd, const void *key);
int kmap_get_next_key(int fd, const void *key, void *next_key);
int kmap_lookup_and_delete(int fd, const void *key, void *value,
			   uint64_t flags);
int kmap_freeze(int fd);

/* BPF_MAP_*_BATCH; *count in: room, out: done (as the kernel sets it
 * even on error). */
int kmap_lookup_batch(int fd, const void *in_batch, void *out_batch,
		      void *keys, void *values, uint32_t *count,
		      uint64_t elem_flags);
int kmap_lookup_and_delete_batch(int fd, const void *in_batch,
				 void *out_batch, void *keys, void *values,
				 uint32_t *count, uint64_t elem_flags);
int kmap_update_batch(int fd, const void *keys, const void *values,
		      uint32_t *count, uint64_t elem_flags);
int kmap_delete_batch(int fd, const void *keys, uint32_t *count,
		      uint64_t elem_flags);

/* The map's kernel id (BPF_OBJ_GET_INFO_BY_FD), or -errno. */
int kmap_id(int fd);
/* The number of possible CPUs (per-CPU value buffers), as libbpf. */
unsigned kmap_possible_cpus(void);

#endif
