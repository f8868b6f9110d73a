/* Linking one program of an object (ld_link.c): its entry function, then
 * every function it calls or takes the address of (transitively, each
 * once, from any executable section), with calls, function addresses,
 * maps, global data and externs made final, and the .BTF.ext func_info
 * / line_info of those functions moved to their new places. */
#ifndef BPFVM_LOADER_LD_LINK_H
#define BPFVM_LOADER_LD_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "loader/obj_priv.h"

/* A function placed in the program being linked. */
struct ld_placed {
	uint32_t func;		/* obj->funcs index */
	uint32_t off;		/* its first instruction in the program */
};

/* State shared by the programs of one load: the sections' instructions
 * (copies load may rewrite, e.g. by CO-RE, leaving the object as opened)
 * and scratch reused from program to program. */
struct ld_link {
	const struct bpfvm_object *obj;
	struct bpf_insn **insns;	/* per obj->code entry */
	int64_t kconfig_map;		/* obj->maps index, -1: none */
	/* private */
	struct bpf_insn *insn_mem;
	uint32_t *order;		/* funcs by (code, start) */
	uint32_t *func_off;		/* where each func went ... */
	uint32_t *func_gen;		/* ... in the program of this gen */
	uint32_t gen;
	struct ld_placed *placed;
	size_t placed_cnt, placed_cap;
	struct bpf_insn *out;		/* the program being built */
	size_t out_cnt;
	const struct bpfvm_btf_ext_sec **ext;	/* per code, or NULL */
	bool odd_target;		/* a call into a function's middle */
};

/* Copy the sections' instructions and build the indexes; 0 or -ENOMEM. */
int ld_link_init(struct ld_link *lk, const struct bpfvm_object *obj);
/* Fill p->insns, p->func_info, p->line_info (the caller frees them,
 * also after an error). Maps are lddw BPF_PSEUDO_MAP_IDX / _IDX_VALUE with
 * imm an index into obj->maps. 0 or -errno with "prog 'NAME': insn N:
 * reason" in log. */
int ld_link_prog(struct ld_link *lk, struct bpfvm_obj_prog *p, char *log,
		 size_t log_size);
void ld_link_fini(struct ld_link *lk);

/* ld_link_info.c: the .BTF.ext records of the placed functions, moved to
 * their places (func_info dropped unless every function has its record,
 * line_info unless every function starts with one, as the kernel wants
 * them). Sets lk->ext at init; 0 or -ENOMEM. */
int ld_link_info_init(struct ld_link *lk);
int ld_link_info(struct ld_link *lk, struct bpfvm_obj_prog *p);

#endif
