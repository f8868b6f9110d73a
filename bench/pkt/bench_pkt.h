/* bpfvm-bench-pkt: XDP programs from examples/ over 1M packets, bpfvm
 * (`bpfvm run` over a pcap) against the kernel's BPF_PROG_TEST_RUN. */
#ifndef BPFVM_BENCH_PKT_H
#define BPFVM_BENCH_PKT_H

#include <stdbool.h>
#include <stddef.h>

#include "pktgen.h"

/* The programs measured: an object in BPFVM_EXAMPLES_DIR and its entry. */
struct pkt_prog {
	const char *label;
	const char *obj;	/* file name in the examples dir */
	const char *prog;
};

/* What a measurement gave (ns per packet; ok false: none). */
struct pkt_result {
	bool ok;
	double ns;		/* mean ns per packet */
	double median_ns;	/* bpfvm run: the median packet; else 0 */
	size_t packets;
	char why[256];		/* when !ok */
};

/* The distinct frames every measurement draws from (the standard set:
 * malformed ones included, then random ones), and the sample of them
 * the kernel and bpfvm's repeat runs time (frames of at least 14 bytes:
 * shorter ones the kernel refuses). 0 or -ENOMEM. */
int pool_make(struct pkt_set *pool, size_t n_random);
size_t pool_sample(const struct pkt_set *pool, size_t want, size_t *idx);
/* A pcap of n packets cycling through the pool, at path. 0 or -errno. */
int pool_pcap(const struct pkt_set *pool, size_t n, const char *path);

/* `bpfvm -j run OBJ:PROG --pcap PCAP --jit|--interp` in a child; reads
 * "packets", "ns_per_packet" and "median_ns" from its JSON summary. */
struct pkt_result cli_run(const char *bpfvm, const struct pkt_prog *p,
			  const char *pcap, bool jit);

/* The kernel: BPF_PROG_TEST_RUN of the object loaded by libbpf, each
 * sampled frame with `repeat` runs in one call (the kernel's mean per
 * run), and the cost of a whole call with repeat = 1. ok false with why
 * when bpf() or libbpf is unavailable. */
struct pkt_kernel {
	struct pkt_result per_packet;	/* repeat runs: ns per run */
	struct pkt_result per_call;	/* repeat 1: wall ns per syscall */
};
/* ret[i]: the verdict for sample i (-1: the call failed). */
struct pkt_kernel kernel_measure(const struct pkt_prog *p,
				 const struct pkt_set *pool,
				 const size_t *idx, size_t n, unsigned repeat,
				 int *ret);

/* bpfvm measured the kernel's way: bpfvm_prog_test_run with the same
 * repeat on the same sample (in process, no pcap). */
struct pkt_result vm_measure(const struct pkt_prog *p,
			     const struct pkt_set *pool, const size_t *idx,
			     size_t n, unsigned repeat, bool jit, int *ret);

#endif
