/* The per-thread redirect decision (redirect.h): a run executes on one
 * thread from start to end, as the kernel's per-CPU bpf_redirect_info
 * serves one program at a time on its CPU. */
#include "progtypes/redirect.h"

static _Thread_local struct bpfvm_redirect decision;

void pt_redirect_clear(void)
{
	decision.kind = BPFVM_REDIRECT_NONE;
}

void pt_redirect_set(enum bpfvm_redirect_kind kind, uint32_t index,
		     uint64_t flags)
{
	decision = (struct bpfvm_redirect){ kind, index, flags };
}

struct bpfvm_redirect pt_redirect_get(void)
{
	struct bpfvm_redirect r = decision;

	if (r.kind == BPFVM_REDIRECT_NONE)
		return (struct bpfvm_redirect){ 0 };
	return r;
}
