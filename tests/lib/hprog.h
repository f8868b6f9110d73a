/* Helper-calling programs for kernel differential tests: one program
 * built twice, for the kernel (constant strings in frozen BPF_F_RDONLY_PROG
 * array maps referenced by lddw BPF_PSEUDO_MAP_VALUE, maps by fd) and for
 * bpfvm (the same things as host pointers: bpfvm's helpers take a struct
 * bpfvm_map * in r1, and an unchecked run may pass any address), then run
 * in the kernel (kernel_oracle, XDP, packet memory) and in bpfvm's
 * interpreter and JIT, compared on r0 and the memory.
 *
 * Programs start with r6 = the memory (r1) and may copy what helpers left
 * on the stack into it with hp_copy_out, so output buffers are compared
 * too. */
#ifndef BPFVM_TESTS_HPROG_H
#define BPFVM_TESTS_HPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/bpf.h>
#include <bpfvm/bpfvm.h>

#define HP_MAX_INSNS 512
#define HP_MAX_STRS 16
#define HP_MEM 256u
#define HP_MAX_MAPS 4

struct hprog {
	struct bpf_insn insn[HP_MAX_INSNS];
	size_t cnt;
	bool kernel;			/* the kernel's variant */
	int err;			/* first build error, -errno */
	int str_fd[HP_MAX_STRS];	/* kernel: one map per string */
	char *str[HP_MAX_STRS];		/* bpfvm: host copies */
	size_t str_cnt;
	int map_fd[HP_MAX_MAPS];	/* kernel */
	struct bpfvm_map *vm_map[HP_MAX_MAPS];	/* bpfvm */
	size_t map_cnt;
};

/* Start a program: r6 = r1. */
void hp_init(struct hprog *p, bool kernel);
void hp_free(struct hprog *p);

void hp_emit(struct hprog *p, struct bpf_insn insn);
void hp_mov_imm(struct hprog *p, int reg, int32_t imm);
void hp_ld64(struct hprog *p, int reg, uint64_t v);
/* reg = r10 + off */
void hp_stack_ptr(struct hprog *p, int reg, int off);
/* Store n bytes (zero-padded to 8) at r10 + off (off a multiple of 8). */
void hp_stack_bytes(struct hprog *p, int off, const void *data, size_t n);
void hp_stack_u64(struct hprog *p, int off, uint64_t v);
/* reg = a read-only copy of the NUL-terminated s. */
void hp_const_str(struct hprog *p, int reg, const char *s);
/* reg = a map: kfd in the kernel's variant, vm in bpfvm's. */
void hp_map(struct hprog *p, int reg, int kfd, struct bpfvm_map *vm);
/* A new map on this side (freed by hp_free); its index, or -errno (also
 * in p->err). */
int hp_new_map(struct hprog *p, enum bpf_map_type type, uint32_t key_size,
	       uint32_t value_size, uint32_t max_entries, uint32_t flags);
/* User-space update of map idx (key NULL for queues and stacks). */
void hp_map_update(struct hprog *p, int idx, const void *key,
		   const void *value);
/* reg = map idx */
void hp_map_ref(struct hprog *p, int reg, int idx);
void hp_call(struct hprog *p, uint32_t helper);
/* r9 = r0 (after the helper call whose result the program returns). */
void hp_save_r0(struct hprog *p);
/* Copy n bytes (a multiple of 8) from r10 + stack_off to the memory at
 * mem_off; clobbers r7. */
void hp_copy_out(struct hprog *p, int stack_off, size_t n, size_t mem_off);
/* mem[mem_off..+8) = reg */
void hp_store_mem(struct hprog *p, int reg, size_t mem_off);
/* r0 = r9; exit */
void hp_exit_saved(struct hprog *p);

struct hp_result {
	int status;		/* kernel_oracle status or bpfvm's error */
	uint64_t r0;
	uint8_t mem[HP_MEM];
	char why[256];
};

/* Run in the kernel on HP_MEM zero bytes. */
int hp_run_kernel(struct hprog *p, struct hp_result *res);
/* Run in bpfvm with engine on HP_MEM zero bytes; 0 or -errno. */
int hp_run_vm(struct hprog *p, enum bpfvm_engine engine,
	      struct hp_result *res);

/* Is the kernel (and bpfvm's JIT) there? Prints SKIP and exits 77 when
 * bpf() cannot be used. */
void hp_require_kernel(void);
bool hp_jit_available(void);

/* Build with build(p, ctx) for both sides and compare kernel, interpreter
 * and (if available) JIT. Returns true when all agree; prints a FAIL line
 * naming the case otherwise. */
typedef void (*hp_build_fn)(struct hprog *p, const void *ctx);
bool hp_same(const char *name, hp_build_fn build, const void *ctx);

/* The kernel's verifier must refuse what bpfvm runs to r0 == vm_r0 (a
 * helper's run-time refusal of what the kernel rejects at load). */
bool hp_kernel_rejects(const char *name, hp_build_fn build, const void *ctx,
		       uint64_t vm_r0);

/* hp_same, unless the kernel's verifier refuses the program: then bpfvm
 * must run it to r0 == vm_r0. */
bool hp_same_or_rejected(const char *name, hp_build_fn build,
			 const void *ctx, uint64_t vm_r0);

#endif
