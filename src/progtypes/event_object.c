/* Attaching an object's tracepoint programs to the events their section
 * names, as libbpf's auto-attach does for SEC("tp/...") / ("raw_tp/..."). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/object.h>
#include "core/log.h"
#include "progtypes/event_priv.h"

/* The event a program's section names, "" when it names none (SEC("tp")
 * alone: libbpf skips those too), NULL for other programs. */
static const char *ev_section_event(const struct bpfvm_obj_prog *p)
{
	static const struct {
		const char *prefix;
		enum bpf_prog_type type;
	} forms[] = {
		{ "tracepoint/", BPF_PROG_TYPE_TRACEPOINT },
		{ "tp/", BPF_PROG_TYPE_TRACEPOINT },
		{ "raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT },
		{ "raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT },
	};
	const char *sec = bpfvm_obj_prog_section(p);
	enum bpf_prog_type type = bpfvm_obj_prog_type(p);

	if (type != BPF_PROG_TYPE_TRACEPOINT &&
	    type != BPF_PROG_TYPE_RAW_TRACEPOINT)
		return NULL;
	for (size_t i = 0; sec && i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i].prefix);

		if (forms[i].type == type && !strncmp(sec, forms[i].prefix, n))
			return sec + n;
	}
	return "";
}

struct ev_attached {
	struct bpfvm_event *ev;
	struct bpfvm_prog *prog;
};

/* Attach program i of obj, if it is one to attach; 1 when attached. */
static int ev_attach_one(struct bpfvm_obj_prog *p, struct bpfvm_env *env,
			 struct ev_attached *done, char *log, size_t log_size)
{
	const char *name = ev_section_event(p);
	struct bpfvm_prog *prog = bpfvm_obj_prog_prog(p);
	struct bpfvm_event *ev;
	int err;

	if (!name || !name[0] || !prog)
		return 0; /* not an event program, or not loaded */
	ev = bpfvm_event_find(env, name);
	if (!ev || bpfvm_prog_type(prog) != ev->type)
		return core_logf(log, log_size, -ENOENT,
				 "section '%s' (program '%s'): no %s event "
				 "'%s' is defined",
				 bpfvm_obj_prog_section(p),
				 bpfvm_obj_prog_name(p),
				 bpfvm_prog_type(prog) ==
						 BPF_PROG_TYPE_TRACEPOINT
					 ? "tracepoint" : "raw tracepoint",
				 name);
	err = bpfvm_event_attach(ev, prog, log, log_size);
	if (err)
		return err;
	done->ev = ev;
	done->prog = prog;
	return 1;
}

int bpfvm_object_attach_events(struct bpfvm_object *obj,
			       struct bpfvm_env *env, char *log,
			       size_t log_size)
{
	size_t cnt = obj ? bpfvm_object_prog_cnt(obj) : 0;
	struct ev_attached *done;
	int n = 0, err = 0;

	if (!obj || !env)
		return core_logf(log, log_size, -EINVAL,
				 "no object or no environment");
	done = calloc(cnt ? cnt : 1, sizeof(*done));
	if (!done)
		return -ENOMEM;
	for (size_t i = 0; i < cnt && err >= 0; i++) {
		err = ev_attach_one(bpfvm_object_prog(obj, i), env, done + n,
				    log, log_size);
		n += err > 0;
	}
	if (err < 0) /* all or nothing */
		while (n--)
			bpfvm_event_detach(done[n].ev, done[n].prog);
	free(done);
	return err < 0 ? err : n;
}
