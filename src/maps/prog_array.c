/* BPF_MAP_TYPE_PROG_ARRAY: max_entries slots, each empty or holding a
 * program (one reference per slot), for bpf_tail_call. User space writes
 * and reads program ids (4-byte values under 4-byte keys); programs only
 * reach the slots through bpf_tail_call (engine/flow.c), which takes its
 * own reference to the program it enters, so replacing or deleting a slot
 * never frees a program a run is executing.
 *
 * As the kernel, every slot is cleared when the last user-space reference
 * to the array goes (release_uref): a program in a slot that tail-calls
 * through the same array holds the array, which holds the program; the
 * programs' references are not user references, so the cycle breaks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/prog_priv.h"
#include "maps/array.h"
#include "maps/prog_array.h"

struct prog_array {
	struct bpfvm_map map;
	uint32_t lock;			/* slots and the owner: held for a
					 * few loads and stores (map_spin_lock) */
	bool owned;
	const struct bpfvm_env *owner;	/* see map_prog_array_bind */
	struct bpfvm_prog **slots;
};

static struct prog_array *pa_of(struct bpfvm_map *map)
{
	return (struct prog_array *)map;
}

static int pa_check(struct map_attr *a)
{
	/* the kernel's fd array checks come before the array's */
	if (a->value_size != sizeof(uint32_t) ||
	    (a->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)))
		return -EINVAL;
	return array_check(a);
}

static int pa_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct prog_array *pa = calloc(1, sizeof(*pa));

	if (!pa)
		return -ENOMEM;
	pa->slots = calloc(a->max_entries, sizeof(*pa->slots));
	if (!pa->slots) {
		free(pa);
		return -ENOMEM;
	}
	*out = &pa->map;
	return 0;
}

static void pa_free(struct bpfvm_map *map)
{
	struct prog_array *pa = pa_of(map);

	for (uint32_t i = 0; i < map->max_entries; i++)
		core_prog_put(pa->slots[i]);
	free(pa->slots);
	free(pa);
}

/* Lock held. */
static int pa_bind_locked(struct prog_array *pa, const struct bpfvm_env *env)
{
	if (!pa->owned) {
		pa->owned = true;
		pa->owner = env;
	}
	return pa->owner == env ? 0 : -EINVAL;
}

int map_prog_array_bind(struct bpfvm_map *map, const struct bpfvm_env *env_key)
{
	struct prog_array *pa = pa_of(map);
	int err;

	map_spin_lock(&pa->lock);
	err = pa_bind_locked(pa, env_key);
	map_spin_unlock(&pa->lock);
	return err;
}

struct bpfvm_prog *map_prog_array_get(struct bpfvm_map *map, uint32_t index)
{
	struct prog_array *pa = pa_of(map);
	struct bpfvm_prog *prog;

	if (index >= map->max_entries)
		return NULL;
	map_spin_lock(&pa->lock);
	prog = pa->slots[index];
	if (prog)
		core_prog_get(prog);
	map_spin_unlock(&pa->lock);
	return prog;
}

/* Put prog (may be NULL) into slot i; the old occupant's reference is
 * dropped outside the lock (freeing it may free maps, this one too). */
static int pa_swap(struct prog_array *pa, uint32_t i, struct bpfvm_prog *prog)
{
	struct bpfvm_prog *old;
	int err = 0;

	map_spin_lock(&pa->lock);
	if (prog)
		err = pa_bind_locked(pa, prog->env_key);
	old = err ? NULL : pa->slots[i];
	if (!err)
		pa->slots[i] = prog;
	map_spin_unlock(&pa->lock);
	if (err)
		core_prog_put(prog);
	core_prog_put(old);
	return err ? err : old ? 0 : 1;
}

static int pa_sys_lookup(struct bpfvm_map *map, const void *key, void *value,
			 uint64_t flags)
{
	struct bpfvm_prog *prog = map_prog_array_get(map, array_index(key));
	uint32_t id;

	(void)flags;
	if (!prog)
		return -ENOENT;
	id = prog->id;
	core_prog_put(prog);
	memcpy(value, &id, sizeof(id));
	return 0;
}

static int pa_sys_update(struct bpfvm_map *map, const void *key,
			 const void *value, uint64_t flags)
{
	uint32_t i = array_index(key), id;
	struct bpfvm_prog *prog;
	int err;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (i >= map->max_entries)
		return -E2BIG;
	memcpy(&id, value, sizeof(id));
	prog = bpfvm_prog_get_by_id(id);
	if (!prog)
		return -EBADF; /* the kernel: not a program fd */
	err = pa_swap(pa_of(map), i, prog);
	return err < 0 ? err : 0;
}

static int pa_sys_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t i = array_index(key);

	if (i >= map->max_entries)
		return -E2BIG;
	return pa_swap(pa_of(map), i, NULL) ? -ENOENT : 0;
}

static void pa_release_uref(struct bpfvm_map *map)
{
	for (uint32_t i = 0; i < map->max_entries; i++)
		pa_swap(pa_of(map), i, NULL);
}

const struct map_ops map_prog_array_ops = {
	.check = pa_check,
	.alloc = pa_alloc,
	.free = pa_free,
	.sys_lookup = pa_sys_lookup,
	.sys_update = pa_sys_update,
	.sys_delete = pa_sys_delete,
	.get_next_key = array_get_next_key,
	.release_uref = pa_release_uref,
};
