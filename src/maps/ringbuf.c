/* BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer ring shared by
 * every CPU (kernel-docs/ringbuf.rst). Producers reserve under a spin lock
 * and commit lock-free; the consumer (ringbuf_consumer.c) sees records in
 * reservation order, stopping at the first one still BUSY. */
#include <assert.h>
#include <errno.h>

#include "maps/ringbuf.h"
#include "maps/value_access.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* Pages before the data: the map struct, consumer_pos, producer_pos. */
#define RINGBUF_META_PAGES 3

static_assert(sizeof(struct ringbuf_map) <= 4096,
	      "struct ringbuf_map must fit in page 0");

/* The page size, known before the first record exists (ringbuf_alloc). */
static size_t ringbuf_page;

/* The reservation lock, inline: it is taken once per record. */
static inline void ringbuf_lock(struct ringbuf_map *rb)
{
	_Atomic uint32_t *l = (_Atomic uint32_t *)&rb->lock;

	while (atomic_exchange_explicit(l, 1, memory_order_acquire)) {
		while (atomic_load_explicit(l, memory_order_relaxed))
			__builtin_ia32_pause();
	}
}

static inline void ringbuf_unlock(struct ringbuf_map *rb)
{
	atomic_store_explicit((_Atomic uint32_t *)&rb->lock, 0,
			      memory_order_release);
}

static int ringbuf_check(struct map_attr *a)
{
	uint32_t n = a->max_entries;

	if (a->map_flags & ~(uint32_t)BPF_F_NUMA_NODE)
		return -EINVAL;
	if (a->key_size || a->value_size || a->map_extra)
		return -EINVAL;
	if (!n || (n & (n - 1)) || n % ring_page_size())
		return -EINVAL;
	return 0;
}

static int ringbuf_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	size_t page = ring_page_size();
	struct ringbuf_map *rb;
	struct ring_mem mem;
	int err;

	ringbuf_page = page;
	err = ring_mem_map(&mem, RINGBUF_META_PAGES * page, a->max_entries);
	if (err)
		return err;
	rb = (struct ringbuf_map *)mem.base;
	rb->mem = mem;
	rb->mask = a->max_entries - 1;
	rb->page_shift = (uint32_t)__builtin_ctzl(page);
	rb->data = ring_mem_data(&mem);
	rb->consumer_pos = (_Atomic uint64_t *)(mem.base + page);
	rb->producer_pos = (_Atomic uint64_t *)(mem.base + 2 * page);
	err = ring_wake_init(&rb->wake);
	if (err) {
		ring_mem_unmap(mem);
		return err;
	}
	*out = &rb->map;
	return 0;
}

static void ringbuf_free(struct bpfvm_map *map)
{
	struct ringbuf_map *rb = (struct ringbuf_map *)map;

	ring_wake_fini(&rb->wake);
	ring_mem_unmap(rb->mem); /* rb itself goes with it */
}

/* Past the pending records that were committed since last time: the
 * kernel refuses a reservation that would make the oldest uncommitted
 * record and the newest one span more than the ring. */
static uint64_t ringbuf_advance_pending(struct ringbuf_map *rb, uint64_t prod)
{
	uint64_t pend = rb->pending_pos;

	while (pend < prod) {
		struct ringbuf_hdr *h =
			(struct ringbuf_hdr *)(rb->data + (pend & rb->mask));
		uint32_t len = atomic_load_explicit(&h->len,
						    memory_order_acquire);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		pend += ringbuf_rec_size(len);
	}
	rb->pending_pos = pend;
	return pend;
}

/* Room for a record ending at new_prod? consumer_pos only grows, so the
 * last value seen is re-read only when it says no. */
static bool ringbuf_has_room(struct ringbuf_map *rb, uint64_t new_prod)
{
	if (new_prod - rb->cons_seen <= rb->mask)
		return true;
	rb->cons_seen = atomic_load_explicit(rb->consumer_pos,
					     memory_order_acquire);
	return new_prod - rb->cons_seen <= rb->mask;
}

void *ringbuf_reserve(struct ringbuf_map *rb, uint64_t size)
{
	struct ringbuf_hdr *h;
	uint64_t prod, new_prod;

	if (size > RINGBUF_MAX_RECORD ||
	    ringbuf_rec_size((uint32_t)size) > rb->mask + 1)
		return NULL;
	ringbuf_lock(rb);
	prod = atomic_load_explicit(rb->producer_pos, memory_order_relaxed);
	new_prod = prod + ringbuf_rec_size((uint32_t)size);
	if (!ringbuf_has_room(rb, new_prod) ||
	    new_prod - ringbuf_advance_pending(rb, prod) > rb->mask) {
		ringbuf_unlock(rb);
		return NULL;
	}
	h = (struct ringbuf_hdr *)(rb->data + (prod & rb->mask));
	atomic_store_explicit(&h->len, (uint32_t)size | BPF_RINGBUF_BUSY_BIT,
			      memory_order_relaxed);
	h->pg_off = (uint32_t)(((uint8_t *)h - (uint8_t *)rb) >>
			       rb->page_shift);
	/* Publishes the BUSY header before the position that covers it. */
	atomic_store_explicit(rb->producer_pos, new_prod,
			      memory_order_release);
	ringbuf_unlock(rb);
	return h + 1;
}

static struct ringbuf_map *ringbuf_from_hdr(struct ringbuf_hdr *h)
{
	size_t page = ringbuf_page;
	uintptr_t p = (uintptr_t)h & ~(uintptr_t)(page - 1);

	return (struct ringbuf_map *)(p - (uintptr_t)h->pg_off * page);
}

void ringbuf_commit(void *sample, uint64_t flags, bool discard)
{
	struct ringbuf_hdr *h = (struct ringbuf_hdr *)sample - 1;
	struct ringbuf_map *rb = ringbuf_from_hdr(h);
	uint32_t len = atomic_load_explicit(&h->len, memory_order_relaxed);
	uint64_t rec_pos, cons;

	len ^= BPF_RINGBUF_BUSY_BIT;
	if (discard)
		len |= BPF_RINGBUF_DISCARD_BIT;
	/* seq_cst, like the consumer's store of its position and its loads:
	 * either it sees this record, or we see that it caught up to it. */
	atomic_exchange(&h->len, len);
	rec_pos = (uint64_t)((uint8_t *)h - rb->data);
	cons = atomic_load(rb->consumer_pos) & rb->mask;
	if ((flags & BPF_RB_FORCE_WAKEUP) ||
	    (cons == rec_pos && !(flags & BPF_RB_NO_WAKEUP)))
		ring_wake_signal(&rb->wake);
}

uint64_t ringbuf_query(struct ringbuf_map *rb, uint64_t flags)
{
	uint64_t cons = atomic_load_explicit(rb->consumer_pos,
					     memory_order_acquire);
	uint64_t prod = atomic_load_explicit(rb->producer_pos,
					     memory_order_acquire);

	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return prod - cons;
	case BPF_RB_RING_SIZE:
		return rb->mask + 1;
	case BPF_RB_CONS_POS:
		return cons;
	case BPF_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

/* Checked runs: the data of a record reserved and not yet submitted or
 * discarded (still BUSY), its requested size only; the rest of the ring
 * (headers, committed records, free space) is refused. Walks the records
 * from the oldest that may be BUSY to producer_pos, under the
 * reservation lock: O(records in flight). Any thread's reservation
 * counts, not only this run's. */
static int ringbuf_value_access(const struct bpfvm_map *map, uint64_t addr,
				unsigned size, bool write)
{
	struct ringbuf_map *rb = (struct ringbuf_map *)map;
	uint64_t rel = addr - (uintptr_t)rb->data, prod, pos;
	int r = 0;

	(void)write;
	if (addr < (uintptr_t)rb->data || rel >= 2 * (rb->mask + 1))
		return 0;
	ringbuf_lock(rb);
	prod = atomic_load_explicit(rb->producer_pos, memory_order_relaxed);
	for (pos = ringbuf_advance_pending(rb, prod); pos < prod && !r;) {
		struct ringbuf_hdr *h =
			(struct ringbuf_hdr *)(rb->data + (pos & rb->mask));
		uint32_t len = atomic_load_explicit(&h->len,
						    memory_order_acquire);
		uint64_t lo = (uintptr_t)(h + 1);
		uint32_t n = len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT |
					       BPF_RINGBUF_DISCARD_BIT);

		if ((len & BPF_RINGBUF_BUSY_BIT) && map_range_in(addr, size, lo, n))
			r = 1;
		pos += ringbuf_rec_size(len);
	}
	ringbuf_unlock(rb);
	return r;
}

/* User space: no element operations. Like bpf(2), a key pointer for a
 * map whose key_size is 0 is -EINVAL before the type says -ENOTSUPP. */
static int ringbuf_no_elem(const void *key)
{
	return key ? -EINVAL : -ENOTSUPP;
}

static int ringbuf_sys_lookup(struct bpfvm_map *map, const void *key,
			      void *value, uint64_t flags)
{
	(void)map, (void)value, (void)flags;
	return ringbuf_no_elem(key);
}

static int ringbuf_sys_update(struct bpfvm_map *map, const void *key,
			      const void *value, uint64_t flags)
{
	(void)map, (void)value, (void)flags;
	return ringbuf_no_elem(key);
}

static int ringbuf_sys_delete(struct bpfvm_map *map, const void *key)
{
	(void)map;
	return ringbuf_no_elem(key);
}

static int ringbuf_sys_lookup_and_delete(struct bpfvm_map *map,
					 const void *key, void *value,
					 uint64_t flags)
{
	(void)map, (void)value;
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	return ringbuf_no_elem(key);
}

static int ringbuf_get_next_key(struct bpfvm_map *map, const void *key,
				void *next_key)
{
	(void)map, (void)next_key;
	return ringbuf_no_elem(key);
}

/* What mmap() of the map fd gives in the kernel: the consumer page, the
 * producer page, then the data twice. */
static void *ringbuf_mmap(struct bpfvm_map *map)
{
	return (uint8_t *)map + ring_page_size();
}

const struct map_ops map_ringbuf_ops = {
	.check = ringbuf_check,
	.alloc = ringbuf_alloc,
	.free = ringbuf_free,
	.sys_lookup = ringbuf_sys_lookup,
	.sys_update = ringbuf_sys_update,
	.sys_delete = ringbuf_sys_delete,
	.sys_lookup_and_delete = ringbuf_sys_lookup_and_delete,
	.get_next_key = ringbuf_get_next_key,
	.mmap = ringbuf_mmap,
	.value_access = ringbuf_value_access,
};
