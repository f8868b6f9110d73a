/* BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): keyless, a
 * ring of max_entries + 1 value slots under one spin lock, as the
 * kernel's. push with BPF_EXIST on a full map drops the oldest element;
 * pop / peek copy a value out; when empty (-ENOENT) the helpers zero it,
 * user space's buffer is left as it was (bpf(2) copies out only on
 * success). User space: lookup = peek, lookup_and_delete = pop, update =
 * push. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/keyless.h"
#include "maps/map_priv.h"

#define QS_FLAGS                                                            \
	(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG)
#define QS_VALUE_MAX (4u << 20) /* the kernel's KMALLOC_MAX_SIZE */

struct qs_map {
	struct bpfvm_map map;
	uint32_t lock;
	uint32_t head;		/* next slot to push into */
	uint32_t tail;		/* oldest element; head == tail: empty */
	uint32_t size;		/* max_entries + 1: one slot stays free */
	_Alignas(8) uint8_t slots[];
};

static struct qs_map *qs_of(struct bpfvm_map *map)
{
	return (struct qs_map *)map;
}

static int qs_check(struct map_attr *a)
{
	if (!a->max_entries || a->key_size || !a->value_size ||
	    (a->map_flags & ~(uint32_t)QS_FLAGS))
		return -EINVAL;
	if (a->value_size > QS_VALUE_MAX)
		return -E2BIG;
	return 0;
}

static int qs_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	uint64_t size = (uint64_t)a->max_entries + 1;
	struct qs_map *qs;

	if (size > UINT32_MAX || size * a->value_size > SIZE_MAX / 2)
		return -ENOMEM;
	qs = calloc(1, sizeof(*qs) + size * a->value_size);
	if (!qs)
		return -ENOMEM;
	qs->size = (uint32_t)size;
	*out = &qs->map;
	return 0;
}

static void qs_free(struct bpfvm_map *map)
{
	free(map);
}

static uint8_t *qs_slot(struct qs_map *qs, uint32_t i)
{
	return qs->slots + (size_t)i * qs->map.value_size;
}

static uint32_t qs_next(const struct qs_map *qs, uint32_t i)
{
	return i + 1 == qs->size ? 0 : i + 1;
}

static long qs_push(struct bpfvm_map *map, const void *value, uint64_t flags)
{
	struct qs_map *qs = qs_of(map);
	long err = 0;

	if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
		return -EINVAL;
	map_spin_lock(&qs->lock);
	if (qs_next(qs, qs->head) == qs->tail) {
		if (flags != BPF_EXIST) {
			err = -E2BIG;
			goto out;
		}
		qs->tail = qs_next(qs, qs->tail); /* drop the oldest */
	}
	memcpy(qs_slot(qs, qs->head), value, map->value_size);
	qs->head = qs_next(qs, qs->head);
out:
	map_spin_unlock(&qs->lock);
	return err;
}

/* Copy out the queue's oldest or the stack's newest element. Empty:
 * -ENOENT, and value zeroed if `zero`. */
static long qs_get(struct bpfvm_map *map, void *value, bool lifo, bool take,
		   bool zero)
{
	struct qs_map *qs = qs_of(map);
	uint32_t i;

	map_spin_lock(&qs->lock);
	if (qs->head == qs->tail) {
		map_spin_unlock(&qs->lock);
		if (zero)
			memset(value, 0, map->value_size);
		return -ENOENT;
	}
	i = lifo ? (qs->head ? qs->head - 1 : qs->size - 1) : qs->tail;
	memcpy(value, qs_slot(qs, i), map->value_size);
	if (take && lifo)
		qs->head = i;
	else if (take)
		qs->tail = qs_next(qs, i);
	map_spin_unlock(&qs->lock);
	return 0;
}

static bool qs_lifo(const struct bpfvm_map *map)
{
	return map->type == BPF_MAP_TYPE_STACK;
}

static long qs_pop(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, qs_lifo(map), true, true);
}

static long qs_peek(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, qs_lifo(map), false, true);
}

/* User space: map_sys.c checked the key (NULL) and flags. */
static int qs_sys_peek(struct bpfvm_map *map, const void *key, void *value,
		       uint64_t flags)
{
	(void)key, (void)flags;
	return (int)qs_get(map, value, qs_lifo(map), false, false);
}

static int qs_sys_pop(struct bpfvm_map *map, const void *key, void *value,
		      uint64_t flags)
{
	(void)key, (void)flags;
	return (int)qs_get(map, value, qs_lifo(map), true, false);
}

#define QS_OPS                                                              \
	{                                                                   \
		.check = qs_check, .alloc = qs_alloc, .free = qs_free,      \
		.lookup = keyless_lookup, .update = keyless_update,         \
		.delete = keyless_delete, .push = qs_push, .pop = qs_pop,   \
		.peek = qs_peek, .get_next_key = keyless_get_next_key,      \
		.sys_lookup = qs_sys_peek,                                  \
		.sys_lookup_and_delete = qs_sys_pop,                        \
	}

const struct map_ops map_queue_ops = QS_OPS;
const struct map_ops map_stack_ops = QS_OPS;
