/* Events: the host's tracepoints. The host defines an event by name and
 * fires it with an argument record; every program attached to it runs.
 *
 *   tracepoint      SEC("tracepoint/<category>/<name>"), event
 *                   "<category>/<name>": the program's ctx is the record
 *                   (as the kernel's trace event record: the 8-byte common
 *                   header, then the fields), read-only.
 *   raw tracepoint  SEC("raw_tracepoint/<name>") / SEC("raw_tp/<name>"),
 *                   event "<name>": the ctx is an array of u64 arguments.
 *
 * Events live in an environment (the one programs were created with), so
 * separate embeddings do not see each other's events. */
#ifndef BPFVM_EVENT_H
#define BPFVM_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/env.h>
#include <bpfvm/prog.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_event;
struct bpfvm_object;

struct bpfvm_event_opts {
	size_t sz;		/* sizeof(struct bpfvm_event_opts) */
	/* BPF_PROG_TYPE_TRACEPOINT or BPF_PROG_TYPE_RAW_TRACEPOINT: which
	 * programs may attach. */
	enum bpf_prog_type type;
	/* Tracepoint: the record's size; attaching a program that reads
	 * past it fails. Raw tracepoint: the number of u64 arguments
	 * (at most 12, the kernel's MAX_BPF_FUNC_ARGS). */
	size_t size;
};

/* Define event `name` in env. -EEXIST if defined, -EINVAL for a bad
 * name, type or size. The event lives until the env is freed. */
int bpfvm_event_define(struct bpfvm_env *env, const char *name,
		       const struct bpfvm_event_opts *opts,
		       struct bpfvm_event **out);
/* The event of that name in env, or NULL. */
struct bpfvm_event *bpfvm_event_find(const struct bpfvm_env *env,
				     const char *name);
const char *bpfvm_event_name(const struct bpfvm_event *ev);

/* Attach prog (taking a reference): its type must be the event's and
 * what it reads of the ctx must lie within the record (-EINVAL with a
 * message in log). A program attaches to an event once (-EEXIST). */
int bpfvm_event_attach(struct bpfvm_event *ev, struct bpfvm_prog *prog,
		       char *log, size_t log_size);
/* -ENOENT when prog is not attached. */
int bpfvm_event_detach(struct bpfvm_event *ev, struct bpfvm_prog *prog);

/* Attach every loaded tracepoint / raw tracepoint program of obj to the
 * event its section names, defining nothing: an event it names must have
 * been defined (-ENOENT, with the section in log). Returns the number of
 * programs attached, or -errno. */
int bpfvm_object_attach_events(struct bpfvm_object *obj,
			       struct bpfvm_env *env, char *log,
			       size_t log_size);

struct bpfvm_event_fire_opts {
	size_t sz;		/* sizeof(struct bpfvm_event_fire_opts) */
	enum bpfvm_engine engine;
	uint32_t run_flags;	/* BPFVM_RUN_F_* */
	/* out */
	uint32_t runs;		/* programs run */
	uint32_t errors;	/* runs that failed (not counting r0) */
};

/* Run every attached program, in attach order, on the record (tracepoint:
 * `size` bytes, exactly the event's size; raw tracepoint: `size` bytes of
 * u64 arguments, the event's count of them). -EINVAL for a wrong size.
 * A failing program does not stop the others (counted in opts->errors).
 * Programs may be attached and detached while others fire (but not from
 * inside a program run by a fire: -EDEADLK). */
int bpfvm_event_fire(struct bpfvm_event *ev, const void *record, size_t size,
		     struct bpfvm_event_fire_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
