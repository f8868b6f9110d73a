/* BPF_MAP_TYPE_CPUMAP: an array of CPUs, the target of bpf_redirect_map
 * in XDP programs (the kernel queues the frame to a kthread on that CPU).
 * Values are the kernel's struct bpf_cpumap_val: 4 bytes (qsize) or 8
 * (qsize, bpf_prog.fd on write / bpf_prog.id on read). A slot is one
 * word (redirect_priv.h); map_redirect_lookup reads it without a lock.
 *
 * bpfvm queues nothing: a slot's CPU is an output port of the runner and
 * qsize is only kept. The kernel's limits hold: max_entries up to the
 * kernel's NR_CPUS (-E2BIG), qsize up to 16384 (-EOVERFLOW), keys only
 * of possible CPUs (-ENODEV); qsize 0 empties the slot. Programs cannot
 * look entries up (the kernel's verifier allows only bpf_redirect_map). */
#include <errno.h>
#include <string.h>

#include "maps/array.h"
#include "maps/redirect_priv.h"

#define CPUMAP_QSIZE_MAX 16384u
/* NR_CPUS where /sys/devices/system/cpu/kernel_max cannot be read. */
#define CPUMAP_NR_CPUS_DEFAULT 8192u

/* The kernel's NR_CPUS: kernel_max + 1. */
static unsigned cpumap_nr_cpus(void)
{
	unsigned n = map_sysfs_count("/sys/devices/system/cpu/kernel_max");

	return n ? n : CPUMAP_NR_CPUS_DEFAULT;
}

static int cpumap_check(struct map_attr *a)
{
	if (!a->max_entries || a->key_size != 4 ||
	    (a->value_size != 4 && a->value_size != 8) ||
	    (a->map_flags & ~(uint32_t)BPF_F_NUMA_NODE))
		return -EINVAL;
	if (a->max_entries > cpumap_nr_cpus())
		return -E2BIG;
	return 0;
}

static int cpumap_sys_update(struct bpfvm_map *map, const void *key,
			     const void *value, uint64_t flags)
{
	uint32_t cpu = array_index(key), qsize;
	struct bpfvm_prog *prog = NULL;
	int32_t fd = 0;

	memcpy(&qsize, value, 4);
	if (map->value_size == 8)
		memcpy(&fd, (const uint8_t *)value + 4, 4);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (cpu >= map->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST;
	if (qsize > CPUMAP_QSIZE_MAX)
		return -EOVERFLOW;
	if (cpu >= bpfvm_num_possible_cpus())
		return -ENODEV;
	/* The kernel's entry allocation fails as a whole, -ENOMEM, when the
	 * program is not an XDP program for CPUMAP. */
	if (qsize && redirect_prog_get(fd, BPF_XDP_CPUMAP, &prog))
		return -ENOMEM;
	slot_array_store(slot_array_of(map), cpu,
			 qsize | (uint64_t)redirect_prog_id(prog) << 32, prog);
	return 0;
}

int cpumap_redirect(struct bpfvm_map *map, uint32_t key,
		    struct bpfvm_redirect *out)
{
	if (key >= map->max_entries ||
	    !(uint32_t)slot_array_word(slot_array_of(map), key))
		return -ENOENT;
	*out = (struct bpfvm_redirect){ BPFVM_REDIRECT_CPU, key, 0 };
	return 0;
}

const struct map_ops map_cpumap_ops = {
	.check = cpumap_check,
	.alloc = slot_array_alloc,
	.free = slot_array_free,
	.sys_lookup = slot_array_sys_lookup,
	.sys_update = cpumap_sys_update,
	.sys_delete = slot_array_sys_delete,
	.get_next_key = array_get_next_key,
};
