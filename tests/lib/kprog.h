/* Kernel programs for differential tests of programs that use maps:
 * load an XDP program through bpf(2) (no libbpf) with its maps named by
 * lddw BPF_PSEUDO_MAP_IDX / _IDX_VALUE into fd_array, so the very same
 * instructions load into bpfvm with opts.maps; a BTF with one function
 * per subprogram is made when the program names a function (lddw
 * BPF_PSEUDO_FUNC: callbacks need func_info). Run with BPF_PROG_TEST_RUN
 * and read the 32-bit XDP return value. Returns fds or -errno. */
#ifndef BPFVM_TESTS_KPROG_H
#define BPFVM_TESTS_KPROG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* An XDP program; fd_array: the maps' fds by index (may be NULL). The
 * verifier's log goes to log on failure. */
int kprog_load_xdp(const struct bpf_insn *insns, size_t cnt,
		   const int *fd_array, char *log, size_t log_size);

/* One BPF_PROG_TEST_RUN on a packet of len bytes (at least 14). */
int kprog_test_run(int fd, void *pkt, uint32_t len, uint32_t *retval);
/* The same with `repeat` runs (benchmarks); *duration_ns (may be NULL)
 * gets the kernel's mean time per run, in whole ns. */
int kprog_test_run_repeat(int fd, void *pkt, uint32_t len, uint32_t repeat,
			  uint32_t *retval, uint32_t *duration_ns);

#endif
