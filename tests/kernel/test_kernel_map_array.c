/* ARRAY, PERCPU_ARRAY, ARRAY_OF_MAPS against the kernel (mapdiff.h). */
#include <stdio.h>

#include "mapdiff.h"

int main(void)
{
	mapdiff_require_kernel();
	struct mapdiff_spec s = { .name = "arr", .type = BPF_MAP_TYPE_ARRAY,
				  .key_size = 4, .value_size = 12,
				  .max_entries = 16 };
	mapdiff_run(&s, &(struct mapdiff_opts){ .sz = sizeof(struct mapdiff_opts),
			.seed = 1, .ops = 3000 });
	return mapdiff_report();
}
