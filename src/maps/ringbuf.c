/* STUB: to be replaced by the real map type. */
#include <errno.h>

#include "maps/map_priv.h"

static int stub_alloc(const struct map_attr *attr, struct bpfvm_map **out)
{
	(void)attr;
	(void)out;
	return -EOPNOTSUPP;
}

const struct map_ops map_ringbuf_ops = {
	.alloc = stub_alloc,
};
