/* The program mode's BPF program: what a clang-compiled
 *
 *	u64 *seq = ctx;
 *	u64 *r = bpf_ringbuf_reserve(&rb, SIZE, 0);
 *	if (!r) return 0;
 *	for (i = 0; i < SIZE / 8; i++) r[i] = *seq + i;
 *	bpf_ringbuf_submit(r, 0);
 *	return 1;
 *
 * looks like (the loop unrolled), with the map named by id in lddw
 * BPF_PSEUDO_MAP_FD. Run through the JIT's direct entry. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench_rb.h"

#define MAX_WORDS 64

#define INSN(c, d, s, o, i)                                                  \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),     \
			    .off = (o), .imm = (i) })

static size_t rb_prog_insns(const struct rb_bench *b, struct bpf_insn *p)
{
	uint32_t words = b->rec_size / 8;
	size_t n = 0;

	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0,
		      (int32_t)bpfvm_map_id(b->map));
	p[n++] = INSN(0, 0, 0, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0,
		      (int32_t)b->rec_size);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve);
	p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); /* r0 = 0: full */
	p[n++] = INSN(BPF_LDX | BPF_DW | BPF_MEM, 7, 6, 0, 0);
	for (uint32_t i = 0; i < words; i++) {
		p[n++] = INSN(BPF_STX | BPF_DW | BPF_MEM, 0, 7, (int16_t)(8 * i),
			      0);
		p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, 1);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 0, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_submit);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

int rb_prog_make(struct rb_bench *b, struct bpfvm_prog **out, char *why,
		 size_t why_size)
{
	struct bpf_insn insns[16 + 2 * MAX_WORDS];
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .name = "rb_bench",
				     .log_buf = why, .log_size = why_size };
	int err;

	if (b->rec_size % 8 || b->rec_size / 8 > MAX_WORDS) {
		snprintf(why, why_size, "record size must be a multiple of 8 "
			 "up to %d", 8 * MAX_WORDS);
		return -EINVAL;
	}
	err = bpfvm_prog_create(insns, rb_prog_insns(b, insns), &o, out);
	if (!err)
		err = bpfvm_prog_jit_fn(*out, &b->prog);
	if (err && !why[0])
		snprintf(why, why_size, "%s", strerror(-err));
	return err;
}
