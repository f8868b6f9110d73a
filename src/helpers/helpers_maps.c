/* Built-in helpers: the map_*_elem group, thin wrappers around the map's
 * ops (r1 is the struct bpfvm_map * that lddw of a map reference gives).
 *
 * The kernel's verifier refuses update / delete / push / pop on a map
 * created with BPF_F_RDONLY_PROG ("write into map forbidden", EACCES at
 * load time) and calls of an op the map type lacks; bpfvm checks the same
 * at run time: those calls return -EPERM, a missing op -EINVAL (lookups:
 * NULL), so a program that reaches them cannot change the map. In checked
 * runs r1 must be a map the program uses (hlp_map_arg). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#include <linux/bpf.h>

#include "core/log.h"
#include "engine/run.h"
#include "helpers/helpers.h"
#include "helpers/hlp_priv.h"
#include "maps/map_priv.h"

#define MAP(r) ((struct bpfvm_map *)(uintptr_t)(r))
#define PTR(r) ((void *)(uintptr_t)(r))
#define ERR(e) ((uint64_t)(int64_t)(e))

struct bpfvm_map *hlp_map_arg(struct bpfvm_run *run, uint64_t val,
			      const char *helper, int reg)
{
	if (__builtin_expect(!run || !run->checked, 1) ||
	    eng_run_has_map(run, (const void *)(uintptr_t)val))
		return MAP(val);
	eng_run_abort(run, core_logf(run->err_buf, run->err_size, -EINVAL,
				     "%s: r%d (0x%" PRIx64 ") is not a map "
				     "this program uses", helper, reg, val));
	return NULL;
}

/* May a program call this changing op? 0, -EPERM (BPF_F_RDONLY_PROG),
 * or -EINVAL (no map, or the type has no such op). */
static long prog_may_write(const struct bpfvm_map *map, bool has_op)
{
	if (!map)
		return -EINVAL;
	if (map->map_flags & BPF_F_RDONLY_PROG)
		return -EPERM;
	return has_op ? 0 : -EINVAL;
}

/* A plain forward to the map's lookup: the JIT calls that directly when
 * it knows the map (jit_map_lookup_fn), so this may add nothing else. */
static uint64_t map_lookup_elem(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_map *map = hlp_map_arg(run, r1, "bpf_map_lookup_elem", 1);

	(void)r3, (void)r4, (void)r5;
	if (!map || !map->ops->lookup)
		return 0;
	return (uintptr_t)map->ops->lookup(map, PTR(r2));
}

/* update, delete, push, pop: checked, then the op with `args`. */
#define WRITE_HELPER(name, op, ...)                                          \
	static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3,         \
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)\
	{                                                                    \
		struct bpfvm_map *map = hlp_map_arg(run, r1, "bpf_" #name, 1);\
		long err = prog_may_write(map, map && map->ops->op);         \
                                                                             \
		(void)r2, (void)r3, (void)r4, (void)r5;                      \
		return ERR(err ? err : map->ops->op(map, __VA_ARGS__));      \
	}

WRITE_HELPER(map_update_elem, update, PTR(r2), PTR(r3), r4)
WRITE_HELPER(map_delete_elem, delete, PTR(r2))
WRITE_HELPER(map_push_elem, push, PTR(r2), r3)
WRITE_HELPER(map_pop_elem, pop, PTR(r2))

static uint64_t map_peek_elem(uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct bpfvm_map *map = hlp_map_arg(run, r1, "bpf_map_peek_elem", 1);

	(void)r3, (void)r4, (void)r5;
	if (!map || !map->ops->peek)
		return ERR(-EINVAL);
	return ERR(map->ops->peek(map, PTR(r2)));
}

/* The value on another CPU slot; NULL for cpu >= possible CPUs (u32 as
 * the kernel's prototype) and for maps that are not per-CPU. */
static uint64_t map_lookup_percpu_elem(uint64_t r1, uint64_t r2, uint64_t r3,
				       uint64_t r4, uint64_t r5,
				       struct bpfvm_run *run)
{
	struct bpfvm_map *map = hlp_map_arg(run, r1,
					    "bpf_map_lookup_percpu_elem", 1);
	uint32_t cpu = (uint32_t)r3;

	(void)r4, (void)r5;
	if (!map || !map->ops->lookup_percpu ||
	    cpu >= bpfvm_num_possible_cpus())
		return 0;
	return (uintptr_t)map->ops->lookup_percpu(map, PTR(r2), cpu);
}

#define A_MAP HARG_CONST_MAP_PTR
#define A_KEY HARG_PTR_TO_MAP_KEY
#define A_VAL HARG_PTR_TO_MAP_VALUE
#define A_OUT HARG_PTR_TO_UNINIT_MAP_VALUE
#define A_ANY HARG_ANYTHING
#define DEF(id, fn, r, ...) \
	{ BPF_FUNC_##id, fn, { .ret = (r), .args = { __VA_ARGS__ } } }

const struct helper_def hlp_maps[] = {
	DEF(map_lookup_elem, map_lookup_elem, HRET_MAP_VALUE_OR_NULL, A_MAP,
	    A_KEY),
	DEF(map_update_elem, map_update_elem, HRET_INTEGER, A_MAP, A_KEY, A_VAL,
	    A_ANY),
	DEF(map_delete_elem, map_delete_elem, HRET_INTEGER, A_MAP, A_KEY),
	DEF(map_push_elem, map_push_elem, HRET_INTEGER, A_MAP, A_VAL, A_ANY),
	DEF(map_pop_elem, map_pop_elem, HRET_INTEGER, A_MAP, A_OUT),
	DEF(map_peek_elem, map_peek_elem, HRET_INTEGER, A_MAP, A_OUT),
	DEF(map_lookup_percpu_elem, map_lookup_percpu_elem,
	    HRET_MAP_VALUE_OR_NULL, A_MAP, A_KEY, A_ANY),
	{ 0 },
};
