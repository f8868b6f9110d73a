/* BPF_MAP_TYPE_RINGBUF and PERF_EVENT_ARRAY against the running kernel:
 * map creation and every user-space operation give the same errno, and
 * programs calling bpf_ringbuf_output / reserve / submit / discard / query
 * get the same results and leave the same bytes in the ring (consumer
 * page, producer page, every record header and payload, read through the
 * kernel's mmap layout on both sides). Exits 77 (SKIP) without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hprog.h"
#include "kmap.h"

#define PAGE 4096u
#define RING 4096u

static int failures, cases;

#define INSN(c, d, s, o, i)                                                   \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),      \
			    .off = (o), .imm = (i) })

static void same_rc(const char *what, int k, int v)
{
	cases++;
	if (k == v)
		return;
	printf("FAIL %s: kernel %d, bpfvm %d\n", what, k, v);
	failures++;
}

/* ---- creation ---- */

struct attrs {
	const char *name;
	enum bpf_map_type type;
	uint32_t ks, vs, max, flags;
};

static const struct attrs create_cases[] = {
	{ "rb page", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE, 0 },
	{ "rb 0", BPF_MAP_TYPE_RINGBUF, 0, 0, 0, 0 },
	{ "rb half page", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE / 2, 0 },
	{ "rb 3 pages", BPF_MAP_TYPE_RINGBUF, 0, 0, 3 * PAGE, 0 },
	{ "rb 16 MiB", BPF_MAP_TYPE_RINGBUF, 0, 0, 1u << 24, 0 },
	{ "rb key", BPF_MAP_TYPE_RINGBUF, 4, 0, PAGE, 0 },
	{ "rb value", BPF_MAP_TYPE_RINGBUF, 0, 4, PAGE, 0 },
	{ "rb numa", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE, BPF_F_NUMA_NODE },
	{ "rb rdonly", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE, BPF_F_RDONLY },
	{ "rb rdonly prog", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE,
	  BPF_F_RDONLY_PROG },
	{ "rb mmapable", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE, BPF_F_MMAPABLE },
	{ "rb overwrite (bpf-next)", BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE,
	  1u << 19 },
	{ "pa", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0 },
	{ "pa 0", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0 },
	{ "pa key 8", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 8, 4, 4, 0 },
	{ "pa value 8", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 4, 0 },
	{ "pa preserve", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4,
	  BPF_F_PRESERVE_ELEMS },
	{ "pa rdonly", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, BPF_F_RDONLY },
	{ "pa wronly", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, BPF_F_WRONLY },
	{ "pa rdonly prog", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4,
	  BPF_F_RDONLY_PROG },
	{ "pa mmapable", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4,
	  BPF_F_MMAPABLE },
	{ "pa no prealloc", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4,
	  BPF_F_NO_PREALLOC },
	{ "pa numa", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4,
	  BPF_F_NUMA_NODE },
};

static void test_create(void)
{
	for (size_t i = 0; i < sizeof(create_cases) / sizeof(*create_cases);
	     i++) {
		const struct attrs *c = &create_cases[i];
		struct kmap_attr ka = { .type = c->type, .key_size = c->ks,
					.value_size = c->vs,
					.max_entries = c->max,
					.map_flags = c->flags };
		struct bpfvm_map_opts o = { .sz = sizeof(o),
					    .map_flags = c->flags };
		struct bpfvm_map *m = NULL;
		int k = kmap_create(&ka), v;

		v = bpfvm_map_create(c->type, c->ks, c->vs, c->max, &o, &m);
		same_rc(c->name, k < 0 ? k : 0, v);
		if (k >= 0)
			close(k);
		bpfvm_map_free(m);
	}
}

/* ---- user-space operations ---- */

static void test_ringbuf_ops(void)
{
	struct kmap_attr ka = { .type = BPF_MAP_TYPE_RINGBUF,
				.max_entries = PAGE };
	struct bpfvm_map *m = NULL;
	int fd = kmap_create(&ka);
	char k[8] = { 0 }, v[8] = { 0 };

	bpfvm_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, PAGE, NULL, &m);
	same_rc("rb lookup", kmap_lookup(fd, NULL, v, 0),
		bpfvm_map_lookup(m, NULL, v, 0));
	same_rc("rb lookup key", kmap_lookup(fd, k, v, 0),
		bpfvm_map_lookup(m, k, v, 0));
	same_rc("rb lookup lock", kmap_lookup(fd, NULL, v, BPF_F_LOCK),
		bpfvm_map_lookup(m, NULL, v, BPF_F_LOCK));
	same_rc("rb lookup flags", kmap_lookup(fd, NULL, v, 8),
		bpfvm_map_lookup(m, NULL, v, 8));
	/* value_size 0: bpf(2) copies no value, so NULL is fine. */
	same_rc("rb lookup NULL value", kmap_lookup(fd, NULL, NULL, 0),
		bpfvm_map_lookup(m, NULL, NULL, 0));
	same_rc("rb update NULL value", kmap_update(fd, NULL, NULL, 0),
		bpfvm_map_update(m, NULL, NULL, 0));
	same_rc("rb update", kmap_update(fd, NULL, v, 0),
		bpfvm_map_update(m, NULL, v, 0));
	same_rc("rb update key", kmap_update(fd, k, v, 0),
		bpfvm_map_update(m, k, v, 0));
	same_rc("rb delete", kmap_delete(fd, NULL), bpfvm_map_delete(m, NULL));
	same_rc("rb delete key", kmap_delete(fd, k), bpfvm_map_delete(m, k));
	same_rc("rb next", kmap_get_next_key(fd, NULL, v),
		bpfvm_map_get_next_key(m, NULL, v));
	same_rc("rb next key", kmap_get_next_key(fd, k, v),
		bpfvm_map_get_next_key(m, k, v));
	same_rc("rb lookup_and_delete", kmap_lookup_and_delete(fd, NULL, v, 0),
		bpfvm_map_lookup_and_delete(m, NULL, v, 0));
	same_rc("rb lookup_and_delete key",
		kmap_lookup_and_delete(fd, k, v, 0),
		bpfvm_map_lookup_and_delete(m, k, v, 0));
	same_rc("rb freeze", kmap_freeze(fd), bpfvm_map_freeze(m));
	same_rc("rb frozen update", kmap_update(fd, NULL, v, 0),
		bpfvm_map_update(m, NULL, v, 0));
	close(fd);
	bpfvm_map_free(m);
}

static void test_perf_array_ops(void)
{
	struct kmap_attr ka = { .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
				.key_size = 4, .value_size = 4,
				.max_entries = 4 };
	struct bpfvm_map *m = NULL;
	int fd = kmap_create(&ka);
	uint32_t k = 1, v = 999999, nk = 7, nv = 7;
	const uint32_t keys[] = { 0, 2, 3, 9 };

	bpfvm_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, NULL, &m);
	same_rc("pa lookup", kmap_lookup(fd, &k, &v, 0),
		bpfvm_map_lookup(m, &k, &v, 0));
	same_rc("pa delete empty", kmap_delete(fd, &k),
		bpfvm_map_delete(m, &k));
	/* 999999: no such fd in the kernel, no such perf event in bpfvm. */
	same_rc("pa update bad", kmap_update(fd, &k, &v, 0),
		bpfvm_map_update(m, &k, &v, 0));
	same_rc("pa update noexist", kmap_update(fd, &k, &v, BPF_NOEXIST),
		bpfvm_map_update(m, &k, &v, BPF_NOEXIST));
	same_rc("pa lookup_and_delete", kmap_lookup_and_delete(fd, &k, &v, 0),
		bpfvm_map_lookup_and_delete(m, &k, &v, 0));
	k = 9;
	same_rc("pa lookup oob", kmap_lookup(fd, &k, &v, 0),
		bpfvm_map_lookup(m, &k, &v, 0));
	same_rc("pa delete oob", kmap_delete(fd, &k), bpfvm_map_delete(m, &k));
	same_rc("pa update oob", kmap_update(fd, &k, &v, 0),
		bpfvm_map_update(m, &k, &v, 0));
	same_rc("pa update oob exist", kmap_update(fd, &k, &v, BPF_EXIST),
		bpfvm_map_update(m, &k, &v, BPF_EXIST));
	same_rc("pa next NULL", kmap_get_next_key(fd, NULL, &nk),
		bpfvm_map_get_next_key(m, NULL, &nv));
	same_rc("pa next NULL key", (int)nk, (int)nv);
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		nk = nv = 77;
		same_rc("pa next", kmap_get_next_key(fd, &keys[i], &nk),
			bpfvm_map_get_next_key(m, &keys[i], &nv));
		same_rc("pa next key", (int)nk, (int)nv);
	}
	same_rc("pa freeze", kmap_freeze(fd), bpfvm_map_freeze(m));
	k = 1;
	same_rc("pa frozen delete", kmap_delete(fd, &k),
		bpfvm_map_delete(m, &k));
	close(fd);
	bpfvm_map_free(m);
}

/* ---- programs ---- */

enum step_kind { OUTPUT, SUBMIT, DISCARD, QUERY };

struct step {
	enum step_kind kind;
	uint32_t size;		/* output / reserve size; query: the flag */
	uint64_t flags;		/* output / reserve flags */
	uint64_t cflags;	/* submit / discard flags */
};

struct rb_case {
	const char *name;
	uint32_t ring;
	struct step steps[28];
	size_t cnt;
};

/* output `size` bytes of the stack pattern; mem slot = r0 */
static void emit_output(struct hprog *p, const struct step *s, size_t slot)
{
	hp_map_ref(p, 1, 0);
	hp_stack_ptr(p, 2, -256);
	hp_mov_imm(p, 3, (int32_t)s->size);
	hp_ld64(p, 4, s->flags);
	hp_call(p, BPF_FUNC_ringbuf_output);
	hp_store_mem(p, 0, slot * 8);
}

/* reserve; on success fill the first 8 bytes (if any), submit or
 * discard; mem slot = 1 reserved, 0 NULL */
static void emit_reserve(struct hprog *p, const struct step *s, size_t slot)
{
	hp_map_ref(p, 1, 0);
	hp_mov_imm(p, 2, (int32_t)s->size);
	hp_ld64(p, 3, s->flags);
	hp_call(p, BPF_FUNC_ringbuf_reserve);
	hp_mov_imm(p, 8, 0);
	hp_emit(p, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
			s->size >= 8 ? 6 : 5, 0));
	if (s->size >= 8) {
		hp_emit(p, INSN(BPF_ST | BPF_DW | BPF_MEM, 0, 0, 0,
				(int32_t)(0x5a5a0000 + slot)));
	}
	hp_emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 0, 0, 0));
	hp_ld64(p, 2, s->cflags); /* 2 insns */
	hp_call(p, s->kind == SUBMIT ? BPF_FUNC_ringbuf_submit
				     : BPF_FUNC_ringbuf_discard);
	hp_mov_imm(p, 8, 1);
	hp_store_mem(p, 8, slot * 8);
}

static void build_rb(struct hprog *p, const void *ctx)
{
	const struct rb_case *c = ctx;
	uint8_t data[256];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	hp_new_map(p, BPF_MAP_TYPE_RINGBUF, 0, 0, c->ring, 0);
	hp_stack_bytes(p, -256, data, sizeof(data));
	for (size_t i = 0; i < c->cnt; i++) {
		const struct step *s = &c->steps[i];

		if (s->kind == OUTPUT) {
			emit_output(p, s, i);
		} else if (s->kind == QUERY) {
			hp_map_ref(p, 1, 0);
			hp_mov_imm(p, 2, (int32_t)s->size);
			hp_call(p, BPF_FUNC_ringbuf_query);
			hp_store_mem(p, 0, i * 8);
		} else {
			emit_reserve(p, s, i);
		}
	}
	hp_mov_imm(p, 9, 0);
	hp_exit_saved(p);
}

/* The ring as mmap shows it: consumer page, producer page, data. */
static const uint8_t *ring_view(struct hprog *p, size_t ring, void **unmap)
{
	uint8_t *cons, *rest;

	*unmap = NULL;
	if (!p->kernel)
		return bpfvm_map_mmap(p->vm_map[0]);
	cons = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p->map_fd[0], 0);
	rest = mmap(NULL, PAGE + 2 * ring, PROT_READ, MAP_SHARED,
		    p->map_fd[0], PAGE);
	if (cons == MAP_FAILED || rest == MAP_FAILED)
		return NULL;
	/* Copy into one buffer laid out as bpfvm's. */
	static uint8_t buf[2 * PAGE + 2 * 65536];
	memcpy(buf, cons, PAGE);
	memcpy(buf + PAGE, rest, PAGE + 2 * ring);
	munmap(cons, PAGE);
	munmap(rest, PAGE + 2 * ring);
	return buf;
}

static bool same_ring(const char *name, struct hprog *k, struct hprog *v,
		      size_t ring)
{
	void *u1, *u2;
	const uint8_t *a = ring_view(k, ring, &u1);
	const uint8_t *b = ring_view(v, ring, &u2);

	if (!a || !b) {
		printf("FAIL %s: no ring view\n", name);
		return false;
	}
	/* consumer_pos, producer_pos, then the data (both copies). */
	if (memcmp(a, b, 8) || memcmp(a + PAGE, b + PAGE, 8)) {
		printf("FAIL %s: positions differ\n", name);
		return false;
	}
	for (size_t i = 0; i < 2 * ring; i++) {
		if (a[2 * PAGE + i] != b[2 * PAGE + i]) {
			printf("FAIL %s: ring byte %zu: kernel %#x, bpfvm "
			       "%#x\n", name, i, a[2 * PAGE + i],
			       b[2 * PAGE + i]);
			return false;
		}
	}
	return true;
}

static void run_rb_case(const struct rb_case *c, enum bpfvm_engine engine)
{
	static struct hprog k, v;
	static struct hp_result kr, vr;
	bool ok = true;

	cases++;
	hp_init(&k, true);
	hp_init(&v, false);
	build_rb(&k, c);
	build_rb(&v, c);
	if (hp_run_kernel(&k, &kr)) {
		printf("FAIL %s: kernel: status %d: %s\n", c->name, kr.status,
		       kr.why);
		ok = false;
	} else if (hp_run_vm(&v, engine, &vr)) {
		printf("FAIL %s: bpfvm: %d %s\n", c->name, vr.status, vr.why);
		ok = false;
	} else if (kr.r0 != vr.r0 || memcmp(kr.mem, vr.mem, HP_MEM)) {
		for (size_t i = 0; i < c->cnt; i++) {
			uint64_t a, b;

			memcpy(&a, kr.mem + 8 * i, 8);
			memcpy(&b, vr.mem + 8 * i, 8);
			if (a != b)
				printf("FAIL %s: step %zu: kernel %#llx, "
				       "bpfvm %#llx\n", c->name, i,
				       (unsigned long long)a,
				       (unsigned long long)b);
		}
		ok = false;
	} else {
		ok = same_ring(c->name, &k, &v, c->ring);
	}
	failures += !ok;
	hp_free(&k);
	hp_free(&v);
}

#define OUT(n, f) { OUTPUT, (n), (f), 0 }
#define SUB(n, cf) { SUBMIT, (n), 0, (cf) }
#define DIS(n) { DISCARD, (n), 0, 0 }
#define RES_F(n, f) { SUBMIT, (n), (f), 0 }
#define Q(f) { QUERY, (f), 0, 0 }

static const struct rb_case rb_cases[] = {
	{ "output and query", RING,
	  { OUT(10, 0), OUT(0, 0), OUT(256, BPF_RB_NO_WAKEUP),
	    OUT(1, BPF_RB_FORCE_WAKEUP), Q(BPF_RB_AVAIL_DATA),
	    Q(BPF_RB_RING_SIZE), Q(BPF_RB_CONS_POS), Q(BPF_RB_PROD_POS),
	    Q(99) }, 9 },
	{ "bad flags", RING,
	  { OUT(8, 4), OUT(8, 3), OUT(8, 1ull << 40), RES_F(8, 1),
	    RES_F(8, BPF_RB_FORCE_WAKEUP), Q(BPF_RB_PROD_POS) }, 6 },
	{ "reserve submit discard", RING,
	  { SUB(100, 0), DIS(8), SUB(0, 0), SUB(7, BPF_RB_NO_WAKEUP),
	    DIS(64), SUB(8192, 0), SUB(RING, 0), SUB(RING - 8, 0),
	    Q(BPF_RB_PROD_POS), Q(BPF_RB_AVAIL_DATA) }, 10 },
	{ "fill", RING,
	  { OUT(256, 0), OUT(256, 0), OUT(256, 0), OUT(256, 0), OUT(256, 0),
	    OUT(256, 0), OUT(256, 0), OUT(256, 0), OUT(256, 0), OUT(256, 0),
	    OUT(256, 0), OUT(256, 0), OUT(256, 0), OUT(256, 0), OUT(256, 0),
	    OUT(256, 0), SUB(8, 0), OUT(200, 0), SUB(160, 0), SUB(16, 0),
	    OUT(0, 0), Q(BPF_RB_AVAIL_DATA) }, 22 },
	{ "exact fit", RING, { SUB(RING - 16, 0), SUB(0, 0), OUT(0, 0),
			       Q(BPF_RB_PROD_POS) }, 4 },
	{ "two pages", 2 * RING,
	  { OUT(256, 0), SUB(2 * RING - 16, 0), SUB(3000, 0),
	    SUB(RING, 0), Q(BPF_RB_PROD_POS) }, 5 },
};

static void test_programs(void)
{
	bool jit = hp_jit_available();

	for (size_t i = 0; i < sizeof(rb_cases) / sizeof(*rb_cases); i++) {
		run_rb_case(&rb_cases[i], BPFVM_ENGINE_INTERP);
		if (jit)
			run_rb_case(&rb_cases[i], BPFVM_ENGINE_JIT);
	}
}

int main(void)
{
	hp_require_kernel();
	test_create();
	test_ringbuf_ops();
	test_perf_array_ops();
	test_programs();
	printf("ringbuf/perf array vs kernel: %d cases, %d failed\n", cases,
	       failures);
	return failures ? 1 : 0;
}
