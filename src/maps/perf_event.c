/* BPF-output perf events: per-CPU rings of perf records (perf_event.h). */
#include <errno.h>
#include <string.h>

#include "core/ids.h"
#include "maps/perf_event.h"

/* Pages before the data: this struct, the perf_event_mmap_page. */
#define PERF_EVENT_META_PAGES 2
/* A perf record's size is a u16. */
#define PERF_RECORD_MAX 0xffffu

_Static_assert(sizeof(struct perf_event_buf) <= 4096,
	       "struct perf_event_buf must fit in page 0");

static int perf_event_setup(struct perf_event_buf *ev, unsigned cpu,
			    uint32_t wakeup_events)
{
	size_t page = ring_page_size();

	atomic_init(&ev->refcnt, 1);
	ev->cpu = cpu;
	ev->wakeup_events = wakeup_events ? wakeup_events : 1;
	ev->mask = ev->mem.size - 1;
	ev->data = ring_mem_data(&ev->mem);
	ev->user = (struct perf_event_mmap_page *)(ev->mem.base + page);
	ev->user->size = (uint32_t)offsetof(struct perf_event_mmap_page,
					    __reserved);
	ev->user->data_offset = page;
	ev->user->data_size = ev->mem.size;
	ev->id = core_id_alloc(ev, CORE_ID_PERF_EVENT);
	if (!ev->id)
		return -ENOMEM;
	return ring_wake_init(&ev->wake);
}

static void perf_event_destroy(struct perf_event_buf *ev)
{
	if (ev->id)
		core_id_release(ev->id);
	ring_wake_fini(&ev->wake);
	ring_mem_unmap(ev->mem); /* ev itself goes with it */
}

int perf_event_new(unsigned cpu, size_t page_cnt, uint32_t wakeup_events,
		   struct perf_event_buf **out)
{
	size_t page = ring_page_size();
	struct perf_event_buf *ev;
	struct ring_mem mem;
	int err;

	if (!page_cnt || (page_cnt & (page_cnt - 1)) ||
	    page_cnt > (1u << 31) / page)
		return -EINVAL;
	err = ring_mem_map(&mem, PERF_EVENT_META_PAGES * page,
			   page_cnt * page);
	if (err)
		return err;
	ev = (struct perf_event_buf *)mem.base;
	ev->mem = mem;
	ev->wake.efd = -1;
	err = perf_event_setup(ev, cpu, wakeup_events);
	if (err) {
		perf_event_destroy(ev);
		return err;
	}
	*out = ev;
	return 0;
}

void perf_event_get(struct perf_event_buf *ev)
{
	atomic_fetch_add_explicit(&ev->refcnt, 1, memory_order_relaxed);
}

void perf_event_put(struct perf_event_buf *ev)
{
	if (ev && atomic_fetch_sub_explicit(&ev->refcnt, 1,
					    memory_order_acq_rel) == 1)
		perf_event_destroy(ev);
}

static bool perf_event_tryget(void *obj)
{
	struct perf_event_buf *ev = obj;
	unsigned n = atomic_load(&ev->refcnt);

	while (n && !atomic_compare_exchange_weak(&ev->refcnt, &n, n + 1))
		;
	return n != 0;
}

struct perf_event_buf *perf_event_by_id(uint32_t id)
{
	return core_id_get(id, CORE_ID_PERF_EVENT, perf_event_tryget);
}

/* perf's rule: the writer may fill all but one byte of the ring. The
 * reader's data_tail only grows, so it is re-read only when short. */
static bool perf_event_has_room(struct perf_event_buf *ev, uint64_t head,
				uint64_t need)
{
	if (head + need - ev->tail_seen < ev->mem.size)
		return true;
	ev->tail_seen = __atomic_load_n(&ev->user->data_tail,
					__ATOMIC_ACQUIRE);
	return head + need - ev->tail_seen < ev->mem.size;
}

static uint64_t perf_event_put_lost(struct perf_event_buf *ev, uint64_t head)
{
	struct perf_lost_rec rec = {
		.hdr = { .type = PERF_RECORD_LOST, .size = sizeof(rec) },
		.id = ev->id,
		.lost = ev->lost,
	};

	memcpy(ev->data + (head & ev->mask), &rec, sizeof(rec));
	ev->lost = 0;
	return head + sizeof(rec);
}

/* PERF_RECORD_SAMPLE with PERF_SAMPLE_RAW: header, u32 size, the data
 * zero-padded so the record stays 8-byte aligned; size counts the
 * padding (the kernel's perf_prepare_sample). */
static uint64_t perf_event_put_sample(struct perf_event_buf *ev,
				      uint64_t head, const void *data,
				      uint32_t size, uint32_t rec_size)
{
	uint8_t *p = ev->data + (head & ev->mask);
	struct perf_event_header hdr = {
		.type = PERF_RECORD_SAMPLE,
		/* What the kernel's helper writes from a program's run
		 * (perf_misc_flags of kernel registers). */
		.misc = PERF_RECORD_MISC_KERNEL,
		.size = (uint16_t)rec_size,
	};
	uint32_t raw = rec_size - sizeof(hdr) - sizeof(uint32_t);

	memcpy(p, &hdr, sizeof(hdr));
	memcpy(p + sizeof(hdr), &raw, sizeof(raw));
	memcpy(p + sizeof(hdr) + sizeof(raw), data, size);
	memset(p + sizeof(hdr) + sizeof(raw) + size, 0, raw - size);
	return head + rec_size;
}

int perf_event_write(struct perf_event_buf *ev, const void *data,
		     uint64_t size)
{
	uint64_t rec = sizeof(struct perf_event_header) +
		       ((size + sizeof(uint32_t) + 7) & ~(uint64_t)7);
	uint64_t head, need;
	bool wake = false;

	if (rec > PERF_RECORD_MAX)
		return -E2BIG;
	map_spin_lock(&ev->lock);
	head = __atomic_load_n(&ev->user->data_head, __ATOMIC_RELAXED);
	need = rec + (ev->lost ? sizeof(struct perf_lost_rec) : 0);
	if (!perf_event_has_room(ev, head, need)) {
		ev->lost++;
		map_spin_unlock(&ev->lock);
		return -ENOSPC;
	}
	if (ev->lost)
		head = perf_event_put_lost(ev, head);
	head = perf_event_put_sample(ev, head, data, (uint32_t)size,
				     (uint32_t)rec);
	__atomic_store_n(&ev->user->data_head, head, __ATOMIC_RELEASE);
	if (++ev->unwoken >= ev->wakeup_events) {
		ev->unwoken = 0;
		wake = true;
	}
	map_spin_unlock(&ev->lock);
	if (wake)
		ring_wake_signal(&ev->wake);
	return 0;
}
