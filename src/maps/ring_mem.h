/* Memory and wakeups shared by the ring buffer types (RINGBUF, the perf
 * event buffers behind PERF_EVENT_ARRAY).
 *
 * ring_mem: `meta` bytes of bookkeeping followed by a data area of `size`
 * bytes mapped twice back to back (as the kernel's bpf_ringbuf_area_alloc
 * does), so a record that wraps past the end is still contiguous for the
 * writer and the reader.
 *
 * ring_wake: an eventfd the consumer can epoll, written at most once per
 * consumer acknowledgement: producers pay a syscall only when the consumer
 * is waiting, never while it is busy or has not yet looked. */
#ifndef BPFVM_MAPS_RING_MEM_H
#define BPFVM_MAPS_RING_MEM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

/* Keeps a producer's and the consumer's hot words apart. */
#define RING_CACHELINE 128

struct ring_mem {
	uint8_t *base;		/* meta, then data, then data again */
	size_t meta;
	size_t size;
};

/* The host's page size (the kernel's PAGE_SIZE for the size rules). */
size_t ring_page_size(void);

/* meta and size multiples of the page size. Zeroed memory; -ENOMEM. */
int ring_mem_map(struct ring_mem *m, size_t meta, size_t size);
/* Unmaps everything (the struct m itself may live in the meta area: pass
 * a copy). */
void ring_mem_unmap(struct ring_mem m);

static inline uint8_t *ring_mem_data(const struct ring_mem *m)
{
	return m->base + m->meta;
}

struct ring_wake {
	int efd;		/* eventfd, non-blocking; -1 if none */
	atomic_uint pending;	/* 1: a write happened or is under way and
				 * the consumer has not read it yet */
};

int ring_wake_init(struct ring_wake *w);
void ring_wake_fini(struct ring_wake *w);
/* Producer: make the eventfd readable unless it already is (or is about
 * to be). */
void ring_wake_signal(struct ring_wake *w);
/* Consumer, before it reads the ring: take the pending notification, so
 * that anything committed after this wakes it again. */
void ring_wake_ack(struct ring_wake *w);

/* The consumer side: one epoll instance over the wakeup eventfds of the
 * rings a consumer reads (ring_poll.c). */
struct ring_poller {
	int epfd;
	unsigned cnt;			/* rings added */
	struct epoll_event *events;	/* cnt of them, for epoll_wait */
	bool exposed;			/* the user has the epoll fd */
};

int ring_poller_init(struct ring_poller *p);
void ring_poller_fini(struct ring_poller *p);
/* Watch w as ring number p->cnt; -ENOMEM or -errno of epoll_ctl. */
int ring_poller_add(struct ring_poller *p, struct ring_wake *w);
/* epoll_wait; the ring numbers are in p->events[i].data.u32. Returns the
 * number of events, or -errno. */
int ring_poller_wait(struct ring_poller *p, int timeout_ms);

#endif
