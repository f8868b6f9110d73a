/* bpfvm_perfbuf_*: per-CPU perf event buffers for a PERF_EVENT_ARRAY and
 * their consumer (libbpf's perf_buffer__*), reading perf_event.h's
 * layout. */
#include <errno.h>
#include <stdlib.h>

#include <bpfvm/ringbuf.h>
#include "core/opts.h"
#include "maps/perf_event.h"

struct pb_buf {
	struct perf_event_buf *ev;	/* one reference */
	uint32_t map_key;
};

struct bpfvm_perfbuf {
	struct bpfvm_map *map;		/* one reference */
	bpfvm_perfbuf_sample_fn sample_cb;
	bpfvm_perfbuf_lost_fn lost_cb;
	void *ctx;
	struct pb_buf *bufs;		/* poller.cnt of them */
	struct ring_poller poller;
};

void bpfvm_perfbuf_free(struct bpfvm_perfbuf *pb)
{
	if (!pb)
		return;
	for (unsigned i = 0; i < pb->poller.cnt; i++) {
		perf_array_uninstall(pb->map, pb->bufs[i].map_key,
				     pb->bufs[i].ev);
		perf_event_put(pb->bufs[i].ev);
	}
	ring_poller_fini(&pb->poller);
	map_put(pb->map);
	free(pb->bufs);
	free(pb);
}

static int pb_add(struct bpfvm_perfbuf *pb, unsigned cpu, uint32_t key,
		  size_t page_cnt, uint32_t wakeup_events)
{
	struct perf_event_buf *ev;
	int err;

	if (cpu >= bpfvm_num_possible_cpus() || key >= pb->map->max_entries)
		return -EINVAL;
	err = perf_event_new(cpu, page_cnt, wakeup_events, &ev);
	if (err)
		return err;
	err = ring_poller_add(&pb->poller, &ev->wake);
	if (err) {
		perf_event_put(ev);
		return err;
	}
	pb->bufs[pb->poller.cnt - 1] = (struct pb_buf){ ev, key };
	return perf_array_install(pb->map, key, ev);
}

/* The buffers opts asks for, or CPU i in slot i. */
static int pb_add_all(struct bpfvm_perfbuf *pb, size_t page_cnt,
		      const struct bpfvm_perfbuf_opts *opts)
{
	uint32_t n = OPTS_GET(opts, cpu_cnt, 0);
	const unsigned *cpus = OPTS_GET(opts, cpus, NULL);
	const uint32_t *keys = OPTS_GET(opts, map_keys, NULL);
	uint32_t wakeup = OPTS_GET(opts, wakeup_events, 0);
	int err = 0;

	if (n && (!cpus || !keys))
		return -EINVAL;
	if (!n) {
		n = bpfvm_num_possible_cpus();
		if (n > pb->map->max_entries)
			n = pb->map->max_entries;
	}
	pb->bufs = calloc(n, sizeof(*pb->bufs));
	if (!pb->bufs)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && !err; i++)
		err = pb_add(pb, cpus ? cpus[i] : i, keys ? keys[i] : i,
			     page_cnt, wakeup);
	return err;
}

int bpfvm_perfbuf_new(struct bpfvm_map *map, size_t page_cnt,
		      bpfvm_perfbuf_sample_fn sample_cb,
		      bpfvm_perfbuf_lost_fn lost_cb, void *ctx,
		      const struct bpfvm_perfbuf_opts *opts,
		      struct bpfvm_perfbuf **out)
{
	struct bpfvm_perfbuf *pb;
	int err;

	if (!out || !map || map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    !sample_cb || (opts && opts->sz < sizeof(size_t)))
		return -EINVAL;
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	map_get(map);
	*pb = (struct bpfvm_perfbuf){ .map = map, .sample_cb = sample_cb,
				      .lost_cb = lost_cb, .ctx = ctx };
	err = ring_poller_init(&pb->poller);
	if (!err)
		err = pb_add_all(pb, page_cnt, opts);
	if (err) {
		bpfvm_perfbuf_free(pb);
		return err;
	}
	*out = pb;
	return 0;
}

static void pb_record(struct bpfvm_perfbuf *pb, int cpu,
		      struct perf_event_header *hdr)
{
	if (hdr->type == PERF_RECORD_SAMPLE) {
		struct perf_sample_rec *s = (struct perf_sample_rec *)hdr;

		pb->sample_cb(pb->ctx, cpu, s->data, s->size);
	} else if (hdr->type == PERF_RECORD_LOST && pb->lost_cb) {
		pb->lost_cb(pb->ctx, cpu, ((struct perf_lost_rec *)hdr)->lost);
	}
}

/* Everything up to data_head, then hand the space back (data_tail). A
 * record too short to be one means the buffer was scribbled on: skip to
 * the head and say so. */
static int pb_read(struct bpfvm_perfbuf *pb, unsigned idx)
{
	struct perf_event_buf *ev = pb->bufs[idx].ev;
	uint64_t head = __atomic_load_n(&ev->user->data_head,
					__ATOMIC_ACQUIRE);
	uint64_t tail = __atomic_load_n(&ev->user->data_tail,
					__ATOMIC_RELAXED);
	int err = 0;

	while (tail < head) {
		struct perf_event_header *hdr =
			(struct perf_event_header *)(ev->data +
						     (tail & ev->mask));

		if (hdr->size < sizeof(*hdr) || hdr->size > head - tail) {
			err = -EINVAL;
			tail = head;
			break;
		}
		pb_record(pb, (int)ev->cpu, hdr);
		tail += hdr->size;
	}
	__atomic_store_n(&ev->user->data_tail, tail, __ATOMIC_RELEASE);
	return err;
}

static int pb_consume_one(struct bpfvm_perfbuf *pb, unsigned idx, bool ack)
{
	if (ack)
		ring_wake_ack(&pb->bufs[idx].ev->wake);
	return pb_read(pb, idx);
}

int bpfvm_perfbuf_consume_buffer(struct bpfvm_perfbuf *pb, size_t idx)
{
	if (!pb || idx >= pb->poller.cnt)
		return -EINVAL;
	return pb_consume_one(pb, (unsigned)idx, pb->poller.exposed);
}

int bpfvm_perfbuf_consume(struct bpfvm_perfbuf *pb)
{
	int err = 0;

	if (!pb)
		return -EINVAL;
	for (unsigned i = 0; i < pb->poller.cnt && !err; i++)
		err = pb_consume_one(pb, i, pb->poller.exposed);
	return err;
}

int bpfvm_perfbuf_poll(struct bpfvm_perfbuf *pb, int timeout_ms)
{
	int n, err = 0;

	if (!pb)
		return -EINVAL;
	n = ring_poller_wait(&pb->poller, timeout_ms);
	for (int i = 0; i < n && !err; i++)
		err = pb_consume_one(pb, pb->poller.events[i].data.u32, true);
	return err ? err : n;
}

int bpfvm_perfbuf_epoll_fd(struct bpfvm_perfbuf *pb)
{
	if (!pb)
		return -EINVAL;
	pb->poller.exposed = true;
	return pb->poller.epfd;
}

size_t bpfvm_perfbuf_buffer_cnt(const struct bpfvm_perfbuf *pb)
{
	return pb ? pb->poller.cnt : 0;
}

int bpfvm_perfbuf_buffer_id(const struct bpfvm_perfbuf *pb, size_t idx)
{
	if (!pb || idx >= pb->poller.cnt)
		return -EINVAL;
	return (int)pb->bufs[idx].ev->id;
}

int bpfvm_perfbuf_buffer(const struct bpfvm_perfbuf *pb, size_t idx,
			 void **buf, size_t *buf_size)
{
	struct perf_event_buf *ev;

	if (!pb || idx >= pb->poller.cnt || !buf || !buf_size)
		return -EINVAL;
	ev = pb->bufs[idx].ev;
	*buf = ev->user;
	*buf_size = ev->user->data_offset + ev->user->data_size;
	return 0;
}
