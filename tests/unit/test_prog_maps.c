/* Maps in programs: the lddw forms that name maps (by id, by index into
 * opts.maps, map or value address), what create rejects and why, the
 * references programs hold, program ids, global data through
 * BPF_PSEUDO_MAP_VALUE (read-only data in checked runs), and the JIT's
 * inline ARRAY lookups; every run in every engine configuration. */
#include <stdlib.h>

#include "prog_map_test.h"
#include <bpfvm/ringbuf.h>
#include <pthread.h>
#include <stdatomic.h>

/* data[0] += rodata[8..16]; r0 = the new data[0]. */
static void global_data_prog(struct bpf_insn *p, uint32_t ro, uint32_t rw,
			     bool by_index)
{
	struct bpf_insn by_id[] = {
		LD_MAP_VALUE(1, ro, 8), LDX(BPF_DW, 2, 1, 0),
		LD_MAP_VALUE(3, rw, 0), LDX(BPF_DW, 4, 3, 0),
		ALU64_REG(BPF_ADD, 4, 2), STX(BPF_DW, 3, 4, 0),
		MOV64_REG(0, 4), EXIT(),
	};
	struct bpf_insn by_idx[] = {
		LD_MAP_IDX_VALUE(1, 0, 8), LDX(BPF_DW, 2, 1, 0),
		LD_MAP_IDX_VALUE(3, 1, 0), LDX(BPF_DW, 4, 3, 0),
		ALU64_REG(BPF_ADD, 4, 2), STX(BPF_DW, 3, 4, 0),
		MOV64_REG(0, 4), EXIT(),
	};

	memcpy(p, by_index ? by_idx : by_id, sizeof(by_id));
}

static void test_global_data(bool by_index)
{
	struct bpfvm_map *ro = mk_map(BPF_MAP_TYPE_ARRAY, 4, 16, 1,
				      BPF_F_RDONLY_PROG);
	struct bpfvm_map *rw = mk_map(BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0);
	struct bpfvm_map *maps[2] = { ro, rw };
	uint64_t init[2] = { 0, 5 }, got[2];
	uint32_t key = 0;
	struct bpf_insn p[10];
	struct bpfvm_prog *prog, *blind;

	CHECK(bpfvm_map_update(ro, &key, init, BPF_ANY) == 0);
	CHECK(bpfvm_map_freeze(ro) == 0);
	global_data_prog(p, bpfvm_map_id(ro), bpfvm_map_id(rw), by_index);
	prog = mk_prog_env(p, ARRAY_LEN(p), NULL, maps, 2, 0);
	blind = mk_prog_env(p, ARRAY_LEN(p), NULL, maps, 2,
			    BPFVM_PROG_F_JIT_BLIND);
	for (size_t k = 0; prog && blind && k < NCFG; k++) {
		struct outcome o = run_cfg(prog, blind, &cfgs[k], NULL, 0, 0);

		CHECK(o.err == 0);
		CHECK_EQ_U64(o.r0, 5 * (k + 1));
		if (o.err)
			fprintf(stderr, "%s: %s\n", cfgs[k].name, o.msg);
	}
	CHECK(bpfvm_map_lookup(rw, &key, got, 0) == 0);
	CHECK_EQ_U64(got[0], 5 * NCFG);
	/* the original instructions stay as given; xlated has addresses */
	if (prog) {
		const struct bpf_insn *x = bpfvm_prog_xlated_insns(prog);

		CHECK(bpfvm_prog_insns(prog)[0].src_reg == (by_index ? 6 : 2));
		CHECK(x[0].src_reg == BPF_PSEUDO_MAP_VALUE);
		CHECK(bpfvm_prog_map_cnt(prog) == 2);
		CHECK(bpfvm_prog_map(prog, 0) == ro);
		CHECK(bpfvm_prog_map(prog, 2) == NULL);
	}
	bpfvm_prog_free(prog);
	bpfvm_prog_free(blind);
	bpfvm_map_free(ro);
	bpfvm_map_free(rw);
}

/* lddw of a map: r0 is the map's address, as in the kernel's xlated. */
static void test_map_fd(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_HASH, 4, 4, 8, 0);
	struct bpfvm_map *maps[1] = { m };
	struct bpf_insn by_id[] = { LD_MAP(0, bpfvm_map_id(m)), EXIT() };
	struct bpf_insn by_idx[] = { LD_MAP_IDX(0, 0), EXIT() };
	struct bpfvm_prog *a = mk_prog_env(by_id, 3, NULL, NULL, 0, 0);
	struct bpfvm_prog *b = mk_prog_env(by_idx, 3, NULL, maps, 1, 0);

	for (size_t k = 0; a && b && k < NCFG; k++) {
		struct outcome oa = run_cfg(a, a, &cfgs[k], NULL, 0, 0);
		struct outcome ob = run_cfg(b, b, &cfgs[k], NULL, 0, 0);

		CHECK(oa.err == 0 && ob.err == 0);
		CHECK_EQ_U64(oa.r0, (uintptr_t)m);
		CHECK_EQ_U64(ob.r0, (uintptr_t)m);
	}
	if (b) {
		const struct bpf_insn *x = bpfvm_prog_xlated_insns(b);

		CHECK(x[0].src_reg == BPF_PSEUDO_MAP_FD);
		CHECK_EQ_U64((uint32_t)x[0].imm | (uint64_t)(uint32_t)x[1].imm
							  << 32,
			     (uintptr_t)m);
		CHECK(bpfvm_prog_insns(b)[0].imm == 0);
	}
	bpfvm_prog_free(a);
	bpfvm_prog_free(b);
	bpfvm_map_free(m);
}

#define REJECT(insns, maps, n, want, text)                                  \
	do {                                                                \
		char log_[256] = "";                                        \
		int e_ = create_err(insns, ARRAY_LEN(insns), maps, n, log_, \
				    sizeof(log_));                          \
		CHECK_EQ_U64((uint64_t)(int64_t)e_, (uint64_t)(int64_t)(want)); \
		CHECK(strstr(log_, text) != NULL);                          \
		if (!strstr(log_, text))                                    \
			fprintf(stderr, "  log: %s\n", log_);               \
	} while (0)

static void test_rejections(void)
{
	struct bpfvm_map *arr = mk_map(BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0);
	struct bpfvm_map *arr2 = mk_map(BPF_MAP_TYPE_ARRAY, 4, 16, 2, 0);
	struct bpfvm_map *hash = mk_map(BPF_MAP_TYPE_HASH, 4, 16, 2, 0);
	struct bpfvm_map *maps[3] = { arr, NULL, hash };
	uint32_t id = bpfvm_map_id(arr), id2 = bpfvm_map_id(arr2);
	struct bpf_insn no_id[] = { LD_MAP(1, 0x7ffffff0), MOV64_IMM(0, 0),
				    EXIT() };
	struct bpf_insn no_idx[] = { MOV64_IMM(0, 0), LD_MAP_IDX(1, 3),
				     EXIT() };
	struct bpf_insn null_idx[] = { MOV64_IMM(0, 0), LD_MAP_IDX(1, 1),
				       EXIT() };
	struct bpf_insn hash_val[] = { MOV64_IMM(0, 0),
				       LD_MAP_IDX_VALUE(1, 2, 0), EXIT() };
	struct bpf_insn two_elems[] = { LD_MAP_VALUE(1, id2, 0),
					MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn past_value[] = { LD_MAP_VALUE(1, id, 16),
					 MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn huge_off[] = { LD_MAP_VALUE(1, id, 1u << 29),
				       MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn imm2[] = { LD_IMM64_RAW(1, BPF_PSEUDO_MAP_FD, id, 1),
				   MOV64_IMM(0, 0), EXIT() };

	REJECT(no_id, NULL, 0, -EBADF, "insn 0: lddw refers to map id "
	       "2147483632, which does not exist");
	REJECT(no_idx, maps, 3, -EINVAL, "insn 1: lddw refers to map index 3, "
	       "but only 3 maps were given");
	REJECT(no_idx, NULL, 0, -EPROTO, "no maps were given (opts.maps)");
	REJECT(null_idx, maps, 3, -EBADF, "map index 1, which is NULL");
	REJECT(hash_val, maps, 3, -EINVAL, "has no direct value access");
	REJECT(two_elems, NULL, 0, -524 /* ENOTSUPP */,
	       "no direct access to byte 0 of map id");
	REJECT(past_value, NULL, 0, -EINVAL, "(value_size 16, max_entries 1)");
	REJECT(huge_off, NULL, 0, -EINVAL, "direct value offset 536870912 is "
	       "not allowed");
	REJECT(imm2, NULL, 0, -EINVAL, "second imm=0");
	bpfvm_map_free(arr);
	bpfvm_map_free(arr2);
	bpfvm_map_free(hash);
}

/* The kernel's MAX_USED_MAPS: 64 distinct maps, the same one any number
 * of times. */
static void test_map_limit(void)
{
	enum { N = 65 };
	struct bpfvm_map *m[N];
	struct bpf_insn p[2 * N + 2];
	char log[256] = "";

	for (int i = 0; i < N; i++) {
		struct bpf_insn ld[] = { LD_MAP_IDX(1, i) };

		m[i] = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
		memcpy(&p[2 * i], ld, sizeof(ld));
	}
	p[2 * N] = MOV64_IMM(0, 0);
	p[2 * N + 1] = EXIT();
	CHECK(create_err(p, ARRAY_LEN(p), m, N, log, sizeof(log)) == -E2BIG);
	CHECK(strstr(log, "insn 128: the program uses more than 64 maps"));
	for (int i = 0; i < N; i++) { /* all the same map: one reference */
		struct bpf_insn ld[] = { LD_MAP(1, bpfvm_map_id(m[0])) };

		memcpy(&p[2 * i], ld, sizeof(ld));
	}
	struct bpfvm_prog *prog = mk_prog_env(p, ARRAY_LEN(p), NULL, m, N, 0);

	CHECK(prog && bpfvm_prog_map_cnt(prog) == 1);
	bpfvm_prog_free(prog);
	for (int i = 0; i < N; i++)
		bpfvm_map_free(m[i]);
}

/* A program keeps its maps; programs have ids and references. */
static void test_references(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	uint32_t mid = bpfvm_map_id(m);
	struct bpf_insn p[] = { LD_MAP(0, mid), EXIT() };
	struct bpfvm_prog *prog = mk_prog_env(p, 3, NULL, NULL, 0, 0), *again;
	struct bpfvm_prog *other = mk_prog_env(p, 3, NULL, NULL, 0, 0);
	struct bpfvm_map *mm;
	uint32_t pid;

	if (!prog || !other)
		return;
	bpfvm_map_free(m); /* the creator lets go: the programs hold it */
	mm = bpfvm_map_get_by_id(mid);
	CHECK(mm == m);
	bpfvm_map_free(mm);
	pid = bpfvm_prog_id(prog);
	CHECK(pid != 0 && pid != bpfvm_prog_id(other));
	again = bpfvm_prog_get_by_id(pid);
	CHECK(again == prog);
	bpfvm_prog_free(prog); /* the creator's reference */
	CHECK(bpfvm_prog_get_by_id(pid) == again);
	bpfvm_prog_free(again); /* the one just taken */
	uint64_t r0 = 0;
	CHECK(bpfvm_prog_run(again, NULL, 0, &r0, NULL) == 0);
	CHECK_EQ_U64(r0, (uintptr_t)m); /* still alive: one reference left */
	bpfvm_prog_free(again);
	CHECK(bpfvm_prog_get_by_id(pid) == NULL);
	CHECK(bpfvm_map_get_by_id(mid) == m); /* `other` holds it */
	bpfvm_map_free(m);
	bpfvm_prog_free(other);
	CHECK(bpfvm_map_get_by_id(mid) == NULL);
	CHECK(bpfvm_prog_get_by_id(0) == NULL);
	CHECK(bpfvm_prog_get_by_id(mid) == NULL); /* a map's id */
}

static void perf_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)ctx, (void)cpu, (void)data, (void)size;
}

/* A PERF_EVENT_ARRAY whose last user reference goes while a program
 * still holds it: the kernel empties its slots then (they were filled
 * through the map's file), unless BPF_F_PRESERVE_ELEMS. An empty slot's
 * delete is -ENOENT. */
static void perf_array_uref(uint32_t flags, int want_delete)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1,
				     flags);
	struct bpfvm_map *src = mk_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1,
				       0);
	uint32_t mid = m ? bpfvm_map_id(m) : 0, k = 0, ev;
	struct bpf_insn p[] = { LD_MAP(0, mid), EXIT() };
	struct bpfvm_prog *prog = m ? mk_prog_env(p, 3, NULL, NULL, 0, 0)
				    : NULL;
	struct bpfvm_perfbuf *pb = NULL;

	if (!prog || !src)
		return;
	/* a buffer made for `src`, put into m's slot as well */
	CHECK(bpfvm_perfbuf_new(src, 1, perf_sample, NULL, NULL, NULL, &pb) ==
	      0);
	ev = pb ? (uint32_t)bpfvm_perfbuf_buffer_id(pb, 0) : 0;
	CHECK(bpfvm_map_update(m, &k, &ev, BPF_ANY) == 0);
	bpfvm_map_free(m);		/* the program still holds m */
	m = bpfvm_map_get_by_id(mid);
	CHECK(m != NULL);
	if (m)
		CHECK_EQ_U64(bpfvm_map_delete(m, &k), want_delete);
	bpfvm_map_free(m);
	bpfvm_prog_free(prog);
	CHECK(bpfvm_map_get_by_id(mid) == NULL);
	bpfvm_perfbuf_free(pb);
	bpfvm_map_free(src);
}

/* The JIT's direct entry (bpfvm_prog_jit_fn) is an RCU reader as
 * bpfvm_prog_run is: one thread runs it, looking an inner map up in an
 * ARRAY_OF_MAPS and then its value, while another replaces the inner map
 * (the slot's reference was the last, so the old map goes once no reader
 * can hold it). Without the reader a run could use a freed map: ASan
 * would say so. */
static atomic_bool mim_stop;

static void *mim_churn(void *arg)
{
	struct bpfvm_map *outer = arg;
	uint32_t k = 0, n = 0;

	while (!atomic_load(&mim_stop)) {
		struct bpfvm_map *in = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
		uint32_t id = in ? bpfvm_map_id(in) : 0;
		uint64_t v = ++n;

		if (!in)
			break;
		bpfvm_map_update(in, &k, &v, BPF_ANY);
		bpfvm_map_update(outer, &k, &id, BPF_ANY);
		bpfvm_map_free(in);	/* the slot holds it now */
	}
	return NULL;
}

static void test_direct_inner_maps(void)
{
	struct bpfvm_map *tmpl = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	struct bpfvm_map_opts o = { .sz = sizeof(o), .inner_map = tmpl };
	struct bpfvm_map *outer = NULL;
	struct bpfvm_prog *prog = NULL;
	bpfvm_jit_fn fn = NULL;
	uint64_t r0 = 0, bad = 0;
	pthread_t t;

	CHECK(bpfvm_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, &o,
			       &outer) == 0);
	if (outer) {
		struct bpf_insn p[] = {
			ST_IMM(BPF_W, 10, -4, 0), LD_MAP(1, bpfvm_map_id(outer)),
			MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL_HELPER(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, 0, 0, 7),
			MOV64_REG(1, 0), MOV64_REG(2, 10),
			ALU64_IMM(BPF_ADD, 2, -4),
			CALL_HELPER(BPF_FUNC_map_lookup_elem),
			JMP_IMM(BPF_JEQ, 0, 0, 2),
			LDX(BPF_DW, 0, 0, 0), EXIT(),
			MOV64_IMM(0, 1), EXIT(),
		};

		prog = mk_prog_env(p, ARRAY_LEN(p), NULL, NULL, 0, 0);
	}
	CHECK(prog && bpfvm_prog_jit_fn(prog, &fn) == 0);
	if (!fn)
		goto out;
	/* a bracketed run first: the process has RCU readers from now on,
	 * so retired inner maps are released as soon as none is seen */
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, NULL) == 0 && r0 == 1);
	atomic_store(&mim_stop, false);
	if (pthread_create(&t, NULL, mim_churn, outer))
		goto out;
	for (int i = 0; i < 2000000; i++) {
		r0 = fn(NULL, 0);
		bad += r0 == 0; /* values start at 1 */
	}
	atomic_store(&mim_stop, true);
	pthread_join(t, NULL);
	CHECK(bad == 0);
out:
	bpfvm_prog_free(prog);
	bpfvm_map_free(outer);
	bpfvm_map_free(tmpl);
}

static void lookup_prog(struct bpf_insn *p, uint32_t id, int32_t key);

/* Checked runs: map values are regions (read-only for RDONLY_PROG);
 * plain runs do not check (no verifier: documented). */
static void test_checked_regions(void)
{
	struct bpfvm_map *ro = mk_map(BPF_MAP_TYPE_ARRAY, 4, 16, 1,
				      BPF_F_RDONLY_PROG);
	struct bpfvm_map *rw = mk_map(BPF_MAP_TYPE_ARRAY, 4, 12, 3, 0);
	struct bpfvm_map *maps[2] = { ro, rw };
	struct bpf_insn write_ro[] = { LD_MAP_IDX_VALUE(1, 0, 0),
				       ST_IMM(BPF_W, 1, 4, 7),
				       MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn read_ro[] = { LD_MAP_IDX_VALUE(1, 0, 0),
				      LDX(BPF_W, 0, 1, 12), EXIT() };
	/* rw: 3 elements of 16 bytes (12 rounded up): 48 bytes */
	struct bpf_insn past_rw[] = { MOV64_IMM(6, 1), STX(BPF_W, 10, 6, -4),
				      MOV64_REG(2, 10),
				      ALU64_IMM(BPF_ADD, 2, -4),
				      LD_MAP_IDX(1, 1), CALL_HELPER(1),
				      JMP_IMM(BPF_JEQ, 0, 0, 2),
				      LDX(BPF_DW, 1, 0, 24),
				      LDX(BPF_DW, 1, 0, 32), EXIT() };
	struct bpfvm_prog *w = mk_prog_env(write_ro, 5, NULL, maps, 2, 0);
	struct bpfvm_prog *r = mk_prog_env(read_ro, 4, NULL, maps, 2, 0);
	struct bpfvm_prog *q = mk_prog_env(past_rw, ARRAY_LEN(past_rw), NULL,
					   maps, 2, 0);

	for (size_t k = 0; w && r && q && k < NCFG; k++) {
		const struct cfg *c = &cfgs[k];
		struct outcome ow, orr, oq;

		if (!(c->flags & BPFVM_RUN_F_CHECKED))
			continue;
		ow = run_cfg(w, w, c, NULL, 0, 0);
		CHECK(ow.err == -EFAULT);
		CHECK(strstr(ow.msg, "insn 2: 4-byte store to") &&
		      strstr(ow.msg, "hits a read-only region"));
		orr = run_cfg(r, r, c, NULL, 0, 0);
		CHECK(orr.err == 0);
		oq = run_cfg(q, q, c, NULL, 0, 0);
		/* element 1 + 24: into element 2, not one value */
		CHECK(oq.err == -EFAULT);
		CHECK(strstr(oq.msg, "insn 8: 8-byte load from") != NULL);
	}
	bpfvm_prog_free(w);
	bpfvm_prog_free(r);
	bpfvm_prog_free(q);
	bpfvm_map_free(ro);
	bpfvm_map_free(rw);
}

/* PERCPU_ARRAY values (the caller's CPU's) are regions too. */
static void test_checked_percpu(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, 0);
	struct bpf_insn p[12];
	struct bpfvm_prog *prog;

	lookup_prog(p, bpfvm_map_id(m), 1);
	prog = mk_prog_env(p, 12, NULL, NULL, 0, 0);
	for (size_t k = 0; prog && k < NCFG; k++) {
		struct outcome o = run_cfg(prog, prog, &cfgs[k], NULL, 0, 0);

		CHECK(o.err == 0 && o.r0 == k + 1);
	}
	bpfvm_prog_free(prog);
	bpfvm_map_free(m);
}

/* counter[key] += 1 through map_lookup_elem; r0 = the new count, or 0
 * for a key past the end. */
static void lookup_prog(struct bpf_insn *p, uint32_t id, int32_t key)
{
	struct bpf_insn q[] = {
		ST_IMM(BPF_W, 10, -4, key), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, id), CALL_HELPER(1),
		JMP_IMM(BPF_JEQ, 0, 0, 4), LDX(BPF_DW, 1, 0, 0),
		ALU64_IMM(BPF_ADD, 1, 1), STX(BPF_DW, 0, 1, 0),
		MOV64_REG(0, 1), EXIT(),
	};

	memcpy(p, q, sizeof(q));
}

/* The code the JIT made for insn i starts with mov eax, [rsi]: the
 * inline lookup, not a helper call. */
static bool inlined(struct bpfvm_prog *prog, uint32_t run_flags, size_t i)
{
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	const uint8_t *c;

	if (bpfvm_prog_jit_info(prog, run_flags, &info))
		return false;
	c = (const uint8_t *)info.code + info.insn_off[i];
	return c[0] == 0x8b && c[1] == 0x06;
}

static void test_inline_lookup(uint32_t value_size)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_ARRAY, 4, value_size, 4, 0);
	struct bpf_insn in_range[12], past[12];
	struct bpfvm_prog *a, *ab, *b;
	uint64_t v[8] = { 0 };
	uint32_t key = 3;

	lookup_prog(in_range, bpfvm_map_id(m), 3);
	lookup_prog(past, bpfvm_map_id(m), 4);
	a = mk_prog_env(in_range, 12, NULL, NULL, 0, 0);
	ab = mk_prog_env(in_range, 12, NULL, NULL, 0, BPFVM_PROG_F_JIT_BLIND);
	b = mk_prog_env(past, 12, NULL, NULL, 0, 0);
	for (size_t k = 0; a && ab && b && k < NCFG; k++) {
		struct outcome oa = run_cfg(a, ab, &cfgs[k], NULL, 0, 0);
		struct outcome ob = run_cfg(b, b, &cfgs[k], NULL, 0, 0);

		CHECK(oa.err == 0 && ob.err == 0);
		CHECK_EQ_U64(oa.r0, k + 1);
		CHECK_EQ_U64(ob.r0, 0);
	}
	CHECK(bpfvm_map_lookup(m, &key, v, 0) == 0);
	CHECK_EQ_U64(v[0], NCFG);
	if (a) {
		CHECK(inlined(a, 0, 5));
		CHECK(inlined(a, BPFVM_RUN_F_COUNT, 5));
		CHECK(!inlined(a, BPFVM_RUN_F_CHECKED, 5)); /* key is checked */
	}
	bpfvm_prog_free(a);
	bpfvm_prog_free(ab);
	bpfvm_prog_free(b);
	bpfvm_map_free(m);
}

/* r1 is not the map once something writes it, or from another block. */
static void test_no_inline(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	uint32_t id = bpfvm_map_id(m);
	struct bpf_insn redefined[] = {
		ST_IMM(BPF_W, 10, -4, 1), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, id), MOV64_REG(6, 1),
		MOV64_REG(1, 6), CALL_HELPER(1), EXIT(),
	};
	struct bpf_insn joined[] = {
		ST_IMM(BPF_W, 10, -4, 1), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, id),
		JMP_IMM(BPF_JEQ, 2, 0, 0), CALL_HELPER(1), EXIT(),
	};
	struct bpfvm_prog *a = mk_prog_env(redefined, 9, NULL, NULL, 0, 0);
	struct bpfvm_prog *b = mk_prog_env(joined, 8, NULL, NULL, 0, 0);

	if (a && b) {
		uint64_t r0 = 0;
		struct bpfvm_run_opts ro = { .sz = sizeof(ro),
					     .engine = BPFVM_ENGINE_JIT };

		CHECK(!inlined(a, 0, 7));
		CHECK(!inlined(b, 0, 6));
		CHECK(bpfvm_prog_run(a, NULL, 0, &r0, &ro) == 0 && r0 != 0);
	}
	bpfvm_prog_free(a);
	bpfvm_prog_free(b);
	bpfvm_map_free(m);
}

int main(void)
{
	test_global_data(false);
	test_global_data(true);
	test_map_fd();
	test_rejections();
	test_map_limit();
	test_references();
	perf_array_uref(0, -ENOENT);
	perf_array_uref(BPF_F_PRESERVE_ELEMS, 0);
	test_checked_regions();
	test_checked_percpu();
	test_direct_inner_maps();
	test_inline_lookup(8);	/* elements of 8 bytes: a shift */
	test_inline_lookup(20);	/* 24 bytes: a multiply */
	test_no_inline();
	return check_report();
}
