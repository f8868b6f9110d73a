/* Maps in programs: the lddw forms that name a map (by id, or by index
 * into opts->maps as the kernel's fd_array) become what the engines run,
 * a plain 64-bit immediate holding the map's address or a value's
 * address, and the program takes a reference to each map it uses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "isa/isa.h"
#include "maps/map_priv.h"
#include "maps/prog_array.h"

/* The kernel's BPF_MAX_VAR_OFF: the largest direct value offset. */
#define RESOLVE_MAX_VALUE_OFF (1u << 29)

struct rctx {
	struct bpfvm_prog *prog;
	struct bpfvm_map *const *maps;
	size_t map_cnt;
	bool has_maps;
	char *log;
	size_t log_size;
};

#define RFAIL(r, err, i, fmt, ...)                                          \
	core_logf((r)->log, (r)->log_size, err, "insn %zu: " fmt, (i),      \
		  ##__VA_ARGS__)

static bool by_index(uint8_t src)
{
	return src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE;
}

static bool is_value(uint8_t src)
{
	return src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE;
}

/* The map lddw i names, with a reference. */
static int find_map(const struct rctx *r, size_t i, struct bpfvm_map **out)
{
	const struct bpf_insn *in = &r->prog->insns[i];
	uint32_t k = (uint32_t)in->imm;

	if (!by_index(in->src_reg)) {
		*out = map_get_by_id(k); /* not a user reference */
		return *out ? 0 : RFAIL(r, -EBADF, i, "lddw refers to map id "
					"%u, which does not exist", k);
	}
	if (!r->has_maps)
		return RFAIL(r, -EPROTO, i, "lddw refers to map index %u, but "
			     "no maps were given (opts.maps)", k);
	if (k >= r->map_cnt)
		return RFAIL(r, -EINVAL, i, "lddw refers to map index %u, but "
			     "only %zu maps were given", k, r->map_cnt);
	if (!r->maps[k])
		return RFAIL(r, -EBADF, i, "lddw refers to map index %u, which "
			     "is NULL", k);
	map_get(r->maps[k]);
	*out = r->maps[k];
	return 0;
}

/* Keep the reference in used_maps, once per map. */
static int use_map(struct rctx *r, size_t i, struct bpfvm_map *map)
{
	struct bpfvm_prog *p = r->prog;

	if (core_prog_uses_map(p, map)) {
		map_put(map);
		return 0;
	}
	if (p->used_map_cnt == CORE_MAX_USED_MAPS) {
		map_put(map);
		return RFAIL(r, -E2BIG, i, "the program uses more than %u maps",
			     CORE_MAX_USED_MAPS);
	}
	if (map->type == BPF_MAP_TYPE_PROG_ARRAY &&
	    map_prog_array_bind(map, p->env_key)) {
		map_put(map);
		return RFAIL(r, -EINVAL, i, "map id %u is a PROG_ARRAY for "
			     "programs of another env", map->id);
	}
	p->used_maps[p->used_map_cnt++] = map;
	return 0;
}

/* The address a value form loads: byte `off` of the map's value. */
static int value_addr(const struct rctx *r, size_t i,
		      const struct bpfvm_map *map, uint64_t *addr)
{
	uint32_t off = (uint32_t)r->prog->insns[i + 1].imm;
	int err;

	if (off >= RESOLVE_MAX_VALUE_OFF)
		return RFAIL(r, -EINVAL, i, "direct value offset %u is not "
			     "allowed", off);
	if (!map->ops->direct_value_addr)
		return RFAIL(r, -EINVAL, i, "map id %u has no direct value "
			     "access (global data needs an ARRAY map)",
			     map->id);
	err = map->ops->direct_value_addr(map, off, addr);
	if (err)
		return RFAIL(r, err, i, "no direct access to byte %u of map id "
			     "%u's value (value_size %u, max_entries %u)", off,
			     map->id, map->value_size, map->max_entries);
	return 0;
}

static int resolve_one(struct rctx *r, size_t i)
{
	struct bpf_insn *x = &r->prog->xlated[i];
	struct bpfvm_map *map;
	uint64_t addr;
	int err = find_map(r, i, &map);

	if (err)
		return err;
	err = use_map(r, i, map);
	if (err)
		return err;
	addr = (uintptr_t)map;
	if (is_value(x->src_reg)) {
		err = value_addr(r, i, map, &addr);
		if (err)
			return err;
	}
	x[0].src_reg = is_value(x->src_reg) ? BPF_PSEUDO_MAP_VALUE
					    : BPF_PSEUDO_MAP_FD;
	x[0].imm = (int32_t)(uint32_t)addr;
	x[1].imm = (int32_t)(uint32_t)(addr >> 32);
	return 0;
}

static bool names_map(const struct bpf_insn *in)
{
	return isa_is_lddw(in) &&
	       (in->src_reg == BPF_PSEUDO_MAP_FD ||
		in->src_reg == BPF_PSEUDO_MAP_VALUE || by_index(in->src_reg));
}

int core_resolve_maps(struct bpfvm_prog *prog,
		      const struct bpfvm_prog_opts *opts, char *log,
		      size_t log_size)
{
	struct rctx r = {
		.prog = prog,
		.maps = OPTS_GET(opts, maps, NULL),
		.map_cnt = OPTS_GET(opts, map_cnt, 0),
		.log = log,
		.log_size = log_size,
	};
	int err = 0;

	r.has_maps = r.maps != NULL;
	if (!r.maps)
		r.map_cnt = 0;
	prog->xlated = malloc(prog->cnt * sizeof(*prog->xlated));
	prog->used_maps = calloc(CORE_MAX_USED_MAPS, sizeof(*prog->used_maps));
	if (!prog->xlated || !prog->used_maps)
		return -ENOMEM;
	memcpy(prog->xlated, prog->insns, prog->cnt * sizeof(*prog->xlated));
	for (size_t i = 0; !err && i < prog->cnt; i++) {
		if (!isa_is_lddw(&prog->insns[i]))
			continue;
		if (names_map(&prog->insns[i]))
			err = resolve_one(&r, i);
		i++;
	}
	return err;
}
