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
#define MAX_PROD (MAX_CPUS * PER_CPU)

struct sample {
	uint32_t producer;
	uint32_t seq;
	uint64_t words[6];
};

struct load {
	struct bpfvm_map *map;
	unsigned ncpu, nprod;
	uint32_t per_producer;
	atomic_uint producers_done;
	uint64_t refused[MAX_PROD];
	uint64_t retries[MAX_PROD];	/* of the final sample */
	/* consumer */
	uint32_t next[MAX_PROD];
	uint64_t gaps[MAX_PROD];
	uint64_t received, lost, bad;
};

struct producer {
	struct load *l;
	uint32_t id;
};

static void sample_fill(struct sample *s, uint32_t producer, uint32_t seq)
{
	s->producer = producer;
	s->seq = seq;
	for (int i = 0; i < 6; i++)
		s->words[i] = seq * 0x9e3779b97f4a7c15ull + (uint64_t)i;
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct load *l = p->l;
	struct sample s;

	bpfvm_thread_set_cpu(p->id % l->ncpu);
	for (uint32_t seq = 0; seq < l->per_producer; seq++) {
		sample_fill(&s, p->id, seq);
		if (rt_perf_output(l->map, BPF_F_CURRENT_CPU, &s, sizeof(s)))
			l->refused[p->id]++;
		if (seq % 64 == 0)
			sched_yield(); /* let the consumer in now and then */
	}
	/* A last sample that fits carries the LOST count still pending. */
	sample_fill(&s, p->id, l->per_producer);
	while (rt_perf_output(l->map, BPF_F_CURRENT_CPU, &s, sizeof(s))) {
		l->retries[p->id]++;
		sched_yield();
	}
	atomic_fetch_add(&l->producers_done, 1);
	return NULL;
}

static void sample_cb(void *ctx, int cpu, void *data, uint32_t size)
{
	struct load *l = ctx;
	struct sample want, s;

	/* Raw data sits 4 bytes into an 8-aligned record: copy it out. */
	memcpy(&s, data, sizeof(s));
	if (size != sizeof(s) + 4 || s.producer >= l->nprod ||
	    s.producer % l->ncpu != (unsigned)cpu ||
	    s.seq < l->next[s.producer]) {
		l->bad++;
		return;
	}
	sample_fill(&want, s.producer, s.seq);
	if (memcmp(&want, &s, sizeof(want)))
		l->bad++;
	l->gaps[s.producer] += s.seq - l->next[s.producer];
	l->next[s.producer] = s.seq + 1;
	l->received++;
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
	while (atomic_load(&l->producers_done) < 1000 + l->nprod)
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
	double t = rt_now();

	l.ncpu = bpfvm_num_possible_cpus();
	if (l.ncpu > MAX_CPUS)
		l.ncpu = MAX_CPUS;
	l.nprod = l.ncpu * PER_CPU;
	l.map = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, l.ncpu);
	pthread_create(&cons, NULL, consumer_main, &l);
	while (atomic_load(&l.producers_done) < 1000)
		sched_yield();
	for (uint32_t i = 0; i < l.nprod; i++) {
		p[i] = (struct producer){ &l, i };
		pthread_create(&th[i], NULL, producer_main, &p[i]);
	}
	for (uint32_t i = 0; i < l.nprod; i++)
		pthread_join(th[i], NULL);
	pthread_join(cons, NULL);
	for (uint32_t i = 0; i < l.nprod; i++) {
		CHECK_EQ_U64(l.next[i], per_producer + 1);
		CHECK_EQ_U64(l.gaps[i], l.refused[i]);
		refused += l.refused[i];
		retries += l.retries[i];
	}
	CHECK_EQ_U64(l.bad, 0);
	/* Every refusal was reported, the final sample's retries too: the
	 * last write on each CPU slot is a success, which carries them. */
	CHECK_EQ_U64(l.lost, refused + retries);
	CHECK_EQ_U64(l.received + refused,
		     (uint64_t)l.nprod * (per_producer + 1));
	printf("%u producers on %u CPU slots: %lu samples, %lu refused, %lu "
	       "reported lost in %.2f s\n", l.nprod, l.ncpu,
	       (unsigned long)l.received, (unsigned long)refused,
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

/* Slot 0 flips between two consumers' buffers and empty while a writer
 * thread outputs to it; the consumers come and go too. */
static void test_churn(void)
{
	struct churn c = { .map = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
					 1) };
	struct bpfvm_perfbuf *pb[2] = { NULL, NULL };
	uint32_t key = 0;
	pthread_t th;
	double t = rt_now();
	int rounds = 0;

	pthread_create(&th, NULL, writer_main, &c);
	while (rt_now() - t < 0.5) {
		int i = rounds & 1, id;

		bpfvm_perfbuf_free(pb[i]);
		pb[i] = NULL;
		CHECK(bpfvm_perfbuf_new(c.map, 1, nop_sample, NULL, NULL, NULL,
					&pb[i]) == 0);
		id = bpfvm_perfbuf_buffer_id(pb[!i] ? pb[!i] : pb[i], 0);
		CHECK(bpfvm_map_update(c.map, &key, &id, BPF_ANY) == 0);
		bpfvm_perfbuf_consume(pb[i]);
		if (rounds % 3 == 0)
			bpfvm_map_delete(c.map, &key);
		rounds++;
	}
	atomic_store(&c.stop, true);
	pthread_join(th, NULL);
	bpfvm_perfbuf_free(pb[0]);
	bpfvm_perfbuf_free(pb[1]);
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
