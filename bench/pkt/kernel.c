/* The kernel's side: the same object loaded with libbpf, each sampled
 * frame run `repeat` times by one BPF_PROG_TEST_RUN (the kernel times
 * the loop and reports the mean per run), then the whole-syscall cost
 * of repeat = 1 for context. */
#include "bench_pkt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef BENCH_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int test_run(int fd, const struct pkt_set *pool, size_t i,
		    unsigned repeat, unsigned *duration, int *ret)
{
	static unsigned char out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pool->data[i],
		    .data_size_in = (unsigned)pool->len[i], .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &t))
		return -errno;
	*duration = t.duration;
	*ret = (int)t.retval;
	return 0;
}

/* Mean over the sample of the kernel's ns per run. */
static struct pkt_result per_packet(int fd, const struct pkt_set *pool,
				    const size_t *idx, size_t n,
				    unsigned repeat, int *ret)
{
	struct pkt_result r = { .ok = true };
	double sum = 0;
	unsigned d = 0;

	for (size_t k = 0; k < n; k++) {
		int err = test_run(fd, pool, idx[k], repeat, &d, &ret[k]);

		if (err) {
			ret[k] = -1;
			snprintf(r.why, sizeof(r.why), "test_run: %s",
				 strerror(-err));
			r.ok = false;
			return r;
		}
		sum += d;
	}
	r.ns = n ? sum / n : 0;
	r.packets = n * (size_t)repeat;
	return r;
}

/* Wall time of whole calls with repeat = 1: entering the kernel, copying
 * the frame in and out, building the xdp_buff, one run. */
static struct pkt_result per_call(int fd, const struct pkt_set *pool,
				  const size_t *idx, size_t n, unsigned rounds)
{
	struct pkt_result r = { .ok = true };
	double t0 = now_ns();
	unsigned d = 0;
	int ret = 0;

	for (unsigned round = 0; round < rounds; round++)
		for (size_t k = 0; k < n; k++)
			if (test_run(fd, pool, idx[k], 1, &d, &ret)) {
				r.ok = false;
				snprintf(r.why, sizeof(r.why), "test_run failed");
				return r;
			}
	r.packets = (size_t)rounds * n;
	r.ns = r.packets ? (now_ns() - t0) / r.packets : 0;
	return r;
}

struct pkt_kernel kernel_measure(const struct pkt_prog *p,
				 const struct pkt_set *pool,
				 const size_t *idx, size_t n, unsigned repeat,
				 int *ret)
{
	struct pkt_kernel k = { 0 };
	struct bpf_object *obj;
	struct bpf_program *prog;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", BPFVM_EXAMPLES_DIR, p->obj);
	libbpf_set_print(NULL);	/* its warnings are not our table */
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		snprintf(k.per_packet.why, sizeof(k.per_packet.why),
			 "SKIP (the kernel did not load %s: no bpf(), not "
			 "root?)", p->obj);
		bpf_object__close(obj);
		return k;
	}
	prog = bpf_object__find_program_by_name(obj, p->prog);
	if (prog) {
		int fd = bpf_program__fd(prog);

		k.per_packet = per_packet(fd, pool, idx, n, repeat, ret);
		k.per_call = per_call(fd, pool, idx, n, repeat > 100 ? 20 : 2);
	} else {
		snprintf(k.per_packet.why, sizeof(k.per_packet.why),
			 "no program %s", p->prog);
	}
	bpf_object__close(obj);
	return k;
}

#else

struct pkt_kernel kernel_measure(const struct pkt_prog *p,
				 const struct pkt_set *pool,
				 const size_t *idx, size_t n, unsigned repeat,
				 int *ret)
{
	struct pkt_kernel k = { 0 };

	(void)p, (void)pool, (void)idx, (void)repeat;
	for (size_t i = 0; i < n; i++)
		ret[i] = -1;
	snprintf(k.per_packet.why, sizeof(k.per_packet.why),
		 "SKIP (built without libbpf)");
	return k;
}

#endif
