/* BPF_MAP_TYPE_PERF_EVENT_ARRAY and bpfvm_perfbuf_*: creation rules and
 * user-space operations as bpf(2) has them (6.18), bpf_perf_event_output's
 * errors, the perf record format (PERF_RECORD_SAMPLE raw data padded,
 * PERF_RECORD_LOST before the next sample that fits), slot ids, wakeups.
 * Threads: test_perfbuf_load.c. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/perf_event.h>

#include "check.h"
#include "ringbuf_test.h"

#define PAGE 4096u

static void test_create(void)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_map_opts o = { .sz = sizeof(o) };
	const uint32_t good[] = { BPF_F_PRESERVE_ELEMS, BPF_F_RDONLY,
				  BPF_F_WRONLY, BPF_F_NUMA_NODE };
	const uint32_t bad[] = { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
				 BPF_F_MMAPABLE, BPF_F_NO_PREALLOC,
				 BPF_F_INNER_MAP };
	const enum bpf_map_type t = BPF_MAP_TYPE_PERF_EVENT_ARRAY;

	CHECK_EQ_U64(bpfvm_map_create(t, 4, 4, 0, NULL, &m), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_create(t, 8, 4, 4, NULL, &m), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_create(t, 4, 8, 4, NULL, &m), -EINVAL);
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		o.map_flags = good[i];
		CHECK(bpfvm_map_create(t, 4, 4, 4, &o, &m) == 0);
		bpfvm_map_free(m);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		o.map_flags = bad[i];
		CHECK_EQ_U64(bpfvm_map_create(t, 4, 4, 4, &o, &m), -EINVAL);
	}
}

static void test_sys_ops(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
	uint32_t k = 1, v = 0, next = 99;

	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOTSUPP);
	k = 9;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, BPF_ANY), -E2BIG);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, BPF_EXIST), -EINVAL);
	k = 1;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	v = 999999; /* no such perf event (the kernel: a bad fd) */
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, BPF_ANY), -EBADF);
	v = bpfvm_map_id(m); /* an id, but of a map */
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, BPF_ANY), -EBADF);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ_U64(next, 0);
	k = 2;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 3);
	k = 3;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), -ENOENT);
	k = 7;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 0);
	CHECK_EQ_U64(bpfvm_map_freeze(m), 0);
	k = 1;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EPERM);
	bpfvm_map_free(m);
}

struct got {
	int samples;
	uint64_t lost;
	int order_bad;		/* a LOST after a sample in one read */
	uint32_t sizes[16];
	uint8_t data[16][72];
};

static void sample_cb(void *ctx, int cpu, void *data, uint32_t size)
{
	struct got *g = ctx;

	(void)cpu;
	if (g->samples < 16) {
		g->sizes[g->samples] = size;
		memcpy(g->data[g->samples], data, size < 72 ? size : 72);
	}
	g->samples++;
}

static void lost_cb(void *ctx, int cpu, uint64_t cnt)
{
	struct got *g = ctx;

	(void)cpu;
	if (g->samples)
		g->order_bad++;
	g->lost += cnt;
}

static void test_output_errors(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2);
	struct bpfvm_map *rb = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_perfbuf_opts o = { .sz = sizeof(o) };
	unsigned cpus[1] = { 0 };
	uint32_t keys[1] = { 0 };
	struct bpfvm_perfbuf *pb = NULL;
	struct got g = { 0 };
	uint64_t v = 5;

	bpfvm_thread_set_cpu(0);
	CHECK_EQ_U64(rt_perf_output(m, 0, &v, 8), -ENOENT);
	CHECK_EQ_U64(rt_perf_output(m, 2, &v, 8), -E2BIG);
	CHECK_EQ_U64(rt_perf_output(m, 1ull << 32, &v, 8), -EINVAL);
	CHECK_EQ_U64(rt_perf_output(m, BPF_F_CTXLEN_MASK, &v, 8), -EINVAL);
	CHECK_EQ_U64(rt_perf_output(rb, BPF_F_CURRENT_CPU, &v, 8), -EINVAL);
	CHECK_EQ_U64(rt_perf_output(NULL, 0, &v, 8), -EINVAL);
	/* CPU 0's buffer in slot 0 only. */
	o.cpu_cnt = 1, o.cpus = cpus, o.map_keys = keys;
	CHECK(bpfvm_perfbuf_new(m, 1, sample_cb, lost_cb, &g, &o, &pb) == 0);
	CHECK_EQ_U64(bpfvm_perfbuf_buffer_cnt(pb), 1);
	CHECK(rt_perf_output(m, BPF_F_CURRENT_CPU, &v, 8) == 0);
	CHECK(rt_perf_output(m, 0, &v, 8) == 0);
	CHECK_EQ_U64(rt_perf_output(m, 1, &v, 8), -ENOENT);
	/* One perf record is at most 64 KiB. */
	CHECK_EQ_U64(rt_perf_output(m, 0, &v, 70000), -E2BIG);
	if (ncpu > 1) {
		/* The event belongs to CPU 0: from CPU 1, -EOPNOTSUPP. */
		bpfvm_thread_set_cpu(1);
		CHECK_EQ_U64(rt_perf_output(m, 0, &v, 8), -EOPNOTSUPP);
		CHECK_EQ_U64(rt_perf_output(m, BPF_F_CURRENT_CPU, &v, 8),
			     -ENOENT);
		bpfvm_thread_set_cpu(0);
	}
	CHECK(bpfvm_perfbuf_consume(pb) == 0);
	CHECK_EQ_U64(g.samples, 2);
	/* Bad consumer arguments. */
	CHECK_EQ_U64(bpfvm_perfbuf_consume_buffer(pb, 1), -EINVAL);
	CHECK_EQ_U64(bpfvm_perfbuf_buffer_id(pb, 1), -EINVAL);
	bpfvm_perfbuf_free(pb);
	CHECK_EQ_U64(rt_perf_output(m, 0, &v, 8), -ENOENT); /* uninstalled */
	CHECK_EQ_U64(bpfvm_perfbuf_new(rb, 1, sample_cb, NULL, &g, NULL, &pb),
		     -EINVAL);
	CHECK_EQ_U64(bpfvm_perfbuf_new(m, 3, sample_cb, NULL, &g, NULL, &pb),
		     -EINVAL);
	CHECK_EQ_U64(bpfvm_perfbuf_new(m, 1, NULL, NULL, &g, NULL, &pb),
		     -EINVAL);
	cpus[0] = ncpu; /* no such CPU slot */
	CHECK_EQ_U64(bpfvm_perfbuf_new(m, 1, sample_cb, NULL, &g, &o, &pb),
		     -EINVAL);
	bpfvm_map_free(rb);
	bpfvm_map_free(m);
}

/* Sizes as Linux reports them: raw data padded so that 4 + size is a
 * multiple of 8, the padding zeroed; the raw buffer as perf mmaps it. */
static void test_format(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1);
	const uint32_t in[] = { 0, 1, 4, 5, 60 }, want[] = { 4, 4, 4, 12, 60 };
	uint8_t src[64];
	struct bpfvm_perfbuf *pb = NULL;
	struct perf_event_mmap_page *up;
	struct perf_event_header *h;
	struct got g = { 0 };
	size_t size;
	void *buf;

	for (int i = 0; i < 64; i++)
		src[i] = (uint8_t)(0xa0 + i);
	bpfvm_thread_set_cpu(0);
	CHECK(bpfvm_perfbuf_new(m, 2, sample_cb, lost_cb, &g, NULL, &pb) == 0);
	for (int i = 0; i < 5; i++)
		CHECK(rt_perf_output(m, BPF_F_CURRENT_CPU, src, in[i]) == 0);
	CHECK(bpfvm_perfbuf_buffer(pb, 0, &buf, &size) == 0);
	up = buf;
	CHECK_EQ_U64(size, 3 * PAGE);
	CHECK_EQ_U64(up->data_offset, PAGE);
	CHECK_EQ_U64(up->data_size, 2 * PAGE);
	CHECK_EQ_U64(up->data_head, 16 + 16 + 16 + 24 + 72);
	CHECK_EQ_U64(up->data_tail, 0);
	h = (struct perf_event_header *)((uint8_t *)buf + PAGE + 48);
	CHECK_EQ_U64(h->type, PERF_RECORD_SAMPLE);
	CHECK_EQ_U64(h->size, 24);
	CHECK(bpfvm_perfbuf_consume_buffer(pb, 0) == 0);
	CHECK_EQ_U64(up->data_tail, up->data_head);
	CHECK_EQ_U64(g.samples, 5);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_U64(g.sizes[i], want[i]);
		CHECK(memcmp(g.data[i], src, in[i]) == 0);
		for (uint32_t j = in[i]; j < want[i]; j++)
			CHECK_EQ_U64(g.data[i][j], 0);
	}
	bpfvm_perfbuf_free(pb);
	bpfvm_map_free(m);
}

/* A full buffer refuses samples (-ENOSPC) and counts them; the count
 * reaches the consumer as one PERF_RECORD_LOST written just before the
 * next sample that fits, and only when both fit. */
static void test_lost(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1);
	struct bpfvm_perfbuf *pb = NULL;
	struct got g = { 0 };
	static uint8_t big[4096];
	uint8_t src[64] = { 1 };
	int sent = 0, refused = 0;

	bpfvm_thread_set_cpu(0);
	CHECK(bpfvm_perfbuf_new(m, 1, sample_cb, lost_cb, &g, NULL, &pb) == 0);
	/* 80-byte records: 51 fill 4080 of 4096 bytes (perf leaves one). */
	while (rt_perf_output(m, 0, src, 64) == 0)
		sent++;
	CHECK_EQ_U64(sent, 51);
	for (int i = 0; i < 9; i++)
		refused += rt_perf_output(m, 0, src, 64) == -ENOSPC;
	CHECK_EQ_U64(refused, 9);
	CHECK(bpfvm_perfbuf_consume(pb) == 0);
	CHECK_EQ_U64(g.samples, 51);
	CHECK_EQ_U64(g.lost, 0); /* not yet written */
	g.samples = 0;
	CHECK(rt_perf_output(m, 0, src, 64) == 0);
	CHECK(bpfvm_perfbuf_consume(pb) == 0);
	CHECK_EQ_U64(g.lost, 10);
	CHECK_EQ_U64(g.samples, 1);
	CHECK_EQ_U64(g.order_bad, 0);
	/* Room for a sample but not for LOST + sample: refused too. */
	g = (struct got){ 0 };
	sent = 0;
	while (rt_perf_output(m, 0, src, 64) == 0)
		sent++;
	CHECK(bpfvm_perfbuf_consume(pb) == 0);
	/* 4080-byte record fits an empty buffer, not after a LOST one. */
	CHECK_EQ_U64(rt_perf_output(m, 0, big, 4068), -ENOSPC);
	CHECK(rt_perf_output(m, 0, src, 16) == 0);
	CHECK(bpfvm_perfbuf_consume(pb) == 0);
	CHECK_EQ_U64(g.lost, 2);
	bpfvm_perfbuf_free(pb);
	bpfvm_map_free(m);
}

static bool readable(int epfd)
{
	struct epoll_event ev;

	return epoll_wait(epfd, &ev, 1, 0) == 1;
}

/* Slot values are buffer ids; wakeups every wakeup_events samples. */
static void test_ids_and_wakeups(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
	struct bpfvm_perfbuf_opts o = { .sz = sizeof(o), .wakeup_events = 3 };
	unsigned cpus[1] = { 0 };
	uint32_t keys[1] = { 2 }, k = 3;
	struct bpfvm_perfbuf *pb = NULL;
	struct got g = { 0 };
	uint64_t v = 9;
	int id, epfd;

	bpfvm_thread_set_cpu(0);
	o.cpu_cnt = 1, o.cpus = cpus, o.map_keys = keys;
	CHECK(bpfvm_perfbuf_new(m, 1, sample_cb, lost_cb, &g, &o, &pb) == 0);
	id = bpfvm_perfbuf_buffer_id(pb, 0);
	CHECK(id > 0);
	epfd = bpfvm_perfbuf_epoll_fd(pb);
	CHECK(rt_perf_output(m, 2, &v, 8) == 0);
	/* The same buffer in slot 3 too, by id. */
	CHECK(bpfvm_map_update(m, &k, &id, BPF_ANY) == 0);
	CHECK(rt_perf_output(m, 3, &v, 8) == 0);
	CHECK(!readable(epfd));
	CHECK(rt_perf_output(m, 2, &v, 8) == 0);
	CHECK(readable(epfd));
	CHECK_EQ_U64(bpfvm_perfbuf_poll(pb, 0), 1);
	CHECK_EQ_U64(g.samples, 3);
	CHECK(!readable(epfd));
	CHECK_EQ_U64(bpfvm_perfbuf_poll(pb, 20), 0);
	bpfvm_perfbuf_free(pb);
	/* Slot 2 was the consumer's and is emptied; slot 3 keeps the buffer
	 * (the map holds it, as it would hold a perf event fd). */
	CHECK_EQ_U64(rt_perf_output(m, 2, &v, 8), -ENOENT);
	CHECK(rt_perf_output(m, 3, &v, 8) == 0);
	CHECK(bpfvm_map_delete(m, &k) == 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &id, BPF_ANY), -EBADF); /* gone */
	bpfvm_map_free(m);
}

int main(void)
{
	test_create();
	test_sys_ops();
	test_output_errors();
	test_format();
	test_lost();
	test_ids_and_wakeups();
	return check_report();
}
