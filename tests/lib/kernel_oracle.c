/* Run a raw BPF program in the kernel through a wrapping XDP program (see
 * kernel_oracle.h for the layout and why the program is a subprogram). */
#include "kernel_oracle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define R0_BYTES 8u
#define ETH_HLEN_MIN 14u /* XDP test_run rejects shorter packets */
#define WRAPPER_INSNS 13u

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src,
			    int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
				  .off = off, .imm = imm };
}

static size_t packet_len(size_t mem_len)
{
	size_t n = mem_len + R0_BYTES;

	return n < ETH_HLEN_MIN ? ETH_HLEN_MIN : n;
}

/* The XDP prologue/epilogue; the program under test follows at index
 * WRAPPER_INSNS and is reached by a pseudo call. */
static void emit_wrapper(struct bpf_insn *w, size_t mem_len, bool has_mem)
{
	const uint8_t ldxw = BPF_LDX | BPF_W | BPF_MEM;
	const int32_t need = (int32_t)(mem_len + R0_BYTES);

	w[0] = insn(ldxw, BPF_REG_6, BPF_REG_1, 0, 0);	/* xdp_md->data */
	w[1] = insn(ldxw, BPF_REG_7, BPF_REG_1, 4, 0);	/* ->data_end */
	w[2] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_8, BPF_REG_6, 0, 0);
	w[3] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_8, 0, 0, need);
	/* Proving data + need <= data_end gives r6 that much packet range. */
	w[4] = insn(BPF_JMP | BPF_JLE | BPF_X, BPF_REG_8, BPF_REG_7, 2, 0);
	w[5] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_ABORTED);
	w[6] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	w[7] = has_mem ? insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0)
		       : insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 0);
	w[8] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0,
		    has_mem ? (int32_t)mem_len : 0);
	w[9] = insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0,
		    (int32_t)WRAPPER_INSNS - 10);
	w[10] = insn(BPF_STX | BPF_DW | BPF_MEM, BPF_REG_6, BPF_REG_0,
		     (int16_t)mem_len, 0);
	w[11] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS);
	w[12] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int prog_load(const struct bpf_insn *insns, size_t cnt, char *log,
		     size_t log_size)
{
	union bpf_attr attr;
	int fd, tries = 0;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)"GPL";
	if (log && log_size) {
		log[0] = '\0';
		attr.log_buf = (uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	/* The kernel may return EAGAIN when the verifier is interrupted. */
	do
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
	while (fd < 0 && errno == EAGAIN && ++tries < 5);
	return fd < 0 ? -errno : fd;
}

static bool errno_means_unavailable(int err)
{
	return err == EPERM || err == ENOSYS || err == EACCES ||
	       err == EOPNOTSUPP;
}

bool kernel_oracle_available(char *why, size_t why_size)
{
	static int state; /* 0 unknown, 1 yes, -errno no */
	static const struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (state == 0) {
		int fd = prog_load(probe, 2, NULL, 0);

		state = fd < 0 ? fd : 1;
		if (fd >= 0)
			close(fd);
	}
	if (state < 0)
		say(why, why_size, "bpf(BPF_PROG_LOAD) of an XDP program: %s",
		    strerror(-state));
	return state == 1;
}

/* Load failed: tell a verifier rejection from a missing bpf(), and fetch
 * the verifier's log by loading again with logging on (the first attempt
 * runs without a log, which keeps the common case fast). */
static enum kernel_oracle_status
classify_load_error(const struct bpf_insn *prog, size_t cnt, int err,
		    struct kernel_oracle_opts *o)
{
	o->err = -err;
	if (errno_means_unavailable(-err) && !kernel_oracle_available(NULL, 0)) {
		say(o->err_buf, o->err_size, "bpf() unavailable: %s",
		    strerror(-err));
		return KERNEL_ORACLE_UNAVAILABLE;
	}
	if (err != -EINVAL && err != -EACCES && err != -E2BIG &&
	    err != -ENOSPC) {
		say(o->err_buf, o->err_size, "BPF_PROG_LOAD: %s",
		    strerror(-err));
		return KERNEL_ORACLE_ERROR;
	}
	if (o->log_buf && o->log_size) {
		int fd = prog_load(prog, cnt, o->log_buf, o->log_size);

		if (fd >= 0) /* accepted on a retry: not a rejection */
			close(fd);
	}
	say(o->err_buf, o->err_size, "verifier: %s", strerror(-err));
	return KERNEL_ORACLE_REJECTED;
}

enum kernel_oracle_status
kernel_oracle_load(const struct bpf_insn *insns, size_t cnt, size_t mem_len,
		   bool has_mem, struct kernel_prog *kp,
		   struct kernel_oracle_opts *opts)
{
	struct kernel_oracle_opts dummy = { .sz = sizeof(dummy) };
	struct kernel_oracle_opts *o = opts ? opts : &dummy;
	struct bpf_insn *prog;
	size_t total = WRAPPER_INSNS + cnt;
	int fd;

	kp->fd = -1;
	kp->mem_len = has_mem ? mem_len : 0;
	kp->has_mem = has_mem;
	o->err = 0;
	if (kp->mem_len > KERNEL_ORACLE_MAX_MEM) {
		o->err = E2BIG;
		say(o->err_buf, o->err_size, "memory of %zu bytes is above %u",
		    mem_len, KERNEL_ORACLE_MAX_MEM);
		return KERNEL_ORACLE_ERROR;
	}
	prog = calloc(total, sizeof(*prog));
	if (!prog) {
		o->err = ENOMEM;
		say(o->err_buf, o->err_size, "out of memory");
		return KERNEL_ORACLE_ERROR;
	}
	emit_wrapper(prog, kp->mem_len, has_mem);
	memcpy(prog + WRAPPER_INSNS, insns, cnt * sizeof(*insns));
	fd = prog_load(prog, total, NULL, 0);
	if (fd < 0) {
		enum kernel_oracle_status st =
			classify_load_error(prog, total, fd, o);

		free(prog);
		return st;
	}
	free(prog);
	kp->fd = fd;
	return KERNEL_ORACLE_OK;
}

enum kernel_oracle_status
kernel_oracle_exec(const struct kernel_prog *kp, void *mem, uint64_t *r0,
		   struct kernel_oracle_opts *opts)
{
	struct kernel_oracle_opts dummy = { .sz = sizeof(dummy) };
	struct kernel_oracle_opts *o = opts ? opts : &dummy;
	size_t plen = packet_len(kp->mem_len);
	uint8_t *in = calloc(2, plen), *out = in ? in + plen : NULL;
	union bpf_attr attr;
	int ret;

	o->err = 0;
	if (!in) {
		o->err = ENOMEM;
		say(o->err_buf, o->err_size, "out of memory");
		return KERNEL_ORACLE_ERROR;
	}
	if (kp->mem_len)
		memcpy(in, mem, kp->mem_len);
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)kp->fd;
	attr.test.data_in = (uintptr_t)in;
	attr.test.data_size_in = (uint32_t)plen;
	attr.test.data_out = (uintptr_t)out;
	attr.test.data_size_out = (uint32_t)plen;
	attr.test.repeat = o->repeat ? o->repeat : 1;
	ret = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (ret < 0 || attr.test.retval != XDP_PASS ||
	    attr.test.data_size_out != plen) {
		o->err = ret < 0 ? errno : EPROTO;
		say(o->err_buf, o->err_size,
		    "BPF_PROG_TEST_RUN: %s (retval %u, %u bytes out)",
		    ret < 0 ? strerror(errno) : "unexpected result",
		    attr.test.retval, attr.test.data_size_out);
		free(in);
		return ret < 0 && errno_means_unavailable(errno)
			       ? KERNEL_ORACLE_UNAVAILABLE
			       : KERNEL_ORACLE_ERROR;
	}
	if (kp->mem_len)
		memcpy(mem, out, kp->mem_len);
	memcpy(r0, out + kp->mem_len, sizeof(*r0));
	o->duration_ns = attr.test.duration;
	free(in);
	return KERNEL_ORACLE_OK;
}

void kernel_oracle_close(struct kernel_prog *kp)
{
	if (kp->fd >= 0)
		close(kp->fd);
	kp->fd = -1;
}

enum kernel_oracle_status
kernel_oracle_run(const struct bpf_insn *insns, size_t cnt, void *mem,
		  size_t mem_len, uint64_t *r0,
		  struct kernel_oracle_opts *opts)
{
	struct kernel_prog kp;
	enum kernel_oracle_status st;

	st = kernel_oracle_load(insns, cnt, mem_len, mem != NULL, &kp, opts);
	if (st != KERNEL_ORACLE_OK)
		return st;
	st = kernel_oracle_exec(&kp, mem, r0, opts);
	kernel_oracle_close(&kp);
	return st;
}

enum kernel_oracle_status
kernel_oracle_bench(const struct bpf_insn *insns, size_t cnt, void *mem,
		    size_t mem_len, uint32_t repeat, uint64_t *avg_ns,
		    struct kernel_oracle_opts *opts)
{
	struct kernel_oracle_opts dummy = { .sz = sizeof(dummy) };
	struct kernel_oracle_opts *o = opts ? opts : &dummy;
	enum kernel_oracle_status st;
	uint32_t saved = o->repeat;
	uint64_t r0;

	o->repeat = repeat;
	st = kernel_oracle_run(insns, cnt, mem, mem_len, &r0, o);
	o->repeat = saved; /* the caller's opts serve later single runs */
	if (st == KERNEL_ORACLE_OK)
		*avg_ns = o->duration_ns;
	return st;
}

const char *kernel_oracle_status_str(enum kernel_oracle_status st)
{
	switch (st) {
	case KERNEL_ORACLE_OK:
		return "ok";
	case KERNEL_ORACLE_UNAVAILABLE:
		return "unavailable";
	case KERNEL_ORACLE_REJECTED:
		return "rejected";
	case KERNEL_ORACLE_ERROR:
		break;
	}
	return "error";
}
