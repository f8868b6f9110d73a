/* What the redirect map types share (redirect_map.c), and each type's
 * part of map_redirect_lookup.
 *
 * DEVMAP, CPUMAP and XSKMAP are arrays of slots; each slot is one 64-bit
 * word holding the whole value user space sees: DEVMAP {ifindex, program
 * id}, CPUMAP {qsize, program id}, XSKMAP {socket id}. The low 32 bits
 * are 0 exactly when the slot is empty (the kernel stores no entry for
 * ifindex 0 or qsize 0, and no socket has id 0). A program's lookup gets
 * a pointer to the word itself, and map_redirect_lookup reads it with one
 * atomic load, so neither takes a lock and neither can see half of an
 * update; writers serialise on the map's lock. The pointer a program got
 * sees later updates of its slot (the kernel's reader keeps the entry it
 * found until its RCU section ends) -- never freed memory, never a torn
 * value.
 *
 * DEVMAP and CPUMAP values may name a program to run on redirected
 * frames (bpf_prog.fd, here a bpfvm program id): the slot holds a
 * reference to it and shows its id on lookup. Running it is the runner's
 * business; the map only keeps it alive. */
#ifndef BPFVM_MAPS_REDIRECT_PRIV_H
#define BPFVM_MAPS_REDIRECT_PRIV_H

#include <stdatomic.h>
#include <stdint.h>

#include "maps/map_priv.h"
#include "maps/redirect_map.h"

struct bpfvm_prog;

struct slot_array {
	struct bpfvm_map map;
	uint32_t lock;			/* writers (map_spin_lock) */
	_Atomic uint64_t *slots;	/* max_entries words */
	struct bpfvm_prog **progs;	/* DEVMAP, CPUMAP: one per slot */
};

static inline struct slot_array *slot_array_of(struct bpfvm_map *map)
{
	return (struct slot_array *)map;
}

/* map_ops entries the three array types share. */
int slot_array_alloc(const struct map_attr *a, struct bpfvm_map **out);
void slot_array_free(struct bpfvm_map *map);
/* The slot's word (a pointer programs may read value_size bytes at), or
 * NULL for an empty slot or a key past the end. */
void *slot_array_lookup(struct bpfvm_map *map, const void *key);
/* map_ops value_access of DEVMAP and XSKMAP (checked runs): value_size
 * bytes of one slot's word, read-only (the kernel forces
 * BPF_F_RDONLY_PROG on devmaps; an XSKMAP lookup gives a read-only
 * socket). */
int slot_array_value_access(const struct bpfvm_map *map, uint64_t addr,
			    unsigned size, bool write);
/* value_size bytes of the word; -ENOENT when empty or past the end. */
int slot_array_sys_lookup(struct bpfvm_map *map, const void *key,
			  void *value, uint64_t flags);
/* The kernel's delete of these types: -EINVAL past the end, else 0
 * whether or not the slot held anything. */
int slot_array_sys_delete(struct bpfvm_map *map, const void *key);
/* Store `word` (0: empty) and `prog` (its reference moves into the
 * slot) at index i < max_entries; the old program's reference goes. */
void slot_array_store(struct slot_array *sa, uint32_t i, uint64_t word,
		      struct bpfvm_prog *prog);
/* The word of slot i (i < max_entries), one atomic load. */
static inline uint64_t slot_array_word(struct slot_array *sa, uint32_t i)
{
	return atomic_load_explicit(&sa->slots[i], memory_order_acquire);
}

/* A value's bpf_prog.fd: fd <= 0 names no program (*out NULL, 0);
 * otherwise the bpfvm program with that id, with a reference, if it is
 * an XDP program of expected attach type `want` -- else -EINVAL. */
int redirect_prog_get(int32_t fd, enum bpf_attach_type want,
		      struct bpfvm_prog **out);
void redirect_prog_put(struct bpfvm_prog *prog);
uint32_t redirect_prog_id(const struct bpfvm_prog *prog);

/* Each type's part of map_redirect_lookup: 0 with *out filled, or
 * -ENOENT. */
int devmap_redirect(struct bpfvm_map *map, uint32_t key,
		    struct bpfvm_redirect *out);
int devmap_hash_redirect(struct bpfvm_map *map, uint32_t key,
			 struct bpfvm_redirect *out);
int cpumap_redirect(struct bpfvm_map *map, uint32_t key,
		    struct bpfvm_redirect *out);
int xskmap_redirect(struct bpfvm_map *map, uint32_t key,
		    struct bpfvm_redirect *out);

/* Attribute checks of both device maps (the kernel's
 * dev_map_alloc_check): -EINVAL; marks the map BPF_F_RDONLY_PROG as the
 * kernel does (programs read values in place). */
int devmap_check_attr(struct map_attr *a);
/* A DEVMAP / DEVMAP_HASH value as user space writes it: ifindex and
 * bpf_prog.fd (0 when value_size is 4). */
struct devmap_val_in {
	uint32_t ifindex;
	int32_t prog_fd;
};
struct devmap_val_in devmap_val_read(const struct bpfvm_map *map,
				     const void *value);
/* The checks and program reference of a non-zero ifindex: -EINVAL for
 * an ifindex no device could have (> INT_MAX) or a program that cannot
 * run on a devmap; else 0 with *prog (or NULL). */
int devmap_val_target(const struct devmap_val_in *v,
		      struct bpfvm_prog **prog);

#endif
