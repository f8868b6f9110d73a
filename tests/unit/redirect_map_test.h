/* Shared by the redirect map tests (DEVMAP, DEVMAP_HASH, CPUMAP,
 * XSKMAP): creating a map, an XDP program for bpf_prog.fd values, a
 * program's lookup, and readers racing a writer. Include after check.h
 * and insn_build.h. */
#ifndef BPFVM_TESTS_REDIRECT_MAP_TEST_H
#define BPFVM_TESTS_REDIRECT_MAP_TEST_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <bpfvm/map.h>
#include <bpfvm/prog.h>

static inline int rmt_create(enum bpf_map_type type, uint32_t ks,
			     uint32_t vs, uint32_t n, uint32_t flags,
			     struct bpfvm_map **m)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags };

	*m = NULL;
	return bpfvm_map_create(type, ks, vs, n, &o, m);
}

/* An XDP program (returns XDP_PASS) of attach type at: bpf_prog.fd
 * values name it by id. */
static inline struct bpfvm_prog *rmt_xdp_prog(enum bpf_attach_type at)
{
	static const struct bpf_insn p[] = { MOV64_IMM(0, 2), EXIT() };
	struct bpfvm_prog_opts o = { .sz = sizeof(o),
				     .prog_type = BPF_PROG_TYPE_XDP,
				     .expected_attach_type = at };
	struct bpfvm_prog *prog = NULL;

	CHECK_EQ_U64(bpfvm_prog_create(p, ARRAY_LEN(p), &o, &prog), 0);
	return prog;
}

/* A program: r0 = *(u32 *)(lookup(map, &key) + off), or 0xffff when the
 * lookup fails; the update variant returns what update (value 9)
 * returned. */
static inline uint64_t rmt_prog_run(struct bpfvm_map *m, uint32_t key,
				    int off, bool update)
{
	uint32_t id = bpfvm_map_id(m);
	struct bpf_insn p[] = {
		ST_IMM(BPF_W, 10, -8, (int32_t)key),
		ST_IMM(BPF_W, 10, -4, 9),
		LD_IMM64_RAW(1, BPF_PSEUDO_MAP_FD, (int32_t)id, 0),
		MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -8),
		MOV64_REG(3, 10),
		ALU64_IMM(BPF_ADD, 3, -4),
		MOV64_IMM(4, 0),
		CALL_HELPER(update ? BPF_FUNC_map_update_elem
				   : BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JNE, 0, 0, 2),
		MOV64_IMM(0, 0xffff),
		EXIT(),
		update ? JA(0) : LDX(BPF_W, 0, 0, (int16_t)off),
		EXIT(),
	};
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0xdead;

	CHECK_EQ_U64(bpfvm_prog_create(p, ARRAY_LEN(p), NULL, &prog), 0);
	if (prog)
		CHECK_EQ_U64(bpfvm_prog_run(prog, NULL, 0, &r0, NULL), 0);
	bpfvm_prog_free(prog);
	return r0;
}

/* get_next_key in array order over n slots, empty ones included: the
 * first is 0, 0 is followed by 1, the last by nothing. */
static inline void rmt_check_array_order(struct bpfvm_map *m, uint32_t n)
{
	uint32_t k = 0, next;

	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ_U64(next, 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 1);
	k = n - 1;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), -ENOENT);
}

/* Readers (each running reader(race)) look while write(race->m, i) runs
 * for i = 0.. until they have looked min_seen times after min_iter
 * writes (the machine may be busy), within max_iter; then none may
 * have seen a wrong value. Frees the map. */
struct rmt_race {
	struct bpfvm_map *m;
	atomic_bool stop;
	atomic_ulong bad, seen;
};

static inline void rmt_race_run(struct rmt_race *r, int readers,
				void *(*reader)(void *),
				void (*write)(struct bpfvm_map *, uint32_t),
				uint32_t max_iter, uint32_t min_iter,
				unsigned long min_seen)
{
	pthread_t t[4];

	for (int i = 0; i < readers && i < 4; i++)
		CHECK_EQ_U64(pthread_create(&t[i], NULL, reader, r), 0);
	for (uint32_t i = 0; i < max_iter &&
			     (i < min_iter || atomic_load(&r->seen) < min_seen);
	     i++)
		write(r->m, i);
	atomic_store(&r->stop, true);
	for (int i = 0; i < readers && i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ_U64(atomic_load(&r->bad), 0);
	CHECK(atomic_load(&r->seen) > 0);
	bpfvm_map_free(r->m);
}

#endif
