/* The x86-64 JIT's interface to the rest of bpfvm. The JIT translates the
 * validated program (struct bpf_insn, the representation both engines
 * consume) into machine code, one image per run variant, compiled lazily on
 * the first run that needs it and kept until the program is freed. */
#ifndef BPFVM_ENGINE_JIT_JIT_H
#define BPFVM_ENGINE_JIT_JIT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/env.h>
#include <bpfvm/prog.h>

struct bpfvm_run;

/* What a variant of the machine code does besides running the program. */
#define JIT_F_CHECKED (1u << 0)	/* bounds-check loads, stores, atomics */
#define JIT_F_COUNTED (1u << 1)	/* count insns against run->budget */
#define JIT_F_BLIND (1u << 2)	/* constant blinding */
#define JIT_F_DIRECT (1u << 3)	/* entry is a bpfvm_jit_fn (jit_direct.c) */
/* A tail call target: saves every callee-saved register, as a program
 * with tail calls does, so all images of a chain leave alike (jit_cb.c) */
#define JIT_F_TAIL (1u << 4)
#define JIT_VARIANTS 32u
/* Not a variant (jit_compile only, for tests): translate in program order
 * with the general translators only, the reference the usual compile
 * (grouped by opcode, fast paths) must match byte for byte. */
#define JIT_F_REFERENCE (1u << 8)
/* Not a variant: set in an image's flags when its entry is a plain C
 * function, bpfvm_jit_fn (jit_direct.c's leaf entry). */
#define JIT_F_LEAF (1u << 9)

/* One compiled image: read+execute pages, never writable once made. */
struct jit_image {
	void *code;		/* entry at code + 0 */
	size_t size;		/* bytes of machine code */
	size_t map_size;	/* bytes mapped */
	uint32_t *insn_off;	/* cnt + 1 entries: where insn i's code starts
				 * (the last one: the end of the program) */
	size_t insn_cnt;
	uint32_t flags;		/* JIT_F_* */
};

/* Compile insns[0..cnt) (already validated). Returns 0 or -errno (-ENOMEM,
 * -EOPNOTSUPP for an instruction the JIT cannot translate, with "insn N:
 * reason" in log). */
int jit_compile(const struct bpf_insn *insns, size_t cnt,
		const struct bpfvm_env *env, uint32_t flags,
		struct jit_image **out, char *log, size_t log_size);
void jit_image_free(struct jit_image *img);

/* Run an image with the run state the interpreter also uses (run.h):
 * r1 = run->mem, r2 = run->mem_len, r10 = top of an 8 x 512-byte stack.
 * Checked images bounds-check against run->mem/mem_len/regions; counted
 * ones charge run->budget and set run->executed. Returns 0 (r0 stored)
 * or the run's error, formatted into run->err_buf. */
int jit_run(const struct jit_image *img, struct bpfvm_run *run, uint64_t *r0);

/* Per-program cache of variants (struct bpfvm_prog's `jit`). */
struct jit_state;
struct bpfvm_prog;
struct jit_state *jit_state_new(void);
void jit_state_free(struct jit_state *st);
/* The program's image for flags (JIT_F_*; the program's blinding flag is
 * added), compiled on first use; thread-safe. */
int jit_prog_image(struct bpfvm_prog *prog, uint32_t flags,
		   const struct jit_image **out, char *log, size_t log_size);
/* jit_prog_image + jit_run: the run entry's JIT path. */
int jit_prog_run(struct bpfvm_prog *prog, struct bpfvm_run *run,
		 uint32_t flags, uint64_t *r0);
/* The plain variant as a C function when it is compiled already and a
 * leaf (no calls: nothing in it reads the run or can fail); else NULL.
 * The run entry's shortcut for plain runs. */
bpfvm_jit_fn jit_prog_leaf_fn(const struct bpfvm_prog *prog);

#endif
