/* The engine's program representation: what the decoder produces from a
 * validated program and what the interpreter (and later the JIT) runs. */
#ifndef BPFVM_ENGINE_ENGINE_H
#define BPFVM_ENGINE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/env.h>
#include <bpfvm/prog.h>
#include "engine/ops.h"

/* One decoded instruction, 16 bytes, one per original slot (so index N here
 * is "insn N" in messages). Jump and call targets are relative to the next
 * slot: target = this + 1 + off. */
struct eng_insn {
	uint16_t op;	/* enum eng_op; may be a fast-variant fused id */
	uint8_t dst;
	uint8_t src;
	int32_t imm;	/* ALU/JMP/ST immediate; helper id for CALL */
	union {
		int64_t off;		/* memory offset or jump delta */
		uint64_t u64;		/* lddw: the 64-bit value */
		bpfvm_helper_fn fn;	/* CALL: the helper, resolved at create */
	};
};

_Static_assert(sizeof(struct eng_insn) == 16, "decoded insn is 16 bytes");

/* Everything an engine needs at run time, built once at create. */
struct eng_code {
	struct eng_insn *insns;
	size_t cnt;
	const struct bpfvm_env *env;	/* callx to a helper id */
};

/* Decode a validated program; -ENOMEM only. */
int eng_decode(const struct bpf_insn *insns, size_t cnt,
	       const struct bpfvm_env *env, struct eng_code **out);
void eng_code_free(struct eng_code *code);

/* Give the fast variant fused handlers for common runs of decoded slots
 * (fuse.c); -ENOMEM only, and then nothing is fused. */
int eng_fuse(const struct bpf_insn *insns, struct eng_insn *dec, size_t cnt);

/* bpfvm_prog_run with LD_ABS / LD_IND reading pkt[0, pkt_len) (an skb
 * type's packet, program types' test runs) instead of the ctx; pkt must
 * not be NULL. */
int eng_prog_run_pkt(struct bpfvm_prog *prog, void *ctx, size_t ctx_len,
		     const uint8_t *pkt, size_t pkt_len, uint64_t *r0,
		     struct bpfvm_run_opts *opts);

#endif
