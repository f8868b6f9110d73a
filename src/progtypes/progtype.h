/* Program types: one file each (xdp.c, skb_*.c, tracepoint.c, ...), each
 * filling one struct pt_ops. A type says
 *   - its ctx: the uapi struct programs see and how each access to it is
 *     checked and rewritten into bpfvm's real layout (the kernel's
 *     convert_ctx_accesses; applied when the program is created, until
 *     the verifier does it),
 *   - the helpers it may call,
 *   - how a test run is driven (BPF_PROG_TEST_RUN).
 *
 * The real ctx of a packet type starts with the uapi struct itself, so
 * plain fields are read and written in place; the pointers a 64-bit host
 * cannot fit in the uapi struct's u32 fields (data, data_end, data_meta)
 * follow it, and loads of those fields become 8-byte loads there. */
#ifndef BPFVM_PROGTYPES_PROGTYPE_H
#define BPFVM_PROGTYPES_PROGTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/prog.h>
#include <bpfvm/test_run.h>

struct bpfvm_prog;

/* One access to the ctx at a fixed offset, found by the ctx pass
 * (verifier/ctx_track.h). */
struct pt_ctx_access {
	uint32_t off;		/* bytes from the start of the uapi ctx */
	uint32_t size;		/* 1, 2, 4 or 8 */
	bool write;		/* STX / ST */
	bool sign_ext;		/* LDX MEMSX */
};

struct pt_ops {
	enum bpf_prog_type type;
	const char *name;	/* "xdp", as bpfvm_prog_type_name */
	const char *ctx_name;	/* "struct xdp_md", for messages */
	/* Check one access; 0 with *insn rewritten in place (its off field
	 * and its size bits, never its registers or class), or -EACCES
	 * with why ("write to xdp_md->data is not allowed"). NULL: the ctx
	 * is plain memory read-only up to ctx_max bytes (tracing). */
	int (*ctx_access)(const struct pt_ctx_access *a, struct bpf_insn *insn,
			  char *why, size_t why_size);
	/* Largest ctx offset + size programs may read, for types without
	 * ctx_access (tracepoint: the kernel's PERF_MAX_TRACE_SIZE). */
	uint32_t ctx_max;
	/* May the type call Linux helper `id`? (Ids past __BPF_FUNC_MAX_ID
	 * are the host's own and always allowed.) */
	bool (*helper_ok)(uint32_t id);
	/* BPF_PROG_TEST_RUN for this type; opts already checked for sz.
	 * NULL: -ENOTSUPP. */
	int (*test_run)(struct bpfvm_prog *prog,
			struct bpfvm_test_run_opts *opts);
};

/* The ops of a type, or NULL when bpfvm has no rules for it (its
 * programs then load unchanged, their ctx handed over as is). */
const struct pt_ops *pt_find(enum bpf_prog_type type);

/* The helpers every type may call (maps, time, random, tail calls,
 * trace_printk, ringbuf, loops, spin locks, ...): the kernel's
 * bpf_base_func_proto. Types add theirs. */
bool pt_base_helper_ok(uint32_t id);
/* The networking types' base (the kernel's bpf_sk_base_func_proto): the
 * skc_to_* casts and ktime_get_coarse_ns, then pt_base_helper_ok. */
bool pt_sk_base_helper_ok(uint32_t id);

/* At program creation (core/prog.c), for a typed program: check each
 * helper call against the type, then find the ctx accesses and rewrite
 * them (verifier/ctx_track.c) in xlated. 0 or -errno with
 * "insn N: reason" in log. *ctx_used gets the largest ctx offset + size
 * the program reads (bpfvm_event_attach checks it). */
int pt_prog_prepare(enum bpf_prog_type type, struct bpf_insn *xlated,
		    size_t cnt, uint32_t *ctx_used, char *log,
		    size_t log_size);

/* --- shared by the types' test_run (test_run.c) --- */

/* How a type's test run runs its program. */
struct pt_run {
	void *ctx;		/* the real ctx (r1) */
	size_t ctx_len;
	/* What LD_ABS / LD_IND read (skb types; NULL otherwise): the
	 * engine's run->pkt / pkt_len, which skb helpers that move the
	 * packet update through the run. */
	const uint8_t *pkt;
	size_t pkt_len;
	/* Memory besides the ctx that checked runs may touch: the whole
	 * packet buffer, head- and tailroom included. */
	const struct bpfvm_region *regions;
	size_t region_cnt;
};

/* Run prog `repeat` times (0: once) as bpf_test_run: the same ctx each
 * time (nothing is reset between runs), r0 of the last run in *retval,
 * the mean ns per run in opts->duration; the per-thread redirect
 * decision (redirect.h) cleared before each run and copied to
 * opts->redirect after the last. Errors as bpfvm_prog_run, message in
 * opts->err_buf. */
int pt_run_repeat(struct bpfvm_prog *prog, const struct pt_run *run,
		  struct bpfvm_test_run_opts *opts, uint64_t *retval);

/* The kernel's bpf_test_finish / bpf_ctx_finish rule: copy min(len,
 * *cap) bytes to out (when out is not NULL), set *cap = len, return
 * -ENOSPC if it was cut. */
int pt_copy_out(void *out, uint32_t *cap, const void *src, uint32_t len);

/* An error message into opts->err_buf; returns err. */
int pt_fail(struct bpfvm_test_run_opts *opts, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The ctx_in rule shared by every type: bytes of ctx_in in [from, to)
 * (offsets into the uapi struct) must all be zero (the kernel's
 * range_is_zero). */
bool pt_range_is_zero(const void *ctx, size_t from, size_t to);

/* The kernel's bpf_ctx_init: dst (size bytes, the uapi struct `name`)
 * zeroed, then ctx_in copied over it; ctx_in over a page, or with
 * nonzero bytes past size, is -E2BIG with a message. */
int pt_ctx_init(struct bpfvm_test_run_opts *o, void *dst, size_t size,
		const char *name);

/* The types (one file each). */
extern const struct pt_ops pt_xdp_ops;
extern const struct pt_ops pt_socket_filter_ops;
extern const struct pt_ops pt_sched_cls_ops;
extern const struct pt_ops pt_sched_act_ops;
extern const struct pt_ops pt_tracepoint_ops;
extern const struct pt_ops pt_raw_tracepoint_ops;

#endif
