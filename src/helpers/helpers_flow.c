/* Built-in helpers: flow group (see helpers.h) — bpf_tail_call, whose
 * work the engines do (engine/flow.c), and the helpers that call back
 * into the program: bpf_loop and bpf_for_each_map_elem. */
#include <errno.h>

#include <linux/bpf.h>

#include "core/log.h"
#include "engine/run.h"
#include "helpers/helpers.h"
#include "helpers/helpers_flow.h"
#include "helpers/hlp_priv.h"
#include "maps/map_priv.h"

#define ERR(e) ((uint64_t)(int64_t)(e))
/* The kernel's BPF_MAX_LOOPS. */
#define HLP_MAX_LOOPS (1u << 23)

static uint64_t tail_call(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			  uint64_t r5, struct bpfvm_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	eng_run_abort(run, core_logf(run->err_buf, run->err_size, -EOPNOTSUPP,
				     "insn %zu: bpf_tail_call works only as "
				     "call 12, not through callx or another "
				     "id", run->cb_insn));
	return 0;
}

bool hlp_is_tail_call(bpfvm_helper_fn fn)
{
	return fn == tail_call;
}

/* bpf_loop(nr_loops, callback_fn, callback_ctx, flags): callback(i, ctx)
 * for i = 0 .. nr_loops - 1 until it returns nonzero; the iterations
 * made. nr_loops is a u32, as in the kernel. */
static uint64_t loop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
		     uint64_t r5, struct bpfvm_run *run)
{
	uint32_t nr = (uint32_t)r1, i;

	(void)r5;
	if (r4)
		return ERR(-EINVAL);
	if (nr > HLP_MAX_LOOPS)
		return ERR(-E2BIG);
	for (i = 0; i < nr; i++) {
		uint64_t args[5] = { i, r3, 0, 0, 0 }, ret;

		if (eng_run_callback(run, r2, args, &ret))
			return 0; /* the run is over */
		if (ret)
			return i + 1;
	}
	return i;
}

struct elem_cb_ctx {
	struct bpfvm_run *run;
	uint64_t fn;
	uint64_t cb_ctx;
};

/* One element: callback(map, key, value, ctx); nonzero stops. In checked
 * mode the callback may read the key and write the value (read it only,
 * for BPF_F_RDONLY_PROG maps). */
static long elem_cb(struct bpfvm_map *map, const void *key, void *value,
		    void *ctx)
{
	struct elem_cb_ctx *c = ctx;
	uint64_t args[5] = { (uintptr_t)map, (uintptr_t)key, (uintptr_t)value,
			     c->cb_ctx, 0 };
	struct eng_extra k, v;
	uint64_t ret;
	int err;

	eng_extra_push(c->run, &k, (void *)key, map->key_size, false);
	eng_extra_push(c->run, &v, value, map->value_size,
		       !(map->map_flags & BPF_F_RDONLY_PROG));
	err = eng_run_callback(c->run, c->fn, args, &ret);
	eng_extra_pop(c->run, &v);
	eng_extra_pop(c->run, &k);
	return err || ret;
}

/* bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags): the
 * elements visited (the one that stopped counts), or -EINVAL. */
static uint64_t for_each_map_elem(uint64_t r1, uint64_t r2, uint64_t r3,
				  uint64_t r4, uint64_t r5,
				  struct bpfvm_run *run)
{
	struct bpfvm_map *map = hlp_map_arg(run, r1, "bpf_for_each_map_elem",
					    1);
	struct elem_cb_ctx c = { run, r2, r3 };

	(void)r5;
	/* Unverified programs: only a map the run's programs hold (checked
	 * runs end above, the others get -EINVAL). */
	if (!map || !eng_run_has_map(run, map) || !map->ops->for_each)
		return ERR(-EINVAL);
	return (uint64_t)map->ops->for_each(map, elem_cb, &c, r4);
}

bool hlp_takes_callback(uint32_t id)
{
	return id == BPF_FUNC_loop || id == BPF_FUNC_for_each_map_elem;
}

const struct helper_def hlp_flow[] = {
	{ .id = BPF_FUNC_tail_call, .fn = tail_call,
	  .proto = { .ret = HRET_NORETURN,
		     .args = { HARG_PTR_TO_CTX, HARG_CONST_MAP_PTR,
			       HARG_ANYTHING } } },
	{ .id = BPF_FUNC_loop, .fn = loop,
	  .proto = { .ret = HRET_INTEGER,
		     .args = { HARG_ANYTHING, HARG_PTR_TO_FUNC,
			       HARG_PTR_TO_STACK_OR_NULL, HARG_ANYTHING } } },
	{ .id = BPF_FUNC_for_each_map_elem, .fn = for_each_map_elem,
	  .proto = { .ret = HRET_INTEGER,
		     .args = { HARG_CONST_MAP_PTR, HARG_PTR_TO_FUNC,
			       HARG_PTR_TO_STACK_OR_NULL, HARG_ANYTHING } } },
	{ 0 },
};
