/* Built-in helpers: misc group (see helpers.h). */
#include "helpers/helpers.h"

const struct helper_def hlp_misc[] = {
	{ 0 },
};
