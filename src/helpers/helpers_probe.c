/* Built-in helpers: probe group (see helpers.h). */
#include "helpers/helpers.h"

const struct helper_def hlp_probe[] = {
	{ 0 },
};
