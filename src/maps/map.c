/* Map objects: the type registry, the checks every type shares, ids and
 * references. The types themselves live one per file behind map_ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/opts.h"
#include "maps/map_priv.h"
#include "maps/redirect_map.h"

static const struct map_ops *const map_types[] = {
	[BPF_MAP_TYPE_ARRAY] = &map_array_ops,
	[BPF_MAP_TYPE_PERCPU_ARRAY] = &map_percpu_array_ops,
	[BPF_MAP_TYPE_HASH] = &map_hash_ops,
	[BPF_MAP_TYPE_PERCPU_HASH] = &map_percpu_hash_ops,
	[BPF_MAP_TYPE_LRU_HASH] = &map_lru_hash_ops,
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = &map_lru_percpu_hash_ops,
	[BPF_MAP_TYPE_LPM_TRIE] = &map_lpm_trie_ops,
	[BPF_MAP_TYPE_QUEUE] = &map_queue_ops,
	[BPF_MAP_TYPE_STACK] = &map_stack_ops,
	[BPF_MAP_TYPE_BLOOM_FILTER] = &map_bloom_ops,
	[BPF_MAP_TYPE_RINGBUF] = &map_ringbuf_ops,
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = &map_perf_array_ops,
	[BPF_MAP_TYPE_PROG_ARRAY] = &map_prog_array_ops,
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = &map_array_of_maps_ops,
	[BPF_MAP_TYPE_HASH_OF_MAPS] = &map_hash_of_maps_ops,
	[BPF_MAP_TYPE_DEVMAP] = &map_devmap_ops,
	[BPF_MAP_TYPE_DEVMAP_HASH] = &map_devmap_hash_ops,
	[BPF_MAP_TYPE_CPUMAP] = &map_cpumap_ops,
	[BPF_MAP_TYPE_XSKMAP] = &map_xskmap_ops,
};

/* The kernel accepts [A-Za-z0-9_.] in object names. */
static int map_name_check(const char *name)
{
	size_t n = strlen(name);

	if (n >= BPF_OBJ_NAME_LEN)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!(c == '_' || c == '.' || (c >= '0' && c <= '9') ||
		      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return -EINVAL;
	}
	return 0;
}

/* The kernel wants an online node or NUMA_NO_NODE (-1); without
 * BPF_F_NUMA_NODE the field is ignored. */
static bool map_numa_node_ok(uint32_t node)
{
	unsigned n = map_sysfs_count("/sys/devices/system/node/online");

	return node == MAP_NUMA_NO_NODE || node < (n ? n : 1);
}

static int map_attr_check(const struct map_attr *a, const char *name)
{
	const uint32_t rw = BPF_F_RDONLY | BPF_F_WRONLY;
	const uint32_t rw_prog = BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

	if (a->map_extra && a->type != BPF_MAP_TYPE_BLOOM_FILTER)
		return -EINVAL;
	if ((a->map_flags & rw) == rw || (a->map_flags & rw_prog) == rw_prog)
		return -EINVAL;
	if ((a->map_flags & BPF_F_NUMA_NODE) && !map_numa_node_ok(a->numa_node))
		return -EINVAL;
	if (a->spin_lock_off >= 0 &&
	    (uint64_t)a->spin_lock_off + 4 > a->value_size)
		return -EINVAL;
	return name ? map_name_check(name) : 0;
}

static struct map_attr map_attr_of(enum bpf_map_type type, uint32_t key_size,
				   uint32_t value_size, uint32_t max_entries,
				   const struct bpfvm_map_opts *opts)
{
	struct map_attr a = {
		.type = type,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = OPTS_GET(opts, map_flags, 0),
		.numa_node = OPTS_GET(opts, map_flags, 0) & BPF_F_NUMA_NODE ?
				     OPTS_GET(opts, numa_node, 0) : 0,
		.map_extra = OPTS_GET(opts, map_extra, 0),
		.inner_map = OPTS_GET(opts, inner_map, NULL),
		.spin_lock_off = -1,
	};

	/* past INT32_MAX: beyond any value, so refused as such */
	if (OPTS_GET(opts, has_spin_lock, false) &&
	    OPTS_HAS(opts, spin_lock_off))
		a.spin_lock_off = (int32_t)(opts->spin_lock_off > INT32_MAX ?
					    INT32_MAX : opts->spin_lock_off);
	return a;
}

static void map_destroy(struct bpfvm_map *map)
{
	core_id_release(map->id);
	map->ops->free(map);
}

int bpfvm_map_create(enum bpf_map_type type, uint32_t key_size,
		     uint32_t value_size, uint32_t max_entries,
		     const struct bpfvm_map_opts *opts, struct bpfvm_map **out)
{
	struct map_attr a = map_attr_of(type, key_size, value_size,
					max_entries, opts);
	const char *name = OPTS_GET(opts, name, NULL);
	const struct map_ops *ops;
	struct bpfvm_map *map;
	int err;

	if (!out || (unsigned)type >= sizeof(map_types) / sizeof(*map_types) ||
	    !map_types[type])
		return -EINVAL;
	ops = map_types[type];
	err = map_attr_check(&a, name);
	if (!err && ops->check)
		err = ops->check(&a);
	/* A bpf_spin_lock (a BTF field) in a map programs may only read or
	 * only write: the kernel's map_check_btf refuses it first. */
	if (!err && a.spin_lock_off >= 0 &&
	    (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)))
		err = -EACCES;
	/* The kernel takes a bpf_spin_lock in HASH and ARRAY values only. */
	if (!err && a.spin_lock_off >= 0 && type != BPF_MAP_TYPE_HASH &&
	    type != BPF_MAP_TYPE_ARRAY)
		err = -EOPNOTSUPP;
	if (!err)
		err = ops->alloc(&a, &map);
	if (err)
		return err;
	map->ops = ops;
	map->type = type;
	map->key_size = key_size;
	map->value_size = value_size;
	map->max_entries = a.max_entries;
	map->map_flags = a.map_flags;
	map->numa_node = a.numa_node;
	map->map_extra = a.map_extra;
	map->spin_lock_off = a.spin_lock_off;
	atomic_init(&map->refcnt, 1);
	atomic_init(&map->usercnt, 1);
	atomic_init(&map->frozen, false);
	if (name)
		strcpy(map->name, name);
	map->id = core_id_alloc(map, CORE_ID_MAP);
	if (!map->id) {
		ops->free(map);
		return -ENOMEM;
	}
	*out = map;
	return 0;
}

void map_get(struct bpfvm_map *map)
{
	atomic_fetch_add_explicit(&map->refcnt, 1, memory_order_relaxed);
}

void map_put(struct bpfvm_map *map)
{
	if (map && atomic_fetch_sub_explicit(&map->refcnt, 1,
					     memory_order_acq_rel) == 1)
		map_destroy(map);
}

/* One user reference fewer; the last one releases what only user space
 * may want. A count already at 0 is left there: a reference taken with
 * map_get and dropped here is a caller's mistake, not a reason to clear
 * a map other users still hold. */
static void map_put_uref(struct bpfvm_map *map)
{
	unsigned n = atomic_load(&map->usercnt);

	while (n && !atomic_compare_exchange_weak(&map->usercnt, &n, n - 1))
		;
	if (n == 1 && map->ops->release_uref)
		map->ops->release_uref(map);
}

void bpfvm_map_free(struct bpfvm_map *map)
{
	if (!map)
		return;
	map_put_uref(map);
	map_put(map);
}

static bool map_tryget(void *obj)
{
	return core_ref_tryget(&((struct bpfvm_map *)obj)->refcnt);
}

/* As the kernel's map_get_fd_by_id: any live map gains a user, even one
 * whose users had all gone (its cleared slots stay cleared). */
static bool map_tryget_user(void *obj)
{
	struct bpfvm_map *map = obj;

	if (!map_tryget(map))
		return false;
	atomic_fetch_add_explicit(&map->usercnt, 1, memory_order_relaxed);
	return true;
}

uint32_t bpfvm_map_id(const struct bpfvm_map *map)
{
	return map->id;
}

struct bpfvm_map *bpfvm_map_get_by_id(uint32_t id)
{
	return core_id_get(id, CORE_ID_MAP, map_tryget_user);
}

struct bpfvm_map *map_get_by_id(uint32_t id)
{
	return core_id_get(id, CORE_ID_MAP, map_tryget);
}

enum bpf_map_type bpfvm_map_type(const struct bpfvm_map *map)
{
	return map->type;
}

uint32_t bpfvm_map_key_size(const struct bpfvm_map *map)
{
	return map->key_size;
}

uint32_t bpfvm_map_value_size(const struct bpfvm_map *map)
{
	return map->value_size;
}

uint32_t bpfvm_map_max_entries(const struct bpfvm_map *map)
{
	return map->max_entries;
}

uint32_t bpfvm_map_flags(const struct bpfvm_map *map)
{
	return map->map_flags;
}

const char *bpfvm_map_name(const struct bpfvm_map *map)
{
	return map->name;
}
