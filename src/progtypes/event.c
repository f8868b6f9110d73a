/* The host's events: each env keeps a list of them, made on first
 * define, freed with the env. Lookups walk the list without a lock
 * (events are only ever added, at the head); defines take the table's
 * lock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/env_priv.h"
#include "core/opts.h"
#include "progtypes/event_priv.h"
#include "progtypes/tracing.h"

#define EV_NAME_MAX 255u

struct ev_table {
	pthread_mutex_t lock;	/* define */
	_Atomic(struct bpfvm_event *) head;
};

static void ev_table_free(void *p)
{
	struct ev_table *t = p;
	struct bpfvm_event *ev, *next;

	if (!t)
		return;
	for (ev = atomic_load(&t->head); ev; ev = next) {
		next = ev->next;
		ev_event_free(ev);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct ev_table *ev_table_get(struct bpfvm_env *env)
{
	struct ev_table *t = core_env_events(env), *got;

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	got = core_env_events_install(env, t, ev_table_free);
	if (got != t)
		ev_table_free(t); /* another thread made it first */
	return got;
}

/* A word of printable characters, none of them '/'. */
static size_t ev_word_len(const char *s)
{
	size_t n = 0;

	while (s[n] > ' ' && s[n] < 0x7f && s[n] != '/')
		n++;
	return n;
}

/* Tracepoints are "<category>/<name>", raw tracepoints "<name>". */
static bool ev_name_ok(const char *name, enum bpf_prog_type type)
{
	size_t n = ev_word_len(name), len = strlen(name);

	if (!n || len > EV_NAME_MAX)
		return false;
	if (type == BPF_PROG_TYPE_RAW_TRACEPOINT)
		return n == len;
	return name[n] == '/' && ev_word_len(name + n + 1) &&
	       n + 1 + ev_word_len(name + n + 1) == len;
}

/* The record's size in bytes for opts, or -EINVAL when out of range. */
static int ev_record_size(const struct bpfvm_event_opts *opts, size_t *bytes)
{
	size_t size = OPTS_GET(opts, size, 0);

	switch (OPTS_GET(opts, type, BPF_PROG_TYPE_UNSPEC)) {
	case BPF_PROG_TYPE_TRACEPOINT:
		/* the 8-byte common header at least */
		*bytes = size;
		return size >= 8 && size <= PT_MAX_TRACE_SIZE ? 0 : -EINVAL;
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		*bytes = size * 8; /* no arguments at all is fine */
		return size <= PT_RAW_TP_MAX_ARGS ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static struct bpfvm_event *ev_find(const struct ev_table *t, const char *name)
{
	struct bpfvm_event *ev;

	for (ev = atomic_load(&((struct ev_table *)t)->head); ev; ev = ev->next)
		if (!strcmp(ev->name, name))
			return ev;
	return NULL;
}

static struct bpfvm_event *ev_new(const char *name, enum bpf_prog_type type,
				  size_t size)
{
	struct bpfvm_event *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return NULL;
	ev->name = strdup(name);
	if (!ev->name) {
		free(ev);
		return NULL;
	}
	ev->type = type;
	ev->size = size;
	pthread_mutex_init(&ev->lock, NULL);
	return ev;
}

int bpfvm_event_define(struct bpfvm_env *env, const char *name,
		       const struct bpfvm_event_opts *opts,
		       struct bpfvm_event **out)
{
	enum bpf_prog_type type = OPTS_GET(opts, type, BPF_PROG_TYPE_UNSPEC);
	struct bpfvm_event *ev;
	struct ev_table *t;
	size_t size = 0;
	int err = ev_record_size(opts, &size);

	if (err || !env || !name || !ev_name_ok(name, type))
		return -EINVAL;
	t = ev_table_get(env);
	if (!t)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock);
	if (ev_find(t, name)) {
		err = -EEXIST;
	} else if (!(ev = ev_new(name, type, size))) {
		err = -ENOMEM;
	} else {
		ev->next = atomic_load(&t->head);
		atomic_store(&t->head, ev); /* published whole */
		if (out)
			*out = ev;
	}
	pthread_mutex_unlock(&t->lock);
	return err;
}

struct bpfvm_event *bpfvm_event_find(const struct bpfvm_env *env,
				     const char *name)
{
	const struct ev_table *t = env ? core_env_events(env) : NULL;

	return t && name ? ev_find(t, name) : NULL;
}

const char *bpfvm_event_name(const struct bpfvm_event *ev)
{
	return ev ? ev->name : NULL;
}
