/* The user-space side of every map: bpf(2)'s permission and flag checks,
 * then the type's sys_* entry or a default built on its program ops. */
#include <errno.h>
#include <string.h>

#include "maps/map_priv.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's "operation not supported" */
#endif

static bool map_is_percpu(const struct bpfvm_map *map)
{
	return map->ops->lookup_percpu != NULL;
}

int map_can_read(const struct bpfvm_map *map)
{
	return (map->map_flags & BPF_F_WRONLY) ? -EPERM : 0;
}

int map_can_write(const struct bpfvm_map *map)
{
	if ((map->map_flags & BPF_F_RDONLY) || atomic_load(&map->frozen))
		return -EPERM;
	return 0;
}

size_t bpfvm_map_user_value_size(const struct bpfvm_map *map)
{
	if (map_is_percpu(map))
		return map_round8(map->value_size) * bpfvm_num_possible_cpus();
	return map->value_size;
}

static int map_check_lookup_flags(const struct bpfvm_map *map, uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	return 0;
}

static int map_copy_percpu(struct bpfvm_map *map, const void *key,
			   uint8_t *value)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	size_t stride = map_round8(map->value_size);

	for (unsigned cpu = 0; cpu < ncpu; cpu++) {
		void *p = map->ops->lookup_percpu(map, key, cpu);

		if (!p)
			return -ENOENT;
		memcpy(value + cpu * stride, p, map->value_size);
		memset(value + cpu * stride + map->value_size, 0,
		       stride - map->value_size);
	}
	return 0;
}

static int map_default_lookup(struct bpfvm_map *map, const void *key,
			      void *value, uint64_t flags)
{
	void *p;

	if (map->ops->peek)
		return (int)map->ops->peek(map, value);
	if (map_is_percpu(map))
		return map_copy_percpu(map, key, value);
	if (!map->ops->lookup)
		return -ENOTSUPP;
	p = map->ops->lookup(map, key);
	if (!p)
		return -ENOENT;
	if (flags & BPF_F_LOCK)
		map_value_copy_locked(map, value, p, false);
	else
		memcpy(value, p, map->value_size);
	return 0;
}

/* bpf(2) copies the key and value in before acting: a NULL key is
 * -EFAULT where the type has keys and -EINVAL where it has none (queue,
 * stack, bloom); a NULL value is -EFAULT (unless there is no value to
 * copy: RINGBUF). */
static int map_check_ptrs(const struct bpfvm_map *map, const void *key,
			  const void *value)
{
	if (!map->key_size && key)
		return -EINVAL;
	if ((map->key_size && !key) || (!value && map->value_size))
		return -EFAULT;
	return 0;
}

/* bpf(2)'s order: unknown flags, permissions, BPF_F_LOCK without a
 * lock, the pointers. */
int bpfvm_map_lookup(struct bpfvm_map *map, const void *key, void *value,
		     uint64_t flags)
{
	int err = flags & ~(uint64_t)BPF_F_LOCK ? -EINVAL : map_can_read(map);

	if (!err)
		err = map_check_lookup_flags(map, flags);
	if (!err)
		err = map_check_ptrs(map, key, value);
	if (err)
		return err;
	if (map->ops->sys_lookup)
		return map->ops->sys_lookup(map, key, value, flags);
	return map_default_lookup(map, key, value, flags);
}

int bpfvm_map_update(struct bpfvm_map *map, const void *key,
		     const void *value, uint64_t flags)
{
	int err = map_can_write(map);

	if (!err)
		err = map_check_lookup_flags(map, flags & BPF_F_LOCK);
	if (!err)
		err = map_check_ptrs(map, key, value);
	if (err)
		return err;
	if (map->ops->sys_update)
		return map->ops->sys_update(map, key, value, flags);
	if (map->ops->push)
		return (int)map->ops->push(map, value, flags);
	err = map_check_update_flags(map, flags);
	if (err)
		return err;
	if (!map->ops->update)
		return -ENOTSUPP;
	return (int)map->ops->update(map, key, value, flags);
}

int bpfvm_map_delete(struct bpfvm_map *map, const void *key)
{
	int err = map_can_write(map);

	if (!err && !key != !map->key_size)
		err = key ? -EINVAL : -EFAULT;
	if (err)
		return err;
	if (map->ops->sys_delete)
		return map->ops->sys_delete(map, key);
	if (!map->ops->delete)
		return -EINVAL;
	return (int)map->ops->delete(map, key);
}

int bpfvm_map_lookup_and_delete(struct bpfvm_map *map, const void *key,
				void *value, uint64_t flags)
{
	int err = flags & ~(uint64_t)BPF_F_LOCK ? -EINVAL : map_can_write(map);

	if (!err)
		err = map_can_read(map);
	if (!err && flags && map->ops->pop)
		err = -EINVAL; /* QUEUE / STACK take no flags */
	if (!err)
		err = map_check_lookup_flags(map, flags);
	if (!err)
		err = map_check_ptrs(map, key, value);
	if (err)
		return err;
	if (map->ops->sys_lookup_and_delete)
		return map->ops->sys_lookup_and_delete(map, key, value, flags);
	if (map->ops->pop)
		return (int)map->ops->pop(map, value);
	return -ENOTSUPP;
}

int bpfvm_map_get_next_key(struct bpfvm_map *map, const void *key,
			   void *next_key)
{
	int err = map_can_read(map);

	if (err)
		return err;
	if (key && !map->key_size)
		return -EINVAL; /* bpf(2) refuses a key where there are none */
	if (!map->ops->get_next_key)
		return -EINVAL;
	return map->ops->get_next_key(map, key, next_key);
}

int bpfvm_map_freeze(struct bpfvm_map *map)
{
	bool was = false;
	int err;

	if (map->spin_lock_off >= 0)
		return -ENOTSUPP; /* the kernel: no freezing with BTF fields */
	err = map_can_write(map); /* read-only, or frozen already */
	if (err)
		return err;
	if (!atomic_compare_exchange_strong(&map->frozen, &was, true))
		return -EBUSY; /* lost a race with another freeze */
	return 0;
}

void *bpfvm_map_mmap(struct bpfvm_map *map)
{
	return map->ops->mmap ? map->ops->mmap(map) : NULL;
}
