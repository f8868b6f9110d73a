/* bpf_perf_event_output against the running kernel: a real BPF-output
 * perf event per CPU (perf_event_open + mmap, as libbpf's perf_buffer
 * sets them up) in a kernel PERF_EVENT_ARRAY, written by an XDP program
 * run with BPF_PROG_TEST_RUN on CPU 0; the same outputs through bpfvm's
 * helper into a bpfvm_perfbuf. Compared: every return code (-ENOENT,
 * -E2BIG, -EINVAL, -EOPNOTSUPP, -ENOSPC), and the records the perf rings
 * hold (PERF_RECORD_SAMPLE sizes, raw size with padding, data, padding
 * bytes; PERF_RECORD_LOST counts). Exits 77 (SKIP) without bpf() or perf
 * events. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpfvm/bpfvm.h>
#include <bpfvm/ringbuf.h>
#include "helpers/helpers.h"
#include "kmap.h"

#define SKIP 77
#define PAGE 4096u
#define BIG (1u << 17)		/* data for the 64 KiB cases: a map value */

static int failures, cases;
static uint8_t pattern[BIG];

#define INSN(c, d, s, o, i)                                                   \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),      \
			    .off = (o), .imm = (i) })

static int sys_bpf(int cmd, union bpf_attr *a)
{
	int r = (int)syscall(__NR_bpf, cmd, a, sizeof(*a));

	return r < 0 ? -errno : r;
}

/* ---- the kernel side ---- */

struct kside {
	int map;		/* PERF_EVENT_ARRAY, one slot per CPU */
	int big;		/* ARRAY of one BIG-byte value: the pattern */
	int ev[2];		/* perf events on CPU 0 and 1 (or -1) */
	struct perf_event_mmap_page *pg[2];
	size_t pages;
};

static int perf_open(int cpu, size_t pages, struct perf_event_mmap_page **pg)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(a),
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW, .sample_period = 1,
		.wakeup_events = 1,
	};
	int fd = (int)syscall(__NR_perf_event_open, &a, -1, cpu, -1,
			      PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return -errno;
	*pg = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (*pg == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* An XDP program: bpf_perf_event_output(ctx, map, flags, data, size),
 * data the stack (filled with the pattern) or the big map's value;
 * returns r0 (the test run's 32-bit retval). */
static int kprog(const struct kside *k, uint64_t flags, uint32_t size)
{
	static struct bpf_insn p[256];
	static char log[65536];
	union bpf_attr a;
	size_t n = 0;
	bool stack = size <= 512;

	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	for (uint32_t off = 0; stack && off < size; off += 8) {
		uint64_t v;

		memcpy(&v, pattern + off, 8);
		p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 7, 0, 0, (int32_t)v);
		p[n++] = INSN(0, 0, 0, 0, (int32_t)(v >> 32));
		p[n++] = INSN(BPF_STX | BPF_DW | BPF_MEM, 10, 7,
			      (int16_t)(off - 512), 0);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0);
	p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 2, BPF_PSEUDO_MAP_FD, 0,
		      k->map);
	p[n++] = INSN(0, 0, 0, 0, 0);
	p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 3, 0, 0, (int32_t)flags);
	p[n++] = INSN(0, 0, 0, 0, (int32_t)(flags >> 32));
	if (stack) {
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 10, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, -512);
	} else {
		p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 4,
			      BPF_PSEUDO_MAP_VALUE, 0, k->big);
		p[n++] = INSN(0, 0, 0, 0, 0);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, (int32_t)size);
	p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_perf_event_output);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)p;
	a.insn_cnt = (uint32_t)n;
	a.license = (uintptr_t)"GPL";
	int fd = sys_bpf(BPF_PROG_LOAD, &a);

	if (fd < 0) { /* again, for the verifier's reason */
		a.log_buf = (uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		sys_bpf(BPF_PROG_LOAD, &a);
		printf("kernel load (flags %#llx size %u): %d\n%s\n",
		       (unsigned long long)flags, size, fd, log);
	}
	return fd;
}

/* Run the output once in the kernel; its return code. */
static int kout(const struct kside *k, uint64_t flags, uint32_t size)
{
	uint8_t pkt[64] = { 0 };
	union bpf_attr a;
	int fd = kprog(k, flags, size), r;

	if (fd < 0)
		return 1000 + fd; /* never a helper's result */
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 1;
	r = sys_bpf(BPF_PROG_TEST_RUN, &a);
	close(fd);
	return r < 0 ? 2000 + r : (int)a.test.retval;
}

/* ---- both sides ---- */

struct sides {
	struct kside k;
	struct bpfvm_map *vm_map;
	struct bpfvm_perfbuf *pb;
};

static void same(const char *what, int k, int v)
{
	cases++;
	if (k != v) {
		printf("FAIL %s: kernel %d, bpfvm %d\n", what, k, v);
		failures++;
	}
}

static int vout(struct sides *s, uint64_t flags, uint32_t size)
{
	const struct helper_def *d = helper_def_find(BPF_FUNC_perf_event_output);

	return (int)d->fn(0, (uintptr_t)s->vm_map, flags, (uintptr_t)pattern,
			  size, NULL);
}

/* Data sizes of the samples both sides wrote, oldest first. */
static uint32_t sent[4096];
static size_t sent_head, sent_tail;

static void both(struct sides *s, const char *what, uint64_t flags,
		 uint32_t size)
{
	int k = kout(&s->k, flags, size), v = vout(s, flags, size);

	same(what, k, v);
	if (k == 0 && v == 0)
		sent[sent_head++ % 4096] = size;
}

/* A sample's bytes after its header: the raw size, then the data; the
 * padding after the data is bpfvm's zeros but, in the kernel, whatever
 * the ring held there (perf skips it without writing). */
static bool same_sample(const uint8_t *a, const uint8_t *b, size_t size)
{
	size_t d = sent[sent_tail++ % 4096];

	if (12 + d > size || memcmp(a + 8, b + 8, 4 + d))
		return false;
	for (size_t i = 12 + d; i < size; i++) {
		if (b[i])
			return false;
	}
	return true;
}

/* The records between data_tail and data_head, copied out of a ring that
 * may wrap (the kernel's does; bpfvm's never splits). */
static size_t ring_copy(struct perf_event_mmap_page *pg, uint8_t *out,
			size_t cap)
{
	uint8_t *data = (uint8_t *)pg + pg->data_offset;
	uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = pg->data_tail, n = head - tail;

	if (n > cap)
		n = cap;
	for (uint64_t i = 0; i < n; i++)
		out[i] = data[(tail + i) % pg->data_size];
	__atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
	return (size_t)n;
}

/* Same records: type, size, raw size and bytes; LOST counts (the ids are
 * each side's own event id). */
static void same_records(const char *what, struct sides *s)
{
	static uint8_t a[1 << 18], b[1 << 18];
	void *vbuf;
	size_t vsize, na, nb, off = 0;

	bpfvm_perfbuf_buffer(s->pb, 0, &vbuf, &vsize);
	na = ring_copy(s->k.pg[0], a, sizeof(a));
	nb = ring_copy(vbuf, b, sizeof(b));
	cases++;
	if (na != nb) {
		printf("FAIL %s: %zu bytes of records in the kernel, %zu in "
		       "bpfvm\n", what, na, nb);
		failures++;
		return;
	}
	while (off + sizeof(struct perf_event_header) <= na) {
		struct perf_event_header *ha = (void *)(a + off);
		struct perf_event_header *hb = (void *)(b + off);
		bool body;

		if (ha->type != hb->type || ha->size != hb->size ||
		    ha->misc != hb->misc || ha->size < 8 ||
		    off + ha->size > na)
			body = false;
		else if (ha->type == PERF_RECORD_SAMPLE)
			body = same_sample(a + off, b + off, ha->size);
		else	/* LOST: skip the id, each side's own */
			body = !memcmp(a + off + 16, b + off + 16,
				       ha->size - 16);
		if (!body) {
			printf("FAIL %s: record at %zu: kernel type %u misc "
			       "%#x size %u, bpfvm type %u misc %#x size %u\n",
			       what, off, ha->type, ha->misc, ha->size,
			       hb->type, hb->misc, hb->size);
			failures++;
			return;
		}
		off += ha->size;
	}
}

/* Records are read raw from the ring, not through callbacks. */
static void no_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)ctx, (void)cpu, (void)data, (void)size;
}

static int setup(struct sides *s, size_t pages)
{
	struct kmap_attr ma = { .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
				.key_size = 4, .value_size = 4,
				.max_entries = 2 };
	struct kmap_attr ba = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
				.value_size = BIG, .max_entries = 1 };
	uint32_t zero = 0;

	memset(s, 0, sizeof(*s));
	s->k.pages = pages;
	s->k.map = kmap_create(&ma);
	s->k.big = kmap_create(&ba);
	if (s->k.map < 0 || s->k.big < 0 ||
	    kmap_update(s->k.big, &zero, pattern, 0))
		return -1;
	for (int cpu = 0; cpu < 2; cpu++) {
		uint32_t key = (uint32_t)cpu;

		s->k.ev[cpu] = perf_open(cpu, pages, &s->k.pg[cpu]);
		if (s->k.ev[cpu] < 0 && cpu == 0)
			return s->k.ev[cpu];
		if (s->k.ev[cpu] >= 0 &&
		    kmap_update(s->k.map, &key, &s->k.ev[cpu], 0))
			return -1;
	}
	if (bpfvm_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, NULL,
			     &s->vm_map))
		return -1;
	/* CPU i in slot i, as the kernel side. */
	return bpfvm_perfbuf_new(s->vm_map, pages, no_sample, NULL, NULL, NULL,
				 &s->pb);
}

static void teardown(struct sides *s)
{
	for (int cpu = 0; cpu < 2; cpu++) {
		if (s->k.ev[cpu] >= 0 && s->k.pg[cpu])
			munmap(s->k.pg[cpu], (s->k.pages + 1) * PAGE);
		if (s->k.ev[cpu] >= 0)
			close(s->k.ev[cpu]);
	}
	close(s->k.map);
	close(s->k.big);
	bpfvm_perfbuf_free(s->pb);
	bpfvm_map_free(s->vm_map);
}

static void test_errors(struct sides *s)
{
	uint32_t one = 1;

	both(s, "current CPU", BPF_F_CURRENT_CPU, 8);
	both(s, "index 0", 0, 8);
	both(s, "index 2 of 2", 2, 8);
	both(s, "index 0xfffffffe", 0xfffffffe, 8);
	both(s, "flag bit 60", 1ull << 60, 8);
	if (s->k.ev[1] >= 0)
		both(s, "CPU 1's event from CPU 0", 1, 8);
	kmap_delete(s->k.map, &one);
	bpfvm_map_delete(s->vm_map, &one);
	both(s, "empty slot", 1, 8);
	same_records("errors", s);
}

static void test_sizes(struct sides *s)
{
	const uint32_t sizes[] = { 0, 1, 4, 5, 7, 8, 60, 255, 256, 500, 512 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
		both(s, "size", BPF_F_CURRENT_CPU, sizes[i]);
	same_records("sizes", s);
}

/* One data page: 200-byte samples until it is full, then the LOST record
 * that the next sample that fits brings. */
static void test_full(struct sides *s)
{
	for (int i = 0; i < 30; i++)
		both(s, "filling", 0, 200);
	same_records("full", s);
	both(s, "after consuming", 0, 16);
	same_records("lost", s);
	for (int i = 0; i < 17; i++)
		both(s, "refill", 0, 200);
	both(s, "fits alone, not after LOST", 0, 3000);
	same_records("refill", s);
	both(s, "small", 0, 8);
	same_records("lost again", s);
}

/* Records near perf's 64 KiB header limit, from a map value. Past it
 * (a record over 65535 bytes) the kernel (6.18) returns 0 but writes a
 * record whose u16 size wrapped, corrupting the ring; bpfvm refuses with
 * -E2BIG and writes nothing: checked on bpfvm's side only. */
static void test_big(struct sides *s)
{
	const uint32_t sizes[] = { 4096, 65000, 65512, 65516 };
	const uint32_t over[] = { 65517, 65528, 70000 };
	void *vbuf;
	size_t vsize;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		char what[32];

		snprintf(what, sizeof(what), "size %u", sizes[i]);
		both(s, what, 0, sizes[i]);
		same_records(what, s);
	}
	bpfvm_perfbuf_buffer(s->pb, 0, &vbuf, &vsize);
	for (size_t i = 0; i < sizeof(over) / sizeof(*over); i++)
		same("over 64 KiB (bpfvm only)", -E2BIG, vout(s, 0, over[i]));
	cases++;
	if (((struct perf_event_mmap_page *)vbuf)->data_head !=
	    ((struct perf_event_mmap_page *)vbuf)->data_tail) {
		printf("FAIL over 64 KiB: bpfvm wrote a record\n");
		failures++;
	}
}

int main(void)
{
	struct sides s;
	char why[160];
	cpu_set_t set;
	int err;

	if (!kmap_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return SKIP;
	}
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
	/* The program must run on the CPU whose event it writes. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("SKIP: cannot run on CPU 0: %s\n", strerror(errno));
		return SKIP;
	}
	bpfvm_thread_set_cpu(0);
	err = setup(&s, 1);
	if (err) {
		printf("SKIP: perf events / maps: %s\n", strerror(-err));
		return SKIP;
	}
	test_errors(&s);
	test_sizes(&s);
	test_full(&s);
	teardown(&s);
	if (setup(&s, 32) == 0)
		test_big(&s);
	teardown(&s);
	printf("perf_event_output vs kernel: %d cases, %d failed\n", cases,
	       failures);
	return failures ? 1 : 0;
}
