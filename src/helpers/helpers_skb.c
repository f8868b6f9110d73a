/* Placeholder: skb helpers (issue 6) being written. */
#include "helpers/helpers.h"

const struct helper_def hlp_skb[] = {
	{ 0 },
};
