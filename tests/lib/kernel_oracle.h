/* The Linux kernel as a reference implementation: run a raw BPF program
 * with the conformance calling convention (r1 = memory, r2 = its length)
 * through bpf(BPF_PROG_LOAD) + bpf(BPF_PROG_TEST_RUN), with no libbpf.
 *
 * The program under test becomes a bpf-to-bpf subprogram of a small XDP
 * program, which finds the memory, calls the program with r1 = memory (or
 * 0 without memory) and r2 = mem_len, then stores the full 64-bit r0 after
 * the memory (the XDP return value is only 32 bits). Where the memory is:
 *
 * - KERNEL_ORACLE_MEM_PACKET (the default): the packet handed to
 *   BPF_PROG_TEST_RUN is
 *       [ memory (mem_len bytes) | r0 (8 bytes) | padding to ETH_HLEN ]
 *   and the prologue bounds-checks it against data_end. Up to
 *   KERNEL_ORACLE_MAX_MEM bytes: a packet is at most about a page.
 * - KERNEL_ORACLE_MEM_MAP: the value of element 0 of a one-element
 *   BPF_MAP_TYPE_ARRAY,
 *       [ memory (mem_len bytes) | padding to 8 | r0 (8 bytes) ]
 *   written with BPF_MAP_UPDATE_ELEM before the run and read back with
 *   BPF_MAP_LOOKUP_ELEM after it; the prologue looks the element up (the
 *   verifier inlines that for arrays) and the packet is a dummy. Up to
 *   KERNEL_ORACLE_MAX_MAP_MEM bytes.
 * The verifier knows the memory's size in both (the packet range proven by
 * the prologue, the map's value_size), and r2 is a constant, so programs
 * that check their accesses against r2 verify in both. It cannot tell the
 * r0 slot from the memory, though: accesses up to the slot's end pass.
 *
 * Why a subprogram rather than inlining: the callee gets its own 512-byte
 * stack frame and its own r10, every "exit" in it returns to the wrapper
 * without rewriting jumps, and the callee-saved r6 keeps the memory pointer
 * for the epilogue whatever the program does to r6-r9 (they are its own in
 * a new frame). Its own bpf-to-bpf calls keep their relative offsets.
 *
 * opts->calls > 1 makes the wrapper call the program that many times in a
 * row, on the same memory, before it stores the last r0: for timing
 * programs shorter than the kernel's 1 ns duration resolution (see
 * bench/kernel_column.c). The verifier checks the program once per call.
 *
 * Limits (kernel, not bpfvm): with the JIT off the wrapper's frame costs
 * 32 bytes of the 512-byte combined stack budget; helper calls reach the
 * kernel's helpers. */
#ifndef BPFVM_TESTS_KERNEL_ORACLE_H
#define BPFVM_TESTS_KERNEL_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* XDP test_run takes at most a page minus headroom and skb_shared_info. */
#define KERNEL_ORACLE_MAX_MEM 3000u
/* Found by trying (6.18): an array map's value_size goes up to about
 * INT_MAX, but the verifier refuses pointer arithmetic by 1 << 29 or more
 * (BPF_MAX_VAR_OFF: "math between map_value pointer and 536870912 is not
 * allowed"), and the wrapper adds the r0 slot's offset, memory + padding,
 * to the value pointer. 512 MiB - 8 loads and runs (in ~10 s). */
#define KERNEL_ORACLE_MAX_MAP_MEM ((1u << 29) - 8u)
/* The wrapper takes 3 instructions per call. */
#define KERNEL_ORACLE_MAX_CALLS 4096u

enum kernel_oracle_mem {
	KERNEL_ORACLE_MEM_PACKET = 0,	/* the XDP packet (the default) */
	KERNEL_ORACLE_MEM_MAP,		/* an array map's value */
};

enum kernel_oracle_status {
	KERNEL_ORACLE_OK = 0,
	KERNEL_ORACLE_UNAVAILABLE,	/* bpf() missing or not permitted */
	KERNEL_ORACLE_REJECTED,		/* the verifier said no: see the log */
	KERNEL_ORACLE_ERROR,		/* anything else: see err */
};

/* Can this process load and run XDP programs? Probed once, cached. When
 * not, `why` (may be NULL) gets a one-line reason for a SKIP message. */
bool kernel_oracle_available(char *why, size_t why_size);

/* A program loaded into the kernel, for repeated runs. */
struct kernel_prog {
	int fd;
	int map_fd;			/* KERNEL_ORACLE_MEM_MAP, else -1 */
	enum kernel_oracle_mem mem_kind;
	uint32_t calls;			/* program calls per run */
	size_t mem_len;
	bool has_mem;
};

struct kernel_oracle_opts {
	size_t sz;		/* sizeof(struct kernel_oracle_opts) */
	char *log_buf;		/* the verifier log when REJECTED */
	size_t log_size;
	char *err_buf;		/* why, when UNAVAILABLE or ERROR */
	size_t err_size;
	uint32_t repeat;	/* test_run repetitions; 0 means 1 */
	/* out */
	int err;		/* the errno behind a non-OK status */
	uint64_t duration_ns;	/* the kernel's average time per run,
				 * truncated to whole ns */
	/* in, for kernel_oracle_load */
	enum kernel_oracle_mem mem_kind;
	uint32_t calls;		/* program calls per run; 0 means 1 */
};

/* Load `insns` wrapped for memory of mem_len bytes (has_mem false: r1 = r2
 * = 0) of kind opts->mem_kind, called opts->calls times per run. kp->fd
 * and kp->map_fd are -1 unless KERNEL_ORACLE_OK. */
enum kernel_oracle_status
kernel_oracle_load(const struct bpf_insn *insns, size_t cnt, size_t mem_len,
		   bool has_mem, struct kernel_prog *kp,
		   struct kernel_oracle_opts *opts);

/* Run a loaded program on `mem` (kp->mem_len bytes, updated in place with
 * what the program wrote; ignored without memory) and store its r0. With
 * opts->repeat > 1 (or kp->calls > 1) the kernel reruns it on the same
 * memory, so `mem` ends up as the last run left it. duration_ns is per
 * test_run repetition, so kp->calls program runs. */
enum kernel_oracle_status
kernel_oracle_exec(const struct kernel_prog *kp, void *mem, uint64_t *r0,
		   struct kernel_oracle_opts *opts);

void kernel_oracle_close(struct kernel_prog *kp);

/* load + exec + close; mem == NULL means no memory. opts->mem_kind and
 * opts->calls apply. */
enum kernel_oracle_status
kernel_oracle_run(const struct bpf_insn *insns, size_t cnt, void *mem,
		  size_t mem_len, uint64_t *r0,
		  struct kernel_oracle_opts *opts);

/* The average kernel run time in ns over `repeat` runs (for bench/);
 * `mem` is modified as for kernel_oracle_exec. */
enum kernel_oracle_status
kernel_oracle_bench(const struct bpf_insn *insns, size_t cnt, void *mem,
		    size_t mem_len, uint32_t repeat, uint64_t *avg_ns,
		    struct kernel_oracle_opts *opts);

const char *kernel_oracle_status_str(enum kernel_oracle_status st);

#endif
