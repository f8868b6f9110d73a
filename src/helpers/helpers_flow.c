/* Built-in helpers: flow group (see helpers.h). */
#include "helpers/helpers.h"

const struct helper_def hlp_flow[] = {
	{ 0 },
};
