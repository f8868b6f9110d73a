/* What a program is inside bpfvm: immutable after bpfvm_prog_create, so
 * any number of runs may share it. */
#ifndef BPFVM_CORE_PROG_PRIV_H
#define BPFVM_CORE_PROG_PRIV_H

#include <stdbool.h>
#include <bpfvm/prog.h>
#include "engine/engine.h"
#include "engine/jit/jit.h"

struct bpfvm_prog {
	struct bpf_insn *insns;	/* the caller's instructions, copied */
	size_t cnt;
	char *name;
	struct bpfvm_env *env;
	bool own_env;		/* created for this program: freed with it */
	struct eng_code *code;	/* decoded form the engines run */
	uint32_t flags;		/* BPFVM_PROG_F_* */
	struct jit_state *jit;	/* compiled variants, made on first use */
};

#endif
