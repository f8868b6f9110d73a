/* BPF_MAP_TYPE_RINGBUF: creation rules, user-space operations, the helpers
 * (called directly, as a program's call would), the record layout the
 * kernel defines, query values, discard, wrap-around, and the consumer
 * API on one thread. Threads and wakeups: test_ringbuf_load.c. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "ringbuf_test.h"

#define PAGE 4096u

static void test_create(void)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_map_opts o = { .sz = sizeof(o) };
	const uint32_t bad_sizes[] = { 0, 2048, 3 * PAGE, PAGE + 8, 6 * PAGE };

	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(*bad_sizes); i++)
		CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0,
					      bad_sizes[i], NULL, &m),
			     -EINVAL);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 4, 0, PAGE, NULL,
				      &m), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 0, 8, PAGE, NULL,
				      &m), -EINVAL);
	const uint32_t bad_flags[] = { BPF_F_RDONLY, BPF_F_RDONLY_PROG,
				       BPF_F_MMAPABLE, BPF_F_NO_PREALLOC };
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(*bad_flags); i++) {
		o.map_flags = bad_flags[i];
		CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE,
					      &o, &m), -EINVAL);
	}
	o.map_flags = BPF_F_NUMA_NODE;
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE, &o, &m) == 0);
	bpfvm_map_free(m);
	/* Large rings are only address space until written. */
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 1u << 30, NULL,
			       &m) == 0);
	CHECK_EQ_U64(rt_query(m, BPF_RB_RING_SIZE), 1u << 30);
	bpfvm_map_free(m);
}

/* As bpf(2) on the kernel (6.18): a key pointer is -EINVAL (key_size 0),
 * otherwise -ENOTSUPP; freezing works and then writes are -EPERM. */
static void test_sys_ops(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	char k[8] = { 0 }, v[8] = { 0 };

	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_lookup(m, k, v, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_update(m, k, v, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_delete(m, NULL), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_delete(m, k), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, v), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, k, v), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, NULL, v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, k, v, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	CHECK_EQ_U64(bpfvm_map_update(m, NULL, v, 0), -EPERM);
	CHECK_EQ_U64(bpfvm_map_lookup(m, NULL, v, 0), -ENOTSUPP);
	/* Programs still write to a frozen ring. */
	CHECK(rt_output(m, v, 8, 0) == 0);
	bpfvm_map_free(m);
}

/* The kernel's mmap layout: consumer page, producer page, data twice;
 * each record an 8-byte header (len, page offset), 8-byte aligned. */
static void test_layout(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	uint8_t *mm = bpfvm_map_mmap(m);
	uint64_t *cons = (uint64_t *)mm, *prod = (uint64_t *)(mm + PAGE);
	uint8_t *data = mm + 2 * PAGE;
	uint32_t *hdr;
	uint8_t *r1, *r2;

	CHECK(mm != NULL);
	r1 = rt_reserve(m, 5, 0);
	CHECK(r1 == data + 8);
	hdr = (uint32_t *)data;
	CHECK_EQ_U64(hdr[0], 5 | BPF_RINGBUF_BUSY_BIT);
	CHECK_EQ_U64(*prod, 16);
	CHECK_EQ_U64(*cons, 0);
	r2 = rt_reserve(m, 16, 0);
	CHECK(r2 == data + 16 + 8);
	memcpy(r1, "hello", 5);
	rt_submit(r1, 0);
	CHECK_EQ_U64(hdr[0], 5);
	rt_discard(r2, 0);
	CHECK_EQ_U64(hdr[4], 16 | BPF_RINGBUF_DISCARD_BIT);
	/* Page offset from the map's first page, which the mmap'd area
	 * follows: the same for both records (both in data page 0). */
	CHECK_EQ_U64(hdr[1], hdr[5]);
	CHECK(hdr[1] >= 3);
	/* The second mapping shows the same bytes. */
	CHECK(memcmp(data + PAGE + 8, "hello", 5) == 0);
	CHECK(bpfvm_map_mmap(m) == mm);
	CHECK_EQ_U64(*prod, 40);
	bpfvm_map_free(m);
}

struct seen {
	int n;
	size_t total;
	uint8_t last[64];
	size_t last_size;
	int fail_at;	/* return -EIO for record number fail_at */
};

static int seen_cb(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;

	s->n++;
	s->total += size;
	s->last_size = size;
	memcpy(s->last, data, size < sizeof(s->last) ? size : sizeof(s->last));
	return s->n == s->fail_at ? -EIO : 0;
}

static void test_query_and_errors(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_map *arr = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
	uint8_t buf[PAGE] = { 0 };
	void *r;

	CHECK_EQ_U64(rt_query(m, BPF_RB_RING_SIZE), PAGE);
	CHECK_EQ_U64(rt_query(m, BPF_RB_AVAIL_DATA), 0);
	CHECK_EQ_U64(rt_query(m, 99), 0);
	CHECK(rt_output(m, buf, 10, 0) == 0);
	CHECK_EQ_U64(rt_query(m, BPF_RB_AVAIL_DATA), 24);
	CHECK_EQ_U64(rt_query(m, BPF_RB_PROD_POS), 24);
	CHECK_EQ_U64(rt_query(m, BPF_RB_CONS_POS), 0);
	/* Flags: reserve takes none, output only the wakeup pair. */
	CHECK(rt_reserve(m, 8, BPF_RB_NO_WAKEUP) == NULL);
	CHECK_EQ_U64(rt_output(m, buf, 8, 4), -EINVAL);
	/* A record must leave the ring one byte short of full: PAGE - 8 of
	 * header + data can never fit, PAGE - 16 fits an empty ring. */
	CHECK(rt_reserve(m, PAGE, 0) == NULL);
	CHECK(rt_reserve(m, PAGE - 8, 0) == NULL);
	CHECK(rt_reserve(m, (uint64_t)1 << 32, 0) == NULL);
	CHECK_EQ_U64(rt_output(m, buf, PAGE - 24, 0), -EAGAIN); /* 24 used */
	CHECK(rt_output(m, buf, PAGE - 48, 0) == 0);
	CHECK_EQ_U64(rt_query(m, BPF_RB_AVAIL_DATA), PAGE - 16);
	CHECK(rt_reserve(m, 1, 0) == NULL);	/* needs 16, 15 left */
	/* Not a ring buffer: no crash, an error. */
	CHECK(rt_reserve(arr, 8, 0) == NULL);
	CHECK_EQ_U64(rt_output(arr, buf, 8, 0), -EINVAL);
	CHECK_EQ_U64(rt_query(arr, BPF_RB_RING_SIZE), 0);
	CHECK(rt_reserve(NULL, 8, 0) == NULL);
	/* Zero-sized records are records. */
	struct bpfvm_map *z = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_ringbuf *c = NULL;
	struct seen s = { 0 };

	r = rt_reserve(z, 0, 0);
	CHECK(r != NULL);
	rt_submit(r, 0);
	CHECK(rt_output(z, buf, 0, 0) == 0);
	CHECK(bpfvm_ringbuf_new(z, seen_cb, &s, NULL, &c) == 0);
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 2);
	CHECK_EQ_U64(s.total, 0);
	CHECK_EQ_U64(rt_query(z, BPF_RB_CONS_POS), 16);
	bpfvm_ringbuf_free(c);
	bpfvm_map_free(z);
	bpfvm_map_free(arr);
	bpfvm_map_free(m);
}

/* Records are consumed in reservation order, the consumer stops at a
 * BUSY one, and discarded ones are skipped. */
static void test_order_busy_discard(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_ringbuf *c = NULL;
	struct seen s = { 0 };
	uint32_t *a, *b, *d;

	CHECK(bpfvm_ringbuf_new(m, seen_cb, &s, NULL, &c) == 0);
	a = rt_reserve(m, 4, 0);
	b = rt_reserve(m, 4, 0);
	d = rt_reserve(m, 4, 0);
	*a = 1, *b = 2, *d = 3;
	rt_submit(d, 0);
	rt_submit(b, 0);
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 0); /* a is BUSY */
	rt_discard(a, 0);
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 2);
	CHECK_EQ_U64(s.n, 2);
	CHECK_EQ_U64(*(uint32_t *)s.last, 3);
	CHECK_EQ_U64(rt_query(m, BPF_RB_AVAIL_DATA), 0);
	CHECK_EQ_U64(rt_query(m, BPF_RB_CONS_POS), 48);
	bpfvm_ringbuf_free(c);
	bpfvm_map_free(m);
}

/* Ring of one page, records of every size class crossing the end many
 * times: each comes back whole (the double mapping), in order. */
static int wrap_cb(void *ctx, void *data, size_t size)
{
	uint32_t *next = ctx;
	uint8_t *p = data;
	uint32_t seq;

	memcpy(&seq, p, 4);
	if (seq != *next || size != 4 + seq % 200)
		return -EBADMSG;
	for (size_t i = 4; i < size; i++) {
		if (p[i] != (uint8_t)(seq + i))
			return -EBADMSG;
	}
	(*next)++;
	return 0;
}

static void test_wrap(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_ringbuf *c = NULL;
	uint32_t next = 0, seq = 0;
	int got = 0, err = 0;

	CHECK(bpfvm_ringbuf_new(m, wrap_cb, &next, NULL, &c) == 0);
	while (seq < 20000 && err >= 0) {
		uint32_t size = 4 + seq % 200;
		uint8_t *r = rt_reserve(m, size, 0);

		if (!r) {
			err = bpfvm_ringbuf_consume(c);
			got += err > 0 ? err : 0;
			continue;
		}
		memcpy(r, &seq, 4);
		for (uint32_t i = 4; i < size; i++)
			r[i] = (uint8_t)(seq + i);
		rt_submit(r, 0);
		seq++;
	}
	err = bpfvm_ringbuf_consume(c);
	got += err > 0 ? err : 0;
	CHECK(err >= 0);
	CHECK_EQ_U64(got, 20000);
	CHECK_EQ_U64(next, 20000);
	CHECK(rt_query(m, BPF_RB_PROD_POS) > 100 * PAGE);
	bpfvm_ringbuf_free(c);
	bpfvm_map_free(m);
}

/* A consumer that moves consumer_pos past a BUSY record (the page is
 * writable, as in the kernel) does not let producers overwrite it: the
 * kernel's pending_pos rule. */
static void test_pending_guard(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	uint64_t *cons = bpfvm_map_mmap(m);
	void *busy = rt_reserve(m, 1000, 0), *r;
	int n = 0;

	while ((r = rt_reserve(m, 1000, 0)) != NULL) {
		rt_submit(r, 0);
		n++;
	}
	CHECK_EQ_U64(n, 3);
	*cons = rt_query(m, BPF_RB_PROD_POS); /* "consume" everything */
	CHECK(rt_reserve(m, 1000, 0) == NULL);
	rt_submit(busy, 0);
	r = rt_reserve(m, 1000, 0);
	CHECK(r != NULL);
	if (r)
		rt_submit(r, 0);
	bpfvm_map_free(m);
}

static void test_consumer_api(void)
{
	struct bpfvm_map *m1 = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_map *m2 = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 2 * PAGE);
	struct bpfvm_map *q = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
	struct bpfvm_ringbuf_ring_info info = { .sz = sizeof(info) };
	struct bpfvm_ringbuf_opts bad = { .sz = 0 };
	struct bpfvm_ringbuf *c = NULL;
	struct seen s1 = { .fail_at = 2 }, s2 = { 0 };
	uint64_t v = 7;

	CHECK_EQ_U64(bpfvm_ringbuf_new(q, seen_cb, &s1, NULL, &c), -EINVAL);
	CHECK_EQ_U64(bpfvm_ringbuf_new(m1, NULL, &s1, NULL, &c), -EINVAL);
	CHECK_EQ_U64(bpfvm_ringbuf_new(m1, seen_cb, &s1, &bad, &c), -EINVAL);
	CHECK(bpfvm_ringbuf_new(m1, seen_cb, &s1, NULL, &c) == 0);
	CHECK_EQ_U64(bpfvm_ringbuf_add(c, q, seen_cb, &s2), -EINVAL);
	CHECK(bpfvm_ringbuf_add(c, m2, seen_cb, &s2) == 0);
	CHECK_EQ_U64(bpfvm_ringbuf_ring_cnt(c), 2);
	for (int i = 0; i < 3; i++) {
		CHECK(rt_output(m1, &v, 8, 0) == 0);
		CHECK(rt_output(m2, &v, 4, 0) == 0);
	}
	/* The callback's error stops consumption; its record is consumed. */
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), -EIO);
	CHECK_EQ_U64(s1.n, 2);
	CHECK_EQ_U64(bpfvm_ringbuf_consume_n(c, 2), 2);
	CHECK_EQ_U64(s1.n, 3);
	CHECK_EQ_U64(s2.n, 1);
	CHECK_EQ_U64(bpfvm_ringbuf_consume_ring(c, 1), 2);
	CHECK_EQ_U64(bpfvm_ringbuf_consume_ring(c, 2), -EINVAL);
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 0);
	CHECK(bpfvm_ringbuf_ring_info(c, 1, &info) == 0);
	CHECK_EQ_U64(info.size, 2 * PAGE);
	CHECK_EQ_U64(info.consumer_pos, 48);
	CHECK_EQ_U64(info.producer_pos, 48);
	CHECK_EQ_U64(info.avail_data, 0);
	CHECK_EQ_U64(info.map_id, bpfvm_map_id(m2));
	CHECK_EQ_U64(bpfvm_ringbuf_ring_info(c, 2, &info), -EINVAL);
	/* The consumer keeps its maps alive. */
	bpfvm_map_free(m2);
	CHECK(rt_output(m1, &v, 8, 0) == 0);
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 0), 1);
	bpfvm_ringbuf_free(c);
	bpfvm_ringbuf_free(NULL);
	bpfvm_map_free(q);
	bpfvm_map_free(m1);
}

int main(void)
{
	test_create();
	test_sys_ops();
	test_layout();
	test_query_and_errors();
	test_order_busy_discard();
	test_wrap();
	test_pending_guard();
	test_consumer_api();
	return check_report();
}
