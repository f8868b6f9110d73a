/* One program run by many threads at once: results stay per-run, and
 * atomics on shared memory add up. */
#include <pthread.h>

#include "check.h"
#include "insn_build.h"

#define THREADS 8
#define RUNS 2000

static struct bpfvm_prog *prog;
static uint64_t shared_counter;

struct job {
	uint64_t id;
	int failures;
};

/* mem = { u64 id; u64 *counter }: r0 = sum of (id * 3 + k) for k < 16
 * = 48 * id + 120, through a local call; then counter += 1 atomically. */
static const struct bpf_insn insns[] = {
	LDX(BPF_DW, 6, 1, 0),		/* r6 = id */
	LDX(BPF_DW, 7, 1, 8),		/* r7 = &counter */
	MOV64_IMM(0, 0),
	MOV64_IMM(8, 0),		/* k */
	MOV64_REG(1, 6),		/* loop: */
	MOV64_REG(2, 8),
	CALL_LOCAL(5),			/* 6: r0 += f(id, k) */
	ALU64_IMM(BPF_ADD, 8, 1),
	JMP_IMM(BPF_JLT, 8, 16, -5),
	MOV64_IMM(1, 1),
	ATOMIC(BPF_DW, BPF_ADD, 7, 1, 0),
	EXIT(),
	ALU64_IMM(BPF_MUL, 1, 3),	/* 12: f */
	ALU64_REG(BPF_ADD, 1, 2),
	ALU64_REG(BPF_ADD, 0, 1),
	EXIT(),
};

static void *worker(void *arg)
{
	struct job *job = arg;

	for (int i = 0; i < RUNS; i++) {
		uint64_t mem[2] = { job->id + i, (uintptr_t)&shared_counter };
		uint64_t r0 = 0, want = 48 * mem[0] + 120;
		struct bpfvm_region r = { &shared_counter, 8, 1 };
		struct bpfvm_run_opts ro = { .sz = sizeof(ro) };

		/* alternate the variants: all must be reentrant */
		ro.flags = i % 3 == 0 ? BPFVM_RUN_F_CHECKED :
			   i % 3 == 1 ? BPFVM_RUN_F_COUNT : 0;
		ro.regions = &r;
		ro.region_cnt = 1;
		if (bpfvm_prog_run(prog, mem, sizeof(mem), &r0, &ro) ||
		    r0 != want)
			job->failures++;
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	struct job jobs[THREADS];

	CHECK(bpfvm_prog_create(insns, ARRAY_LEN(insns), NULL, &prog) == 0);
	for (int t = 0; t < THREADS; t++) {
		jobs[t] = (struct job){ .id = (uint64_t)t * 1000000 };
		CHECK(pthread_create(&th[t], NULL, worker, &jobs[t]) == 0);
	}
	for (int t = 0; t < THREADS; t++) {
		CHECK(pthread_join(th[t], NULL) == 0);
		CHECK(jobs[t].failures == 0);
	}
	CHECK_EQ_U64(__atomic_load_n(&shared_counter, __ATOMIC_SEQ_CST),
		     THREADS * RUNS);
	bpfvm_prog_free(prog);
	return check_report();
}
