/* Running a program of a given type once (or `repeat` times) on input the
 * caller gives, as the kernel's BPF_PROG_TEST_RUN: packet bytes in and
 * out, the context in and out, the return value and the time per run.
 *
 * Each program type (src/progtypes/) builds its context the kernel's way:
 * XDP gets struct xdp_md over a frame with 256 bytes of headroom; socket
 * filters and tc programs get struct __sk_buff; tracepoints their record;
 * raw tracepoints their u64 arguments; a program of no type (UNSPEC) runs
 * on data_in as plain memory (r1 = data, r2 = length). */
#ifndef BPFVM_TEST_RUN_H
#define BPFVM_TEST_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/prog.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where XDP_REDIRECT / TC_ACT_REDIRECT sends the packet (what
 * bpf_redirect / bpf_redirect_map chose), for runners to route it. */
enum bpfvm_redirect_kind {
	BPFVM_REDIRECT_NONE = 0,
	BPFVM_REDIRECT_DEV,	/* a device: index is the ifindex */
	BPFVM_REDIRECT_CPU,	/* a CPUMAP entry: index is the CPU */
	BPFVM_REDIRECT_XSK,	/* an XSKMAP entry: index is the queue */
};

struct bpfvm_redirect {
	enum bpfvm_redirect_kind kind;
	uint32_t index;
	uint64_t flags;		/* the helper's flags (BPF_F_INGRESS, ...) */
};

/* Socket filters: hand the packet over from its link-layer header, as an
 * AF_PACKET SOCK_RAW socket (tcpdump) runs its filter, instead of from
 * the network header as BPF_PROG_TEST_RUN does. */
#define BPFVM_TEST_RUN_F_L2 (1u << 0)
/* Leave duration 0 instead of timing the runs: for callers that time
 * the call themselves (bpfvm run), as the clock's two reads are a good
 * part of a short program's single run. */
#define BPFVM_TEST_RUN_F_NO_DURATION (1u << 1)

struct bpfvm_test_run_opts {
	size_t sz;		/* sizeof(struct bpfvm_test_run_opts) */
	const void *data_in;
	uint32_t data_size_in;
	/* in: data_out's capacity; out: the full output size. When the
	 * output does not fit, as much as fits is copied and the call
	 * returns -ENOSPC (the kernel's rule). data_out may be NULL. */
	void *data_out;
	uint32_t data_size_out;
	const void *ctx_in;	/* NULL: the type's default context */
	uint32_t ctx_size_in;
	void *ctx_out;		/* same -ENOSPC rule as data_out */
	uint32_t ctx_size_out;
	uint32_t repeat;	/* 0 counts as 1 */
	uint32_t flags;		/* BPFVM_TEST_RUN_F_* */
	enum bpfvm_engine engine;
	uint32_t run_flags;	/* BPFVM_RUN_F_* */
	char *err_buf;		/* why the call failed, NUL-terminated */
	size_t err_size;
	/* out */
	uint32_t retval;	/* r0 of the last run, as a u32 */
	uint32_t duration;	/* mean ns per run */
	struct bpfvm_redirect redirect; /* of the last run */
};

/* Run the program as its type's BPF_PROG_TEST_RUN does. Returns 0, or
 * -errno with a message in err_buf: -EINVAL for input the kernel refuses
 * too (packets shorter than an Ethernet header or longer than a page
 * minus head- and tailroom, ctx fields that must be zero, ...), -ENOSPC
 * (output cut, see data_size_out), -ENOTSUPP for a type bpfvm cannot
 * run, or the run's error (bpfvm_prog_run). */
int bpfvm_prog_test_run(struct bpfvm_prog *prog,
			struct bpfvm_test_run_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
