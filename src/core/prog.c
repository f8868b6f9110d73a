/* Program objects: copy, validate, decode; then read-only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "core/validate.h"

static int prog_env(struct bpfvm_prog *prog, const struct bpfvm_prog_opts *opts)
{
	struct bpfvm_env *env = OPTS_GET(opts, env, NULL);

	if (env) {
		prog->env = env;
		return 0;
	}
	prog->own_env = true;
	return bpfvm_env_create(&prog->env);
}

int bpfvm_prog_create(const struct bpf_insn *insns, size_t insn_cnt,
		      const struct bpfvm_prog_opts *opts,
		      struct bpfvm_prog **out)
{
	char *log = OPTS_GET(opts, log_buf, NULL);
	size_t log_size = OPTS_GET(opts, log_size, 0);
	const char *name = OPTS_GET(opts, name, NULL);
	struct bpfvm_prog *prog;
	int err;

	if (!out || (!insns && insn_cnt))
		return core_logf(log, log_size, -EINVAL, "no instructions given");
	if (log && log_size)
		log[0] = '\0';
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	err = prog_env(prog, opts);
	if (err)
		goto fail;
	err = core_validate(insns, insn_cnt, prog->env, log, log_size);
	if (err)
		goto fail;
	err = -ENOMEM;
	prog->insns = malloc(insn_cnt * sizeof(*insns));
	prog->name = strdup(name ? name : "");
	if (!prog->insns || !prog->name)
		goto fail;
	memcpy(prog->insns, insns, insn_cnt * sizeof(*insns));
	prog->cnt = insn_cnt;
	err = eng_decode(prog->insns, insn_cnt, prog->env, &prog->code);
	if (err)
		goto fail;
	prog->flags = OPTS_GET(opts, flags, 0);
	prog->jit = jit_state_new();
	if (!prog->jit) {
		err = -ENOMEM;
		goto fail;
	}
	*out = prog;
	return 0;
fail:
	bpfvm_prog_free(prog);
	return err;
}

void bpfvm_prog_free(struct bpfvm_prog *prog)
{
	if (!prog)
		return;
	jit_state_free(prog->jit);
	eng_code_free(prog->code);
	if (prog->own_env)
		bpfvm_env_free(prog->env);
	free(prog->insns);
	free(prog->name);
	free(prog);
}

const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog)
{
	return prog->insns;
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
