/* The redirect decision of the current run (the kernel's per-CPU
 * bpf_redirect_info): bpf_redirect / bpf_redirect_map record where the
 * packet goes and return XDP_REDIRECT / TC_ACT_REDIRECT; the runner reads
 * it after the run. Per thread: a run executes on one thread. */
#ifndef BPFVM_PROGTYPES_REDIRECT_H
#define BPFVM_PROGTYPES_REDIRECT_H

#include <stdint.h>
#include <bpfvm/test_run.h>

void pt_redirect_clear(void);
void pt_redirect_set(enum bpfvm_redirect_kind kind, uint32_t index,
		     uint64_t flags);
/* The decision so far (kind NONE when none). */
struct bpfvm_redirect pt_redirect_get(void);

#endif
