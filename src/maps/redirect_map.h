/* The redirect maps XDP and tc programs name in bpf_redirect_map:
 * DEVMAP and DEVMAP_HASH (devices by ifindex), CPUMAP (CPUs), XSKMAP
 * (AF_XDP sockets by queue). bpfvm has no devices: a slot's target is
 * an output port of whoever runs the program (the pcap runner writes one
 * file per port). One file per type (devmap.c, devmap_hash.c, cpumap.c,
 * xskmap.c), each its own map_ops. */
#ifndef BPFVM_MAPS_REDIRECT_MAP_H
#define BPFVM_MAPS_REDIRECT_MAP_H

#include <stdint.h>
#include <bpfvm/test_run.h>

struct bpfvm_map;

extern const struct map_ops map_devmap_ops, map_devmap_hash_ops,
	map_cpumap_ops, map_xskmap_ops;

/* bpf_redirect_map's lookup: 0 with *out the target of slot `key`
 * (DEVMAP / DEVMAP_HASH: kind DEV, index = the value's ifindex; CPUMAP:
 * CPU, key; XSKMAP: XSK, key), -ENOENT for an empty slot or a key past
 * the end, -EINVAL when map is not a redirect map. Lock-free: programs
 * call it per packet while user space updates the map. */
int map_redirect_lookup(struct bpfvm_map *map, uint32_t key,
			struct bpfvm_redirect *out);

#endif
