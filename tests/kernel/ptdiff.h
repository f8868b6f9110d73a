/* The kernel-vs-bpfvm test-run harness of the program-type tests
 * (test_kernel_pt_*.c): one input run through BPF_PROG_TEST_RUN in the
 * kernel (libbpf's bpf_prog_test_run_opts) and bpfvm_prog_test_run on
 * each of bpfvm's engines; the error, return value, data_out (size and
 * bytes) and ctx_out must agree. The first mismatch of each program
 * prints both sides. Also opening one object on both sides. */
#ifndef BPFVM_TESTS_PTDIFF_H
#define BPFVM_TESTS_PTDIFF_H

#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include <bpfvm/bpfvm.h>
#include <linux/bpf.h>

/* The largest output: an XDP frame's page (4096 - 256 headroom - 320
 * tailroom) and 17 fragments of a page (MAX_SKB_FRAGS), and some. */
#define PTD_DATA_MAX (3520u + 17 * 4096 + 64)

struct ptd_input {
	const uint8_t *data;
	uint32_t len;
	const void *ctx_in;		/* NULL: none */
	uint32_t ctx_size_in;
	int ctx_out;			/* ask for ctx_out */
	uint32_t cap;			/* data_out's capacity */
	uint32_t repeat;
	const char *what;
};

struct ptd_result {
	int err;
	uint32_t retval, size, ctx_size;
	uint8_t data[PTD_DATA_MAX];
	union {
		struct __sk_buff skb;
		struct xdp_md xdp;
	} ctx;
};

/* One program on both sides. */
struct ptd_side {
	const char *prog;
	int fd;				/* the kernel's */
	struct bpfvm_prog *vm;
	int mismatched;
};

struct ptd_objs {
	struct bpf_object *k;
	struct bpfvm_object *v;
};

/* Counted by ptd_compare; the tests add their own comparisons. */
extern int ptd_failed, ptd_compared, ptd_kernel_ok;

/* The program type's ctx size (ctx_out's) and how many of bpfvm's
 * engines ptd_compare runs: interpreter, JIT, checked interpreter,
 * checked JIT, in that order. */
void ptd_init(uint32_t ctx_size, size_t engines);

void ptd_kernel_run(int fd, const struct ptd_input *in,
		    struct ptd_result *r);
void ptd_vm_run(struct bpfvm_prog *p, const struct ptd_input *in,
		enum bpfvm_engine e, uint32_t flags, struct ptd_result *r,
		char *err, size_t err_size);
void ptd_hexdump(const char *who, const uint8_t *d, uint32_t n);

/* The kernel's run against each engine's. */
void ptd_compare(struct ptd_side *s, const struct ptd_input *in);

/* BPFVM_OBJ_DIR/<name>.o loaded on both sides: 0, 77 when the kernel
 * cannot load BPF, 1 on failure (printed). */
int ptd_open_both(const char *obj_dir, const char *name, struct ptd_objs *o);
void ptd_close_both(struct ptd_objs *o);
/* Program prog of both objects into s; -1 (counted, printed) when a side
 * lacks it. */
int ptd_side_find(struct ptd_objs *o, const char *prog, struct ptd_side *s);

#endif
