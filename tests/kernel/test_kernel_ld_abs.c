/* LD_ABS / LD_IND against the kernel: the same programs loaded as
 * SCHED_CLS (the kernel's packet is data_in whole) and SOCKET_FILTER
 * (the packet starts after the 14-byte Ethernet header), run with
 * BPF_PROG_TEST_RUN, and in bpfvm on the same bytes with both engines;
 * the 32-bit return values must agree. Every size, ABS and IND, offsets
 * at, near and over the end, negative ones and 32-bit wraps of src + imm.
 * Not compared: the kernel's SKF_NET_OFF / SKF_LL_OFF offsets, which
 * need an skb's headers (bpfvm: out of bounds). SKIP (77) without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpfvm/bpfvm.h>

#include "kprog.h"

#define I(c, d, s, o, i)                                                    \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),     \
			    .off = (o), .imm = (i) })
#define PKT_LEN 64

static uint8_t pkt[PKT_LEN];
static int failed, compared;

static int kload(const struct bpf_insn *insns, size_t cnt,
		 enum bpf_prog_type type, char *log, size_t log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)log;
	attr.log_size = (uint32_t)log_size;
	attr.log_level = 1;
	log[0] = '\0';
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

/* The kernel's answer, -1 when it cannot load or run the program. */
static int64_t kernel_run(const struct bpf_insn *insns, size_t cnt,
			  enum bpf_prog_type type)
{
	static char log[65536];
	uint32_t ret = 0;
	int fd = kload(insns, cnt, type, log, sizeof(log)), err;

	if (fd < 0) {
		fprintf(stderr, "kernel load: %s\n%s\n", strerror(errno), log);
		return -1;
	}
	err = kprog_test_run(fd, pkt, PKT_LEN, &ret);
	close(fd);
	return err ? -1 : (int64_t)ret;
}

static void compare(const struct bpf_insn *insns, size_t cnt,
		    enum bpf_prog_type type, const char *what)
{
	/* SOCKET_FILTER: the kernel's skb->data is past the Ethernet header */
	size_t skip = type == BPF_PROG_TYPE_SOCKET_FILTER ? 14 : 0;
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .prog_type = type };
	static const enum bpfvm_engine engines[2] = { BPFVM_ENGINE_INTERP,
						      BPFVM_ENGINE_JIT };
	int64_t want = kernel_run(insns, cnt, type);
	struct bpfvm_prog *prog = NULL;

	if (want < 0 || bpfvm_prog_create(insns, cnt, &po, &prog)) {
		fprintf(stderr, "FAIL %s: cannot load\n", what);
		failed++;
		return;
	}
	for (int e = 0; e < 2; e++) {
		struct bpfvm_run_opts ro = { .sz = sizeof(ro),
					     .engine = engines[e] };
		uint64_t r0 = 0;
		int err = bpfvm_prog_run(prog, pkt + skip, PKT_LEN - skip, &r0,
					 &ro);

		if (err == -EOPNOTSUPP && e == 1)
			continue;
		compared++;
		if (err || (uint32_t)r0 != (uint64_t)want) {
			fprintf(stderr, "FAIL %s (%s): bpfvm err %d r0 0x%llx, "
				"kernel 0x%llx\n", what, e ? "jit" : "interp",
				err, (unsigned long long)r0,
				(unsigned long long)want);
			failed++;
		}
	}
	bpfvm_prog_free(prog);
}

int main(void)
{
	static const int sizes[3] = { BPF_B, BPF_H, BPF_W };
	static const int32_t offs[] = { 0, 1, 13, 14, 45, 46, 47, 48, 49, 50,
					52, 60, 61, 62, 63, 64, 65, 1000,
					0x7fffffff, -1, -2, -4, INT32_MIN,
					-0x200001 };
	static const int64_t srcs[] = { 0, 3, -1, -14, 0x100000005ll,
					0xfffffff0ll, 0x7fffffff };
	static const enum bpf_prog_type types[2] = {
		BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER
	};
	char what[128], log[256];
	struct bpf_insn probe[] = { I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
				    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) };
	int fd = kload(probe, 2, BPF_PROG_TYPE_SOCKET_FILTER, log,
		       sizeof(log));

	if (fd < 0) {
		printf("SKIP: bpf(BPF_PROG_LOAD): %s\n", strerror(errno));
		return 77;
	}
	close(fd);
	for (size_t k = 0; k < PKT_LEN; k++)
		pkt[k] = (uint8_t)(0x93 + 11 * k);
	for (int t = 0; t < 2; t++) {
		for (int s = 0; s < 3; s++) {
			for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]);
			     k++) {
				struct bpf_insn p[] = {
					I(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
					I(BPF_LD | BPF_ABS | sizes[s], 0, 0, 0,
					  offs[k]),
					I(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1),
					I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
				};

				snprintf(what, sizeof(what), "type %d abs size "
					 "0x%x off %d", types[t], sizes[s],
					 offs[k]);
				compare(p, 4, types[t], what);
			}
			for (size_t j = 0; j < sizeof(srcs) / sizeof(srcs[0]);
			     j++) {
				for (int32_t imm = -16; imm <= 80; imm += 6) {
					struct bpf_insn p[] = {
						I(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
						I(BPF_LD | BPF_DW | BPF_IMM, 7, 0, 0,
						  (int32_t)srcs[j]),
						I(0, 0, 0, 0, (int32_t)(srcs[j] >> 32)),
						I(BPF_LD | BPF_IND | sizes[s], 0, 7, 0,
						  imm),
						I(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1),
						I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
					};

					snprintf(what, sizeof(what), "type %d "
						 "ind size 0x%x src 0x%llx imm %d",
						 types[t], sizes[s],
						 (unsigned long long)srcs[j], imm);
					compare(p, 6, types[t], what);
				}
			}
		}
	}
	printf("%d compared, %d failed\n", compared, failed);
	return failed ? 1 : 0;
}
