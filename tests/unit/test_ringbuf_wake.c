/* Ring buffer wakeups through the consumer's epoll fd: the kernel's
 * adaptive rule (wake when the consumer has caught up to the committed
 * record), BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP, poll timeouts, and a
 * consumer thread sleeping in poll woken by a producer thread. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "check.h"
#include "ringbuf_test.h"

#define PAGE 4096u

static int count_cb(void *ctx, void *data, size_t size)
{
	(void)data, (void)size;
	return ++*(int *)ctx == 1000 ? -ENOBUFS : 0;
}

/* Is the consumer's epoll fd readable right now? */
static bool readable(int epfd)
{
	struct epoll_event ev;

	return epoll_wait(epfd, &ev, 1, 0) == 1;
}

static void test_rules(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_ringbuf *c = NULL;
	uint64_t v = 1;
	int n = 0, epfd;
	void *r;

	CHECK(bpfvm_ringbuf_new(m, count_cb, &n, NULL, &c) == 0);
	epfd = bpfvm_ringbuf_epoll_fd(c);
	CHECK(epfd >= 0);
	CHECK(!readable(epfd));
	/* Caught up (empty ring): the commit wakes. */
	CHECK(rt_output(m, &v, 8, 0) == 0);
	CHECK(readable(epfd));
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 1);
	CHECK(!readable(epfd));
	/* NO_WAKEUP: data, but no wakeup. */
	CHECK(rt_output(m, &v, 8, BPF_RB_NO_WAKEUP) == 0);
	CHECK(!readable(epfd));
	/* Behind by one record: the adaptive rule does not wake... */
	CHECK(rt_output(m, &v, 8, 0) == 0);
	CHECK(!readable(epfd));
	/* ...FORCE_WAKEUP does. */
	CHECK(rt_output(m, &v, 8, BPF_RB_FORCE_WAKEUP) == 0);
	CHECK(readable(epfd));
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 3);
	CHECK(!readable(epfd));
	/* A discard wakes like a submit; reserve alone does not. */
	r = rt_reserve(m, 8, 0);
	CHECK(!readable(epfd));
	rt_discard(r, 0);
	CHECK(readable(epfd));
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 0), 0); /* discarded: no record */
	CHECK(!readable(epfd));
	r = rt_reserve(m, 8, 0);
	rt_submit(r, BPF_RB_NO_WAKEUP);
	CHECK(!readable(epfd));
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 0), 0); /* no wakeup: poll skips */
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 1);
	bpfvm_ringbuf_free(c);
	bpfvm_map_free(m);
}

/* A callback error leaves records behind; the ring stays readable, as
 * the kernel's level-triggered poll keeps reporting unconsumed data. */
static void test_rearm(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 64 * PAGE);
	struct bpfvm_ringbuf *c = NULL;
	uint64_t v = 2;
	int n = 0, epfd;

	CHECK(bpfvm_ringbuf_new(m, count_cb, &n, NULL, &c) == 0);
	epfd = bpfvm_ringbuf_epoll_fd(c);
	for (int i = 0; i < 1500; i++)
		CHECK(rt_output(m, &v, 8, 0) == 0);
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 0), -ENOBUFS);
	CHECK_EQ_U64(n, 1000);
	CHECK(readable(epfd));
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 0), 500);
	CHECK(!readable(epfd));
	/* consume_n stopping early re-arms too. */
	for (int i = 0; i < 10; i++)
		CHECK(rt_output(m, &v, 8, 0) == 0);
	CHECK_EQ_U64(bpfvm_ringbuf_consume_n(c, 4), 4);
	CHECK(readable(epfd));
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 0), 6);
	bpfvm_ringbuf_free(c);
	bpfvm_map_free(m);
}

static void test_timeout(void)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_ringbuf *c = NULL;
	int n = 0;
	double t;

	CHECK(bpfvm_ringbuf_new(m, count_cb, &n, NULL, &c) == 0);
	t = rt_now();
	CHECK_EQ_U64(bpfvm_ringbuf_poll(c, 50), 0);
	t = rt_now() - t;
	CHECK(t >= 0.045 && t < 2.0);
	bpfvm_ringbuf_free(c);
	bpfvm_map_free(m);
}

struct sleeper {
	struct bpfvm_ringbuf *c;
	int got;
	double woke;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	s->got = bpfvm_ringbuf_poll(s->c, 5000);
	s->woke = rt_now();
	return NULL;
}

/* Two rings, the consumer asleep in poll(-ish) on its own thread; a
 * producer commits into the second ring 50 ms later. */
static void test_cross_thread(void)
{
	struct bpfvm_map *m1 = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct bpfvm_map *m2 = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE);
	struct sleeper s = { 0 };
	int n = 0;
	uint64_t v = 3;
	pthread_t th;
	double sent;

	CHECK(bpfvm_ringbuf_new(m1, count_cb, &n, NULL, &s.c) == 0);
	CHECK(bpfvm_ringbuf_add(s.c, m2, count_cb, &n) == 0);
	pthread_create(&th, NULL, sleeper_main, &s);
	usleep(50000);
	sent = rt_now();
	CHECK(rt_output(m2, &v, 8, 0) == 0);
	pthread_join(th, NULL);
	CHECK_EQ_U64(s.got, 1);
	CHECK(s.woke - sent < 1.0);
	bpfvm_ringbuf_free(s.c);
	bpfvm_map_free(m1);
	bpfvm_map_free(m2);
}

int main(void)
{
	test_rules();
	test_rearm();
	test_timeout();
	test_cross_thread();
	return check_report();
}
