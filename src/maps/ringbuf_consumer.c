/* bpfvm_ringbuf_*: the user-space consumer of RINGBUF maps (libbpf's
 * ring_buffer__*), reading the layout in ringbuf.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include <bpfvm/ringbuf.h>
#include "core/opts.h"
#include "maps/ringbuf.h"

struct rb_ring {
	struct ringbuf_map *rb;	/* holds a map reference */
	bpfvm_ringbuf_sample_fn cb;
	void *ctx;
};

struct bpfvm_ringbuf {
	struct rb_ring *rings;
	struct ring_poller poller;
};

int bpfvm_ringbuf_add(struct bpfvm_ringbuf *rb, struct bpfvm_map *map,
		      bpfvm_ringbuf_sample_fn sample_cb, void *ctx)
{
	struct ringbuf_map *ring = ringbuf_of(map);
	unsigned i = rb ? rb->poller.cnt : 0;
	struct rb_ring *n;
	int err;

	if (!rb || !ring || !sample_cb)
		return -EINVAL;
	n = realloc(rb->rings, (i + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	rb->rings = n;
	err = ring_poller_add(&rb->poller, &ring->wake);
	if (err)
		return err;
	map_get(map);
	n[i] = (struct rb_ring){ ring, sample_cb, ctx };
	return 0;
}

int bpfvm_ringbuf_new(struct bpfvm_map *map, bpfvm_ringbuf_sample_fn sample_cb,
		      void *ctx, const struct bpfvm_ringbuf_opts *opts,
		      struct bpfvm_ringbuf **out)
{
	struct bpfvm_ringbuf *rb;
	int err;

	if (!out || (opts && opts->sz < sizeof(size_t)))
		return -EINVAL;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	err = ring_poller_init(&rb->poller);
	if (!err)
		err = bpfvm_ringbuf_add(rb, map, sample_cb, ctx);
	if (err) {
		bpfvm_ringbuf_free(rb);
		return err;
	}
	*out = rb;
	return 0;
}

void bpfvm_ringbuf_free(struct bpfvm_ringbuf *rb)
{
	if (!rb)
		return;
	for (unsigned i = 0; i < rb->poller.cnt; i++)
		map_put(&rb->rings[i].rb->map);
	ring_poller_fini(&rb->poller);
	free(rb->rings);
	free(rb);
}

/* Publish the consumer position. seq_cst, like the loads in
 * rb_ring_ready and the producers' commit: after it, either we see a
 * record committed behind us, or its producer sees us caught up and
 * wakes us. */
static void rb_ring_publish(struct ringbuf_map *r, uint64_t cons)
{
	atomic_store(r->consumer_pos, cons);
}

/* Is the record at cons ready (committed or discarded)? *prod caches
 * producer_pos, read again only when cons reaches it: producers write that
 * word on every reservation, so reading it per record would move its cache
 * line back and forth. */
static bool rb_ring_ready(struct ringbuf_map *r, uint64_t cons,
			  uint64_t *prod)
{
	struct ringbuf_hdr *h =
		(struct ringbuf_hdr *)(r->data + (cons & r->mask));

	if (cons >= *prod) {
		*prod = atomic_load(r->producer_pos);
		if (cons >= *prod)
			return false;
	}
	return !(atomic_load(&h->len) & BPF_RINGBUF_BUSY_BIT);
}

/* The consumer position is published every so often rather than after
 * each record, so producers do not fight the consumer for its cache line
 * on every record; at most an eighth of the ring waits for it. */
static uint64_t rb_ring_publish_every(const struct ringbuf_map *r)
{
	uint64_t n = (r->mask + 1) / 8;

	return n < 16384 ? n : 16384;
}

/* Up to `max` records from *cons on; returns how many, or a callback's
 * error (its record counts as consumed). */
static int64_t rb_ring_drain(struct rb_ring *ring, uint64_t *cons,
			     uint64_t *prod, int64_t max)
{
	struct ringbuf_map *r = ring->rb;
	uint64_t every = rb_ring_publish_every(r), last = *cons;
	int64_t cnt = 0;

	while (cnt < max && rb_ring_ready(r, *cons, prod)) {
		struct ringbuf_hdr *h =
			(struct ringbuf_hdr *)(r->data + (*cons & r->mask));
		uint32_t len = atomic_load_explicit(&h->len,
						    memory_order_relaxed);

		*cons += ringbuf_rec_size(len);
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			int err = ring->cb(ring->ctx, h + 1, len);

			if (err < 0)
				return err;
			cnt++;
		}
		if (*cons - last >= every) {
			atomic_store_explicit(r->consumer_pos, *cons,
					      memory_order_release);
			last = *cons;
		}
	}
	return cnt;
}

/* Drain until the ring is empty (or up to a BUSY record), re-checking
 * after each publish so no commit slips between the check and the
 * producers' wakeup test. Data left behind (max reached, callback error)
 * re-arms the wakeup, as the kernel's level-triggered poll would report
 * the ring again. */
static int64_t rb_ring_process(struct rb_ring *ring, int64_t max)
{
	struct ringbuf_map *r = ring->rb;
	uint64_t cons = atomic_load_explicit(r->consumer_pos,
					     memory_order_acquire);
	uint64_t prod = cons;
	int64_t cnt = 0, n;

	do {
		n = rb_ring_drain(ring, &cons, &prod, max - cnt);
		rb_ring_publish(r, cons);
		if (n < 0)
			break;
		cnt += n;
	} while (cnt < max && rb_ring_ready(r, cons, &prod));
	if (rb_ring_ready(r, cons, &prod))
		ring_wake_signal(&r->wake);
	return n < 0 ? n : cnt;
}

static int rb_clamp(int64_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

static int64_t rb_consume_one(struct bpfvm_ringbuf *rb, unsigned i,
			      int64_t max, bool ack)
{
	if (ack)
		ring_wake_ack(&rb->rings[i].rb->wake);
	return rb_ring_process(&rb->rings[i], max);
}

int bpfvm_ringbuf_consume_n(struct bpfvm_ringbuf *rb, size_t n)
{
	int64_t total = 0, max = n > INT64_MAX ? INT64_MAX : (int64_t)n;

	if (!rb)
		return -EINVAL;
	for (unsigned i = 0; i < rb->poller.cnt && total < max; i++) {
		int64_t got = rb_consume_one(rb, i, max - total,
					     rb->poller.exposed);

		if (got < 0)
			return (int)got;
		total += got;
	}
	return rb_clamp(total);
}

int bpfvm_ringbuf_consume(struct bpfvm_ringbuf *rb)
{
	return bpfvm_ringbuf_consume_n(rb, SIZE_MAX);
}

int bpfvm_ringbuf_consume_ring(struct bpfvm_ringbuf *rb, unsigned ring)
{
	int64_t got;

	if (!rb || ring >= rb->poller.cnt)
		return -EINVAL;
	got = rb_consume_one(rb, ring, INT64_MAX, rb->poller.exposed);
	return got < 0 ? (int)got : rb_clamp(got);
}

int bpfvm_ringbuf_poll(struct bpfvm_ringbuf *rb, int timeout_ms)
{
	int64_t total = 0;
	int n;

	if (!rb)
		return -EINVAL;
	n = ring_poller_wait(&rb->poller, timeout_ms);
	for (int i = 0; i < n; i++) {
		unsigned ring = rb->poller.events[i].data.u32;
		int64_t got = rb_consume_one(rb, ring, INT64_MAX, true);

		if (got < 0)
			return (int)got;
		total += got;
	}
	return n < 0 ? n : rb_clamp(total);
}

int bpfvm_ringbuf_epoll_fd(struct bpfvm_ringbuf *rb)
{
	if (!rb)
		return -EINVAL;
	rb->poller.exposed = true;
	return rb->poller.epfd;
}

unsigned bpfvm_ringbuf_ring_cnt(const struct bpfvm_ringbuf *rb)
{
	return rb ? rb->poller.cnt : 0;
}

int bpfvm_ringbuf_ring_info(const struct bpfvm_ringbuf *rb, unsigned ring,
			    struct bpfvm_ringbuf_ring_info *info)
{
	struct ringbuf_map *r;

	if (!rb || ring >= rb->poller.cnt || !info ||
	    info->sz < sizeof(size_t))
		return -EINVAL;
	r = rb->rings[ring].rb;
	OPTS_SET(info, consumer_pos, ringbuf_query(r, BPF_RB_CONS_POS));
	OPTS_SET(info, producer_pos, ringbuf_query(r, BPF_RB_PROD_POS));
	OPTS_SET(info, avail_data, ringbuf_query(r, BPF_RB_AVAIL_DATA));
	OPTS_SET(info, size, r->mask + 1);
	OPTS_SET(info, map_id, r->map.id);
	return 0;
}
