/* The host's events (include/bpfvm/event.h): define / find, attaching
 * programs (types, record sizes, twice, detach), bpfvm_object_attach_events
 * on the pt_tp_* objects, firing (attach order, failing programs, wrong
 * sizes), the kernel docs' hello world printing through the trace, both
 * engines, and firing while other threads attach and detach. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"
#include "tp_test.h"

#define H_RECORD 1000u	/* host helper: log r1 */
#define H_DETACH 1001u	/* host helper: detach det_prog from det_ev */

static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP,
					     BPFVM_ENGINE_JIT };
static char log_buf[1024];

static uint64_t seen[64];
static atomic_uint seen_cnt;

static uint64_t h_record(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5, struct bpfvm_run *run)
{
	unsigned i = atomic_fetch_add(&seen_cnt, 1);

	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	if (i < 64)
		seen[i] = r1;
	return 0;
}

static struct bpfvm_event *det_ev;
static struct bpfvm_prog *det_prog;

static uint64_t h_detach(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5, struct bpfvm_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return (uint64_t)(int64_t)bpfvm_event_detach(det_ev, det_prog);
}

static struct bpfvm_env *new_env(void)
{
	struct bpfvm_env *env = NULL;

	CHECK_EQ_U64(bpfvm_env_create(&env), 0);
	CHECK_EQ_U64(bpfvm_helper_register(env, H_RECORD, "record", h_record),
		     0);
	CHECK_EQ_U64(bpfvm_helper_register(env, H_DETACH, "detach", h_detach),
		     0);
	return env;
}

static void seen_reset(void)
{
	atomic_store(&seen_cnt, 0);
	memset(seen, 0, sizeof(seen));
}

static struct bpfvm_prog *create(struct bpfvm_env *env, enum bpf_prog_type t,
				 const char *name, const struct bpf_insn *in,
				 size_t cnt)
{
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .env = env,
				      .prog_type = t, .name = name,
				      .log_buf = log_buf,
				      .log_size = sizeof(log_buf) };
	struct bpfvm_prog *prog = NULL;

	CHECK_EQ_U64(bpfvm_prog_create(in, cnt, &po, &prog), 0);
	return prog;
}

/* record(tag); return tag */
static struct bpfvm_prog *tag_prog(struct bpfvm_env *env,
				   enum bpf_prog_type t, int tag)
{
	const struct bpf_insn in[] = { MOV64_IMM(1, tag), CALL_HELPER(H_RECORD),
				       MOV64_IMM(0, tag), EXIT() };
	char name[16];

	snprintf(name, sizeof(name), "tag%d", tag);
	return create(env, t, name, in, ARRAY_LEN(in));
}

static struct bpfvm_event *define(struct bpfvm_env *env, const char *name,
				  enum bpf_prog_type type, size_t size)
{
	struct bpfvm_event_opts eo = { .sz = sizeof(eo), .type = type,
				       .size = size };
	struct bpfvm_event *ev = NULL;

	CHECK_EQ_U64(bpfvm_event_define(env, name, &eo, &ev), 0);
	CHECK(ev != NULL);
	return ev;
}

static int define_err(struct bpfvm_env *env, const char *name,
		      enum bpf_prog_type type, size_t size)
{
	struct bpfvm_event_opts eo = { .sz = sizeof(eo), .type = type,
				       .size = size };

	return bpfvm_event_define(env, name, &eo, NULL);
}

static void test_define(void)
{
	const enum bpf_prog_type tp = BPF_PROG_TYPE_TRACEPOINT;
	const enum bpf_prog_type raw = BPF_PROG_TYPE_RAW_TRACEPOINT;
	struct bpfvm_env *env = new_env(), *other = new_env();
	struct bpfvm_event_opts eo = { .sz = sizeof(eo), .type = tp,
				       .size = 16 };
	struct bpfvm_event *ev = define(env, "sched/sched_switch", tp, 64);
	struct bpfvm_event *r = define(env, "sys_enter", raw, 2);

	CHECK(bpfvm_event_find(env, "sched/sched_switch") == ev);
	CHECK(bpfvm_event_find(env, "sys_enter") == r);
	CHECK_STREQ(bpfvm_event_name(ev), "sched/sched_switch");
	CHECK(bpfvm_event_find(env, "sched/other") == NULL);
	CHECK(bpfvm_event_find(other, "sys_enter") == NULL);
	CHECK(bpfvm_event_find(NULL, "sys_enter") == NULL);
	CHECK(bpfvm_event_find(env, NULL) == NULL);
	CHECK(bpfvm_event_name(NULL) == NULL);
	/* the same name in another env is another event */
	CHECK(define(other, "sys_enter", raw, 6) != r);
	CHECK_EQ_U64(define_err(env, "sys_enter", raw, 2), (uint64_t)-EEXIST);
	CHECK_EQ_U64(define_err(env, "sched/sched_switch", tp, 64),
		     (uint64_t)-EEXIST);
	/* names: "<category>/<name>" for tracepoints, "<name>" raw */
	static const char *const bad_tp[] = { "noslash", "a/", "/b", "a/b/c",
					      "a b/c", "", "a/b\n" };
	for (size_t i = 0; i < ARRAY_LEN(bad_tp); i++)
		CHECK_EQ_U64(define_err(env, bad_tp[i], tp, 16),
			     (uint64_t)-EINVAL);
	CHECK_EQ_U64(define_err(env, "a/b", raw, 1), (uint64_t)-EINVAL);
	CHECK_EQ_U64(define_err(env, "", raw, 1), (uint64_t)-EINVAL);
	/* sizes: a record holds its 8-byte header, at most 8192 bytes;
	 * raw tracepoints have at most 12 arguments */
	CHECK_EQ_U64(define_err(env, "s/a", tp, 7), (uint64_t)-EINVAL);
	CHECK_EQ_U64(define_err(env, "s/a", tp, 8193), (uint64_t)-EINVAL);
	CHECK_EQ_U64(define_err(env, "s/a", tp, 8), 0);
	CHECK_EQ_U64(define_err(env, "s/b", tp, 8192), 0);
	CHECK_EQ_U64(define_err(env, "r13", raw, 13), (uint64_t)-EINVAL);
	CHECK_EQ_U64(define_err(env, "r12", raw, 12), 0);
	CHECK_EQ_U64(define_err(env, "r0", raw, 0), 0);
	CHECK_EQ_U64(define_err(env, "x/y", BPF_PROG_TYPE_XDP, 16),
		     (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_define(NULL, "s/c", &eo, NULL),
		     (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_define(env, NULL, &eo, NULL),
		     (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_define(env, "s/c", NULL, NULL),
		     (uint64_t)-EINVAL);
	bpfvm_env_free(env);
	bpfvm_env_free(other);
}

/* Attach order, twice, detach, types, wrong sizes, failing programs. */
static void test_attach_fire(enum bpfvm_engine e)
{
	struct bpfvm_env *env = new_env();
	struct bpfvm_event *ev =
		define(env, "test/ev", BPF_PROG_TYPE_TRACEPOINT, 16);
	struct bpfvm_prog *p1 = tag_prog(env, BPF_PROG_TYPE_TRACEPOINT, 1);
	struct bpfvm_prog *p2 = tag_prog(env, BPF_PROG_TYPE_TRACEPOINT, 2);
	struct bpfvm_prog *p3 = tag_prog(env, BPF_PROG_TYPE_TRACEPOINT, 3);
	struct bpfvm_prog *raw = tag_prog(env, BPF_PROG_TYPE_RAW_TRACEPOINT, 9);
	/* reads 8 bytes at 0x8 of host memory: a checked run fails */
	const struct bpf_insn bad_in[] = { LD_IMM64(1, 8),
					   LDX(BPF_DW, 0, 1, 0), EXIT() };
	struct bpfvm_prog *bad = create(env, BPF_PROG_TYPE_TRACEPOINT, "bad",
					bad_in, ARRAY_LEN(bad_in));
	struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo), .engine = e };
	uint64_t rec[2] = { 0 };

	seen_reset();
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, &fo), 0);
	CHECK_EQ_U64(fo.runs, 0);
	CHECK_EQ_U64(bpfvm_event_attach(ev, p1, log_buf, sizeof(log_buf)), 0);
	CHECK_EQ_U64(bpfvm_event_attach(ev, p2, log_buf, sizeof(log_buf)), 0);
	CHECK_EQ_U64(bpfvm_event_attach(ev, p3, log_buf, sizeof(log_buf)), 0);
	CHECK_EQ_U64(bpfvm_event_attach(ev, p2, log_buf, sizeof(log_buf)),
		     (uint64_t)-EEXIST);
	CHECK(strstr(log_buf, "already attached") != NULL);
	CHECK_EQ_U64(bpfvm_event_attach(ev, raw, log_buf, sizeof(log_buf)),
		     (uint64_t)-EINVAL);
	CHECK(strstr(log_buf, "'tag9'") && strstr(log_buf, "'test/ev'"));
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, &fo), 0);
	CHECK_EQ_U64(fo.runs, 3);
	CHECK_EQ_U64(fo.errors, 0);
	CHECK_EQ_U64(atomic_load(&seen_cnt), 3);
	CHECK(seen[0] == 1 && seen[1] == 2 && seen[2] == 3);
	/* detach the middle one; attaching again puts it last */
	CHECK_EQ_U64(bpfvm_event_detach(ev, p2), 0);
	CHECK_EQ_U64(bpfvm_event_detach(ev, p2), (uint64_t)-ENOENT);
	CHECK_EQ_U64(bpfvm_event_detach(ev, raw), (uint64_t)-ENOENT);
	seen_reset();
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, &fo), 0);
	CHECK(atomic_load(&seen_cnt) == 2 && seen[0] == 1 && seen[1] == 3);
	CHECK_EQ_U64(bpfvm_event_attach(ev, p2, NULL, 0), 0);
	CHECK_EQ_U64(bpfvm_event_attach(ev, bad, NULL, 0), 0);
	CHECK_EQ_U64(bpfvm_event_attach(ev, p3, NULL, 0),
		     (uint64_t)-EEXIST);
	seen_reset();
	fo.run_flags = BPFVM_RUN_F_CHECKED;
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, &fo), 0);
	CHECK_EQ_U64(fo.runs, 4);
	CHECK_EQ_U64(fo.errors, 1); /* the others ran all the same */
	CHECK(atomic_load(&seen_cnt) == 3 && seen[0] == 1 && seen[1] == 3 &&
	      seen[2] == 2);
	/* the record must be exactly the event's size */
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 8, &fo), (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_fire(ev, NULL, 16, &fo), (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_fire(NULL, rec, 16, &fo), (uint64_t)-EINVAL);
	fo.sz = 4;
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, &fo), (uint64_t)-EINVAL);
	fo.sz = sizeof(fo);
	/* no opts: the interpreter, unchecked */
	seen_reset();
	CHECK_EQ_U64(bpfvm_event_detach(ev, bad), 0);
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, NULL), 0);
	CHECK_EQ_U64(atomic_load(&seen_cnt), 3);
	CHECK_EQ_U64(bpfvm_event_attach(NULL, p1, NULL, 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_attach(ev, NULL, NULL, 0), (uint64_t)-EINVAL);
	CHECK_EQ_U64(bpfvm_event_detach(NULL, p1), (uint64_t)-EINVAL);
	/* the event holds its own references: the creators' may go */
	bpfvm_prog_free(p1);
	bpfvm_prog_free(p2);
	seen_reset();
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, 16, &fo), 0);
	CHECK_EQ_U64(atomic_load(&seen_cnt), 3);
	bpfvm_prog_free(p3);
	bpfvm_prog_free(raw);
	bpfvm_prog_free(bad);
	bpfvm_env_free(env); /* drops the attached programs */
}

/* Programs see the record (tracepoint) / the arguments (raw). */
static void test_ctx(enum bpfvm_engine e)
{
	struct bpfvm_env *env = new_env();
	struct bpfvm_event *tp = define(env, "t/rec", BPF_PROG_TYPE_TRACEPOINT,
					24);
	struct bpfvm_event *raw = define(env, "args",
					 BPF_PROG_TYPE_RAW_TRACEPOINT, 3);
	const struct bpf_insn rd16[] = { LDX(BPF_DW, 1, 1, 16),
					 CALL_HELPER(H_RECORD),
					 MOV64_IMM(0, 0), EXIT() };
	const struct bpf_insn rd20[] = { LDX(BPF_W, 1, 1, 20),
					 CALL_HELPER(H_RECORD),
					 MOV64_IMM(0, 0), EXIT() };
	const struct bpf_insn rd24[] = { LDX(BPF_DW, 1, 1, 24),
					 CALL_HELPER(H_RECORD),
					 MOV64_IMM(0, 0), EXIT() };
	struct bpfvm_prog *t16 = create(env, BPF_PROG_TYPE_TRACEPOINT, "t16",
					rd16, ARRAY_LEN(rd16));
	struct bpfvm_prog *t24 = create(env, BPF_PROG_TYPE_TRACEPOINT, "t24",
					rd24, ARRAY_LEN(rd24));
	struct bpfvm_prog *r20 = create(env, BPF_PROG_TYPE_RAW_TRACEPOINT,
					"r20", rd20, ARRAY_LEN(rd20));
	struct bpfvm_prog *r24 = create(env, BPF_PROG_TYPE_RAW_TRACEPOINT,
					"r24", rd24, ARRAY_LEN(rd24));
	struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo), .engine = e };
	uint64_t rec[3] = { 0x1111, 0x2222, 0xaaaabbbbccccddddull };
	uint64_t args[3] = { 1, 2, 0x123456789ull };

	CHECK_EQ_U64(bpfvm_event_attach(tp, t16, log_buf, sizeof(log_buf)),
		     0);
	/* t24 reads bytes 24..31 of a 24-byte record */
	CHECK_EQ_U64(bpfvm_event_attach(tp, t24, log_buf, sizeof(log_buf)),
		     (uint64_t)-EINVAL);
	CHECK_STREQ(log_buf, "program 't24' reads 32 bytes of its tracepoint "
			     "record, but event 't/rec' has a record of 24 "
			     "bytes");
	CHECK_EQ_U64(bpfvm_event_attach(raw, r20, log_buf, sizeof(log_buf)),
		     0);
	CHECK_EQ_U64(bpfvm_event_attach(raw, r24, log_buf, sizeof(log_buf)),
		     (uint64_t)-EINVAL);
	CHECK_STREQ(log_buf, "program 'r24' reads 32 bytes of arguments, but "
			     "event 'args' has 3 arguments (24 bytes)");
	seen_reset();
	CHECK_EQ_U64(bpfvm_event_fire(tp, rec, sizeof(rec), &fo), 0);
	CHECK_EQ_U64(bpfvm_event_fire(raw, args, sizeof(args), &fo), 0);
	CHECK_EQ_U64(atomic_load(&seen_cnt), 2);
	CHECK_EQ_U64(seen[0], 0xaaaabbbbccccddddull);
	CHECK_EQ_U64(seen[1], 1); /* the high half of args[2] */
	CHECK_EQ_U64(bpfvm_event_fire(raw, args, 16, &fo), (uint64_t)-EINVAL);
	bpfvm_prog_free(t16);
	bpfvm_prog_free(t24);
	bpfvm_prog_free(r20);
	bpfvm_prog_free(r24);
	bpfvm_env_free(env);
}

/* The kernel docs' hello world, attached by its section name. */
static void test_hello(enum bpfvm_engine e)
{
	struct bpfvm_env *env = new_env();
	struct bpfvm_object *obj = tp_load("pt_tp_hello", env);
	struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo), .engine = e };
	struct bpfvm_event *ev;
	uint64_t rec[5] = { 0 }; /* sys_enter_execve: 40 bytes */

	CHECK(obj != NULL);
	if (!obj)
		return;
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log_buf,
						sizeof(log_buf)),
		     (uint64_t)-ENOENT);
	CHECK(strstr(log_buf, "'tracepoint/syscalls/sys_enter_execve'") &&
	      strstr(log_buf, "'bpf_prog'"));
	ev = define(env, "syscalls/sys_enter_execve", BPF_PROG_TYPE_TRACEPOINT,
		    sizeof(rec));
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log_buf,
						sizeof(log_buf)), 1);
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log_buf,
						sizeof(log_buf)),
		     (uint64_t)-EEXIST);
	tp_trace_watch(": bpf_trace_printk: Hello world\n");
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, sizeof(rec), &fo), 0);
	CHECK_EQ_U64(fo.runs, 1);
	CHECK_EQ_U64(fo.errors, 0);
	CHECK_EQ_U64(tp_hits, 1);
	/* the object may go: the event keeps its program */
	bpfvm_object_close(obj);
	CHECK_EQ_U64(bpfvm_event_fire(ev, rec, sizeof(rec), &fo), 0);
	CHECK_EQ_U64(tp_hits, 2);
	bpfvm_trace_set_callback(NULL, NULL);
	CHECK_EQ_U64(bpfvm_object_attach_events(NULL, env, NULL, 0),
		     (uint64_t)-EINVAL);
	bpfvm_env_free(env);
}

/* Record fields into maps; a record too small for one program makes
 * bpfvm_object_attach_events attach none (all or nothing). */
static void test_fields(enum bpfvm_engine e)
{
	struct bpfvm_env *env = new_env(), *small = new_env();
	struct bpfvm_object *obj = tp_load("pt_tp_fields", env);
	struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo), .engine = e };
	struct bpfvm_event *enter, *exit_ev;
	uint64_t sys[8] = { 0, 39, 100, 0, 0, 0, 0, 23 };
	uint64_t ex[4] = { 0, 0, 0, (120ull << 32) | 4321 };

	CHECK(obj != NULL);
	if (!obj)
		return;
	memcpy(&ex[1], "bash\0\0\0\0", 8);
	enter = define(small, "raw_syscalls/sys_enter",
		       BPF_PROG_TYPE_TRACEPOINT, 64);
	define(small, "sched/sched_process_exit", BPF_PROG_TYPE_TRACEPOINT, 24);
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, small, log_buf,
						sizeof(log_buf)),
		     (uint64_t)-EINVAL);
	CHECK(strstr(log_buf, "'process_exit' reads 32 bytes") &&
	      strstr(log_buf, "'sched/sched_process_exit'") &&
	      strstr(log_buf, "24 bytes"));
	CHECK_EQ_U64(bpfvm_event_fire(enter, sys, 64, &fo), 0);
	CHECK_EQ_U64(fo.runs, 0); /* count_syscalls was attached, then not */

	enter = define(env, "raw_syscalls/sys_enter", BPF_PROG_TYPE_TRACEPOINT,
		       64);
	exit_ev = define(env, "sched/sched_process_exit",
			 BPF_PROG_TYPE_TRACEPOINT, 40);
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log_buf,
						sizeof(log_buf)), 2);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_U64(bpfvm_event_fire(enter, sys, 64, &fo), 0);
	sys[1] = 1;
	CHECK_EQ_U64(bpfvm_event_fire(enter, sys, 64, &fo), 0);
	CHECK_EQ_U64(bpfvm_event_fire(exit_ev, (uint64_t[5]){ ex[0], ex[1],
							      ex[2], ex[3] },
				      40, &fo), 0);
	CHECK_EQ_U64(tp_map_u64(obj, "calls", 39), 5);
	CHECK_EQ_U64(tp_map_u64(obj, "calls", 1), 1);
	CHECK_EQ_U64(tp_map_u64(obj, "last", 0), 123);
	CHECK_EQ_U64(tp_map_u64(obj, "last", 1), (4321ull << 32) | 120);
	CHECK_EQ_U64(tp_map_u64(obj, "last", 2), ex[1]);
	bpfvm_object_close(obj);
	bpfvm_env_free(env);
	bpfvm_env_free(small);
}

/* The raw tracepoint object: four sections, four events, one of them
 * defined with too few arguments for its program. */
static void test_raw_object(void)
{
	struct bpfvm_env *env = new_env();
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo), .env = env };
	struct bpfvm_object *obj = tp_load("pt_tp_raw", env);
	const enum bpf_prog_type raw = BPF_PROG_TYPE_RAW_TRACEPOINT;
	struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo) };
	struct bpfvm_event *sys, *none;
	uint64_t args[12] = { 0 };
	char path[512];

	if (!obj) {
		CHECK(obj != NULL);
		return;
	}
	sys = define(env, "sys_enter", raw, 2);
	define(env, "sched_switch", raw, 4);
	none = define(env, "no_args", raw, 0);
	define(env, "last_arg", raw, 11);
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log_buf,
						sizeof(log_buf)),
		     (uint64_t)-EINVAL);
	CHECK(strstr(log_buf, "'raw_last' reads 96 bytes of arguments") &&
	      strstr(log_buf, "11 arguments (88 bytes)"));
	CHECK_EQ_U64(bpfvm_event_fire(sys, args, 16, &fo), 0);
	CHECK_EQ_U64(fo.runs, 0); /* all or nothing */
	bpfvm_object_close(obj);
	/* without raw_last: the three others attach */
	snprintf(path, sizeof(path), "%s/pt_tp_raw.o", BPFVM_OBJ_DIR);
	obj = NULL;
	CHECK_EQ_U64(bpfvm_object_open_file(path, NULL, &obj), 0);
	CHECK_EQ_U64(bpfvm_obj_prog_set_autoload(
			     bpfvm_object_find_prog(obj, "raw_last"), false),
		     0);
	CHECK_EQ_U64(bpfvm_object_load(obj, &lo), 0);
	CHECK_EQ_U64(bpfvm_object_attach_events(obj, env, log_buf,
						sizeof(log_buf)), 3);
	CHECK_EQ_U64(bpfvm_event_fire(sys, args, 16, &fo), 0);
	CHECK_EQ_U64(fo.runs, 1);
	CHECK_EQ_U64(bpfvm_event_fire(none, args, 0, &fo), 0);
	CHECK_EQ_U64(fo.runs, 1);
	CHECK_EQ_U64(bpfvm_event_fire(none, NULL, 0, &fo), 0);
	CHECK_EQ_U64(fo.errors, 0);
	bpfvm_object_close(obj);
	bpfvm_env_free(env);
}

/* Attaching or detaching from inside a run would wait for itself. */
static void test_no_deadlock(void)
{
	struct bpfvm_env *env = new_env();
	const struct bpf_insn in[] = { CALL_HELPER(H_DETACH),
				       MOV64_REG(1, 0), CALL_HELPER(H_RECORD),
				       MOV64_IMM(0, 0), EXIT() };
	struct bpfvm_prog *p = create(env, BPF_PROG_TYPE_TRACEPOINT, "det", in,
				      ARRAY_LEN(in));

	det_ev = define(env, "t/det", BPF_PROG_TYPE_TRACEPOINT, 8);
	det_prog = p;
	CHECK_EQ_U64(bpfvm_event_attach(det_ev, p, NULL, 0), 0);
	seen_reset();
	CHECK_EQ_U64(bpfvm_event_fire(det_ev, (uint64_t[1]){ 0 }, 8, NULL), 0);
	CHECK_EQ_U64(seen[0], (uint64_t)-EDEADLK);
	CHECK_EQ_U64(bpfvm_event_detach(det_ev, p), 0); /* from outside: fine */
	bpfvm_prog_free(p);
	bpfvm_env_free(env);
}

/* Firing threads against an attaching / detaching one: every run the
 * fires report happened (the programs count themselves), nothing freed
 * under a run (ASan). */
#define T_FIRERS 2
#define T_ROUNDS 4000

struct firer {
	struct bpfvm_event *ev;
	atomic_bool *stop;
	atomic_ulong fires;
	uint64_t runs;
	enum bpfvm_engine engine;
};

static void *fire_loop(void *arg)
{
	struct firer *f = arg;
	struct bpfvm_event_fire_opts fo = { .sz = sizeof(fo),
					    .engine = f->engine };
	uint64_t rec[2] = { 0 };

	while (!atomic_load(f->stop)) {
		if (bpfvm_event_fire(f->ev, rec, 16, &fo) == 0)
			f->runs += fo.runs;
		atomic_fetch_add(&f->fires, 1);
	}
	return NULL;
}

static void test_threads(void)
{
	struct bpfvm_env *env = new_env();
	struct bpfvm_event *ev =
		define(env, "t/threads", BPF_PROG_TYPE_TRACEPOINT, 16);
	struct bpfvm_prog *p[4];
	struct firer f[T_FIRERS];
	pthread_t th[T_FIRERS];
	atomic_bool stop = false;
	uint64_t runs = 0, fires = 0, bad = 0, rounds = 0;

	for (int i = 0; i < 4; i++)
		p[i] = tag_prog(env, BPF_PROG_TYPE_TRACEPOINT, i + 1);
	seen_reset();
	for (int i = 0; i < T_FIRERS; i++) {
		f[i] = (struct firer){ .ev = ev, .stop = &stop,
				       .engine = engines[i % 2] };
		pthread_create(&th[i], NULL, fire_loop, &f[i]);
	}
	for (int i = 0; i < T_FIRERS; i++) /* all of them firing */
		while (!atomic_load(&f[i].fires))
			sched_yield();
	/* T_ROUNDS at least, and until the firers ran programs in between
	 * (threads may not overlap at once on a busy machine) */
	for (int r = 0; r < T_ROUNDS || (atomic_load(&seen_cnt) < 1000 &&
					 r < 100 * T_ROUNDS); r++) {
		struct bpfvm_prog *q = p[r % 4];

		if (bpfvm_event_attach(ev, q, NULL, 0) == -EEXIST)
			bad += bpfvm_event_detach(ev, q) != 0;
		rounds++;
	}
	atomic_store(&stop, true);
	CHECK_EQ_U64(bad, 0);
	for (int i = 0; i < T_FIRERS; i++) {
		pthread_join(th[i], NULL);
		runs += f[i].runs;
		fires += atomic_load(&f[i].fires);
	}
	CHECK_EQ_U64(atomic_load(&seen_cnt), runs);
	CHECK(runs >= 1000);
	printf("threads: %" PRIu64 " fires, %" PRIu64 " program runs, %" PRIu64
	       " attach/detach\n", fires, runs, rounds);
	for (int i = 0; i < 4; i++)
		bpfvm_prog_free(p[i]);
	bpfvm_env_free(env);
}

int main(void)
{
	test_define();
	for (size_t i = 0; i < ARRAY_LEN(engines); i++) {
		test_attach_fire(engines[i]);
		test_ctx(engines[i]);
		test_hello(engines[i]);
		test_fields(engines[i]);
	}
	test_raw_object();
	test_no_deadlock();
	test_threads();
	return check_report();
}
