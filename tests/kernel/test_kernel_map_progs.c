/* Programs with maps against the kernel: the same instructions (maps by
 * index, lddw BPF_PSEUDO_MAP_IDX / _IDX_VALUE, into the kernel's fd_array
 * and bpfvm's opts.maps) loaded as XDP programs into the kernel and into
 * bpfvm, each run once per bpfvm configuration (interpreter and JIT,
 * plain, checked, counted, the JIT's direct entry) after resetting the
 * maps on both sides: same r0 (the kernel's 32-bit XDP result) and the
 * same map contents afterwards. Array counters with map helpers, global
 * data (read-only frozen .rodata, .data), tail calls (chains, the 33-call
 * limit with empty slots, past the end, from a subprogram), bpf_loop and
 * bpf_for_each_map_elem; PROG_ARRAY's create paths and user-space
 * operations. SKIP (77) without bpf(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/insn_build.h"
#include "kmap.h"
#include "kprog.h"
#include "mapdiff.h"

#define LD_MAP_IDX(d, i) LD_IMM64_RAW(d, 5 /* BPF_PSEUDO_MAP_IDX */, i, 0)
#define LD_MAP_IDX_VALUE(d, i, off) LD_IMM64_RAW(d, 6, i, off)
#define MAX_MAPS 4
#define PKT_LEN 64

static int failures, cases;

struct twin_map {
	int kfd;
	struct bpfvm_map *vm;
	uint32_t value_size, max_entries;
};

struct twin_prog {
	int kfd;
	struct bpfvm_prog *vm;
};

static bool twin_map(struct twin_map *m, enum bpf_map_type type,
		     uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	struct kmap_attr ka = { .type = type, .key_size = 4,
				.value_size = value_size,
				.max_entries = max_entries,
				.map_flags = flags };
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags };

	m->value_size = value_size;
	m->max_entries = max_entries;
	m->kfd = kmap_create(&ka);
	if (m->kfd < 0 || bpfvm_map_create(type, 4, value_size, max_entries,
					   &o, &m->vm)) {
		printf("FAIL: map create (type %d): kernel %d\n", (int)type,
		       m->kfd);
		failures++;
		return false;
	}
	return true;
}

static void twin_map_free(struct twin_map *m)
{
	if (m->kfd >= 0)
		close(m->kfd);
	bpfvm_map_free(m->vm);
}

/* Element key = value (value_size bytes) on both sides. */
static void twin_set(struct twin_map *m, uint32_t key, const void *value)
{
	int a = kmap_update(m->kfd, &key, value, BPF_ANY);
	int b = bpfvm_map_update(m->vm, &key, value, BPF_ANY);

	if (a || b) {
		printf("FAIL: update key %u: kernel %d, bpfvm %d\n", key, a, b);
		failures++;
	}
}

static void twin_zero(struct twin_map *m)
{
	uint8_t zero[64] = { 0 };

	for (uint32_t k = 0; k < m->max_entries; k++)
		twin_set(m, k, zero);
}

/* Every element the same on both sides. */
static void twin_compare(struct twin_map *m, const char *what)
{
	for (uint32_t k = 0; k < m->max_entries; k++) {
		uint8_t a[64] = { 0 }, b[64] = { 0 };
		int ra = kmap_lookup(m->kfd, &k, a, 0);
		int rb = bpfvm_map_lookup(m->vm, &k, b, 0);

		if (ra != rb || memcmp(a, b, m->value_size)) {
			printf("FAIL %s: key %u differs (kernel %d %02x%02x.., "
			       "bpfvm %d %02x%02x..)\n", what, k, ra, a[0],
			       a[1], rb, b[0], b[1]);
			failures++;
		}
	}
}

/* Load into both; false (SKIP of the case, printed) if the kernel says no. */
static bool twin_prog(struct twin_prog *p, const struct bpf_insn *insns,
		      size_t cnt, struct twin_map *const *maps, size_t n)
{
	static char log[65536];
	struct bpfvm_map *vm[MAX_MAPS];
	int kfds[MAX_MAPS];
	char vlog[256];
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .maps = vm,
				     .map_cnt = n, .log_buf = vlog,
				     .log_size = sizeof(vlog) };

	for (size_t i = 0; i < n; i++) {
		vm[i] = maps[i]->vm;
		kfds[i] = maps[i]->kfd;
	}
	p->vm = NULL;
	p->kfd = kprog_load_xdp(insns, cnt, kfds, log, sizeof(log));
	if (p->kfd < 0) {
		size_t len = strlen(log);

		printf("kernel refused a program (%d): %s\n", p->kfd,
		       log + (len > 600 ? len - 600 : 0));
		return false;
	}
	if (bpfvm_prog_create(insns, cnt, &o, &p->vm)) {
		printf("FAIL: bpfvm refused a program the kernel took: %s\n",
		       vlog);
		failures++;
		return false;
	}
	return true;
}

static void twin_prog_free(struct twin_prog *p)
{
	if (p->kfd >= 0)
		close(p->kfd);
	bpfvm_prog_free(p->vm);
}

/* PROG_ARRAY slot: the kernel takes the fd, bpfvm the id. */
static void twin_slot(struct twin_map *pa, uint32_t slot,
		      const struct twin_prog *p)
{
	uint32_t id = bpfvm_prog_id(p->vm);
	int a = kmap_update(pa->kfd, &slot, &p->kfd, BPF_ANY);
	int b = bpfvm_map_update(pa->vm, &slot, &id, BPF_ANY);

	if (a || b) {
		printf("FAIL: prog array slot %u: kernel %d, bpfvm %d\n", slot,
		       a, b);
		failures++;
	}
}

static const struct {
	const char *name;
	enum bpfvm_engine engine;
	uint32_t flags;
	bool direct;
} cfgs[] = {
	{ "interp", BPFVM_ENGINE_INTERP, 0, false },
	{ "interp-checked", BPFVM_ENGINE_INTERP, BPFVM_RUN_F_CHECKED, false },
	{ "interp-counted", BPFVM_ENGINE_INTERP, BPFVM_RUN_F_COUNT, false },
	{ "jit", BPFVM_ENGINE_JIT, 0, false },
	{ "jit-checked", BPFVM_ENGINE_JIT, BPFVM_RUN_F_CHECKED, false },
	{ "jit-counted", BPFVM_ENGINE_JIT, BPFVM_RUN_F_COUNT, false },
	{ "jit-direct", BPFVM_ENGINE_JIT, 0, true },
};

typedef void (*reset_fn)(struct twin_map *const *maps);

/* Per configuration: reset, run once on each side, compare. */
static void run_case(const char *name, struct twin_prog *entry,
		     struct twin_map *const *maps, size_t n, reset_fn reset)
{
	for (size_t c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		uint8_t pkt[PKT_LEN] = { 0 }, mem[PKT_LEN] = { 0 };
		struct bpfvm_run_opts ro = { .sz = sizeof(ro),
					     .engine = cfgs[c].engine,
					     .flags = cfgs[c].flags };
		char err[256] = "", what[96];
		uint32_t kr0 = 0;
		uint64_t r0 = 0;
		int ke, ve;
		bpfvm_jit_fn fn;

		reset(maps);
		ke = kprog_test_run(entry->kfd, pkt, PKT_LEN, &kr0);
		ro.err_buf = err;
		ro.err_size = sizeof(err);
		if (cfgs[c].direct) {
			ve = bpfvm_prog_jit_fn(entry->vm, &fn);
			if (!ve)
				r0 = fn(mem, PKT_LEN);
		} else {
			ve = bpfvm_prog_run(entry->vm, mem, PKT_LEN, &r0, &ro);
		}
		cases++;
		snprintf(what, sizeof(what), "%s (%s)", name, cfgs[c].name);
		if (ke || ve || kr0 != (uint32_t)r0) {
			printf("FAIL %s: kernel %d r0 %u, bpfvm %d r0 %llu %s\n",
			       what, ke, kr0, ve, (unsigned long long)r0, err);
			failures++;
		}
		for (size_t i = 0; i < n; i++)
			twin_compare(maps[i], what);
	}
}

/* Load p with maps into both and run the case, comparing maps[0..n). */
static void run_prog(const char *name, const struct bpf_insn *p, size_t cnt,
		     struct twin_map *const *maps, size_t n, reset_fn reset)
{
	struct twin_prog pr = { -1, NULL };

	if (twin_prog(&pr, p, cnt, maps, n))
		run_case(name, &pr, maps, n, reset);
	twin_prog_free(&pr);
}

static void reset_zero(struct twin_map *const *maps)
{
	twin_zero(maps[0]);
}

/* Array counters: for key 0..3: v[key] += key + 1 (lookup, then an
 * atomic add), sum += v[key]; then update(key 3, sum); r0 = sum. */
static void case_array(void)
{
	struct bpf_insn p[] = {
		MOV64_IMM(7, 0), MOV64_IMM(8, 0),
		/* 2: loop */ STX(BPF_W, 10, 8, -4), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), LD_MAP_IDX(1, 0), CALL_HELPER(1),
		JMP_IMM(BPF_JEQ, 0, 0, 5), MOV64_REG(1, 8),
		ALU64_IMM(BPF_ADD, 1, 1),
		ATOMIC(BPF_DW, BPF_ADD, 0, 1, 0), LDX(BPF_DW, 1, 0, 0),
		ALU64_REG(BPF_ADD, 7, 1),
		/* 14 */ ALU64_IMM(BPF_ADD, 8, 1), JMP_IMM(BPF_JLT, 8, 4, -14),
		ST_IMM(BPF_W, 10, -4, 3), STX(BPF_DW, 10, 7, -16),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10),
		ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, BPF_ANY),
		LD_MAP_IDX(1, 0), CALL_HELPER(2), MOV64_REG(0, 7), EXIT(),
	};
	struct twin_map m;
	struct twin_map *maps[1] = { &m };

	if (!twin_map(&m, BPF_MAP_TYPE_ARRAY, 8, 4, 0))
		return;
	run_prog("array counters", p, ARRAY_LEN(p), maps, 1, reset_zero);
	twin_map_free(&m);
}

static void reset_data(struct twin_map *const *maps)
{
	twin_zero(maps[1]);
}

/* Global data: .rodata (read-only for programs, frozen) and .data.
 * data[0] += rodata[8]; data[8] (u32) += 1; r0 = data[0] >> 8. */
static void case_global(void)
{
	struct bpf_insn p[] = {
		LD_MAP_IDX_VALUE(1, 0, 8), LDX(BPF_DW, 2, 1, 0),
		LD_MAP_IDX_VALUE(3, 1, 0), LDX(BPF_DW, 4, 3, 0),
		ALU64_REG(BPF_ADD, 4, 2), STX(BPF_DW, 3, 4, 0),
		LDX(BPF_W, 5, 3, 8), ALU64_IMM(BPF_ADD, 5, 1),
		STX(BPF_W, 3, 5, 8), MOV64_REG(0, 4), ALU64_IMM(BPF_RSH, 0, 8),
		EXIT(),
	};
	uint64_t ro_init[2] = { 0x1111, 0x0123456789abcdefull };
	struct twin_map ro, rw;
	struct twin_map *maps[2] = { &ro, &rw };

	if (!twin_map(&ro, BPF_MAP_TYPE_ARRAY, 16, 1, BPF_F_RDONLY_PROG) ||
	    !twin_map(&rw, BPF_MAP_TYPE_ARRAY, 16, 1, 0))
		return;
	twin_set(&ro, 0, ro_init);
	if (kmap_freeze(ro.kfd) || bpfvm_map_freeze(ro.vm)) {
		printf("FAIL: freeze\n");
		failures++;
	}
	run_prog("global data", p, ARRAY_LEN(p), maps, 2, reset_data);
	twin_map_free(&ro);
	twin_map_free(&rw);
}

/* counters[k] += 1 with r6 = ctx kept for the tail calls after it:
 * the common head of the tail-call programs (10 insns). */
#define COUNT(k)                                                            \
	MOV64_REG(6, 1), ST_IMM(BPF_W, 10, -4, k), MOV64_REG(2, 10),        \
	ALU64_IMM(BPF_ADD, 2, -4), LD_MAP_IDX(1, 1), CALL_HELPER(1),        \
	JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_IMM(1, 1),                         \
	ATOMIC(BPF_DW, BPF_ADD, 0, 1, 0)
#define TAIL(slot)                                                          \
	MOV64_REG(1, 6), LD_MAP_IDX(2, 0), MOV64_IMM(3, slot),              \
	CALL_HELPER(BPF_FUNC_tail_call)

/* A: counters[0]++, tail call 7 (past the end), tail call 1; r0 = 11.
 * B (slot 1): counters[1]++, tail call 2 (empty), tail call 1 (itself);
 * r0 = 22: 33 runs of B (calls to an empty slot do not count).
 * M: calls S, r0 += 100. S: tail call 3 (C: r0 = 5); r0 = 9. */
static void case_tail(void)
{
	struct bpf_insn a[] = { COUNT(0), TAIL(7), TAIL(1), MOV64_IMM(0, 11),
				EXIT() };
	struct bpf_insn b[] = { COUNT(1), TAIL(2), TAIL(1), MOV64_IMM(0, 22),
				EXIT() };
	struct bpf_insn c[] = { COUNT(3), MOV64_IMM(0, 5), EXIT() };
	struct bpf_insn m[] = { CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 100),
				EXIT(), COUNT(2), TAIL(3), MOV64_IMM(0, 9),
				EXIT() };
	struct twin_map pa, cnt;
	struct twin_map *maps[2] = { &pa, &cnt }, *counted[1] = { &cnt };
	struct twin_prog pa_ = { -1, NULL }, pb = { -1, NULL },
			 pc = { -1, NULL }, pm = { -1, NULL };

	if (!twin_map(&pa, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0) ||
	    !twin_map(&cnt, BPF_MAP_TYPE_ARRAY, 8, 4, 0))
		return;
	if (twin_prog(&pa_, a, ARRAY_LEN(a), maps, 2) &&
	    twin_prog(&pb, b, ARRAY_LEN(b), maps, 2) &&
	    twin_prog(&pc, c, ARRAY_LEN(c), maps, 2)) {
		twin_slot(&pa, 1, &pb);
		twin_slot(&pa, 3, &pc);
		run_case("tail calls", &pa_, counted, 1, reset_zero);
		if (twin_prog(&pm, m, ARRAY_LEN(m), maps, 2))
			run_case("tail call from a subprogram", &pm, counted,
				 1, reset_zero);
		twin_prog_free(&pm);
		/* drop the slots: bpfvm's array holds references */
		uint32_t k1 = 1, k3 = 3;
		bpfvm_map_delete(pa.vm, &k1);
		bpfvm_map_delete(pa.vm, &k3);
	}
	twin_prog_free(&pa_);
	twin_prog_free(&pb);
	twin_prog_free(&pc);
	twin_map_free(&pa);
	twin_map_free(&cnt);
}

/* sum = 0; n = bpf_loop(100, cb, &sum, 0); map[0] = sum; r0 = n * 65536
 * + (sum & 0xffff). cb(i, ctx): *ctx += i * i; stop (1) at i == 57. */
static void case_loop(void)
{
	struct bpf_insn p[] = {
		ST_IMM(BPF_DW, 10, -8, 0), MOV64_IMM(1, 100), LD_FUNC(2, 20),
		MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0),
		CALL_HELPER(BPF_FUNC_loop), MOV64_REG(6, 0),
		ST_IMM(BPF_W, 10, -12, 0), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -12), MOV64_REG(3, 10),
		ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0), LD_MAP_IDX(1, 0),
		CALL_HELPER(2), LDX(BPF_DW, 0, 10, -8),
		ALU64_IMM(BPF_AND, 0, 0xffff), ALU64_IMM(BPF_LSH, 6, 16),
		ALU64_REG(BPF_ADD, 0, 6), EXIT(),
		/* 23: cb */ MOV64_REG(3, 1), ALU64_REG(BPF_MUL, 3, 1),
		LDX(BPF_DW, 4, 2, 0), ALU64_REG(BPF_ADD, 4, 3),
		STX(BPF_DW, 2, 4, 0), MOV64_IMM(0, 0),
		JMP_IMM(BPF_JNE, 1, 57, 1), MOV64_IMM(0, 1), EXIT(),
	};
	struct twin_map m;
	struct twin_map *maps[1] = { &m };

	if (!twin_map(&m, BPF_MAP_TYPE_ARRAY, 8, 1, 0))
		return;
	run_prog("bpf_loop", p, ARRAY_LEN(p), maps, 1, reset_zero);
	twin_map_free(&m);
}

static void reset_each(struct twin_map *const *maps)
{
	for (uint32_t k = 0; k < maps[0]->max_entries; k++) {
		uint64_t v = 1000 + 7 * k;

		twin_set(maps[0], k, &v);
	}
}

/* n = bpf_for_each_map_elem(map, cb, &sum, 0); r0 = n * 65536 + sum.
 * cb(map, key, value, ctx): *ctx += *value; *value += *key; stop at
 * key 5. */
static void case_for_each(void)
{
	struct bpf_insn p[] = {
		ST_IMM(BPF_DW, 10, -8, 0), LD_MAP_IDX(1, 0), LD_FUNC(2, 9),
		MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0),
		CALL_HELPER(BPF_FUNC_for_each_map_elem),
		ALU64_IMM(BPF_LSH, 0, 16), LDX(BPF_DW, 1, 10, -8),
		ALU64_REG(BPF_ADD, 0, 1), EXIT(),
		/* 13: cb */ LDX(BPF_DW, 5, 3, 0), LDX(BPF_DW, 1, 4, 0),
		ALU64_REG(BPF_ADD, 1, 5), STX(BPF_DW, 4, 1, 0),
		LDX(BPF_W, 1, 2, 0), ALU64_REG(BPF_ADD, 5, 1),
		STX(BPF_DW, 3, 5, 0), MOV64_IMM(0, 0),
		JMP_IMM(BPF_JNE, 1, 5, 1), MOV64_IMM(0, 1), EXIT(),
	};
	struct twin_map m;
	struct twin_map *maps[1] = { &m };

	if (!twin_map(&m, BPF_MAP_TYPE_ARRAY, 8, 8, 0))
		return;
	run_prog("bpf_for_each_map_elem", p, ARRAY_LEN(p), maps, 1,
		 reset_each);
	twin_map_free(&m);
}

/* PROG_ARRAY from user space: the return codes of both (values are a
 * kernel fd / a bpfvm id for the same program; lookups return ids). */
static void prog_array_ops(void)
{
	struct bpf_insn ret[] = { MOV64_IMM(0, 2), EXIT() };
	struct twin_map pa;
	struct twin_prog p = { -1, NULL };
	uint32_t k, v, bad = 0x7ffffff0;
	int a, b;

	if (!twin_map(&pa, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0))
		return;
	if (!twin_prog(&p, ret, ARRAY_LEN(ret), NULL, 0))
		goto out;
#define BOTH(op_k, op_v, what)                                              	do {                                                                		a = op_k;                                                   		b = op_v;                                                   		cases++;                                                    		if (a != b) {                                               			printf("FAIL prog array %s: kernel %d, bpfvm %d\n",  			       what, a, b);                                 			failures++;                                         		}                                                           	} while (0)
	k = 1;
	BOTH(kmap_lookup(pa.kfd, &k, &v, 0),
	     bpfvm_map_lookup(pa.vm, &k, &v, 0), "lookup of an empty slot");
	twin_slot(&pa, 1, &p);
	BOTH(kmap_lookup(pa.kfd, &k, &v, 0) < 0,
	     bpfvm_map_lookup(pa.vm, &k, &v, 0) < 0, "lookup");
	v = bpfvm_prog_id(p.vm);
	BOTH(kmap_update(pa.kfd, &k, &p.kfd, BPF_NOEXIST),
	     bpfvm_map_update(pa.vm, &k, &v, BPF_NOEXIST), "BPF_NOEXIST");
	BOTH(kmap_update(pa.kfd, &k, &bad, BPF_ANY),
	     bpfvm_map_update(pa.vm, &k, &bad, BPF_ANY), "a bad program");
	k = 4;
	BOTH(kmap_update(pa.kfd, &k, &p.kfd, BPF_ANY),
	     bpfvm_map_update(pa.vm, &k, &v, BPF_ANY), "past the end");
	BOTH(kmap_delete(pa.kfd, &k), bpfvm_map_delete(pa.vm, &k),
	     "delete past the end");
	k = 1;
	BOTH(kmap_delete(pa.kfd, &k), bpfvm_map_delete(pa.vm, &k), "delete");
	BOTH(kmap_delete(pa.kfd, &k), bpfvm_map_delete(pa.vm, &k),
	     "delete again");
	BOTH(kmap_get_next_key(pa.kfd, NULL, &v),
	     bpfvm_map_get_next_key(pa.vm, NULL, &v), "next key");
#undef BOTH
out:
	twin_prog_free(&p);
	twin_map_free(&pa);
}

/* Every create flag alone and the fd-array attribute checks. */
static void prog_array_create(void)
{
	struct mapdiff_spec s = { .name = "pa", .type =
				  BPF_MAP_TYPE_PROG_ARRAY, .key_size = 4,
				  .value_size = 4, .max_entries = 4 };

	for (int bit = 0; bit < 32; bit++) {
		s.map_flags = 1u << bit;
		failures += mapdiff_create(&s);
	}
	s.map_flags = 0;
	s.value_size = 8;
	failures += mapdiff_create(&s);
	s.value_size = 4;
	s.key_size = 8;
	failures += mapdiff_create(&s);
	s.key_size = 4;
	s.max_entries = 0;
	failures += mapdiff_create(&s);
}

int main(void)
{
	char why[256];

	if (!kmap_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	prog_array_create();
	prog_array_ops();
	case_array();
	case_global();
	case_tail();
	case_loop();
	case_for_each();
	printf("%d cases, %d failed\n", cases, failures);
	return failures ? 1 : 0;
}
