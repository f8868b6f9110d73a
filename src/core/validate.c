#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <bpfvm/prog.h>
#include "core/log.h"
#include "core/validate.h"
#include "isa/isa.h"

struct vctx {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct bpfvm_env *env;
	unsigned check_flags;	/* isa_insn_check_flags */
	bool *lddw_hi;	/* slot i is the second half of an lddw */
	char *log;
	size_t log_size;
};

#define VFAIL(v, i, fmt, ...)                                               \
	core_logf((v)->log, (v)->log_size, -EINVAL, "insn %zu: " fmt, (i),  \
		  ##__VA_ARGS__)

/* Is i + 1 + delta the start of an instruction? `what` names the target
 * in the message: "jump", "call", "function address". */
static int check_target(const struct vctx *v, size_t i, int64_t delta,
			const char *what)
{
	int64_t t = (int64_t)i + 1 + delta;

	if (t < 0 || t >= (int64_t)v->cnt)
		return VFAIL(v, i, "%s out of range (to insn %lld of %zu)",
			     what, (long long)t, v->cnt);
	if (v->lddw_hi[t])
		return VFAIL(v, i, "%s into the middle of the lddw at insn %lld",
			     what, (long long)t - 1);
	return 0;
}

static int check_call(const struct vctx *v, size_t i)
{
	const struct bpf_insn *in = &v->insns[i];

	if (ISA_SRCBIT(in->code) == BPF_X)
		return 0; /* callx: the target is checked when it runs */
	switch (in->src_reg) {
	case BPF_PSEUDO_CALL:
		return check_target(v, i, in->imm, "call");
	case BPF_PSEUDO_KFUNC_CALL:
		return VFAIL(v, i, "kfunc calls are not supported");
	}
	if (isa_is_core_poison(in))
		return 0; /* a failed CO-RE relocation: fails when reached */
	if (!bpfvm_helper_find(v->env, (uint32_t)in->imm))
		return VFAIL(v, i, "unknown helper %d", in->imm);
	return 0;
}

static int check_jmp(const struct vctx *v, size_t i)
{
	const struct bpf_insn *in = &v->insns[i];

	switch (ISA_OP(in->code)) {
	case BPF_CALL:
		return check_call(v, i);
	case BPF_EXIT:
		return 0;
	case BPF_JA:
		if (ISA_CLASS(in->code) == BPF_JMP32)
			return check_target(v, i, in->imm, "jump");
		break;
	}
	return check_target(v, i, in->off, "jump");
}

static int check_lddw(const struct vctx *v, size_t i)
{
	const struct bpf_insn *in = &v->insns[i];

	switch (in->src_reg) {
	case BPF_PSEUDO_FUNC:
		return check_target(v, i, in->imm, "function address");
	case BPF_PSEUDO_BTF_ID:
		return VFAIL(v, i, "lddw refers to a BTF id (src 3), but no "
				   "BTF is available to this program");
	}
	return 0; /* a constant, or a map: resolve.c finds it */
}

static int check_one(const struct vctx *v, size_t i)
{
	const struct bpf_insn *in = &v->insns[i];
	const char *why;

	if (!isa_insn_check_flags(v->insns, v->cnt, i, v->check_flags, &why))
		return VFAIL(v, i, "%s", why);
	switch (ISA_CLASS(in->code)) {
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(v, i);
	case BPF_LD:
		return check_lddw(v, i);
	case BPF_STX:
		/* fetching atomics write their src register */
		if (ISA_MODE(in->code) == BPF_ATOMIC &&
		    (in->imm & BPF_FETCH) && in->src_reg == BPF_REG_10)
			return VFAIL(v, i, "r10 is read-only (atomic fetch "
					   "into r10)");
		break;
	}
	return 0;
}

/* The last slot must leave by itself: exit, or goto (always taken). */
static int check_end(const struct vctx *v)
{
	size_t last = v->cnt - 1;
	const struct bpf_insn *in = &v->insns[last];
	uint8_t cls = ISA_CLASS(in->code);

	if (!v->lddw_hi[last] && (cls == BPF_JMP || cls == BPF_JMP32) &&
	    (ISA_OP(in->code) == BPF_EXIT || ISA_OP(in->code) == BPF_JA))
		return 0;
	return VFAIL(v, last, "the program falls off its end (the last "
			      "instruction must be exit or goto)");
}

/* Mark lddw second halves first: targets are checked against them. */
static int mark_lddw(struct vctx *v)
{
	for (size_t i = 0; i < v->cnt; i++) {
		if (!isa_is_lddw(&v->insns[i]))
			continue;
		if (i + 1 == v->cnt)
			return VFAIL(v, i, "lddw is truncated (its second "
					   "half is missing)");
		v->lddw_hi[++i] = true;
	}
	return 0;
}

/* The kernel's may_access_skb: the types whose context is an skb. */
static bool may_access_skb(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		return true;
	default:
		return false;
	}
}

int core_validate(const struct bpf_insn *insns, size_t cnt,
		  enum bpf_prog_type type, const struct bpfvm_env *env,
		  char *log, size_t log_size)
{
	struct vctx v = { insns, cnt, env, 0, NULL, log, log_size };
	int err;

	if (cnt == 0)
		return core_logf(log, log_size, -EINVAL, "empty program");
	if (cnt > BPFVM_MAX_INSNS)
		return core_logf(log, log_size, -E2BIG,
				 "program has %zu instructions, more than the "
				 "limit of %u", cnt, BPFVM_MAX_INSNS);
	if (may_access_skb(type))
		v.check_flags = ISA_CHECK_LEGACY_LD;
	v.lddw_hi = calloc(cnt, sizeof(*v.lddw_hi));
	if (!v.lddw_hi)
		return -ENOMEM;
	err = mark_lddw(&v);
	for (size_t i = 0; !err && i < cnt; i++) {
		if (!v.lddw_hi[i])
			err = check_one(&v, i);
	}
	if (!err)
		err = check_end(&v);
	free(v.lddw_hi);
	return err;
}
