/* Inside the host's events (event.c: the env's table and definitions;
 * event_attach.c: attaching and firing; event_object.c: objects).
 *
 * Firing reads the attached programs without a lock: they sit in an
 * immutable snapshot that attach / detach replace. A replaced snapshot is
 * freed after a grace period: firing threads count themselves into one
 * of two counters chosen by the event's phase, and the writer flips the
 * phase and waits for the old phase's counter to drain. */
#ifndef BPFVM_PROGTYPES_EVENT_PRIV_H
#define BPFVM_PROGTYPES_EVENT_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <bpfvm/event.h>

struct ev_snap {
	uint32_t cnt;
	struct bpfvm_prog *progs[]; /* attach order; one reference each */
};

struct bpfvm_event {
	struct bpfvm_event *next;	/* the env's list */
	char *name;
	enum bpf_prog_type type;
	size_t size;			/* record bytes (raw: 8 per argument) */
	pthread_mutex_t lock;		/* attach / detach */
	_Atomic(struct ev_snap *) snap;	/* NULL: nothing attached */
	_Atomic uint64_t phase;
	_Atomic uint64_t active[2];	/* firing threads per phase parity */
};

/* Drop the event's programs and free it (the env is going). */
void ev_event_free(struct bpfvm_event *ev);

#endif
