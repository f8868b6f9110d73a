/* The JIT's image memory: a large image's mapping is kept once freed and
 * taken again by the next compile of about its size (jit_mem.c). A kept
 * mapping must be inaccessible; the image made in it must be the new
 * program's code only, read+execute, never writable; a compile of
 * another size must not get it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/prog.h>

#include "check.h"

#define N_ADDS 300000 /* r0 += k: 4 bytes each, an image over 1 MiB */

/* The permissions /proc/self/maps gives the mapping holding addr ("r-xp",
 * "---p"), or "" when none does. */
static void perms_of(const void *addr, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long a = (unsigned long)addr, lo, hi;
	char perms[5], line[512];

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
		    a >= lo && a < hi) {
			memcpy(out, perms, 5);
			break;
		}
	}
	fclose(f);
}

/* r0 = 0; n times r0 += k; exit */
static struct bpfvm_prog *make_prog(size_t n, int32_t k)
{
	struct bpf_insn *p = calloc(n + 2, sizeof(*p));
	struct bpfvm_prog_opts po = { .sz = sizeof(po) };
	struct bpfvm_prog *prog = NULL;

	if (!p)
		return NULL;
	p[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K };
	for (size_t i = 1; i <= n; i++)
		p[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K,
					  .imm = k };
	p[n + 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	if (bpfvm_prog_create(p, n + 2, &po, &prog))
		prog = NULL;
	free(p);
	return prog;
}

/* Compile prog and run it; its code's address (NULL: failed). */
static const void *compile_run(struct bpfvm_prog *prog, uint64_t want)
{
	struct bpfvm_jit_info info = { .sz = sizeof(info) };
	bpfvm_jit_fn fn = NULL;
	char perms[5];

	CHECK(prog != NULL);
	if (!prog || bpfvm_prog_jit_info(prog, 0, &info) ||
	    bpfvm_prog_jit_fn(prog, &fn) || !fn) {
		CHECK(!"compiled");
		return NULL;
	}
	CHECK(info.code_size > 1u << 20);
	CHECK_EQ_U64(fn(NULL, 0), want);
	perms_of(info.code, perms);
	CHECK(!strcmp(perms, "r-xp"));
	return info.code;
}

/* Is code within rel32 reach of the library (the only mappings the JIT
 * keeps and takes again for a program without calls)? */
static bool near_library(const void *code)
{
	int64_t d = (int64_t)(uintptr_t)code -
		    (int64_t)(uintptr_t)bpfvm_prog_create;

	return d > -(1ll << 30) && d < (1ll << 30);
}

int main(void)
{
	struct bpfvm_prog *a = make_prog(N_ADDS, 1), *b, *c;
	const void *code_a = compile_run(a, N_ADDS), *code_b;
	bool reuse = code_a && near_library(code_a);
	char perms[5];

	/* freed: kept, inaccessible */
	bpfvm_prog_free(a);
	perms_of(code_a, perms);
	CHECK(!strcmp(perms, "---p") || (!reuse && !perms[0]));

	/* the next compile of that size takes it: the new code runs */
	b = make_prog(N_ADDS, 2);
	code_b = compile_run(b, 2ull * N_ADDS);
	CHECK(!reuse || code_b == code_a);

	/* one twice the size cannot take b's */
	c = make_prog(2 * N_ADDS, 3);
	CHECK(compile_run(c, 6ull * N_ADDS) != code_b);
	bpfvm_prog_free(c);

	/* b's mapping, freed and kept with c's, serves b's size again */
	bpfvm_prog_free(b);
	b = make_prog(N_ADDS, 5);
	code_b = compile_run(b, 5ull * N_ADDS);
	CHECK(!reuse || code_b == code_a);
	bpfvm_prog_free(b);
	if (!reuse)
		printf("note: the first image is out of the library's reach, "
		       "reuse not checked\n");
	return check_report();
}
