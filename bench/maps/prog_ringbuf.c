/* The ringbuf row: each run outputs PB_OPS 64-byte records with
 * bpf_ringbuf_output; between chunks of runs a consumer drains the ring
 * (bpfvm's consumer API; the kernel's ring read through its mmap, as
 * libbpf's ring_buffer__consume does) and checks that every record
 * arrived whole. The draining is not timed: the column is the program's
 * cost per record. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpfvm/ringbuf.h>

#include "prog_bench.h"

#define RING_BYTES (8u << 20)
#define REC_BYTES 64u
/* A record takes its 8-byte header too: a chunk of runs must fit. */
#define CHUNK_RUNS (RING_BYTES / 2 / ((REC_BYTES + 8) * PB_OPS))

struct rb_priv {
	struct bpfvm_ringbuf *cons;	/* bpfvm's consumer */
	uint64_t got, bad;		/* records drained, malformed */
	uint64_t *kcons;		/* kernel: consumer page (rw) */
	uint8_t *kprod;			/* producer page + data twice (ro) */
	size_t page;
};

/* Whole and in order: words k of a record are word 0 + k. */
static bool record_ok(const void *data, size_t size)
{
	const uint64_t *w = data;

	if (size != REC_BYTES)
		return false;
	for (uint32_t k = 1; k < REC_BYTES / 8; k++)
		if (w[k] != w[0] + k)
			return false;
	return true;
}

static int vm_sample(void *ctx, void *data, size_t size)
{
	struct rb_priv *p = ctx;

	p->got++;
	p->bad += !record_ok(data, size);
	return 0;
}

/* The kernel's ring, as its mmap shows it: records of an 8-byte header
 * (length, BUSY and DISCARD bits) and the data rounded up to 8. */
static void kernel_consume(struct rb_priv *p)
{
	const uint64_t mask = RING_BYTES - 1;
	uint64_t cons = __atomic_load_n(p->kcons, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n((uint64_t *)p->kprod,
					__ATOMIC_ACQUIRE);
	const uint8_t *data = p->kprod + p->page;

	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(data + (cons & mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* no producer runs now: cannot happen */
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			p->got++;
			p->bad += !record_ok(hdr + 2, len);
		}
		len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		cons += (len + BPF_RINGBUF_HDR_SZ + 7) / 8 * 8;
	}
	__atomic_store_n(p->kcons, cons, __ATOMIC_RELEASE);
}

static int drain(struct prog_bench *pb, bool kernel, uint64_t runs)
{
	struct rb_priv *p = pb->priv;
	int n;

	p->got = p->bad = 0;
	if (kernel) {
		kernel_consume(p);
	} else {
		n = bpfvm_ringbuf_consume(p->cons);
		if (n < 0)
			return n;
	}
	return p->got == runs * PB_OPS && !p->bad ? 0 : -EBADMSG;
}

static void rb_free(void *priv)
{
	struct rb_priv *p = priv;

	bpfvm_ringbuf_free(p->cons);
	if (p->kcons)
		munmap(p->kcons, p->page);
	if (p->kprod)
		munmap(p->kprod, p->page + 2 * RING_BYTES);
	free(p);
}

static void kernel_map(struct prog_bench *pb, struct rb_priv *p, int fd)
{
	void *c = mmap(NULL, p->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       0);
	void *d = mmap(NULL, p->page + 2 * RING_BYTES, PROT_READ, MAP_SHARED,
		       fd, (off_t)p->page);

	if (c != MAP_FAILED)
		p->kcons = c;
	if (d != MAP_FAILED)
		p->kprod = d;
	if (pb->kernel && (!p->kcons || !p->kprod)) {
		pb->kernel = false;
		snprintf(pb->kernel_why, sizeof(pb->kernel_why),
			 "mmap of the kernel's ring failed");
	}
}

int pb_setup_ringbuf(struct prog_bench *pb)
{
	struct rb_priv *p = calloc(1, sizeof(*p));
	int m, err;

	if (!p)
		return -ENOMEM;
	p->page = (size_t)sysconf(_SC_PAGESIZE);
	pb->priv = p;
	pb->priv_free = rb_free;
	pb->drain = drain;
	pb->chunk = CHUNK_RUNS;
	pb->expect = 0; /* bpf_ringbuf_output returns 0 each time */
	pb_build(pb, PB_OUTPUT, pb_key_64b, REC_BYTES, PB_OPS);
	pb->warm_runs = RING_BYTES / ((REC_BYTES + 8) * PB_OPS) + 1;
	m = pb_map_add(pb, BPF_MAP_TYPE_RINGBUF, 0, 0, RING_BYTES, 0);
	if (m < 0)
		return m;
	err = bpfvm_ringbuf_new(pb->map[m].vm, vm_sample, p, NULL, &p->cons);
	if (err)
		return err;
	if (pb->kernel)
		kernel_map(pb, p, pb->map[m].kfd);
	return 0;
}
