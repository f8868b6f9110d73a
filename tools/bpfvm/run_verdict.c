/* Verdicts by program type (run_verdict.h). */
#include "run_verdict.h"

#include <linux/pkt_cls.h>
#include <stdio.h>

bool run_verdict_type_ok(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_XDP ||
	       type == BPF_PROG_TYPE_SOCKET_FILTER ||
	       type == BPF_PROG_TYPE_SCHED_CLS ||
	       type == BPF_PROG_TYPE_SCHED_ACT;
}

uint32_t run_verdict_flags(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_SOCKET_FILTER ? BPFVM_TEST_RUN_F_L2 : 0;
}

const char *const *run_verdict_names(enum bpf_prog_type type)
{
	static const char *const xdp[] = { "aborted", "drop", "pass", "tx",
					   "redirect", NULL };
	static const char *const tc[] = { "pass", "drop", "redirect", NULL };
	static const char *const sock[] = { "pass", "drop", NULL };

	if (type == BPF_PROG_TYPE_XDP)
		return xdp;
	return type == BPF_PROG_TYPE_SOCKET_FILTER ? sock : tc;
}

/* "dev3", "cpu1", "xsk0"; "dev3-ingress" for bpf_redirect's
 * BPF_F_INGRESS (tc); "" when nothing was chosen. */
static void port_name(const struct bpfvm_redirect *r, bool tc, char *buf,
		      size_t size)
{
	static const char *const kinds[] = {
		[BPFVM_REDIRECT_DEV] = "dev",
		[BPFVM_REDIRECT_CPU] = "cpu",
		[BPFVM_REDIRECT_XSK] = "xsk",
	};

	if (r->kind <= BPFVM_REDIRECT_NONE || r->kind > BPFVM_REDIRECT_XSK) {
		buf[0] = 0;
		return;
	}
	snprintf(buf, size, "%s%u%s", kinds[r->kind], r->index,
		 tc && (r->flags & BPF_F_INGRESS) ? "-ingress" : "");
}

static void xdp_verdict(const struct bpfvm_test_run_opts *o,
			struct run_verdict *v)
{
	static const char *const actions[] = {
		[XDP_ABORTED] = "aborted", [XDP_DROP] = "drop",
		[XDP_PASS] = "pass", [XDP_TX] = "tx",
		[XDP_REDIRECT] = "redirect",
	};

	/* drivers treat an unknown action as XDP_ABORTED */
	v->name = o->retval <= XDP_REDIRECT ? actions[o->retval] : "invalid";
	v->carries = o->retval == XDP_PASS || o->retval == XDP_TX;
	if (o->retval == XDP_REDIRECT) {
		port_name(&o->redirect, false, v->port, sizeof(v->port));
		v->carries = v->port[0] != 0;
	}
	v->out_len = o->data_size_out;
}

static void tc_verdict(const struct bpfvm_test_run_opts *o,
		       struct run_verdict *v)
{
	static const char *const acts[] = {
		[TC_ACT_OK] = "pass", [TC_ACT_RECLASSIFY] = "reclassify",
		[TC_ACT_SHOT] = "drop", [TC_ACT_PIPE] = "pipe",
		[TC_ACT_STOLEN] = "stolen", [TC_ACT_QUEUED] = "queued",
		[TC_ACT_REPEAT] = "repeat", [TC_ACT_REDIRECT] = "redirect",
		[TC_ACT_TRAP] = "trap",
	};
	int32_t act = (int32_t)o->retval;

	if (act == TC_ACT_UNSPEC)
		act = TC_ACT_OK;
	v->name = act >= 0 && act <= TC_ACT_VALUE_MAX ? acts[act] : "invalid";
	v->carries = act == TC_ACT_OK;
	if (act == TC_ACT_REDIRECT) {
		port_name(&o->redirect, true, v->port, sizeof(v->port));
		v->carries = v->port[0] != 0;
	}
	v->out_len = o->data_size_out;
}

void run_verdict_of(enum bpf_prog_type type,
		    const struct bpfvm_test_run_opts *o, uint32_t in_len,
		    struct run_verdict *v)
{
	v->port[0] = 0;
	v->out_is_input = type == BPF_PROG_TYPE_SOCKET_FILTER;
	if (type == BPF_PROG_TYPE_XDP) {
		xdp_verdict(o, v);
	} else if (type == BPF_PROG_TYPE_SOCKET_FILTER) {
		/* the kernel keeps min(retval, len) bytes; 0 drops */
		v->name = o->retval ? "pass" : "drop";
		v->carries = o->retval != 0;
		v->out_len = o->retval < in_len ? o->retval : in_len;
	} else {
		tc_verdict(o, v);
	}
}
