/* The JIT's inline PERCPU_ARRAY lookups (jit_map.c): a program adds 1 to
 * counter[key] on the calling thread's CPU slot, in every engine
 * configuration, from threads whose slot is not assigned yet (the inline
 * code's cold path asks map_cpu_current), then from threads placed with
 * bpfvm_thread_set_cpu; each slot's count is checked through the
 * per-CPU user-space view, a key past the end gives NULL, and the code
 * for the call is the inline lookup (mov eax, fs:[...]) except in
 * checked runs. */
#include <pthread.h>
#include <stdlib.h>

#include "prog_map_test.h"

#define ENTRIES 5
#define KEY 3

static struct bpfvm_prog *prog, *blind, *past;

/* counter[key] += 1 through map_lookup_elem; r0 = the new count, or 0
 * when the lookup gives NULL. */
static struct bpfvm_prog *counter_prog(uint32_t id, int32_t key,
				       uint32_t flags)
{
	struct bpf_insn q[] = {
		ST_IMM(BPF_W, 10, -4, key), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, id), CALL_HELPER(1),
		JMP_IMM(BPF_JEQ, 0, 0, 4), LDX(BPF_DW, 1, 0, 0),
		ALU64_IMM(BPF_ADD, 1, 1), STX(BPF_DW, 0, 1, 0),
		MOV64_REG(0, 1), EXIT(),
	};

	return mk_prog_env(q, ARRAY_LEN(q), NULL, NULL, 0, flags);
}

struct job {
	int cpu;		/* -1: leave the slot to the first lookup */
	unsigned slot;		/* out: the thread's slot */
	int bad;		/* out: runs with a wrong result */
};

/* Every configuration once, the JIT's first (the direct entry, then
 * jit-blind: a fresh thread's first lookup is the JIT's cold path); r0
 * counts this thread's runs on its slot (threads on one slot run one
 * after another). */
static void *worker(void *arg)
{
	struct job *j = arg;
	uint64_t runs = 0;

	if (j->cpu >= 0 && bpfvm_thread_set_cpu((unsigned)j->cpu))
		j->bad++;
	for (size_t k = NCFG; k-- > 0;) {
		struct outcome o = run_cfg(prog, blind, &cfgs[k], NULL, 0, 0);
		struct outcome n = run_cfg(past, past, &cfgs[k], NULL, 0, 0);

		j->bad += o.err != 0 || o.r0 != ++runs;
		j->bad += n.err != 0 || n.r0 != 0;
	}
	j->slot = bpfvm_thread_cpu();
	return NULL;
}

static void run_job(struct job *j)
{
	pthread_t t;

	CHECK(pthread_create(&t, NULL, worker, j) == 0);
	pthread_join(t, NULL);
	CHECK_EQ_U64(j->bad, 0);
}

/* The code for the call (insn 5) starts mov eax, fs:[disp32]. */
static bool inlined(struct bpfvm_prog *p, uint32_t run_flags)
{
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	const uint8_t *c;

	if (bpfvm_prog_jit_info(p, run_flags, &info))
		return false;
	c = (const uint8_t *)info.code + info.insn_off[5];
	return c[0] == 0x64 && c[1] == 0x8b && c[2] == 0x04 && c[3] == 0x25;
}

int main(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, ENTRIES,
				     0);
	uint64_t *want = calloc(ncpu, 8), *got = calloc(ncpu, 8);
	uint32_t key = KEY;
	struct job j;

	if (!m || !want || !got)
		return 1;
	prog = counter_prog(bpfvm_map_id(m), KEY, 0);
	blind = counter_prog(bpfvm_map_id(m), KEY, BPFVM_PROG_F_JIT_BLIND);
	past = counter_prog(bpfvm_map_id(m), ENTRIES, 0);
	if (!prog || !blind || !past)
		return 1;
	/* fresh threads: slots round-robin, assigned by the first lookup */
	for (unsigned t = 0; t < ncpu + 1; t++) {
		j = (struct job){ .cpu = -1 };
		run_job(&j);
		CHECK(j.slot < ncpu);
		if (j.slot < ncpu)
			want[j.slot] += NCFG;
		CHECK(bpfvm_map_lookup(m, &key, got, 0) == 0);
		for (unsigned c = 0; c < ncpu; c++)
			CHECK_EQ_U64(got[c], want[c]);
		for (unsigned c = 0; c < ncpu; c++) /* the next starts at 0 */
			got[c] = 0;
		CHECK(bpfvm_map_update(m, &key, got, BPF_ANY) == 0);
		for (unsigned c = 0; c < ncpu; c++)
			want[c] = 0;
	}
	/* placed threads: the count lands in the slot they chose */
	j = (struct job){ .cpu = (int)(ncpu - 1) };
	run_job(&j);
	CHECK_EQ_U64(j.slot, ncpu - 1);
	CHECK(bpfvm_map_lookup(m, &key, got, 0) == 0);
	CHECK_EQ_U64(got[ncpu - 1], NCFG);
	CHECK(inlined(prog, 0));
	CHECK(inlined(prog, BPFVM_RUN_F_COUNT));
	CHECK(!inlined(prog, BPFVM_RUN_F_CHECKED));
	bpfvm_prog_free(prog);
	bpfvm_prog_free(blind);
	bpfvm_prog_free(past);
	bpfvm_map_free(m);
	free(want);
	free(got);
	return check_report();
}
