/* Load-time validation: everything the interpreter relies on to stay
 * inside the program (encodings, jump/call targets, lddw pairs, the end of
 * the program, known helpers), checked once before any run. */
#ifndef BPFVM_CORE_VALIDATE_H
#define BPFVM_CORE_VALIDATE_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpfvm/env.h>

/* 0, or -EINVAL / -E2BIG / -ENOMEM with "insn N: reason" in log. type:
 * the program's; LD_ABS / LD_IND need one with skb access. */
int core_validate(const struct bpf_insn *insns, size_t cnt,
		  enum bpf_prog_type type, const struct bpfvm_env *env,
		  char *log, size_t log_size);

#endif
