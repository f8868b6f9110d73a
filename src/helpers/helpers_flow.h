/* The flow group's helpers the engines recognise (helpers_flow.c). */
#ifndef BPFVM_HELPERS_HELPERS_FLOW_H
#define BPFVM_HELPERS_HELPERS_FLOW_H

#include <stdbool.h>
#include <bpfvm/env.h>

/* Is fn the built-in bpf_tail_call? The engines run a call of it as a
 * tail call (it replaces the program); the function itself is only
 * reached by callx or under another id, and then ends the run with
 * -EOPNOTSUPP. */
bool hlp_is_tail_call(bpfvm_helper_fn fn);

/* Does built-in helper `id` take a callback (a BPF_PSEUDO_FUNC value)?
 * The JIT tells such calls where the program is (eng_run_callback). */
bool hlp_takes_callback(uint32_t id);

#endif
