/* The built-in helper table, indexed by Linux helper id, made once from the
 * group tables. */
#include <pthread.h>
#include <stddef.h>

#include <linux/bpf.h>

#include "helpers/helpers.h"

static const struct helper_def *const groups[] = {
	hlp_maps, hlp_misc, hlp_trace, hlp_probe, hlp_ringbuf, hlp_flow,
	hlp_string, hlp_xdp, hlp_skb,
};

static const struct helper_def *by_id[__BPF_FUNC_MAX_ID];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(*groups); g++) {
		for (const struct helper_def *d = groups[g]; d->id; d++) {
			if (d->id < __BPF_FUNC_MAX_ID)
				by_id[d->id] = d;
		}
	}
}

const struct helper_def *helper_def_find(uint32_t id)
{
	pthread_once(&table_once, table_init);
	return id < __BPF_FUNC_MAX_ID ? by_id[id] : NULL;
}

int helpers_register_builtin(struct bpfvm_env *env)
{
	pthread_once(&table_once, table_init);
	for (uint32_t id = 1; id < __BPF_FUNC_MAX_ID; id++) {
		int err;

		if (!by_id[id])
			continue;
		err = bpfvm_helper_register(env, id, NULL, by_id[id]->fn);
		if (err)
			return err;
	}
	return 0;
}
