/* Helper prototypes: what each argument and the result are, in the terms
 * the verifier checks (the kernel's bpf_func_proto, trimmed to what bpfvm's
 * helpers use). */
#ifndef BPFVM_HELPERS_PROTO_H
#define BPFVM_HELPERS_PROTO_H

#include <stdint.h>

enum helper_arg {
	HARG_NONE = 0,		/* unused argument */
	HARG_ANYTHING,		/* any initialised value */
	HARG_CONST_MAP_PTR,	/* a map from lddw */
	HARG_PTR_TO_MAP_KEY,	/* key_size readable bytes */
	HARG_PTR_TO_MAP_VALUE,	/* value_size readable bytes */
	HARG_PTR_TO_UNINIT_MAP_VALUE, /* value_size writable bytes */
	HARG_PTR_TO_MEM,	/* readable bytes, size in the next arg */
	HARG_PTR_TO_MEM_OR_NULL,
	HARG_PTR_TO_UNINIT_MEM,	/* writable bytes, size in the next arg */
	HARG_CONST_SIZE,	/* size of the previous pointer, > 0 */
	HARG_CONST_SIZE_OR_ZERO,
	HARG_CONST_ALLOC_SIZE_OR_ZERO, /* ringbuf_reserve's size */
	HARG_PTR_TO_CTX,
	HARG_PTR_TO_CONST_STR,	/* NUL-terminated string in read-only data */
	HARG_PTR_TO_FUNC,	/* a callback from lddw BPF_PSEUDO_FUNC */
	HARG_PTR_TO_STACK_OR_NULL, /* callback context */
	HARG_PTR_TO_LONG,	/* 8 writable bytes (strtol's result) */
	HARG_PTR_TO_SPIN_LOCK,	/* a bpf_spin_lock inside a map value */
	HARG_PTR_TO_RINGBUF_MEM, /* a record from ringbuf_reserve */
};

enum helper_ret {
	HRET_INTEGER = 0,
	HRET_VOID,
	HRET_MAP_VALUE_OR_NULL,	/* map_lookup_elem */
	HRET_MEM_OR_NULL,	/* ringbuf_reserve: size from the argument */
	HRET_NORETURN,		/* tail_call on success */
};

struct helper_proto {
	enum helper_ret ret;
	enum helper_arg args[5];
	uint8_t gpl_only;	/* needs a GPL-compatible license */
};

#endif
