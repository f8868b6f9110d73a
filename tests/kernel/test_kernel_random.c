/* Random programs (tests/lib/randprog) in bpfvm and in the kernel: r0 and
 * the memory afterwards must be identical, for bpfvm's interpreter and,
 * once it is available, its JIT (--no-jit leaves the JIT out). The generator aims at programs
 * the verifier accepts, so a rejection is a failure too (a generator bug
 * or a kernel without what it relies on); ISA v4 instructions are left out
 * on kernels that refuse them, with a note.
 *
 * BPF_CMPXCHG is left out unless --cmpxchg: kernel 6.18's verifier
 * mis-compiles some programs using it, and bpfvm is right in each case
 * (conformance lock_cmpxchg* still compare it with the kernel):
 * - the value cmpxchg loads from a stack slot does not carry precision
 *   back to the register spilled there, so a path with a different value
 *   is pruned as equivalent and a branch on r0 is hard-wired as if always
 *   taken (seed 267: "if w0 s>= 1" vanishes from the xlated program);
 * - a 32-bit cmpxchg whose comparison succeeds leaves r0's upper half
 *   set where the verifier's zero-extension is skipped after pruning
 *   (seed 18196: r0 0xfffffffffffffff7 where the ISA says 0xfffffff7).
 *
 * usage: test_kernel_random [--seed N] [--count N] [--mem BYTES]
 *                           [--insns N] [--no-calls] [--no-v4] [--stop]
 *                           [--minimize] [--cmpxchg] [--no-jit]
 * Program i uses seed N + i, so a failure is replayed with
 * --seed <its seed> --count 1. Exit 77 when bpf() is unusable. */
#include "engdiff.h"
#include "kdiff.h"
#include "randprog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct config {
	uint64_t seed;
	unsigned long count;
	struct randprog_opts gen;
	bool stop;	/* stop at the first failure */
	bool minimize;	/* also print a mismatch shrunk to its core */
	bool no_jit;	/* compare the interpreter only */
};

/* sdiv r0, -1 (ISA v4): does this kernel know the v4 instructions? */
static bool kernel_has_v4(void)
{
	static const struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 7 },
		{ .code = BPF_ALU64 | BPF_DIV | BPF_K, .dst_reg = 0, .off = 1,
		  .imm = -1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint64_t r0;

	return kernel_oracle_run(probe, 3, NULL, 0, &r0, NULL) ==
		       KERNEL_ORACLE_OK && r0 == (uint64_t)-7;
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--seed N] [--count N] [--mem BYTES] "
		"[--insns N] [--no-calls] [--no-v4] [--stop] [--minimize] "
		"[--cmpxchg] [--no-jit]\n",
		argv0);
	return 2;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	randprog_default_opts(&c->gen);
	c->gen.cmpxchg = false; /* see the top of this file */
	c->seed = 1;
	c->count = 3000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-calls"))
			c->gen.calls = false;
		else if (!strcmp(a, "--no-v4"))
			c->gen.v4 = false;
		else if (!strcmp(a, "--stop"))
			c->stop = true;
		else if (!strcmp(a, "--minimize"))
			c->minimize = true;
		else if (!strcmp(a, "--no-jit"))
			c->no_jit = true;
		else if (!strcmp(a, "--cmpxchg"))
			c->gen.cmpxchg = true;
		else if (!v)
			return -1;
		else if (!strcmp(a, "--seed"))
			c->seed = strtoull(v, NULL, 0), i++;
		else if (!strcmp(a, "--count"))
			c->count = strtoul(v, NULL, 0), i++;
		else if (!strcmp(a, "--mem"))
			c->gen.mem_len = strtoul(v, NULL, 0), i++;
		else if (!strcmp(a, "--insns"))
			c->gen.body_insns = (unsigned)strtoul(v, NULL, 0), i++;
		else
			return -1;
	}
	return c->gen.mem_len > KERNEL_ORACLE_MAX_MEM ? -1 : 0;
}

struct tally {
	unsigned long same, different, rejected, errors;
};

/* Run program `seed`; returns false on any failure (already printed). */
static bool run_one(struct kdiff *d, const struct config *c, uint64_t seed,
		    struct tally *t)
{
	static uint8_t mem[KERNEL_ORACLE_MAX_MEM];
	struct bpf_insn *insns;
	char reason[256];
	size_t cnt;
	bool ok = false;

	if (randprog_generate(seed, &c->gen, &insns, &cnt)) {
		printf("FAIL seed %" PRIu64 ": out of memory\n", seed);
		t->errors++;
		return false;
	}
	randprog_fill_mem(seed, mem, c->gen.mem_len);
	switch (kdiff_run(d, insns, cnt, mem, c->gen.mem_len, true)) {
	case KDIFF_SAME:
		t->same++;
		ok = true;
		break;
	case KDIFF_DIFFERENT:
		t->different++;
		printf("FAIL seed %" PRIu64 ": bpfvm and the kernel differ\n",
		       seed);
		kdiff_report(d, stdout, insns, cnt);
		if (c->minimize) {
			cnt = kdiff_minimize(d, insns, cnt, mem,
					     c->gen.mem_len, true);
			printf("minimized:\n");
			kdiff_report(d, stdout, insns, cnt);
		}
		break;
	case KDIFF_REJECTED:
		t->rejected++;
		printf("FAIL seed %" PRIu64 ": the kernel rejected it: %s\n",
		       seed, kdiff_reject_reason(d->log, reason,
						 sizeof(reason)));
		kdiff_disasm(stdout, insns, cnt);
		break;
	case KDIFF_UNAVAILABLE:
	case KDIFF_ERROR:
		t->errors++;
		printf("FAIL seed %" PRIu64 ": %s\n", seed, d->why);
		break;
	}
	free(insns);
	return ok;
}

int main(int argc, char **argv)
{
	static struct kdiff d;
	struct tally t = { 0 };
	struct config c = { 0 };
	char why[256];

	if (parse_args(argc, argv, &c))
		return usage(argv[0]);
	if (!kernel_oracle_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return KDIFF_SKIP;
	}
	if (c.gen.v4 && !kernel_has_v4()) {
		printf("note: this kernel rejects ISA v4 instructions; "
		       "generating without them\n");
		c.gen.v4 = false;
	}
	kdiff_init(&d, NULL);
	d.with_jit = !c.no_jit && engdiff_jit_available(why, sizeof(why));
	if (!d.with_jit)
		printf("note: interpreter only (%s)\n",
		       c.no_jit ? "--no-jit" : why);
	for (unsigned long i = 0; i < c.count; i++)
		if (!run_one(&d, &c, c.seed + i, &t) && c.stop)
			break;
	printf("%lu random programs (seeds %" PRIu64 "..%" PRIu64 ", %s): %lu "
	       "identical, %lu different, %lu rejected by the kernel, %lu "
	       "errors\n", c.count, c.seed, c.seed + c.count - 1,
	       d.with_jit ? "interpreter and JIT" : "interpreter", t.same,
	       t.different, t.rejected, t.errors);
	return t.different || t.rejected || t.errors || t.same == 0;
}
