/* BPF_PROG_TEST_RUN for tracepoint and raw tracepoint programs
 * (bpfvm_prog_test_run), and their ctx access and helper rules at
 * creation. The kernel has no test run for tracepoints: bpfvm runs the
 * program on the record given as ctx_in. Raw tracepoints follow the
 * kernel's bpf_prog_test_run_raw_tp (test_kernel_pt_raw_tp compares). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/prog_priv.h"
#include "insn_build.h"
#include "tp_test.h"

static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP,
					     BPFVM_ENGINE_JIT };
static char errbuf[512];

static struct bpfvm_test_run_opts topts(enum bpfvm_engine e, const void *ctx,
					uint32_t size)
{
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .engine = e, .ctx_in = ctx,
		.ctx_size_in = size, .err_buf = errbuf,
		.err_size = sizeof(errbuf),
	};

	errbuf[0] = '\0';
	return o;
}

static void test_hello(enum bpfvm_engine e)
{
	struct bpfvm_object *obj = tp_load("pt_tp_hello", NULL);
	struct bpfvm_prog *prog = tp_prog(obj, "bpf_prog");
	uint64_t rec[2] = { 0 };
	struct bpfvm_test_run_opts o = topts(e, rec, sizeof(rec));

	CHECK(prog != NULL);
	if (!prog)
		return;
	CHECK_EQ_U64(bpfvm_prog_type(prog), BPF_PROG_TYPE_TRACEPOINT);
	CHECK_EQ_U64(prog->ctx_used, 0);
	tp_trace_watch("bpf_trace_printk: Hello world");
	o.retval = 77;
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), 0);
	CHECK_EQ_U64(o.retval, 0);
	CHECK_EQ_U64(tp_hits, 1);
	/* the smallest record: the common header */
	o = topts(e, rec, 8);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), 0);
	o = topts(e, rec, 7);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), (uint64_t)-EINVAL);
	CHECK_EQ_U64(tp_hits, 2);
	bpfvm_trace_set_callback(NULL, NULL);
	bpfvm_object_close(obj);
}

struct sys_enter_rec {
	uint64_t common;
	int64_t id;
	uint64_t args[6];
};

static void test_fields_sys_enter(enum bpfvm_engine e)
{
	struct bpfvm_object *obj = tp_load("pt_tp_fields", NULL);
	struct bpfvm_prog *prog = tp_prog(obj, "count_syscalls");
	struct sys_enter_rec rec = { .common = 0x1111, .id = 59,
				     .args = { 5, 0, 0, 0, 0, 7 } }, back;
	struct bpfvm_test_run_opts o = topts(e, &rec, sizeof(rec));
	uint64_t data = 1;

	CHECK(prog != NULL);
	if (!prog)
		return;
	CHECK_EQ_U64(prog->ctx_used, sizeof(rec));
	o.repeat = 3;
	o.ctx_out = &back;
	o.ctx_size_out = sizeof(back);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), 0);
	CHECK_EQ_U64(o.retval, 59);
	CHECK_EQ_U64(tp_map_u64(obj, "calls", 59), 3);
	CHECK_EQ_U64(tp_map_u64(obj, "last", 0), 12);
	CHECK(memcmp(&back, &rec, sizeof(rec)) == 0);
	CHECK_EQ_U64(o.ctx_size_out, sizeof(rec));
	/* ctx_out too small: cut, -ENOSPC, the full size reported */
	o = topts(e, &rec, sizeof(rec));
	o.ctx_out = &back;
	o.ctx_size_out = 10;
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), (uint64_t)-ENOSPC);
	CHECK_EQ_U64(o.ctx_size_out, sizeof(rec));
	CHECK_EQ_U64(tp_map_u64(obj, "calls", 59), 4);
	/* a record shorter than what the program reads */
	o = topts(e, &rec, sizeof(rec) - 8);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), (uint64_t)-EINVAL);
	CHECK(strstr(errbuf, "'count_syscalls' reads 64 bytes") != NULL);
	o = topts(e, NULL, 0);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), (uint64_t)-EINVAL);
	CHECK(strstr(errbuf, "required") != NULL);
	{
		static uint8_t big[8193];

		o = topts(e, big, sizeof(big));
		CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o),
			     (uint64_t)-EINVAL);
		o = topts(e, big, 8192);
		CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), 0);
	}
	o = topts(e, &rec, sizeof(rec));
	o.data_in = &data;
	o.data_size_in = sizeof(data);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), (uint64_t)-EINVAL);
	o = topts(e, &rec, sizeof(rec));
	o.flags = BPFVM_TEST_RUN_F_L2;
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), (uint64_t)-EINVAL);
	/* refused runs did not run; the 8192-byte zero record counted id 0 */
	CHECK_EQ_U64(tp_map_u64(obj, "calls", 59), 4);
	CHECK_EQ_U64(tp_map_u64(obj, "calls", 0), 1);
	bpfvm_object_close(obj);
}

struct process_exit_rec {
	uint64_t common;
	char comm[16];
	int32_t pid;
	int32_t prio;
};

static void test_fields_exit(enum bpfvm_engine e)
{
	struct bpfvm_object *obj = tp_load("pt_tp_fields", NULL);
	struct bpfvm_prog *prog = tp_prog(obj, "process_exit");
	struct process_exit_rec rec = { .comm = "kworker/0:1", .pid = 1234,
					.prio = 120 };
	struct bpfvm_test_run_opts o = topts(e, &rec, sizeof(rec));
	uint64_t comm8;

	CHECK(prog != NULL);
	if (!prog)
		return;
	CHECK_EQ_U64(prog->ctx_used, 32);
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), 0);
	CHECK_EQ_U64(o.retval, 1234);
	CHECK_EQ_U64(tp_map_u64(obj, "last", 1), (1234ull << 32) | 120);
	memcpy(&comm8, rec.comm, 8);
	CHECK_EQ_U64(tp_map_u64(obj, "last", 2), comm8);
	bpfvm_object_close(obj);
}

/* Create a program of `type` from insns: its error, log in errbuf. */
static int make(enum bpf_prog_type type, const struct bpf_insn *insns,
		size_t cnt, struct bpfvm_prog **out)
{
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .prog_type = type,
				      .name = "t", .log_buf = errbuf,
				      .log_size = sizeof(errbuf) };
	struct bpfvm_prog *prog = NULL;
	int err;

	errbuf[0] = '\0';
	err = bpfvm_prog_create(insns, cnt, &po, &prog);
	if (out)
		*out = prog;
	else
		bpfvm_prog_free(prog);
	return err;
}

/* r0 = *(size *)(r1 + off); exit: 0 or -errno, ctx_used in *used. */
static int make_load(enum bpf_prog_type type, int size, int16_t off,
		     uint32_t *used)
{
	const struct bpf_insn insns[] = { LDX(size, 0, 1, off), EXIT() };
	struct bpfvm_prog *prog;
	int err = make(type, insns, ARRAY_LEN(insns), &prog);

	*used = prog ? prog->ctx_used : 0;
	bpfvm_prog_free(prog);
	return err;
}

static void test_tp_access(void)
{
	const struct bpf_insn st[] = { ST_IMM(BPF_DW, 1, 8, 0), MOV64_IMM(0, 0),
				       EXIT() };
	const struct bpf_insn stx[] = { MOV64_IMM(0, 0), STX(BPF_W, 1, 0, 16),
					EXIT() };
	const enum bpf_prog_type tp = BPF_PROG_TYPE_TRACEPOINT;
	uint32_t used;

	CHECK_EQ_U64(make_load(tp, BPF_W, 4, &used), (uint64_t)-EACCES);
	CHECK(strstr(errbuf, "off=4") && strstr(errbuf, "common header"));
	CHECK_EQ_U64(make_load(tp, BPF_DW, 0, &used), (uint64_t)-EACCES);
	CHECK_EQ_U64(make_load(tp, BPF_DW, 8, &used), 0);
	CHECK_EQ_U64(used, 16);
	CHECK_EQ_U64(make_load(tp, BPF_DW, 8184, &used), 0);
	CHECK_EQ_U64(used, 8192);
	CHECK_EQ_U64(make_load(tp, BPF_B, 8191, &used), 0);
	CHECK_EQ_U64(make_load(tp, BPF_B, 8192, &used), (uint64_t)-EACCES);
	CHECK(strstr(errbuf, "PERF_MAX_TRACE_SIZE") != NULL);
	CHECK_EQ_U64(make_load(tp, BPF_W, 10, &used), (uint64_t)-EACCES);
	CHECK(strstr(errbuf, "misaligned") != NULL);
	CHECK_EQ_U64(make_load(tp, BPF_H, 10, &used), 0);
	CHECK_EQ_U64(used, 12);
	CHECK_EQ_U64(make(tp, st, ARRAY_LEN(st), NULL), (uint64_t)-EACCES);
	CHECK(strstr(errbuf, "read-only") != NULL);
	CHECK_EQ_U64(make(tp, stx, ARRAY_LEN(stx), NULL), (uint64_t)-EACCES);
}

/* Which helpers a tracing program may call (tp_prog_func_proto). */
static void test_helpers(void)
{
	static const struct {
		uint32_t id;
		int want;
	} cases[] = {
		{ BPF_FUNC_trace_printk, 0 },
		{ BPF_FUNC_get_current_pid_tgid, 0 },
		{ BPF_FUNC_get_current_comm, 0 },
		{ BPF_FUNC_probe_read_kernel, 0 },
		{ BPF_FUNC_perf_event_output, 0 },
		{ BPF_FUNC_ktime_get_ns, 0 },
		{ BPF_FUNC_csum_diff, -EINVAL },
		{ BPF_FUNC_spin_lock, -EINVAL },
		{ BPF_FUNC_xdp_adjust_head, -EINVAL },
		{ BPF_FUNC_skb_load_bytes, -EINVAL },
	};
	const enum bpf_prog_type types[] = { BPF_PROG_TYPE_TRACEPOINT,
					     BPF_PROG_TYPE_RAW_TRACEPOINT };

	for (size_t t = 0; t < ARRAY_LEN(types); t++) {
		for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
			const struct bpf_insn insns[] = {
				MOV64_IMM(2, 0), CALL_HELPER(cases[i].id),
				MOV64_IMM(0, 0), EXIT()
			};
			int err = make(types[t], insns, ARRAY_LEN(insns),
				       NULL);

			CHECK_EQ_U64(err, (uint64_t)(int64_t)cases[i].want);
		}
	}
}

static void test_raw_access(void)
{
	const struct bpf_insn st[] = { ST_IMM(BPF_DW, 1, 0, 0), MOV64_IMM(0, 0),
				       EXIT() };
	const enum bpf_prog_type raw = BPF_PROG_TYPE_RAW_TRACEPOINT;
	uint32_t used;

	CHECK_EQ_U64(make_load(raw, BPF_DW, 0, &used), 0);
	CHECK_EQ_U64(used, 8);
	CHECK_EQ_U64(make_load(raw, BPF_DW, 88, &used), 0);
	CHECK_EQ_U64(used, 96);
	CHECK_EQ_U64(make_load(raw, BPF_B, 95, &used), 0);
	CHECK_EQ_U64(make_load(raw, BPF_DW, 96, &used), (uint64_t)-EACCES);
	CHECK(strstr(errbuf, "12th argument") != NULL);
	CHECK_EQ_U64(make_load(raw, BPF_W, 2, &used), (uint64_t)-EACCES);
	CHECK_EQ_U64(make_load(raw, BPF_W, 12, &used), 0);
	CHECK_EQ_U64(used, 16);
	CHECK_EQ_U64(make(raw, st, ARRAY_LEN(st), NULL), (uint64_t)-EACCES);
}

static uint32_t raw_run(struct bpfvm_prog *prog, enum bpfvm_engine e,
			const uint64_t *args, uint32_t size, int *err)
{
	struct bpfvm_test_run_opts o = topts(e, args, size);

	o.retval = 0xfeedu;
	*err = bpfvm_prog_test_run(prog, &o);
	return o.retval;
}

static void test_raw_run(enum bpfvm_engine e)
{
	struct bpfvm_object *obj = tp_load("pt_tp_raw", NULL);
	struct bpfvm_prog *sys = tp_prog(obj, "raw_sys_enter");
	struct bpfvm_prog *narrow = tp_prog(obj, "raw_narrow");
	struct bpfvm_prog *last = tp_prog(obj, "raw_last");
	struct bpfvm_prog *none = tp_prog(obj, "raw_none");
	uint64_t args[13] = { 0x1234567800000042ull, 7, 0x1111111122222222ull,
			      0x8877665544332211ull };
	struct bpfvm_test_run_opts o;
	uint64_t out[12];
	int err;

	CHECK(sys && narrow && last && none);
	if (!sys || !narrow || !last || !none)
		return;
	CHECK_EQ_U64(sys->ctx_used, 16);
	CHECK_EQ_U64(narrow->ctx_used, 32);
	CHECK_EQ_U64(raw_run(sys, e, args, 16, &err), 21 + 0x12345678 + 0x42);
	CHECK_EQ_U64(err, 0);
	/* not a multiple of 8: the kernel takes it too */
	CHECK_EQ_U64(raw_run(sys, e, args, 20, &err), 21 + 0x12345678 + 0x42);
	CHECK_EQ_U64(err, 0);
	args[1] = 2000;
	CHECK_EQ_U64(raw_run(sys, e, args, 16, &err), 0xffffffffu);
	args[1] = 7;
	raw_run(sys, e, args, 15, &err);
	CHECK_EQ_U64(err, (uint64_t)-EINVAL);
	CHECK(strstr(errbuf, "'raw_sys_enter' reads 16 bytes") != NULL);
	CHECK_EQ_U64(raw_run(narrow, e, args, 32, &err),
		     0x33333333u ^ (0x4433u << 8) ^ 0x88u);
	CHECK_EQ_U64(err, 0);
	raw_run(narrow, e, args, 31, &err);
	CHECK_EQ_U64(err, (uint64_t)-EINVAL);
	args[11] = 100;
	CHECK_EQ_U64(raw_run(last, e, args, 96, &err),
		     (uint32_t)(100 + args[0]));
	CHECK_EQ_U64(err, 0);
	raw_run(last, e, args, 88, &err);
	CHECK_EQ_U64(err, (uint64_t)-EINVAL);
	raw_run(none, e, args, 104, &err);
	CHECK_EQ_U64(err, (uint64_t)-EINVAL);
	CHECK_EQ_U64(raw_run(none, e, NULL, 0, &err), 42);
	CHECK_EQ_U64(err, 0);
	CHECK_EQ_U64(raw_run(none, e, args, 8, &err), 42);
	raw_run(none, e, args, 0, &err); /* ctx_in needs its size */
	CHECK_EQ_U64(err, (uint64_t)-EINVAL);
	/* what the kernel refuses: a packet, ctx_out, repeat; bpfvm also
	 * refuses flags (BPF_F_TEST_RUN_ON_CPU has no meaning here) */
	o = topts(e, args, 16);
	o.data_in = out;
	o.data_size_in = 8;
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), (uint64_t)-EINVAL);
	o = topts(e, args, 16);
	o.data_out = out;
	o.data_size_out = sizeof(out);
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), (uint64_t)-EINVAL);
	o = topts(e, args, 16);
	o.ctx_out = out;
	o.ctx_size_out = sizeof(out);
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), (uint64_t)-EINVAL);
	o = topts(e, args, 16);
	o.repeat = 2;
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), (uint64_t)-EINVAL);
	o.repeat = 1;
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), 0);
	o = topts(e, args, 16);
	o.flags = BPFVM_TEST_RUN_F_L2;
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), (uint64_t)-EINVAL);
	o = topts(e, NULL, 16);
	CHECK_EQ_U64(bpfvm_prog_test_run(sys, &o), (uint64_t)-EINVAL);
	bpfvm_object_close(obj);
}

/* A checked run of a program reading the whole record: the record is the
 * run's memory. */
static void test_checked(enum bpfvm_engine e)
{
	const struct bpf_insn insns[] = { LDX(BPF_DW, 0, 1, 2040), EXIT() };
	static uint64_t rec[256];
	struct bpfvm_prog *prog;
	struct bpfvm_test_run_opts o = topts(e, rec, sizeof(rec));

	rec[255] = 0xabcdef;
	CHECK_EQ_U64(make(BPF_PROG_TYPE_TRACEPOINT, insns, ARRAY_LEN(insns),
			  &prog), 0);
	o.run_flags = BPFVM_RUN_F_CHECKED;
	CHECK_EQ_U64(bpfvm_prog_test_run(prog, &o), 0);
	CHECK_EQ_U64(o.retval, 0xabcdef);
	bpfvm_prog_free(prog);
}

int main(void)
{
	for (size_t i = 0; i < ARRAY_LEN(engines); i++) {
		test_hello(engines[i]);
		test_fields_sys_enter(engines[i]);
		test_fields_exit(engines[i]);
		test_raw_run(engines[i]);
		test_checked(engines[i]);
	}
	test_tp_access();
	test_raw_access();
	test_helpers();
	return check_report();
}
