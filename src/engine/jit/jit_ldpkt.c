/* LD_ABS / LD_IND and the CO-RE poison call (ld_pkt.h gives the
 * semantics). Both are rare in programs, so both call C: a packet load
 * calls eng_ld_pkt_<size>, which stops the run (r0 = 0) when the bytes
 * are not all in the packet; the code then leaves as after a helper that
 * called bpfvm_run_stop (JIT_H_PENDING), from any call depth. The
 * analysis treats a packet load as a call (no leaf entry: the run must
 * exist) that ends its block (an exact budget: jit_analyse.c). */
#include "engine/jit/jit_priv.h"
#include "engine/ld_pkt.h"
#include "engine/run.h"
#include "isa/isa.h"

/* BPF r1-r5 keep their values (ld_pkt.h): saved around the C call, with
 * a pad slot keeping rsp 16-byte aligned. */
static const uint8_t kept[5] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8 };

uint8_t *jit_tr_ldpkt(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	static const void *const fns[4] = {
		(const void *)eng_ld_pkt_w, (const void *)eng_ld_pkt_h,
		(const void *)eng_ld_pkt_b, NULL,
	};

	for (int k = 0; k < 5; k++)
		p = x86_push(p, kept[k]);
	p = x86_alu_ri(p, X86_SUB, true, X86_RSP, 8);
	/* the offset, a 32-bit sum for IND; the imm blinded if asked */
	p = jit_emit_imm(cc, p, JIT_TMP2, in->imm);
	if (ISA_MODE(in->code) == BPF_IND)
		p = x86_alu_rr(p, X86_ADD, false, JIT_TMP2,
			       jit_reg[in->src_reg]);
	p = x86_mov_rr(p, false, X86_RSI, JIT_TMP2);
	p = x86_load(p, X86_LD_U64, X86_RDI, JIT_CTX, JIT_CTX_OFF(run));
	p = jit_emit_ccall(cc, &cc->main, (uint32_t)cc->i, p,
			   fns[ISA_SIZE(in->code) >> 3]);
	p = x86_alu_ri(p, X86_ADD, true, X86_RSP, 8);
	for (int k = 4; k >= 0; k--)
		p = x86_pop(p, kept[k]);
	return jit_emit_stop_check(cc, p);
}

static int slow_core_poison(struct jit_ctx *ctx, uint32_t insn)
{
	return eng_fail_core_poison(ctx->run, insn);
}

uint8_t *jit_tr_core_poison(struct jit_cc *cc, uint8_t *p)
{
	p = x86_mov_rr(p, true, X86_RDI, JIT_CTX);
	p = x86_mov_ri32(p, X86_RSI, (uint32_t)cc->i);
	p = jit_emit_ccall(cc, &cc->main, (uint32_t)cc->i, p,
			   (const void *)slow_core_poison);
	p = x86_jmp32(p, 0); /* eax = -EINVAL */
	jit_fix_main(cc, p, JIT_LOC_HEAD, cc->head_label[JIT_H_UNWIND]);
	return p;
}
