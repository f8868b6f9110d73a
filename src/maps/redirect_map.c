/* The redirect maps' common parts: map_redirect_lookup (dispatch on the
 * type), the slot array DEVMAP, CPUMAP and XSKMAP are built on, and the
 * programs DEVMAP / CPUMAP values may name (redirect_priv.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/prog_priv.h"
#include "maps/array.h"
#include "maps/redirect_priv.h"
#include "maps/value_access.h"

int map_redirect_lookup(struct bpfvm_map *map, uint32_t key,
			struct bpfvm_redirect *out)
{
	if (!map || !out)
		return -EINVAL;
	switch (map->type) {
	case BPF_MAP_TYPE_DEVMAP:
		return devmap_redirect(map, key, out);
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return devmap_hash_redirect(map, key, out);
	case BPF_MAP_TYPE_CPUMAP:
		return cpumap_redirect(map, key, out);
	case BPF_MAP_TYPE_XSKMAP:
		return xskmap_redirect(map, key, out);
	default:
		return -EINVAL;
	}
}

/* ---- the slot array */

int slot_array_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct slot_array *sa = calloc(1, sizeof(*sa));
	bool progs = a->type != BPF_MAP_TYPE_XSKMAP;

	if (!sa)
		return -ENOMEM;
	sa->slots = calloc(a->max_entries, sizeof(*sa->slots));
	if (sa->slots && progs)
		sa->progs = calloc(a->max_entries, sizeof(*sa->progs));
	if (!sa->slots || (progs && !sa->progs)) {
		free(sa->slots);
		free(sa);
		return -ENOMEM;
	}
	*out = &sa->map;
	return 0;
}

void slot_array_free(struct bpfvm_map *map)
{
	struct slot_array *sa = slot_array_of(map);

	for (uint32_t i = 0; sa->progs && i < map->max_entries; i++)
		redirect_prog_put(sa->progs[i]);
	free(sa->progs);
	free(sa->slots);
	free(sa);
}

void *slot_array_lookup(struct bpfvm_map *map, const void *key)
{
	struct slot_array *sa = slot_array_of(map);
	uint32_t i = array_index(key);

	if (i >= map->max_entries || !(uint32_t)slot_array_word(sa, i))
		return NULL;
	return (void *)&sa->slots[i];
}

int slot_array_value_access(const struct bpfvm_map *map, uint64_t addr,
			    unsigned size, bool write)
{
	const struct slot_array *sa = (const struct slot_array *)map;
	uint64_t i, off;
	int r;

	if (!map_pool_slot(addr, (uintptr_t)sa->slots, map->max_entries,
			   sizeof(*sa->slots), &i, &off))
		return 0;
	r = map_value_answer(map, off, size, write);
	return r && write ? -1 : r;
}

int slot_array_sys_lookup(struct bpfvm_map *map, const void *key,
			  void *value, uint64_t flags)
{
	struct slot_array *sa = slot_array_of(map);
	uint32_t i = array_index(key);
	uint64_t w;

	(void)flags;
	if (i >= map->max_entries)
		return -ENOENT;
	w = slot_array_word(sa, i);
	if (!(uint32_t)w)
		return -ENOENT;
	memcpy(value, &w, map->value_size);
	return 0;
}

void slot_array_store(struct slot_array *sa, uint32_t i, uint64_t word,
		      struct bpfvm_prog *prog)
{
	struct bpfvm_prog *old = NULL;

	map_spin_lock(&sa->lock);
	atomic_store_explicit(&sa->slots[i], word, memory_order_release);
	if (sa->progs) {
		old = sa->progs[i];
		sa->progs[i] = prog;
	}
	map_spin_unlock(&sa->lock);
	/* outside the lock: the last reference may free maps, this one too */
	redirect_prog_put(old);
}

int slot_array_sys_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t i = array_index(key);

	if (i >= map->max_entries)
		return -EINVAL;
	slot_array_store(slot_array_of(map), i, 0, NULL);
	return 0;
}

/* ---- programs named by values */

int redirect_prog_get(int32_t fd, enum bpf_attach_type want,
		      struct bpfvm_prog **out)
{
	struct bpfvm_prog *prog;

	*out = NULL;
	if (fd <= 0)
		return 0;
	prog = bpfvm_prog_get_by_id((uint32_t)fd);
	if (!prog)
		return -EINVAL;
	if (bpfvm_prog_type(prog) != BPF_PROG_TYPE_XDP ||
	    bpfvm_prog_attach_type(prog) != want) {
		core_prog_put(prog);
		return -EINVAL;
	}
	*out = prog;
	return 0;
}

void redirect_prog_put(struct bpfvm_prog *prog)
{
	core_prog_put(prog);
}

uint32_t redirect_prog_id(const struct bpfvm_prog *prog)
{
	return prog ? prog->id : 0;
}
