/* The interpreter's variants: one body, compiled four times, so the fast
 * variant pays nothing for counting or bounds checks. Only the fast one
 * runs fused slots: the others account for every instruction. */
#include <stdbool.h>
#include <string.h>

#include "engine/alu.h"
#include "engine/atomic.h"
#include "engine/ld_pkt.h"
#include "engine/run.h"

#define eng_unlikely(x) __builtin_expect(!!(x), 0)
#define ENG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define INTERP_FN eng_interp_fast
#define INTERP_FUSED 1
#define INTERP_COUNTED 0
#define INTERP_CHECKED 0
#include "engine/interp_body.h"
#undef INTERP_FN
#undef INTERP_COUNTED
#undef INTERP_CHECKED
#undef INTERP_FUSED

#define INTERP_FN eng_interp_counted
#define INTERP_FUSED 0
#define INTERP_COUNTED 1
#define INTERP_CHECKED 0
#include "engine/interp_body.h"
#undef INTERP_FN
#undef INTERP_COUNTED
#undef INTERP_CHECKED
#undef INTERP_FUSED

#define INTERP_FN eng_interp_checked
#define INTERP_FUSED 0
#define INTERP_COUNTED 0
#define INTERP_CHECKED 1
#include "engine/interp_body.h"
#undef INTERP_FN
#undef INTERP_COUNTED
#undef INTERP_CHECKED
#undef INTERP_FUSED

#define INTERP_FN eng_interp_checked_counted
#define INTERP_FUSED 0
#define INTERP_COUNTED 1
#define INTERP_CHECKED 1
#include "engine/interp_body.h"
