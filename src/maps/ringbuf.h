/* BPF_MAP_TYPE_RINGBUF: the layout the helpers and the consumer share.
 *
 * One mapping, as the kernel lays out struct bpf_ringbuf:
 *   page 0   struct ringbuf_map (map header, lock, producers' state)
 *   page 1   consumer_pos        (written by the consumer only)
 *   page 2   producer_pos        (written by producers under the lock)
 *   page 3.. data, max_entries bytes, then the same pages again
 * Pages 1.. are what mmap() of a kernel ringbuf fd shows, and what
 * bpfvm_map_mmap returns. Records carry the kernel's 8-byte header
 * (len | BUSY | DISCARD, page offset of the header from page 0), so a
 * record pointer alone leads back to its ring. */
#ifndef BPFVM_MAPS_RINGBUF_H
#define BPFVM_MAPS_RINGBUF_H

#include <stdbool.h>

#include "maps/map_priv.h"
#include "maps/ring_mem.h"

/* The kernel's limit on one record (RINGBUF_MAX_RECORD_SZ). */
#define RINGBUF_MAX_RECORD (UINT32_MAX / 4)

struct ringbuf_hdr {
	_Atomic uint32_t len;	/* size | BPF_RINGBUF_BUSY/DISCARD_BIT */
	uint32_t pg_off;	/* pages from the ringbuf_map to the header */
};

struct ringbuf_map {
	struct bpfvm_map map;
	struct ring_mem mem;
	struct ring_wake wake;
	uint64_t mask;		/* max_entries - 1 */
	uint8_t *data;
	_Atomic uint64_t *consumer_pos;
	_Atomic uint64_t *producer_pos;
	/* Producers' side, under `lock`. */
	_Alignas(RING_CACHELINE) uint32_t lock;
	uint64_t pending_pos;	/* oldest record maybe still BUSY */
	uint64_t cons_seen;	/* consumer_pos when last read */
	uint32_t page_shift;
};

/* The ring of a RINGBUF map, or NULL for another map (or NULL). */
static inline struct ringbuf_map *ringbuf_of(struct bpfvm_map *map)
{
	if (!map || map->type != BPF_MAP_TYPE_RINGBUF)
		return NULL;
	return (struct ringbuf_map *)map;
}

static inline uint32_t ringbuf_rec_size(uint32_t len)
{
	len &= ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
	return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7u;
}

/* bpf_ringbuf_reserve's core: size bytes of record, or NULL when the ring
 * has no room (or size is beyond the ring). */
void *ringbuf_reserve(struct ringbuf_map *rb, uint64_t size);
/* bpf_ringbuf_submit / discard: `sample` is what reserve returned. Wakes
 * the consumer as the kernel does: always with BPF_RB_FORCE_WAKEUP, never
 * with BPF_RB_NO_WAKEUP, else when the consumer has caught up to this
 * record. */
void ringbuf_commit(void *sample, uint64_t flags, bool discard);
/* bpf_ringbuf_query (0 for an unknown flag, as the kernel). */
uint64_t ringbuf_query(struct ringbuf_map *rb, uint64_t flags);

#endif
