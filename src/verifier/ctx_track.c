/* The checks and rewrites of ctx accesses (ctx_track.h), on the states
 * ctx_flow.c finds. */
#include <errno.h>

#include "core/log.h"
#include "isa/isa.h"
#include "verifier/ctx_flow.h"
#include "verifier/ctx_track.h"

struct ct {
	const struct pt_ops *ops;
	uint32_t used;		/* largest read end */
	char *log;
	size_t log_size;
};

static const char *ct_name(const struct ct *t)
{
	return t->ops->ctx_name ? t->ops->ctx_name : "the context";
}

/* A type without ctx_access: plain memory, read-only, ctx_max bytes. */
static int ct_plain(struct ct *t, size_t i, const struct pt_ctx_access *a)
{
	if (a->write)
		return core_logf(t->log, t->log_size, -EACCES,
				 "insn %zu: %s is read-only (a %u-byte store "
				 "at offset %u)", i, ct_name(t), a->size,
				 a->off);
	if (a->off + a->size > t->ops->ctx_max)
		return core_logf(t->log, t->log_size, -EACCES,
				 "insn %zu: invalid access to %s: %u bytes at "
				 "offset %u, past its %u bytes", i, ct_name(t),
				 a->size, a->off, t->ops->ctx_max);
	return 0;
}

static int ct_access(struct ct *t, size_t i, struct bpf_insn *in,
		     unsigned reg)
{
	struct pt_ctx_access a = {
		.size = isa_size_bytes(in->code),
		.write = ISA_CLASS(in->code) != BPF_LDX,
		.sign_ext = ISA_MODE(in->code) == BPF_MEMSX,
	};
	char why[160] = "";
	int err;

	if (ISA_MODE(in->code) == BPF_ATOMIC)
		return core_logf(t->log, t->log_size, -EACCES,
				 "insn %zu: atomic operation on %s (r%u) is "
				 "not allowed", i, ct_name(t), reg);
	if (in->off < 0)
		return core_logf(t->log, t->log_size, -EACCES,
				 "insn %zu: invalid access to %s at offset %d "
				 "(r%u)", i, ct_name(t), in->off, reg);
	a.off = (uint32_t)in->off;
	if (!t->ops->ctx_access) {
		err = ct_plain(t, i, &a);
	} else {
		err = t->ops->ctx_access(&a, in, why, sizeof(why));
		if (err)
			return core_logf(t->log, t->log_size, err,
					 "insn %zu: %s", i,
					 why[0] ? why : "invalid ctx access");
	}
	if (!err && !a.write && a.off + a.size > t->used)
		t->used = a.off + a.size;
	return err;
}

static int ct_visit(void *arg, size_t i, struct bpf_insn *in, unsigned base)
{
	struct ct *t = arg;
	unsigned reg = ISA_CLASS(in->code) == BPF_LDX ? in->src_reg
						       : in->dst_reg;

	if (base & CTX_MAY_CTX) {
		if (base & (CTX_MAY_ELSE | CTX_MAY_MOD))
			return core_logf(t->log, t->log_size, -EINVAL,
					 "insn %zu: r%u is the context on some "
					 "paths and not on others", i, reg);
		return ct_access(t, i, in, reg);
	}
	if (base & CTX_MAY_MOD)
		return core_logf(t->log, t->log_size, -EACCES,
				 "insn %zu: dereference of modified ctx ptr "
				 "r%u (%s is reached only at a constant "
				 "offset from itself)", i, reg, ct_name(t));
	return 0;
}

int ctx_track_run(const struct pt_ops *ops, struct bpf_insn *insns,
		  size_t cnt, uint32_t *ctx_used, char *log, size_t log_size)
{
	struct ct t = { ops, 0, log, log_size };
	int err = ctx_flow_run(insns, cnt, ct_visit, &t);

	if (ctx_used)
		*ctx_used = err ? 0 : t.used;
	return err;
}
