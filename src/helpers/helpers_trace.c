/* Built-in helpers: trace group (see helpers.h). */
#include "helpers/helpers.h"

const struct helper_def hlp_trace[] = {
	{ 0 },
};
