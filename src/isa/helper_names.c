/* Linux helper names by id, from <linux/bpf.h>'s __BPF_FUNC_MAPPER. */
#include "isa.h"

#include <string.h>

/* Older headers call FN(name), newer ones FN(name, id, ctx...): take the
 * first argument only. The designator keeps the table indexed by id. */
#define FN(x, ...) [BPF_FUNC_##x] = "bpf_" #x
static const char *const linux_helpers[] = { __BPF_FUNC_MAPPER(FN) };
#undef FN

#define N_HELPERS (sizeof(linux_helpers) / sizeof(linux_helpers[0]))

const char *isa_linux_helper_name(uint32_t id)
{
	/* id 0 is BPF_FUNC_unspec, not a helper */
	return id > 0 && id < N_HELPERS ? linux_helpers[id] : NULL;
}

uint32_t isa_linux_helper_id(const char *name)
{
	if (!name)
		return 0;
	for (uint32_t id = 1; id < N_HELPERS; id++) {
		const char *h = linux_helpers[id];

		if (h && (strcmp(h, name) == 0 || strcmp(h + 4, name) == 0))
			return id;
	}
	return 0;
}
