/* Attaching programs to an event and firing it (see event_priv.h for how
 * firing stays lock-free against attach / detach). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "progtypes/event_priv.h"
#include "progtypes/tracing.h"

/* Events this thread is firing: attaching or detaching from inside a run
 * would wait for itself. */
static _Thread_local unsigned ev_firing;

/* Enter a read section; returns the counter to leave. The phase is
 * checked again after counting in, so a writer that flipped it in
 * between is sure to see this reader or to have published first. */
static unsigned ev_read_lock(struct bpfvm_event *ev)
{
	for (;;) {
		uint64_t p = atomic_load(&ev->phase);

		atomic_fetch_add(&ev->active[p & 1], 1);
		if (atomic_load(&ev->phase) == p)
			return p & 1;
		atomic_fetch_sub(&ev->active[p & 1], 1);
	}
}

static void ev_read_unlock(struct bpfvm_event *ev, unsigned which)
{
	atomic_fetch_sub(&ev->active[which], 1);
}

/* Wait until no reader can still hold a snapshot replaced before the
 * call (ev->lock held). */
static void ev_synchronize(struct bpfvm_event *ev)
{
	uint64_t old = atomic_fetch_add(&ev->phase, 1);

	while (atomic_load(&ev->active[old & 1]))
		sched_yield();
}

/* Publish `snap` (NULL: empty) and free the one it replaces. */
static void ev_publish(struct bpfvm_event *ev, struct ev_snap *snap)
{
	struct ev_snap *old = atomic_exchange(&ev->snap, snap);

	ev_synchronize(ev);
	free(old);
}

static struct ev_snap *ev_snap_new(uint32_t cnt)
{
	struct ev_snap *s = malloc(sizeof(*s) + cnt * sizeof(s->progs[0]));

	if (s)
		s->cnt = cnt;
	return s;
}

static int ev_snap_index(const struct ev_snap *s, const struct bpfvm_prog *p)
{
	for (uint32_t i = 0; s && i < s->cnt; i++)
		if (s->progs[i] == p)
			return (int)i;
	return -1;
}

static const char *ev_prog_name(const struct bpfvm_prog *prog, char *buf,
				size_t size)
{
	if (prog->name && prog->name[0])
		return prog->name;
	snprintf(buf, size, "prog#%u", prog->id);
	return buf;
}

/* The program's type is the event's and what it reads lies within the
 * record. */
static int ev_check_prog(const struct bpfvm_event *ev,
			 const struct bpfvm_prog *prog, char *log,
			 size_t log_size)
{
	enum bpf_prog_type type = bpfvm_prog_type(prog);
	char nbuf[24];
	const char *name = ev_prog_name(prog, nbuf, sizeof(nbuf));

	if (type != ev->type)
		return core_logf(log, log_size, -EINVAL,
				 "program '%s' (type %d) cannot attach to "
				 "event '%s', which runs %s programs",
				 name, (int)type, ev->name,
				 ev->type == BPF_PROG_TYPE_TRACEPOINT
					 ? "tracepoint" : "raw_tracepoint");
	if (prog->ctx_used <= ev->size)
		return 0;
	if (ev->type == BPF_PROG_TYPE_TRACEPOINT)
		return core_logf(log, log_size, -EINVAL,
				 "program '%s' reads %u bytes of its "
				 "tracepoint record, but event '%s' has a "
				 "record of %zu bytes",
				 name, prog->ctx_used, ev->name, ev->size);
	return core_logf(log, log_size, -EINVAL,
			 "program '%s' reads %u bytes of arguments, but event "
			 "'%s' has %zu arguments (%zu bytes)",
			 name, prog->ctx_used, ev->name, ev->size / 8,
			 ev->size);
}

int bpfvm_event_attach(struct bpfvm_event *ev, struct bpfvm_prog *prog,
		       char *log, size_t log_size)
{
	struct ev_snap *old, *snap;
	int err;

	if (!ev || !prog)
		return core_logf(log, log_size, -EINVAL,
				 "no event or no program");
	if (ev_firing)
		return core_logf(log, log_size, -EDEADLK,
				 "event '%s': cannot attach from inside a "
				 "program run by an event", ev->name);
	err = ev_check_prog(ev, prog, log, log_size);
	if (err)
		return err;
	pthread_mutex_lock(&ev->lock);
	old = atomic_load(&ev->snap);
	if (ev_snap_index(old, prog) >= 0) {
		err = core_logf(log, log_size, -EEXIST,
				"program '%s' is already attached to event "
				"'%s'", prog->name, ev->name);
	} else if (!(snap = ev_snap_new(old ? old->cnt + 1 : 1))) {
		err = -ENOMEM;
	} else {
		if (old)
			memcpy(snap->progs, old->progs,
			       old->cnt * sizeof(old->progs[0]));
		snap->progs[snap->cnt - 1] = prog;
		core_prog_get(prog);
		ev_publish(ev, snap);
	}
	pthread_mutex_unlock(&ev->lock);
	return err;
}

int bpfvm_event_detach(struct bpfvm_event *ev, struct bpfvm_prog *prog)
{
	struct ev_snap *old, *snap = NULL;
	int i, err = 0;

	if (!ev || !prog)
		return -EINVAL;
	if (ev_firing)
		return -EDEADLK;
	pthread_mutex_lock(&ev->lock);
	old = atomic_load(&ev->snap);
	i = ev_snap_index(old, prog);
	if (i < 0) {
		err = -ENOENT;
	} else if (old->cnt > 1 && !(snap = ev_snap_new(old->cnt - 1))) {
		err = -ENOMEM;
	} else {
		if (snap) {
			memcpy(snap->progs, old->progs,
			       i * sizeof(old->progs[0]));
			memcpy(snap->progs + i, old->progs + i + 1,
			       (old->cnt - i - 1) * sizeof(old->progs[0]));
		}
		ev_publish(ev, snap);
		core_prog_put(prog); /* no run can still be using it */
	}
	pthread_mutex_unlock(&ev->lock);
	return err;
}

void ev_event_free(struct bpfvm_event *ev)
{
	struct ev_snap *snap = atomic_load(&ev->snap);

	for (uint32_t i = 0; snap && i < snap->cnt; i++)
		core_prog_put(snap->progs[i]);
	free(snap);
	pthread_mutex_destroy(&ev->lock);
	free(ev->name);
	free(ev);
}

/* Run each program on the record (a copy: aligned, and the caller's
 * stays untouched). */
static void ev_run_all(const struct ev_snap *snap, void *rec, size_t size,
		       struct bpfvm_event_fire_opts *opts)
{
	struct bpfvm_run_opts ro = {
		.sz = sizeof(ro),
		.engine = OPTS_GET(opts, engine, BPFVM_ENGINE_INTERP),
		.flags = OPTS_GET(opts, run_flags, 0),
	};
	uint32_t errors = 0;

	for (uint32_t i = 0; i < snap->cnt; i++) {
		uint64_t r0;

		if (bpfvm_prog_run(snap->progs[i], rec, size, &r0, &ro))
			errors++;
	}
	OPTS_SET(opts, runs, snap->cnt);
	OPTS_SET(opts, errors, errors);
}

int bpfvm_event_fire(struct bpfvm_event *ev, const void *record, size_t size,
		     struct bpfvm_event_fire_opts *opts)
{
	uint64_t rec[PT_MAX_TRACE_SIZE / 8];
	struct ev_snap *snap;
	unsigned which;

	if (!ev || size != ev->size || (size && !record) ||
	    (opts && opts->sz < offsetof(struct bpfvm_event_fire_opts, runs)))
		return -EINVAL;
	OPTS_SET(opts, runs, 0);
	OPTS_SET(opts, errors, 0);
	if (!atomic_load_explicit(&ev->snap, memory_order_relaxed))
		return 0; /* nothing attached: no read section needed */
	which = ev_read_lock(ev);
	snap = atomic_load(&ev->snap);
	if (snap) {
		if (size)
			memcpy(rec, record, size);
		ev_firing++;
		ev_run_all(snap, rec, size, opts);
		ev_firing--;
	}
	ev_read_unlock(ev, which);
	return 0;
}
