/* Tiny builders for struct bpf_insn in tests, plus a one-call runner. */
#ifndef BPFVM_TESTS_INSN_BUILD_H
#define BPFVM_TESTS_INSN_BUILD_H

#include <errno.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/bpfvm.h>

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_PSEUDO_FUNC
#define BPF_PSEUDO_FUNC 4
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define INSN(code_, dst_, src_, off_, imm_)                                 \
	((struct bpf_insn){ .code = (code_), .dst_reg = (dst_),             \
			    .src_reg = (src_), .off = (off_), .imm = (imm_) })

#define ALU64_IMM(op, d, imm) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, imm)
#define ALU64_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define ALU32_IMM(op, d, imm) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, imm)
#define ALU32_REG(op, d, s) INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, imm) ALU64_IMM(BPF_MOV, d, imm)
#define MOV64_REG(d, s) ALU64_REG(BPF_MOV, d, s)
#define MOV32_IMM(d, imm) ALU32_IMM(BPF_MOV, d, imm)
#define MOVSX64(d, s, bits) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, bits, 0)
#define MOVSX32(d, s, bits) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, bits, 0)
#define ENDIAN(cls, srcbit, d, bits) INSN((cls) | BPF_END | (srcbit), d, 0, 0, bits)

/* lddw takes two slots: use inside an array initialiser. */
#define LD_IMM64_RAW(d, s, lo, hi)                                          \
	INSN(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, (int32_t)(lo)),            \
	INSN(0, 0, 0, 0, (int32_t)(hi))
#define LD_IMM64(d, v)                                                      \
	LD_IMM64_RAW(d, 0, (uint32_t)(uint64_t)(v),                         \
		     (uint32_t)((uint64_t)(v) >> 32))
#define LD_FUNC(d, rel) LD_IMM64_RAW(d, BPF_PSEUDO_FUNC, rel, 0)

#define LDX(size, d, s, off) INSN(BPF_LDX | BPF_MEM | (size), d, s, off, 0)
#define LDXSX(size, d, s, off) INSN(BPF_LDX | BPF_MEMSX | (size), d, s, off, 0)
#define ST_IMM(size, d, off, imm) INSN(BPF_ST | BPF_MEM | (size), d, 0, off, imm)
#define STX(size, d, s, off) INSN(BPF_STX | BPF_MEM | (size), d, s, off, 0)
#define ATOMIC(size, op, d, s, off)                                         \
	INSN(BPF_STX | BPF_ATOMIC | (size), d, s, off, op)

#define JMP_IMM(op, d, imm, off) INSN(BPF_JMP | (op) | BPF_K, d, 0, off, imm)
#define JMP_REG(op, d, s, off) INSN(BPF_JMP | (op) | BPF_X, d, s, off, 0)
#define JMP32_IMM(op, d, imm, off) INSN(BPF_JMP32 | (op) | BPF_K, d, 0, off, imm)
#define JMP32_REG(op, d, s, off) INSN(BPF_JMP32 | (op) | BPF_X, d, s, off, 0)
#define JA(off) INSN(BPF_JMP | BPF_JA, 0, 0, off, 0)
#define GOTOL(imm) INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, imm)
#define CALL_HELPER(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define CALL_LOCAL(rel) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define CALLX(reg) INSN(BPF_JMP | BPF_CALL | BPF_X, reg, 0, 0, 0)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Create with env (may be NULL), run on mem, free. Returns the first
 * error; r0 is written on success. log receives create's or run's text. */
static inline int run_insns_env(const struct bpf_insn *insns, size_t cnt,
				struct bpfvm_env *env, void *mem, size_t len,
				uint64_t *r0, struct bpfvm_run_opts *ropts,
				char *log, size_t log_size)
{
	struct bpfvm_prog_opts popts = { .sz = sizeof(popts), .env = env,
					 .log_buf = log,
					 .log_size = log_size };
	struct bpfvm_run_opts local = { .sz = sizeof(local) };
	struct bpfvm_prog *prog;
	int err;

	err = bpfvm_prog_create(insns, cnt, &popts, &prog);
	if (err)
		return err;
	if (!ropts)
		ropts = &local;
	if (!ropts->err_buf) {
		ropts->err_buf = log;
		ropts->err_size = log_size;
	}
	err = bpfvm_prog_run(prog, mem, len, r0, ropts);
	bpfvm_prog_free(prog);
	return err;
}

static inline int run_insns(const struct bpf_insn *insns, size_t cnt,
			    void *mem, size_t len, uint64_t *r0)
{
	return run_insns_env(insns, cnt, NULL, mem, len, r0, NULL, NULL, 0);
}

#endif
