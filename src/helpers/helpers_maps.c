/* Built-in helpers: maps group (see helpers.h). */
#include "helpers/helpers.h"

const struct helper_def hlp_maps[] = {
	{ 0 },
};
