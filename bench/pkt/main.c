/* bpfvm-bench-pkt: the packet benchmark.
 *   - a pcap of 1M packets (pktgen's standard set: malformed frames,
 *     then random TCP / UDP / ICMP over IPv4 / IPv6, cycled) in memory
 *     (/dev/shm when there is one);
 *   - `bpfvm -j run OBJ:PROG --pcap F --jit` and `--interp` for the XDP
 *     firewall and the load balancer of examples/: ns per packet as its
 *     summary gives them (the mean over every test_run call, each with
 *     its copy in and out, and the median packet);
 *   - the kernel: the same object loaded by libbpf, BPF_PROG_TEST_RUN
 *     of a sample of the distinct frames with a large repeat (the
 *     kernel's own mean per run), and the whole syscall with repeat 1;
 *   - bpfvm timed the kernel's way (bpfvm_prog_test_run, same sample,
 *     same repeat), and whether both give the same verdicts.
 * Ratios are bpfvm / kernel: below 1 bpfvm is faster. Goal: `bpfvm run
 * --jit` no slower than the kernel per packet: its median packet against
 * the kernel's mean per run. The median, because `bpfvm run` times each
 * call in wall time, so on a loaded machine its mean carries the time the
 * process was scheduled away, which the kernel's timer leaves out; the
 * ratio column is of the mean.
 * Exit status 1 when a bpfvm row failed (the smoke test's check).
 * usage: bpfvm-bench-pkt [--quick] [--packets N] [--sample N]
 *                        [--repeat N] [--bpfvm PATH] */
#include "bench_pkt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct pkt_prog progs[] = {
	{ "XDP firewall", "xdp_firewall.o", "xdp_firewall" },
	{ "XDP load balancer", "xdp_lb.o", "xdp_lb" },
};

struct opts {
	size_t packets, sample;
	unsigned repeat;
	const char *bpfvm;
};

static int parse(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quick")) {
			o->packets = 20000;
			o->sample = 32;
			o->repeat = 100;
		} else if (!strcmp(a, "--packets") && v) {
			o->packets = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--sample") && v) {
			o->sample = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--repeat") && v) {
			o->repeat = (unsigned)strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--bpfvm") && v) {
			o->bpfvm = argv[++i];
		} else {
			fprintf(stderr, "usage: bpfvm-bench-pkt [--quick] "
				"[--packets N] [--sample N] [--repeat N] "
				"[--bpfvm PATH]\n");
			return -1;
		}
	}
	return o->packets && o->sample && o->repeat ? 0 : -1;
}

/* bpfvm rows that failed: the smoke test's exit status. */
static int vm_failures;

static void row(const char *what, const struct pkt_result *r,
		const struct pkt_result *kernel)
{
	/* bpfvm run's rows compare their median (see the goal) */
	double ns = r->median_ns > 0 ? r->median_ns : r->ns;

	if (!r->ok) {
		printf("  %-44s %s\n", what, r->why);
		return;
	}
	printf("  %-44s %9.1f", what, r->ns);
	if (r->median_ns > 0)
		printf("  %7.0f", r->median_ns);
	else
		printf("  %7s", "-");
	if (kernel && kernel->ok && kernel->ns > 0)
		printf("  %8.2fx", ns / kernel->ns);
	printf("\n");
}

static size_t agree(const int *a, const int *b, size_t n)
{
	size_t same = 0;

	for (size_t i = 0; i < n; i++)
		same += a[i] >= 0 && a[i] == b[i];
	return same;
}

/* bpfvm run's median over the kernel's whole bpf() call per packet, per
 * program (0: not measured): what running a capture through the kernel
 * one BPF_PROG_TEST_RUN per packet would cost, for the summary. */
static double per_call_ratio[2];

/* One program: every row; returns 1 when the goal is met, 0 when not,
 * -1 when it cannot be judged (no kernel, or a run failed). */
static int bench_prog(const struct pkt_prog *p, const struct opts *o,
		      const struct pkt_set *pool, const size_t *idx,
		      size_t n, const char *pcap)
{
	int *kret = calloc(n, sizeof(int)), *vret = calloc(n, sizeof(int));
	struct pkt_result jit, interp, vj, vi;
	struct pkt_kernel k;
	char what[80];
	int met = -1;

	if (!kret || !vret) {
		free(kret);
		free(vret);
		return -1;
	}
	printf("\n%s (%s:%s)\n  %-44s %9s  %7s  %9s\n", p->label, p->obj,
	       p->prog, "", "mean ns", "median", "ratio");
	jit = cli_run(o->bpfvm, p, pcap, true);
	interp = cli_run(o->bpfvm, p, pcap, false);
	k = kernel_measure(p, pool, idx, n, o->repeat, kret);
	snprintf(what, sizeof(what), "bpfvm run --jit (%zu packets)", jit.packets);
	row(what, &jit, &k.per_packet);
	snprintf(what, sizeof(what), "bpfvm run --interp (%zu packets)",
		 interp.packets);
	row(what, &interp, &k.per_packet);
	snprintf(what, sizeof(what), "kernel test_run, repeat %u", o->repeat);
	row(what, &k.per_packet, &k.per_packet);
	vj = vm_measure(p, pool, idx, n, o->repeat, true, vret);
	snprintf(what, sizeof(what), "bpfvm test_run --jit, repeat %u (cpu)",
		 o->repeat);
	row(what, &vj, &k.per_packet);
	if (k.per_packet.ok)
		printf("  verdicts: bpfvm (jit) and the kernel agree on "
		       "%zu of %zu sampled frames\n", agree(kret, vret, n), n);
	vi = vm_measure(p, pool, idx, n, o->repeat, false, vret);
	snprintf(what, sizeof(what), "bpfvm test_run --interp, repeat %u (cpu)",
		 o->repeat);
	row(what, &vi, &k.per_packet);
	if (k.per_call.ok)
		printf("  %-44s %9.1f  (context: a whole bpf() call, wall "
		       "time)\n", "kernel test_run syscall, repeat 1",
		       k.per_call.ns);
	vm_failures += !jit.ok + !interp.ok + !vj.ok + !vi.ok;
	if (jit.ok && k.per_packet.ok && k.per_packet.ns > 0)
		met = jit.median_ns <= k.per_packet.ns;
	if (jit.ok && k.per_call.ok && k.per_call.ns > 0)
		per_call_ratio[p == &progs[0] ? 0 : 1] =
			jit.median_ns / k.per_call.ns;
	free(kret);
	free(vret);
	return met;
}

/* An in-memory file for the pcap when the system has /dev/shm. */
static int temp_path(char *buf, size_t size)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
			  : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(buf, size, "%s/bpfvm-bench-pkt-XXXXXX", dir);
	fd = mkstemp(buf);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .packets = 1000000, .sample = 256, .repeat = 2000,
			  .bpfvm = BPFVM_CLI };
	struct pkt_set pool = { 0 };
	int met[2], all = 1, judged = 0;
	size_t *idx, n, bytes = 0;
	char pcap[256];

	if (parse(argc, argv, &o))
		return 2;
	if (pool_make(&pool, 4096) || !(idx = calloc(o.sample, sizeof(*idx))) ||
	    temp_path(pcap, sizeof(pcap))) {
		fprintf(stderr, "bpfvm-bench-pkt: out of memory or no temp "
			"file\n");
		return 1;
	}
	if (pool_pcap(&pool, o.packets, pcap)) {
		fprintf(stderr, "bpfvm-bench-pkt: cannot write %s\n", pcap);
		unlink(pcap);
		return 1;
	}
	for (size_t i = 0; i < pool.cnt; i++)
		bytes += pool.len[i];
	n = pool_sample(&pool, o.sample, idx);
	printf("bpfvm-bench-pkt: %zu packets cycling %zu distinct frames "
	       "(pktgen's standard set, malformed ones included, mean %zu "
	       "bytes) in %s\n", o.packets, pool.cnt, bytes / pool.cnt, pcap);
	printf("kernel: BPF_PROG_TEST_RUN of %zu sampled frames (14 bytes "
	       "or more), repeat %u each\nratio: bpfvm / kernel per packet "
	       "(below 1: bpfvm faster), of the median for bpfvm run (its "
	       "wall-time mean\ncarries the time the process is scheduled "
	       "away; the kernel's timer and the cpu rows leave it out)\n",
	       n, o.repeat);
	for (size_t i = 0; i < 2; i++) {
		met[i] = bench_prog(&progs[i], &o, &pool, idx, n, pcap);
		judged += met[i] >= 0;
		all &= met[i] != 0;
	}
	unlink(pcap);
	printf("\ngoal: bpfvm run --jit no slower than the kernel per packet "
	       "(its median packet vs the kernel's mean per run, firewall and "
	       "load balancer): %s\n",
	       judged < 2 ? "SKIP (no kernel figure)" : all ? "MET" : "NOT MET");
	if (per_call_ratio[0] > 0 && per_call_ratio[1] > 0)
		printf("  (the kernel's figure is its program alone, re-run on "
		       "one hot packet; a capture run\n   through the kernel "
		       "costs a bpf() call per packet: bpfvm run's median is "
		       "%.3fx / %.3fx of that)\n",
		       per_call_ratio[0], per_call_ratio[1]);
	pkt_set_free(&pool);
	free(idx);
	return vm_failures ? 1 : 0;
}
