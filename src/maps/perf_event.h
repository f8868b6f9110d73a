/* BPF-output perf events and the PERF_EVENT_ARRAY map that holds them.
 *
 * A perf event here is what perf_event_open(PERF_TYPE_SOFTWARE,
 * PERF_COUNT_SW_BPF_OUTPUT, PERF_SAMPLE_RAW) on one CPU plus its mmap give
 * in Linux: a ring of perf records (PERF_RECORD_SAMPLE with the raw data,
 * PERF_RECORD_LOST) behind a struct perf_event_mmap_page. It has an object
 * id (in place of the fd) that user space stores in a PERF_EVENT_ARRAY
 * slot; bpf_perf_event_output writes to the slot's event.
 *
 * Mapping: page 0 this struct, page 1 the perf_event_mmap_page (data_head,
 * data_tail, data_offset, data_size as the kernel fills them), then the
 * data pages twice (ring_mem), so no record is split. */
#ifndef BPFVM_MAPS_PERF_EVENT_H
#define BPFVM_MAPS_PERF_EVENT_H

#include <linux/perf_event.h>

#include "maps/map_priv.h"
#include "maps/ring_mem.h"

/* The two records a BPF-output event writes (PERF_SAMPLE_RAW only). */
struct perf_sample_rec {
	struct perf_event_header hdr;
	uint32_t size;
	uint8_t data[];
};

struct perf_lost_rec {
	struct perf_event_header hdr;
	uint64_t id;
	uint64_t lost;
};

struct perf_event_buf {
	struct ring_mem mem;
	struct ring_wake wake;
	atomic_uint refcnt;
	uint32_t id;
	unsigned cpu;
	uint32_t wakeup_events;	/* wake the consumer every N samples */
	uint64_t mask;
	uint8_t *data;
	struct perf_event_mmap_page *user;
	/* Writers (programs on this CPU slot), under `lock`. */
	_Alignas(RING_CACHELINE) uint32_t lock;
	uint64_t lost;		/* samples lost since the last LOST record */
	uint64_t tail_seen;	/* data_tail when last read */
	uint32_t unwoken;	/* samples since the last wakeup */
};

/* A new event for CPU slot `cpu` with 2^n data pages (page_cnt), holding
 * one reference. -EINVAL, -ENOMEM. */
int perf_event_new(unsigned cpu, size_t page_cnt, uint32_t wakeup_events,
		   struct perf_event_buf **out);
void perf_event_get(struct perf_event_buf *ev);
void perf_event_put(struct perf_event_buf *ev);
/* A new reference to the event with this id, or NULL. */
struct perf_event_buf *perf_event_by_id(uint32_t id);

/* One PERF_RECORD_SAMPLE with `size` raw bytes (after a PERF_RECORD_LOST
 * if samples were lost since the last one). -ENOSPC (counted as lost) when
 * the ring has no room, -E2BIG beyond a perf record's 64 KiB. */
int perf_event_write(struct perf_event_buf *ev, const void *data,
		     uint64_t size);

/* bpf_perf_event_output on a PERF_EVENT_ARRAY: flags is the slot index or
 * BPF_F_CURRENT_CPU. -EINVAL (flags, not a perf array), -E2BIG (index),
 * -ENOENT (empty slot), -EOPNOTSUPP (the slot's event is for another CPU
 * slot), -ENOSPC (full). */
long perf_array_output(struct bpfvm_map *map, uint64_t flags,
		       const void *data, uint64_t size);
/* Consumer side: put ev in slot idx (taking a reference), as an update
 * with its id does; and take it out again only if it is still there. */
int perf_array_install(struct bpfvm_map *map, uint32_t idx,
		       struct perf_event_buf *ev);
void perf_array_uninstall(struct bpfvm_map *map, uint32_t idx,
			  struct perf_event_buf *ev);

#endif
