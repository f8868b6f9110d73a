/* Test runs of programs of no type (plain.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "progtypes/plain.h"
#include "progtypes/progtype.h"

int pt_plain_test_run(struct bpfvm_prog *prog,
		      struct bpfvm_test_run_opts *opts)
{
	uint32_t len = opts->data_size_in, cap = opts->data_size_out;
	struct pt_run run = { .ctx_len = len };
	uint64_t r0;
	uint8_t *buf;
	int err;

	if (opts->ctx_in || opts->ctx_size_in)
		return pt_fail(opts, -EINVAL, "a program of no type takes no "
					      "ctx_in: data_in is its input");
	buf = malloc(len ? len : 1);
	if (!buf)
		return pt_fail(opts, -ENOMEM, "no memory for %u bytes of data",
			       len);
	if (len)
		memcpy(buf, opts->data_in, len);
	run.ctx = len ? buf : NULL;
	err = pt_run_repeat(prog, &run, opts, &r0);
	if (!err) {
		opts->retval = (uint32_t)r0;
		opts->ctx_size_out = 0;
		err = pt_copy_out(opts->data_out, &opts->data_size_out, buf,
				  len);
		if (err)
			pt_fail(opts, err, "data_out holds %u bytes of %u",
				cap, len);
	}
	free(buf);
	return err;
}
