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
#define PACKET_PROLOGUE 7u
#define MAP_PROLOGUE 10u
#define INSNS_PER_CALL 3u
#define EPILOGUE 5u

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

static struct bpf_insn mov_imm(uint8_t dst, int32_t imm)
{
	return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn mov_reg(uint8_t dst, uint8_t src)
{
	return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static struct bpf_insn exit_insn(void)
{
	return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static size_t packet_len(size_t mem_len)
{
	size_t n = mem_len + R0_BYTES;

	return n < ETH_HLEN_MIN ? ETH_HLEN_MIN : n;
}

/* Where r0 goes: right after the memory in the packet (the layout the
 * header documents); 8-byte aligned in the map value, which costs nothing
 * and keeps the store aligned whatever the memory's size. */
static size_t r0_offset(const struct kernel_prog *kp)
{
	if (kp->mem_kind == KERNEL_ORACLE_MEM_MAP)
		return (kp->mem_len + R0_BYTES - 1) / R0_BYTES * R0_BYTES;
	return kp->mem_len;
}

static size_t map_value_size(const struct kernel_prog *kp)
{
	return r0_offset(kp) + R0_BYTES;
}

static size_t prologue_len(const struct kernel_prog *kp)
{
	return kp->mem_kind == KERNEL_ORACLE_MEM_MAP ? MAP_PROLOGUE
						     : PACKET_PROLOGUE;
}

static size_t wrapper_len(const struct kernel_prog *kp)
{
	return prologue_len(kp) + INSNS_PER_CALL * kp->calls + EPILOGUE;
}

/* The memory pointer into r6, or return XDP_ABORTED: the packet once
 * data + mem_len + 8 <= data_end is proven (which gives r6 that much
 * packet range). */
static void emit_packet_prologue(struct bpf_insn *w,
				 const struct kernel_prog *kp)
{
	const uint8_t ldxw = BPF_LDX | BPF_W | BPF_MEM;

	w[0] = insn(ldxw, BPF_REG_6, BPF_REG_1, 0, 0);	/* xdp_md->data */
	w[1] = insn(ldxw, BPF_REG_7, BPF_REG_1, 4, 0);	/* ->data_end */
	w[2] = mov_reg(BPF_REG_8, BPF_REG_6);
	w[3] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_8, 0, 0,
		    (int32_t)(kp->mem_len + R0_BYTES));
	w[4] = insn(BPF_JMP | BPF_JLE | BPF_X, BPF_REG_8, BPF_REG_7, 2, 0);
	w[5] = mov_imm(BPF_REG_0, XDP_ABORTED);
	w[6] = exit_insn();
}

/* r6 = bpf_map_lookup_elem(map, &(u32){0}), or XDP_ABORTED on NULL (which
 * cannot happen for an array's element 0, but the verifier wants it). */
static void emit_map_prologue(struct bpf_insn *w,
				const struct kernel_prog *kp)
{
	w[0] = insn(BPF_ST | BPF_W | BPF_MEM, BPF_REG_10, 0, -4, 0);
	w[1] = mov_reg(BPF_REG_2, BPF_REG_10);
	w[2] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
	w[3] = insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD,
		    0, kp->map_fd);
	w[4] = insn(0, 0, 0, 0, 0);
	w[5] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	w[6] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 2, 0);
	w[7] = mov_imm(BPF_REG_0, XDP_ABORTED);
	w[8] = exit_insn();
	w[9] = mov_reg(BPF_REG_6, BPF_REG_0);
}

/* The XDP wrapper; the program under test follows at wrapper_len(kp) and
 * is reached by pseudo calls. r0 is stored through r1 = r6 + offset rather
 * than an offset in the store, which is 16 bits and the map's memory is
 * larger. */
static void emit_wrapper(struct bpf_insn *w, const struct kernel_prog *kp)
{
	const int32_t len = kp->has_mem ? (int32_t)kp->mem_len : 0;
	const size_t callee = wrapper_len(kp);
	size_t pc = prologue_len(kp);

	if (kp->mem_kind == KERNEL_ORACLE_MEM_MAP)
		emit_map_prologue(w, kp);
	else
		emit_packet_prologue(w, kp);
	for (uint32_t i = 0; i < kp->calls; i++, pc += INSNS_PER_CALL) {
		w[pc] = kp->has_mem ? mov_reg(BPF_REG_1, BPF_REG_6)
				    : mov_imm(BPF_REG_1, 0);
		w[pc + 1] = mov_imm(BPF_REG_2, len);
		w[pc + 2] = insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0,
				 (int32_t)(callee - (pc + 3)));
	}
	w[pc] = mov_reg(BPF_REG_1, BPF_REG_6);
	w[pc + 1] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0,
			 (int32_t)r0_offset(kp));
	w[pc + 2] = insn(BPF_STX | BPF_DW | BPF_MEM, BPF_REG_1, BPF_REG_0, 0,
			 0);
	w[pc + 3] = mov_imm(BPF_REG_0, XDP_PASS);
	w[pc + 4] = exit_insn();
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
	/* EFAULT too: the verifier's own limits end that way ("The sequence
	 * of 8193 jumps is too complex." for a long branchy loop). */
	if (err != -EINVAL && err != -EACCES && err != -E2BIG &&
	    err != -ENOSPC && err != -EFAULT) {
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

static enum kernel_oracle_status fail(struct kernel_oracle_opts *o, int err,
					const char *what)
{
	o->err = err;
	say(o->err_buf, o->err_size, "%s: %s", what, strerror(err));
	return errno_means_unavailable(err) ? KERNEL_ORACLE_UNAVAILABLE
					    : KERNEL_ORACLE_ERROR;
}

static enum kernel_oracle_status map_create(struct kernel_prog *kp,
					    struct kernel_oracle_opts *o)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = sizeof(uint32_t);
	attr.value_size = (uint32_t)map_value_size(kp);
	attr.max_entries = 1;
	kp->map_fd = sys_bpf(BPF_MAP_CREATE, &attr);
	return kp->map_fd < 0 ? fail(o, errno, "BPF_MAP_CREATE")
			      : KERNEL_ORACLE_OK;
}

/* BPF_MAP_UPDATE_ELEM or BPF_MAP_LOOKUP_ELEM of element 0. */
static enum kernel_oracle_status map_elem(const struct kernel_prog *kp,
					  int cmd, void *value,
					  struct kernel_oracle_opts *o)
{
	uint32_t key = 0;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)kp->map_fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)value;
	if (sys_bpf(cmd, &attr) < 0)
		return fail(o, errno, cmd == BPF_MAP_UPDATE_ELEM
					      ? "BPF_MAP_UPDATE_ELEM"
					      : "BPF_MAP_LOOKUP_ELEM");
	return KERNEL_ORACLE_OK;
}

static enum kernel_oracle_status check_shape(const struct kernel_prog *kp,
					     struct kernel_oracle_opts *o)
{
	size_t max = kp->mem_kind == KERNEL_ORACLE_MEM_MAP
			     ? KERNEL_ORACLE_MAX_MAP_MEM
			     : KERNEL_ORACLE_MAX_MEM;

	if (kp->mem_kind != KERNEL_ORACLE_MEM_PACKET &&
	    kp->mem_kind != KERNEL_ORACLE_MEM_MAP) {
		o->err = EINVAL;
		say(o->err_buf, o->err_size, "unknown memory kind %d",
		    (int)kp->mem_kind);
		return KERNEL_ORACLE_ERROR;
	}
	o->err = E2BIG;
	if (kp->mem_len > max) {
		say(o->err_buf, o->err_size, "memory of %zu bytes is above %zu",
		    kp->mem_len, max);
		return KERNEL_ORACLE_ERROR;
	}
	if (kp->calls > KERNEL_ORACLE_MAX_CALLS) {
		say(o->err_buf, o->err_size, "%u calls per run is above %u",
		    kp->calls, KERNEL_ORACLE_MAX_CALLS);
		return KERNEL_ORACLE_ERROR;
	}
	o->err = 0;
	return KERNEL_ORACLE_OK;
}

/* The wrapper followed by the program, loaded. */
static enum kernel_oracle_status
load_wrapped(const struct bpf_insn *insns, size_t cnt, struct kernel_prog *kp,
	     struct kernel_oracle_opts *o)
{
	size_t wlen = wrapper_len(kp), total = wlen + cnt;
	struct bpf_insn *prog = calloc(total, sizeof(*prog));
	enum kernel_oracle_status st = KERNEL_ORACLE_OK;
	int fd;

	if (!prog)
		return fail(o, ENOMEM, "loading");
	emit_wrapper(prog, kp);
	memcpy(prog + wlen, insns, cnt * sizeof(*insns));
	fd = prog_load(prog, total, NULL, 0);
	if (fd < 0)
		st = classify_load_error(prog, total, fd, o);
	else
		kp->fd = fd;
	free(prog);
	return st;
}

enum kernel_oracle_status
kernel_oracle_load(const struct bpf_insn *insns, size_t cnt, size_t mem_len,
		   bool has_mem, struct kernel_prog *kp,
		   struct kernel_oracle_opts *opts)
{
	struct kernel_oracle_opts dummy = { .sz = sizeof(dummy) };
	struct kernel_oracle_opts *o = opts ? opts : &dummy;
	enum kernel_oracle_status st;

	*kp = (struct kernel_prog){
		.fd = -1,
		.map_fd = -1,
		.mem_kind = o->mem_kind,
		.calls = o->calls ? o->calls : 1,
		.mem_len = has_mem ? mem_len : 0,
		.has_mem = has_mem,
	};
	o->err = 0;
	st = check_shape(kp, o);
	if (st == KERNEL_ORACLE_OK && kp->mem_kind == KERNEL_ORACLE_MEM_MAP)
		st = map_create(kp, o);
	if (st == KERNEL_ORACLE_OK)
		st = load_wrapped(insns, cnt, kp, o);
	if (st != KERNEL_ORACLE_OK)
		kernel_oracle_close(kp);
	return st;
}

/* BPF_PROG_TEST_RUN on `pkt` (in and out: the kernel copies it in before
 * and out after the runs). The wrapper answers XDP_PASS once it has run
 * the program; anything else means it could not reach the memory. */
static enum kernel_oracle_status test_run(const struct kernel_prog *kp,
					  void *pkt, size_t plen,
					  struct kernel_oracle_opts *o)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)kp->fd;
	attr.test.data_in = (uintptr_t)pkt;
	attr.test.data_size_in = (uint32_t)plen;
	attr.test.data_out = (uintptr_t)pkt;
	attr.test.data_size_out = (uint32_t)plen;
	attr.test.repeat = o->repeat ? o->repeat : 1;
	ret = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (ret < 0)
		return fail(o, errno, "BPF_PROG_TEST_RUN");
	if (attr.test.retval != XDP_PASS || attr.test.data_size_out != plen) {
		o->err = EPROTO;
		say(o->err_buf, o->err_size,
		    "BPF_PROG_TEST_RUN: unexpected result (retval %u, %u "
		    "bytes out)", attr.test.retval, attr.test.data_size_out);
		return KERNEL_ORACLE_ERROR;
	}
	o->duration_ns = attr.test.duration;
	return KERNEL_ORACLE_OK;
}

/* Memory and r0 both travel in `buf`, laid out as the wrapper sees them:
 * the packet, or the map value next to a dummy packet. */
static enum kernel_oracle_status exec_in(const struct kernel_prog *kp,
					 uint8_t *buf,
					 struct kernel_oracle_opts *o)
{
	uint8_t dummy[ETH_HLEN_MIN] = { 0 };
	enum kernel_oracle_status st;

	if (kp->mem_kind == KERNEL_ORACLE_MEM_PACKET)
		return test_run(kp, buf, packet_len(kp->mem_len), o);
	st = map_elem(kp, BPF_MAP_UPDATE_ELEM, buf, o);
	if (st == KERNEL_ORACLE_OK)
		st = test_run(kp, dummy, sizeof(dummy), o);
	if (st == KERNEL_ORACLE_OK)
		st = map_elem(kp, BPF_MAP_LOOKUP_ELEM, buf, o);
	return st;
}

enum kernel_oracle_status
kernel_oracle_exec(const struct kernel_prog *kp, void *mem, uint64_t *r0,
		   struct kernel_oracle_opts *opts)
{
	struct kernel_oracle_opts dummy = { .sz = sizeof(dummy) };
	struct kernel_oracle_opts *o = opts ? opts : &dummy;
	size_t size = kp->mem_kind == KERNEL_ORACLE_MEM_MAP
			      ? map_value_size(kp)
			      : packet_len(kp->mem_len);
	uint8_t *buf = calloc(1, size);
	enum kernel_oracle_status st;

	o->err = 0;
	if (!buf)
		return fail(o, ENOMEM, "running");
	if (kp->mem_len)
		memcpy(buf, mem, kp->mem_len);
	st = exec_in(kp, buf, o);
	if (st == KERNEL_ORACLE_OK) {
		if (kp->mem_len)
			memcpy(mem, buf, kp->mem_len);
		memcpy(r0, buf + r0_offset(kp), sizeof(*r0));
	}
	free(buf);
	return st;
}

void kernel_oracle_close(struct kernel_prog *kp)
{
	if (kp->fd >= 0)
		close(kp->fd);
	if (kp->map_fd >= 0)
		close(kp->map_fd);
	kp->fd = kp->map_fd = -1;
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
