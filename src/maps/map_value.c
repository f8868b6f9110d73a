/* Values with a bpf_spin_lock inside, and the update flag rules. */
#include <errno.h>
#include <string.h>

#include "maps/map_priv.h"

void map_spin_lock(uint32_t *lock)
{
	_Atomic uint32_t *l = (_Atomic uint32_t *)lock;

	for (;;) {
		uint32_t zero = 0;

		if (atomic_compare_exchange_weak_explicit(
			    l, &zero, 1, memory_order_acquire,
			    memory_order_relaxed))
			return;
		while (atomic_load_explicit(l, memory_order_relaxed))
			__builtin_ia32_pause();
	}
}

void map_spin_unlock(uint32_t *lock)
{
	atomic_store_explicit((_Atomic uint32_t *)lock, 0,
			      memory_order_release);
}

void map_value_copy(const struct bpfvm_map *map, void *dst, const void *src)
{
	size_t off = (size_t)map->spin_lock_off;

	if (map->spin_lock_off < 0) {
		memcpy(dst, src, map->value_size);
		return;
	}
	memcpy(dst, src, off);
	memcpy((uint8_t *)dst + off + 4, (const uint8_t *)src + off + 4,
	       map->value_size - off - 4);
}

void map_value_copy_locked(const struct bpfvm_map *map, void *dst,
			   const void *src, bool to_map)
{
	uint32_t *lock = (uint32_t *)((uint8_t *)(to_map ? dst : (void *)src) +
				      map->spin_lock_off);

	map_spin_lock(lock);
	map_value_copy(map, dst, src);
	map_spin_unlock(lock);
	if (!to_map) /* user space sees the lock word as 0 */
		memset((uint8_t *)dst + map->spin_lock_off, 0, 4);
}

int map_check_update_flags(const struct bpfvm_map *map, uint64_t flags)
{
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	return 0;
}
