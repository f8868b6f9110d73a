/* Kernel XDP programs for differential tests (see kprog.h). */
#include "kprog.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/btf.h>

#ifndef BPF_PSEUDO_FUNC
#define BPF_PSEUDO_FUNC 4
#endif

#define MAX_FUNCS 64

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int r = (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : r;
}

static uint64_t ptr(const void *p)
{
	return (uintptr_t)p;
}

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_DW | BPF_IMM);
}

static void add_func(uint32_t *f, size_t *n, int64_t at)
{
	for (size_t k = 0; k < *n; k++)
		if (f[k] == at)
			return;
	if (*n < MAX_FUNCS)
		f[(*n)++] = (uint32_t)at;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Subprogram starts (insn 0, call and function targets), sorted; 0 for
 * a single function naming none (no BTF needed: callbacks and tail calls
 * in subprograms need it). */
static size_t find_funcs(const struct bpf_insn *insns, size_t cnt,
			 uint32_t *f)
{
	size_t n = 0;
	bool named = false;

	add_func(f, &n, 0);
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];

		if (in->code == (BPF_JMP | BPF_CALL) &&
		    in->src_reg == BPF_PSEUDO_CALL)
			add_func(f, &n, (int64_t)i + 1 + in->imm);
		if (is_lddw(in) && in->src_reg == BPF_PSEUDO_FUNC) {
			add_func(f, &n, (int64_t)i + 1 + in->imm);
			named = true;
		}
		i += is_lddw(in);
	}
	qsort(f, n, sizeof(*f), cmp_u32);
	return named || n > 1 ? n : 0;
}

/* [1] long; [2] long (long a, ..., long e); [3 + k] static FUNC "fKK"
 * of [2] for each subprogram k. */
static const char btf_strs[] = "\0long\0a\0b\0c\0d\0e";

static int load_btf(size_t nfuncs)
{
	static uint32_t buf[6 + 4 + 13 + 3 * MAX_FUNCS + 32 + MAX_FUNCS];
	struct btf_header *h = (struct btf_header *)buf;
	uint32_t *types = buf + sizeof(*h) / 4, *t = types;
	char *strs;
	union bpf_attr attr;

	memset(buf, 0, sizeof(buf));
	*t++ = 1; /* "long" */
	*t++ = BTF_KIND_INT << 24;
	*t++ = 8;
	*t++ = BTF_INT_SIGNED << 24 | 64;
	*t++ = 0;
	*t++ = BTF_KIND_FUNC_PROTO << 24 | 5;
	*t++ = 1;
	for (uint32_t k = 0; k < 5; k++) {
		*t++ = 6 + 2 * k; /* "a".."e" */
		*t++ = 1;
	}
	for (size_t k = 0; k < nfuncs; k++) {
		*t++ = (uint32_t)(sizeof(btf_strs) + 4 * k);
		*t++ = BTF_KIND_FUNC << 24 | BTF_FUNC_STATIC;
		*t++ = 2;
	}
	strs = (char *)t;
	memcpy(strs, btf_strs, sizeof(btf_strs));
	for (size_t k = 0; k < nfuncs; k++) {
		char *name = strs + sizeof(btf_strs) + 4 * k;

		name[0] = 'f';
		name[1] = (char)('0' + k / 10);
		name[2] = (char)('0' + k % 10);
		name[3] = '\0';
	}
	h->magic = BTF_MAGIC;
	h->version = BTF_VERSION;
	h->hdr_len = sizeof(*h);
	h->type_len = (uint32_t)((t - types) * 4);
	h->str_off = h->type_len;
	h->str_len = (uint32_t)(sizeof(btf_strs) + 4 * nfuncs);
	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr(buf);
	attr.btf_size = h->hdr_len + h->type_len + h->str_len;
	return sys_bpf(BPF_BTF_LOAD, &attr);
}

int kprog_load_xdp(const struct bpf_insn *insns, size_t cnt,
		   const int *fd_array, char *log, size_t log_size)
{
	uint32_t funcs[MAX_FUNCS];
	struct bpf_func_info fi[MAX_FUNCS];
	size_t nf = find_funcs(insns, cnt, funcs);
	int btf = nf ? load_btf(nf) : 0, fd;
	union bpf_attr attr;

	if (btf < 0)
		return btf;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = ptr(insns);
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = ptr("GPL");
	attr.fd_array = ptr(fd_array);
	if (nf) {
		for (size_t k = 0; k < nf; k++)
			fi[k] = (struct bpf_func_info){ funcs[k],
							(uint32_t)(3 + k) };
		attr.prog_btf_fd = (uint32_t)btf;
		attr.func_info_rec_size = sizeof(fi[0]);
		attr.func_info = ptr(fi);
		attr.func_info_cnt = (uint32_t)nf;
	}
	if (log && log_size) {
		log[0] = '\0';
		attr.log_buf = ptr(log);
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (btf > 0)
		close(btf);
	return fd;
}

int kprog_test_run(int fd, void *pkt, uint32_t len, uint32_t *retval)
{
	return kprog_test_run_repeat(fd, pkt, len, 1, retval, NULL);
}

int kprog_test_run_repeat(int fd, void *pkt, uint32_t len, uint32_t repeat,
			  uint32_t *retval, uint32_t *duration_ns)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = ptr(pkt);
	attr.test.data_size_in = len;
	attr.test.repeat = repeat;
	err = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (!err) {
		*retval = attr.test.retval;
		if (duration_ns)
			*duration_ns = attr.test.duration;
	}
	return err;
}
