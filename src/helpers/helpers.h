/* The built-in helpers: each group file (helpers_*.c) exports one table of
 * definitions ending with a zero id; table.c puts them into every new
 * environment under their Linux ids (enum bpf_func_id). */
#ifndef BPFVM_HELPERS_HELPERS_H
#define BPFVM_HELPERS_HELPERS_H

#include <bpfvm/env.h>
#include "helpers/proto.h"

struct helper_def {
	uint32_t id;		/* BPF_FUNC_* */
	bpfvm_helper_fn fn;
	struct helper_proto proto;
};

/* One table per group, each ended by { 0 }. */
extern const struct helper_def hlp_maps[];	/* map_* elem helpers */
extern const struct helper_def hlp_misc[];	/* time, ids, random, comm, locks */
extern const struct helper_def hlp_trace[];	/* trace_printk, snprintf */
extern const struct helper_def hlp_probe[];	/* probe_read* */
extern const struct helper_def hlp_string[];	/* strncmp, strtol, csum_diff */
extern const struct helper_def hlp_ringbuf[];	/* ringbuf_*, perf_event_output */
extern const struct helper_def hlp_flow[];	/* tail_call, loop, for_each */
extern const struct helper_def hlp_xdp[];	/* xdp_adjust_*, redirect(_map) */
extern const struct helper_def hlp_skb[];	/* skb_*, l3/l4_csum_replace */

/* The definition of built-in helper `id`, or NULL. */
const struct helper_def *helper_def_find(uint32_t id);

/* Register every built-in helper in env; 0 or -ENOMEM. */
int helpers_register_builtin(struct bpfvm_env *env);

#endif
