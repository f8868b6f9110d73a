/* The ring buffer and perf helpers called from BPF programs (maps named
 * by lddw BPF_PSEUDO_MAP_IDX), on the interpreter and the JIT: reserve,
 * fill, submit or discard; output from the stack; query; perf output; and
 * a ring reached through an ARRAY_OF_MAPS lookup. The consumer API reads
 * what they wrote. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"
#include "ringbuf_test.h"

#ifndef BPF_PSEUDO_MAP_IDX
#define BPF_PSEUDO_MAP_IDX 5
#endif

#define MAP(d, idx) LD_IMM64_RAW(d, BPF_PSEUDO_MAP_IDX, idx, 0)

/* mem = { u64 seq }: reserve 16 bytes, write seq and ~seq, discard odd
 * seqs, submit even ones; r0 = 1, or 0 when the ring is full. */
static const struct bpf_insn reserve_prog[] = {
	MOV64_REG(6, 1),
	MAP(1, 0),
	MOV64_IMM(2, 16),
	MOV64_IMM(3, 0),
	CALL_HELPER(BPF_FUNC_ringbuf_reserve),
	JMP_IMM(BPF_JNE, 0, 0, 1),
	EXIT(),
	LDX(BPF_DW, 7, 6, 0),
	STX(BPF_DW, 0, 7, 0),
	ALU64_IMM(BPF_XOR, 7, -1),
	STX(BPF_DW, 0, 7, 8),
	MOV64_REG(1, 0),
	MOV64_IMM(2, 0),
	LDX(BPF_DW, 7, 6, 0),
	ALU64_IMM(BPF_AND, 7, 1),
	JMP_IMM(BPF_JNE, 7, 0, 3),
	CALL_HELPER(BPF_FUNC_ringbuf_submit),
	MOV64_IMM(0, 1),
	EXIT(),
	CALL_HELPER(BPF_FUNC_ringbuf_discard),
	MOV64_IMM(0, 1),
	EXIT(),
};

/* mem = { u64 flags }: output 12 bytes ("hello world") from the stack
 * with those flags; r0 = the helper's result. */
static const struct bpf_insn output_prog[] = {
	MOV64_REG(6, 1),
	LD_IMM64(7, 0x6f77206f6c6c6568ull), /* "hello wo" */
	STX(BPF_DW, 10, 7, -16),
	ST_IMM(BPF_W, 10, -8, 0x00646c72), /* "rld" */
	MAP(1, 0),
	MOV64_REG(2, 10),
	ALU64_IMM(BPF_ADD, 2, -16),
	MOV64_IMM(3, 12),
	LDX(BPF_DW, 4, 6, 0),
	CALL_HELPER(BPF_FUNC_ringbuf_output),
	EXIT(),
};

/* mem = { u64 flag }: r0 = bpf_ringbuf_query(map, flag) */
static const struct bpf_insn query_prog[] = {
	LDX(BPF_DW, 2, 1, 0),
	MAP(1, 0),
	CALL_HELPER(BPF_FUNC_ringbuf_query),
	EXIT(),
};

/* bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, "hello world", 12) */
static const struct bpf_insn perf_prog[] = {
	LD_IMM64(7, 0x6f77206f6c6c6568ull),
	STX(BPF_DW, 10, 7, -16),
	ST_IMM(BPF_W, 10, -8, 0x00646c72),
	MAP(2, 0),
	LD_IMM64(3, BPF_F_CURRENT_CPU),
	MOV64_REG(4, 10),
	ALU64_IMM(BPF_ADD, 4, -16),
	MOV64_IMM(5, 12),
	CALL_HELPER(BPF_FUNC_perf_event_output),
	EXIT(),
};

/* The ring in slot 0 of an ARRAY_OF_MAPS: lookup, then output 8 bytes of
 * the key's stack slot; r0 = the result, or 1 when the lookup failed. */
static const struct bpf_insn inner_prog[] = {
	ST_IMM(BPF_DW, 10, -8, 0),
	MAP(1, 0),
	MOV64_REG(2, 10),
	ALU64_IMM(BPF_ADD, 2, -8),
	CALL_HELPER(BPF_FUNC_map_lookup_elem),
	JMP_IMM(BPF_JNE, 0, 0, 2),
	MOV64_IMM(0, 1),
	EXIT(),
	MOV64_REG(1, 0),
	MOV64_REG(2, 10),
	ALU64_IMM(BPF_ADD, 2, -8),
	MOV64_IMM(3, 8),
	MOV64_IMM(4, 0),
	CALL_HELPER(BPF_FUNC_ringbuf_output),
	EXIT(),
};

static struct bpfvm_prog *make(const struct bpf_insn *insns, size_t cnt,
			       struct bpfvm_map *map)
{
	struct bpfvm_map *maps[1] = { map };
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .maps = maps,
				     .map_cnt = 1 };
	struct bpfvm_prog *p = NULL;
	int err = bpfvm_prog_create(insns, cnt, &o, &p);

	CHECK_EQ_U64(err, 0);
	return p;
}

static uint64_t run(struct bpfvm_prog *p, enum bpfvm_engine e, uint64_t arg)
{
	struct bpfvm_run_opts o = { .sz = sizeof(o), .engine = e };
	uint64_t r0 = 0xdead;

	CHECK_EQ_U64(bpfvm_prog_run(p, &arg, sizeof(arg), &r0, &o), 0);
	return r0;
}

struct got {
	int n;
	uint64_t sum;
	uint8_t last[16];
	size_t last_size;
};

static int got_cb(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	uint64_t a[2] = { 0, 0 };

	memcpy(a, data, size < 16 ? size : 16);
	memcpy(g->last, data, size < 16 ? size : 16);
	g->last_size = size;
	g->n++;
	g->sum += a[0] + (size == 16 && a[1] == ~a[0] ? 1000000 : 0);
	return 0;
}

static void test_ringbuf(enum bpfvm_engine e)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct bpfvm_prog *res = make(reserve_prog, ARRAY_LEN(reserve_prog), m);
	struct bpfvm_prog *out = make(output_prog, ARRAY_LEN(output_prog), m);
	struct bpfvm_prog *q = make(query_prog, ARRAY_LEN(query_prog), m);
	struct bpfvm_ringbuf *c = NULL;
	struct got g = { 0 };
	int full = 0;

	CHECK(bpfvm_ringbuf_new(m, got_cb, &g, NULL, &c) == 0);
	for (uint64_t seq = 0; seq < 10; seq++)
		CHECK_EQ_U64(run(res, e, seq), 1);
	CHECK_EQ_U64(run(q, e, BPF_RB_PROD_POS), 10 * 24);
	CHECK_EQ_U64(run(q, e, BPF_RB_RING_SIZE), 4096);
	/* Even seqs submitted, odd ones discarded: 0+2+4+6+8, each whole. */
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 5);
	CHECK_EQ_U64(g.sum, 20 + 5 * 1000000);
	CHECK_EQ_U64(run(q, e, BPF_RB_CONS_POS), 240);
	CHECK_EQ_U64(run(out, e, 0), 0);
	CHECK_EQ_U64(run(out, e, BPF_RB_FORCE_WAKEUP), 0);
	CHECK_EQ_U64(run(out, e, 8), -EINVAL);
	CHECK_EQ_U64(run(q, e, BPF_RB_AVAIL_DATA), 48);
	CHECK_EQ_U64(bpfvm_ringbuf_consume(c), 2);
	CHECK_EQ_U64(g.last_size, 12);
	CHECK(memcmp(g.last, "hello world", 12) == 0);
	/* Fill an empty ring: 170 records of 24 bytes fit in 4095. */
	for (uint64_t seq = 0; seq < 200; seq++)
		full += run(res, e, 2 * seq) == 0;
	CHECK_EQ_U64(full, 30);
	CHECK_EQ_U64(run(out, e, 0), -EAGAIN);
	bpfvm_ringbuf_free(c);
	bpfvm_prog_free(res);
	bpfvm_prog_free(out);
	bpfvm_prog_free(q);
	bpfvm_map_free(m);
}

static void perf_cb(void *ctx, int cpu, void *data, uint32_t size)
{
	struct got *g = ctx;

	(void)cpu;
	g->n++;
	g->last_size = size;
	memcpy(g->last, data, size < 16 ? size : 16);
}

static void test_perf(enum bpfvm_engine e)
{
	struct bpfvm_map *m = rt_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
				     bpfvm_num_possible_cpus());
	struct bpfvm_prog *p = make(perf_prog, ARRAY_LEN(perf_prog), m);
	struct bpfvm_perfbuf *pb = NULL;
	struct got g = { 0 };

	bpfvm_thread_set_cpu(0);
	CHECK_EQ_U64(run(p, e, 0), -ENOENT); /* no buffers yet */
	CHECK(bpfvm_perfbuf_new(m, 1, perf_cb, NULL, &g, NULL, &pb) == 0);
	CHECK_EQ_U64(run(p, e, 0), 0);
	CHECK(bpfvm_perfbuf_consume(pb) == 0);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.last_size, 12);
	CHECK(memcmp(g.last, "hello world", 12) == 0);
	bpfvm_perfbuf_free(pb);
	bpfvm_prog_free(p);
	bpfvm_map_free(m);
}

static void test_inner(enum bpfvm_engine e)
{
	struct bpfvm_map *rb = rt_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct bpfvm_map_opts o = { .sz = sizeof(o), .inner_map = rb };
	struct bpfvm_map *outer = NULL;
	struct bpfvm_prog *p;
	uint32_t key = 0, id = bpfvm_map_id(rb);

	CHECK(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, &o,
			       &outer) == 0);
	if (!outer)
		return;
	p = make(inner_prog, ARRAY_LEN(inner_prog), outer);
	CHECK_EQ_U64(run(p, e, 0), 1); /* empty slot */
	CHECK(bpfvm_map_update(outer, &key, &id, BPF_ANY) == 0);
	CHECK_EQ_U64(run(p, e, 0), 0);
	CHECK_EQ_U64(rt_query(rb, BPF_RB_AVAIL_DATA), 16);
	bpfvm_prog_free(p);
	bpfvm_map_free(outer);
	bpfvm_map_free(rb);
}

int main(void)
{
	const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP,
					      BPFVM_ENGINE_JIT };

	for (size_t i = 0; i < ARRAY_LEN(engines); i++) {
		test_ringbuf(engines[i]);
		test_perf(engines[i]);
		test_inner(engines[i]);
	}
	return check_report();
}
