/* Built-in helpers: ringbuf group (see helpers.h). */
#include "helpers/helpers.h"

const struct helper_def hlp_ringbuf[] = {
	{ 0 },
};
