/* Program objects: copy, validate, resolve maps, decode; then read-only
 * but for the reference count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "core/validate.h"
#include "maps/map_priv.h"
#include "progtypes/progtype.h"

static int prog_env(struct bpfvm_prog *prog, const struct bpfvm_prog_opts *opts)
{
	struct bpfvm_env *env = OPTS_GET(opts, env, NULL);

	prog->env_key = env;
	if (env) {
		prog->env = env;
		return 0;
	}
	prog->own_env = true;
	return bpfvm_env_create(&prog->env);
}

static int prog_copy(struct bpfvm_prog *prog, const struct bpf_insn *insns,
		     size_t cnt, const char *name)
{
	prog->insns = malloc(cnt * sizeof(*insns));
	prog->name = strdup(name ? name : "");
	if (!prog->insns || !prog->name)
		return -ENOMEM;
	memcpy(prog->insns, insns, cnt * sizeof(*insns));
	prog->cnt = cnt;
	return 0;
}

/* Everything after validation; the engines run the xlated form. */
static int prog_build(struct bpfvm_prog *prog,
		      const struct bpfvm_prog_opts *opts, char *log,
		      size_t log_size)
{
	enum bpf_prog_type type = OPTS_GET(opts, prog_type,
					   BPF_PROG_TYPE_UNSPEC);
	int err = core_resolve_maps(prog, opts, log, log_size);

	if (!err && pt_find(type)) /* the type's helpers and ctx rewrites */
		err = pt_prog_prepare(type, prog->xlated, prog->cnt,
				      &prog->ctx_used, log, log_size);
	if (!err)
		err = eng_decode(prog->xlated, prog->cnt, prog->env,
				 &prog->code);
	if (err)
		return err;
	prog->flags = OPTS_GET(opts, flags, 0);
	prog->jit = jit_state_new();
	if (!prog->jit)
		return -ENOMEM;
	prog->id = core_id_alloc(prog, CORE_ID_PROG);
	return prog->id ? 0 : -ENOMEM;
}

static void prog_destroy(struct bpfvm_prog *prog)
{
	core_id_release(prog->id);
	core_prog_info_release(&prog->info);
	jit_state_free(prog->jit);
	eng_code_free(prog->code);
	for (size_t i = 0; i < prog->used_map_cnt; i++)
		map_put(prog->used_maps[i]);
	free(prog->used_maps);
	if (prog->own_env)
		bpfvm_env_free(prog->env);
	free(prog->insns);
	free(prog->xlated);
	free(prog->name);
	free(prog);
}

int bpfvm_prog_create(const struct bpf_insn *insns, size_t insn_cnt,
		      const struct bpfvm_prog_opts *opts,
		      struct bpfvm_prog **out)
{
	char *log = OPTS_GET(opts, log_buf, NULL);
	size_t log_size = OPTS_GET(opts, log_size, 0);
	struct bpfvm_prog *prog;
	int err;

	if (!out || (!insns && insn_cnt))
		return core_logf(log, log_size, -EINVAL, "no instructions given");
	if (log && log_size)
		log[0] = '\0';
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	atomic_init(&prog->refcnt, 1);
	err = prog_env(prog, opts);
	if (!err)
		err = core_validate(insns, insn_cnt,
				    OPTS_GET(opts, prog_type,
					     BPF_PROG_TYPE_UNSPEC),
				    prog->env, log, log_size);
	if (!err)
		err = core_prog_info_init(&prog->info, opts, insns, insn_cnt,
					  log, log_size);
	if (!err)
		err = prog_copy(prog, insns, insn_cnt,
				OPTS_GET(opts, name, NULL));
	if (!err)
		err = prog_build(prog, opts, log, log_size);
	if (err) {
		prog_destroy(prog);
		return err;
	}
	*out = prog;
	return 0;
}

void core_prog_get(struct bpfvm_prog *prog)
{
	atomic_fetch_add_explicit(&prog->refcnt, 1, memory_order_relaxed);
}

void core_prog_put(struct bpfvm_prog *prog)
{
	if (prog && atomic_fetch_sub_explicit(&prog->refcnt, 1,
					      memory_order_acq_rel) == 1)
		prog_destroy(prog);
}

void bpfvm_prog_free(struct bpfvm_prog *prog)
{
	core_prog_put(prog);
}

static bool prog_tryget(void *obj)
{
	return core_ref_tryget(&((struct bpfvm_prog *)obj)->refcnt);
}

uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog)
{
	return prog->id;
}

struct bpfvm_prog *bpfvm_prog_get_by_id(uint32_t id)
{
	return core_id_get(id, CORE_ID_PROG, prog_tryget);
}

bool core_prog_uses_map(const struct bpfvm_prog *prog,
			const struct bpfvm_map *map)
{
	for (size_t i = 0; i < prog->used_map_cnt; i++) {
		if (prog->used_maps[i] == map)
			return true;
	}
	return false;
}

const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog)
{
	return prog->insns;
}

const struct bpf_insn *bpfvm_prog_xlated_insns(const struct bpfvm_prog *prog)
{
	return prog->xlated;
}

size_t bpfvm_prog_insn_cnt(const struct bpfvm_prog *prog)
{
	return prog->cnt;
}

const char *bpfvm_prog_name(const struct bpfvm_prog *prog)
{
	return prog->name;
}

struct bpfvm_env *bpfvm_prog_env(const struct bpfvm_prog *prog)
{
	return prog->env;
}

size_t bpfvm_prog_map_cnt(const struct bpfvm_prog *prog)
{
	return prog->used_map_cnt;
}

struct bpfvm_map *bpfvm_prog_map(const struct bpfvm_prog *prog, size_t i)
{
	return i < prog->used_map_cnt ? prog->used_maps[i] : NULL;
}
