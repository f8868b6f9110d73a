#include "conf_helper.h"

static uint64_t conf_unwind(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (r1 == 0)
		bpfvm_run_stop(run, 0);
	return r1;
}

int conf_env_create(struct bpfvm_env **out)
{
	int err = bpfvm_env_create(out);

	if (err)
		return err;
	err = bpfvm_helper_register(*out, CONF_HELPER_ID, "conformance_unwind",
				    conf_unwind);
	if (err)
		bpfvm_env_free(*out);
	return err;
}
