/* Perf buffers under load: producer threads on every CPU slot (two per
 * slot, sharing its buffer) and a consumer thread in bpfvm_perfbuf_poll.
 * Samples arrive whole and in order per producer; every refused sample
 * (-ENOSPC) is reported back through PERF_RECORD_LOST, exactly. Then user
 * space swaps and deletes slots while programs write to them (a freed
 * buffer in use would show under ASan). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"
#include "ringbuf_test.h"

#define MAX_CPUS 4
#define PER_CPU 2
#define MAX_PROD RT_MAX_PROD

struct load {
	struct bpfvm_map *map;
	unsigned ncpu;
	uint32_t per_producer;
	atomic_uint producers_done;
	uint64_t refused[MAX_PROD];
	uint64_t retries[MAX_PROD];	/* of the final sample */
	struct rt_seqs seqs;		/* the consumer's */
	uint64_t lost, wrong_cpu;
};

struct producer {
	struct load *l;
	uint32_t id;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct load *l = p->l;
	struct rt_rec r;

	bpfvm_thread_set_cpu(p->id % l->ncpu);
	for (uint32_t seq = 0; seq < l->per_producer; seq++) {
		rt_rec_fill(&r, p->id, seq);
		if (rt_perf_output(l->map, BPF_F_CURRENT_CPU, &r, sizeof(r)))
			l->refused[p->id]++;
		if (seq % 64 == 0)
			sched_yield(); /* let the consumer in now and then */
	}
	/* A last sample that fits carries the LOST count still pending. */
	rt_rec_fill(&r, p->id, l->per_producer);
	while (rt_perf_output(l->map, BPF_F_CURRENT_CPU, &r, sizeof(r))) {
		l->retries[p->id]++;
		sched_yield();
	}
	atomic_fetch_add(&l->producers_done, 1);
	return NULL;
}

/* The raw size counts 4 bytes of padding (4 + 64 rounded up to 8). */
static void sample_cb(void *ctx, int cpu, void *data, uint32_t size)
{
	struct load *l = ctx;
	int producer = rt_seqs_check(&l->seqs, data, size - 4);

	if (producer >= 0 && (unsigned)producer % l->ncpu != (unsigned)cpu)
		l->wrong_cpu++;
}

static void lost_cb(void *ctx, int cpu, uint64_t cnt)
{
	(void)cpu;
	((struct load *)ctx)->lost += cnt;
}

static void *consumer_main(void *arg)
{
	struct load *l = arg;
	struct bpfvm_perfbuf *pb = NULL;

	if (bpfvm_perfbuf_new(l->map, 64, sample_cb, lost_cb, l, NULL, &pb))
		return NULL;
	atomic_fetch_add(&l->producers_done, 1000); /* buffers installed */
	while (atomic_load(&l->producers_done) < 1000 + l->seqs.nprod)
		bpfvm_perfbuf_poll(pb, 100);
	bpfvm_perfbuf_consume(pb);
	bpfvm_perfbuf_free(pb);
	return NULL;
}

static void test_load(uint32_t per_producer)
{
	struct load l = { .per_producer = per_producer };
	struct producer p[MAX_PROD];
	pthread_t th[MAX_PROD], cons;
	uint64_t refused = 0, retries = 0;
	uint32_t nprod;
	double t = rt_now();

	l.ncpu = bpfvm_num_possible_cpus();
	if (l.ncpu > MAX_CPUS)
		l.ncpu = MAX_CPUS;
	nprod = l.seqs.nprod = l.ncpu * PER_CPU;
	l.map = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, l.ncpu);
	pthread_create(&cons, NULL, consumer_main, &l);
	while (atomic_load(&l.producers_done) < 1000)
		sched_yield();
	for (uint32_t i = 0; i < nprod; i++) {
		p[i] = (struct producer){ &l, i };
		pthread_create(&th[i], NULL, producer_main, &p[i]);
	}
	for (uint32_t i = 0; i < nprod; i++)
		pthread_join(th[i], NULL);
	pthread_join(cons, NULL);
	for (uint32_t i = 0; i < nprod; i++) {
		CHECK_EQ_U64(l.seqs.next[i], per_producer + 1);
		CHECK_EQ_U64(l.seqs.gaps[i], l.refused[i]);
		refused += l.refused[i];
		retries += l.retries[i];
	}
	CHECK_EQ_U64(l.seqs.bad, 0);
	CHECK_EQ_U64(l.wrong_cpu, 0);
	/* Every refusal was reported, the final sample's retries too: the
	 * last write on each CPU slot is a success, which carries them. */
	CHECK_EQ_U64(l.lost, refused + retries);
	CHECK_EQ_U64(l.seqs.received + refused,
		     (uint64_t)nprod * (per_producer + 1));
	printf("%u producers on %u CPU slots: %lu samples, %lu refused, %lu "
	       "reported lost in %.2f s\n", nprod, l.ncpu,
	       (unsigned long)l.seqs.received, (unsigned long)refused,
	       (unsigned long)l.lost, rt_now() - t);
	bpfvm_map_free(l.map);
}

struct churn {
	struct bpfvm_map *map;
	atomic_bool stop;
	uint64_t ok, enoent;
};

static void *writer_main(void *arg)
{
	struct churn *c = arg;
	uint64_t v[8] = { 0 };

	bpfvm_thread_set_cpu(0);
	while (!atomic_load(&c->stop)) {
		int64_t r = rt_perf_output(c->map, 0, v, sizeof(v));

		c->ok += r == 0 || r == -ENOSPC;
		c->enoent += r == -ENOENT;
	}
	return NULL;
}

static void nop_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)ctx, (void)cpu, (void)data, (void)size;
}

/* Slot 0 flips between buffers (new consumers', old ones' by id) while a
 * writer thread outputs to it; old consumers go, their buffers with them
 * once no output can still be using them. */
static void test_churn(void)
{
	struct churn c = { .map = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
					 1) };
	struct bpfvm_perfbuf *old = NULL, *cur = NULL;
	uint32_t key = 0;
	pthread_t th;
	double t = rt_now();
	int rounds = 0, id;

	pthread_create(&th, NULL, writer_main, &c);
	while (rt_now() - t < 0.5) {
		CHECK(bpfvm_perfbuf_new(c.map, 1, nop_sample, NULL, NULL, NULL,
					&cur) == 0);
		if (old) {
			id = bpfvm_perfbuf_buffer_id(old, 0);
			CHECK(bpfvm_map_update(c.map, &key, &id, 0) == 0);
		}
		id = bpfvm_perfbuf_buffer_id(cur, 0);
		CHECK(bpfvm_map_update(c.map, &key, &id, 0) == 0);
		bpfvm_perfbuf_free(old);
		bpfvm_perfbuf_consume(cur);
		if (rounds++ % 3 == 0)
			CHECK(bpfvm_map_delete(c.map, &key) == 0);
		old = cur;
	}
	atomic_store(&c.stop, true);
	pthread_join(th, NULL);
	bpfvm_perfbuf_free(old);
	CHECK(c.ok > 0);
	printf("churn: %d rounds, %lu outputs, %lu to an empty slot\n", rounds,
	       (unsigned long)c.ok, (unsigned long)c.enoent);
	bpfvm_map_free(c.map);
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 100000;

	test_load(n);
	test_churn();
	return check_report();
}
