/* Ring buffer under load: several producer threads (reserve + submit,
 * output, discard) and a consumer thread in bpfvm_ringbuf_poll. Every
 * record arrives whole and, per producer, in order; nothing is lost while
 * producers retry on a full ring, and when they give up instead, what is
 * missing is exactly what they counted as refused. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"
#include "ringbuf_test.h"

#define PRODUCERS 3

struct load {
	struct bpfvm_map *map;
	uint32_t per_producer;
	bool drop;			/* give up on a full ring */
	atomic_uint producers_done;
	uint64_t refused[PRODUCERS];
	uint64_t discarded[PRODUCERS];
	struct rt_seqs seqs;		/* the consumer's */
};

struct producer {
	struct load *l;
	uint32_t id;
};

/* One attempt at record seq: 1 sent, 0 refused (ring full), 2 reserved
 * and discarded. Every 7th goes through output, every 13th is
 * discarded. */
static int produce_one(struct load *l, uint32_t id, uint32_t seq)
{
	struct rt_rec tmp, *r;

	if (seq % 7 == 0) {
		rt_rec_fill(&tmp, id, seq);
		return rt_output(l->map, &tmp, sizeof(tmp), 0) == 0;
	}
	r = rt_reserve(l->map, sizeof(*r), 0);
	if (!r)
		return 0;
	if (seq % 13 == 0) {
		r->seq = UINT32_MAX; /* must never be seen */
		rt_discard(r, 0);
		l->discarded[id]++;
		return 2;
	}
	rt_rec_fill(r, id, seq);
	rt_submit(r, 0);
	return 1;
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct load *l = p->l;

	for (uint32_t seq = 0; seq < l->per_producer; seq++) {
		int sent;

		while ((sent = produce_one(l, p->id, seq)) == 0 && !l->drop)
			sched_yield();
		if (sent == 0)
			l->refused[p->id]++;
	}
	atomic_fetch_add(&l->producers_done, 1);
	return NULL;
}

static int check_cb(void *ctx, void *data, size_t size)
{
	rt_seqs_check(&((struct load *)ctx)->seqs, data, size);
	return 0;
}

static void *consumer_main(void *arg)
{
	struct load *l = arg;
	struct bpfvm_ringbuf *c = NULL;

	if (bpfvm_ringbuf_new(l->map, check_cb, l, NULL, &c))
		return NULL;
	while (atomic_load(&l->producers_done) < PRODUCERS)
		bpfvm_ringbuf_poll(c, 100);
	bpfvm_ringbuf_consume(c); /* after the last commit */
	bpfvm_ringbuf_free(c);
	return NULL;
}

static void run_load(uint32_t ring_size, uint32_t per_producer, bool drop)
{
	struct load l = { .per_producer = per_producer, .drop = drop,
			  .seqs.nprod = PRODUCERS };
	struct producer p[PRODUCERS];
	pthread_t th[PRODUCERS], cons;
	uint64_t refused = 0, discarded = 0;
	double t = rt_now();

	l.map = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, ring_size);
	pthread_create(&cons, NULL, consumer_main, &l);
	for (uint32_t i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){ &l, i };
		pthread_create(&th[i], NULL, producer_main, &p[i]);
	}
	for (uint32_t i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	pthread_join(cons, NULL);
	for (uint32_t i = 0; i < PRODUCERS; i++) {
		refused += l.refused[i];
		discarded += l.discarded[i];
		/* Per producer: what is missing was refused or discarded. */
		CHECK_EQ_U64(l.seqs.gaps[i] + (per_producer - l.seqs.next[i]),
			     l.refused[i] + l.discarded[i]);
	}
	CHECK_EQ_U64(l.seqs.bad, 0);
	CHECK_EQ_U64(l.seqs.received + refused + discarded,
		     (uint64_t)PRODUCERS * per_producer);
	CHECK_EQ_U64(rt_query(l.map, BPF_RB_AVAIL_DATA), 0);
	if (!drop)
		CHECK_EQ_U64(refused, 0);
	printf("ring %u KiB, %s: %lu received, %lu refused, %lu discarded "
	       "in %.2f s\n", ring_size / 1024, drop ? "dropping" : "retrying",
	       (unsigned long)l.seqs.received, (unsigned long)refused,
	       (unsigned long)discarded, rt_now() - t);
	bpfvm_map_free(l.map);
}

int main(int argc, char **argv)
{
	/* 1.8 M records in the default run; a count on the command line
	 * (per producer) for longer soaks. */
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 500000;

	run_load(256 * 1024, n, false);
	run_load(8 * 1024, n / 5, true);
	return check_report();
}
