/* Placeholder: XDP helpers (issue 6) being written. */
#include "helpers/helpers.h"

const struct helper_def hlp_xdp[] = {
	{ 0 },
};
