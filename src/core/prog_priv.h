/* What a program is inside bpfvm: immutable after bpfvm_prog_create, so
 * any number of runs may share it; only its reference count changes. */
#ifndef BPFVM_CORE_PROG_PRIV_H
#define BPFVM_CORE_PROG_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <bpfvm/prog.h>
#include "engine/engine.h"
#include "engine/jit/jit.h"
#include "core/prog_info.h"

/* The kernel's MAX_USED_MAPS. */
#define CORE_MAX_USED_MAPS 64u

struct bpfvm_prog {
	struct bpf_insn *insns;	/* the caller's instructions, copied */
	struct bpf_insn *xlated; /* what the engines run (resolve.c) */
	size_t cnt;
	char *name;
	struct bpfvm_env *env;
	bool own_env;		/* created for this program: freed with it */
	/* The env the caller passed (NULL: the default): programs sharing a
	 * PROG_ARRAY must agree on it (see prog_array.c). */
	const struct bpfvm_env *env_key;
	struct eng_code *code;	/* decoded form the engines run */
	uint32_t flags;		/* BPFVM_PROG_F_* */
	struct jit_state *jit;	/* compiled variants, made on first use */
	struct bpfvm_map **used_maps; /* one reference each */
	size_t used_map_cnt;
	struct core_prog_info info; /* type, BTF, func/line info */
	uint32_t ctx_used;	/* largest ctx offset + size read (progtypes) */
	uint32_t id;
	atomic_uint refcnt;
};

/* References: PROG_ARRAY slots and tail-called runs hold one each. */
void core_prog_get(struct bpfvm_prog *prog);
void core_prog_put(struct bpfvm_prog *prog);
/* Does the program use this map (a reference it holds)? */
bool core_prog_uses_map(const struct bpfvm_prog *prog,
			const struct bpfvm_map *map);

/* Resolve the map lddw forms of validated insns (resolve.c): fills
 * prog->xlated and prog->used_maps (taking the references); 0 or -errno
 * with "insn N: reason" in log. */
int core_resolve_maps(struct bpfvm_prog *prog,
		      const struct bpfvm_prog_opts *opts, char *log,
		      size_t log_size);

#endif
