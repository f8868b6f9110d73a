/* libbpf-style options structs: a field counts only when the caller's
 * struct (its sz) is large enough to hold it. */
#ifndef BPFVM_CORE_OPTS_H
#define BPFVM_CORE_OPTS_H

#include <stddef.h>

#define OPTS_HAS(opts, field)                                               \
	((opts) && (opts)->sz >= offsetof(typeof(*(opts)), field) +         \
					 sizeof((opts)->field))
#define OPTS_GET(opts, field, fallback)                                     \
	(OPTS_HAS(opts, field) ? (opts)->field : (fallback))
#define OPTS_SET(opts, field, value)                                        \
	do {                                                                \
		if (OPTS_HAS(opts, field))                                  \
			(opts)->field = (value);                            \
	} while (0)

#endif
