/* Consumers of the data programs send to user space, modelled on libbpf's
 * ring_buffer__* and perf_buffer__*:
 *
 * - BPF_MAP_TYPE_RINGBUF (bpf_ringbuf_output / reserve / submit /
 *   discard): one ring shared by all producers, records in reservation
 *   order. A bpfvm_ringbuf consumes one or more such maps.
 * - BPF_MAP_TYPE_PERF_EVENT_ARRAY (bpf_perf_event_output): one buffer per
 *   CPU slot (see bpfvm_thread_set_cpu in map.h). A bpfvm_perfbuf creates
 *   the buffers and puts them in the map's slots, as libbpf opens and
 *   installs BPF-output perf events.
 *
 * Consumers may run on another thread than the programs that produce.
 * Each gives an epoll fd that turns readable when there is data to
 * consume; waiting on it (or in *_poll) sleeps until a producer wakes the
 * consumer, with the kernel's rules (ringbuf: when the consumer has caught
 * up, unless BPF_RB_NO_WAKEUP; always with BPF_RB_FORCE_WAKEUP; perf:
 * every wakeup_events samples). One consumer per map at a time, as with
 * libbpf. Calls return >= 0 or a negative errno. */
#ifndef BPFVM_RINGBUF_H
#define BPFVM_RINGBUF_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/map.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- BPF ring buffers ---- */

struct bpfvm_ringbuf;

/* One committed (not discarded) record. A negative return stops the
 * consumption and is returned by poll / consume; the record counts as
 * consumed. */
typedef int (*bpfvm_ringbuf_sample_fn)(void *ctx, void *data, size_t size);

struct bpfvm_ringbuf_opts {
	size_t sz; /* sizeof(struct bpfvm_ringbuf_opts) */
};

/* A consumer of the RINGBUF `map` (-EINVAL for another type); it holds a
 * reference to each map it consumes. */
int bpfvm_ringbuf_new(struct bpfvm_map *map, bpfvm_ringbuf_sample_fn sample_cb,
		      void *ctx, const struct bpfvm_ringbuf_opts *opts,
		      struct bpfvm_ringbuf **out);
/* One more ring for the same consumer; its index is the number of rings
 * before it. */
int bpfvm_ringbuf_add(struct bpfvm_ringbuf *rb, struct bpfvm_map *map,
		      bpfvm_ringbuf_sample_fn sample_cb, void *ctx);
void bpfvm_ringbuf_free(struct bpfvm_ringbuf *rb);

/* Wait up to timeout_ms (-1: forever, 0: not at all) for a wakeup, then
 * consume the rings that had one. Returns the records consumed (capped
 * at INT_MAX), 0 on timeout, a callback's negative value, or -EINTR. */
int bpfvm_ringbuf_poll(struct bpfvm_ringbuf *rb, int timeout_ms);
/* Consume what every ring holds now, without waiting. */
int bpfvm_ringbuf_consume(struct bpfvm_ringbuf *rb);
/* The same, stopping after n records. */
int bpfvm_ringbuf_consume_n(struct bpfvm_ringbuf *rb, size_t n);
/* Only ring `ring` (-EINVAL past the last). */
int bpfvm_ringbuf_consume_ring(struct bpfvm_ringbuf *rb, unsigned ring);
/* An epoll fd, readable when a ring has a wakeup pending; its events'
 * data.u32 is the ring index (for consume_ring). After it has been asked
 * for, consume and consume_ring also take the wakeups of the rings they
 * empty, so the fd stops being readable. Owned by rb. */
int bpfvm_ringbuf_epoll_fd(struct bpfvm_ringbuf *rb);
unsigned bpfvm_ringbuf_ring_cnt(const struct bpfvm_ringbuf *rb);

/* A snapshot of one ring (libbpf's ring__* getters). */
struct bpfvm_ringbuf_ring_info {
	size_t sz;		/* sizeof(struct bpfvm_ringbuf_ring_info) */
	uint64_t consumer_pos;
	uint64_t producer_pos;
	uint64_t avail_data;	/* producer_pos - consumer_pos */
	uint64_t size;		/* max_entries */
	uint32_t map_id;
};

int bpfvm_ringbuf_ring_info(const struct bpfvm_ringbuf *rb, unsigned ring,
			    struct bpfvm_ringbuf_ring_info *info);

/* ---- perf buffers ---- */

struct bpfvm_perfbuf;

/* A PERF_RECORD_SAMPLE: the program's data zero-padded so that 4 + size
 * is a multiple of 8 (size counts the padding, as in Linux). */
typedef void (*bpfvm_perfbuf_sample_fn)(void *ctx, int cpu, void *data,
					uint32_t size);
/* A PERF_RECORD_LOST: cnt samples did not fit in cpu's buffer. */
typedef void (*bpfvm_perfbuf_lost_fn)(void *ctx, int cpu, uint64_t cnt);

struct bpfvm_perfbuf_opts {
	size_t sz;		/* sizeof(struct bpfvm_perfbuf_opts) */
	/* Wake the consumer every N samples (libbpf's sample_period);
	 * 0: 1. */
	uint32_t wakeup_events;
	/* Buffers to make: for CPU slot cpus[i], put in map slot
	 * map_keys[i] (perf_buffer__new_raw's cpus / map_keys). cpu_cnt 0:
	 * CPU i in slot i for every i below both max_entries and
	 * bpfvm_num_possible_cpus(). */
	uint32_t cpu_cnt;
	const unsigned *cpus;
	const uint32_t *map_keys;
};

/* Buffers of page_cnt pages each (a power of 2, else -EINVAL) for the
 * PERF_EVENT_ARRAY `map`, installed in its slots (replacing what was
 * there). sample_cb may not be NULL; lost_cb may. */
int bpfvm_perfbuf_new(struct bpfvm_map *map, size_t page_cnt,
		      bpfvm_perfbuf_sample_fn sample_cb,
		      bpfvm_perfbuf_lost_fn lost_cb, void *ctx,
		      const struct bpfvm_perfbuf_opts *opts,
		      struct bpfvm_perfbuf **out);
/* Takes the buffers out of the map slots that still hold them. */
void bpfvm_perfbuf_free(struct bpfvm_perfbuf *pb);

/* Wait up to timeout_ms for a wakeup, then read the buffers that had
 * one. Returns how many buffers were read (as libbpf), 0 on timeout, or
 * -EINTR. */
int bpfvm_perfbuf_poll(struct bpfvm_perfbuf *pb, int timeout_ms);
/* Read every buffer now; 0. */
int bpfvm_perfbuf_consume(struct bpfvm_perfbuf *pb);
/* Read buffer idx (-EINVAL past the last); 0. */
int bpfvm_perfbuf_consume_buffer(struct bpfvm_perfbuf *pb, size_t idx);
/* As bpfvm_ringbuf_epoll_fd; data.u32 is the buffer index. */
int bpfvm_perfbuf_epoll_fd(struct bpfvm_perfbuf *pb);
size_t bpfvm_perfbuf_buffer_cnt(const struct bpfvm_perfbuf *pb);
/* The id of buffer idx's perf event: the value a PERF_EVENT_ARRAY slot
 * takes in bpfvm_map_update (where Linux takes a perf event fd). -EINVAL
 * past the last buffer. */
int bpfvm_perfbuf_buffer_id(const struct bpfvm_perfbuf *pb, size_t idx);
/* Buffer idx as Linux mmaps a perf event: a struct perf_event_mmap_page
 * (data_head, data_tail, data_offset, data_size), the data after it.
 * *buf_size counts both. */
int bpfvm_perfbuf_buffer(const struct bpfvm_perfbuf *pb, size_t idx,
			 void **buf, size_t *buf_size);

#ifdef __cplusplus
}
#endif
#endif
