/* Translators for maps and tail calls (see jit_map.h): ARRAY and
 * PERCPU_ARRAY lookups inline, bpf_tail_call, and the bookkeeping before
 * helpers that call back into the program. */
#include <stddef.h>
#include <string.h>

#include "engine/jit/jit_map.h"
#include "engine/run.h"
#include "helpers/helpers.h"
#include "helpers/helpers_flow.h"
#include "isa/isa.h"
#include "maps/array.h"
#include "maps/map_priv.h"

/* jmp reg */
static uint8_t *jmp_r(uint8_t *p, int reg)
{
	return x86_op_rr(p, false, 0xff, 4, reg, false);
}

static bool is_tail_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 &&
	       in->imm == BPF_FUNC_tail_call;
}

bool jit_saves_all(const struct jit_cc *cc)
{
	if (cc->flags & JIT_F_TAIL)
		return true;
	if (!cc->has_calls || /* the analysis saw no call: skip the scan */
	    !hlp_is_tail_call(bpfvm_helper_find(cc->env, BPF_FUNC_tail_call)))
		return false;
	for (size_t i = 0; i < cc->cnt; i++) {
		if (is_tail_call(&cc->insns[i]))
			return true;
	}
	return false;
}

/* Does `in` (not an lddw, not a call: neither is inside a block before a
 * call) write BPF register r? */
static bool writes_reg(const struct bpf_insn *in, unsigned r)
{
	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LDX:
		return in->dst_reg == r;
	case BPF_STX:
		if (ISA_MODE(in->code) != BPF_ATOMIC)
			return false;
		if (in->imm == BPF_CMPXCHG)
			return r == BPF_REG_0;
		return (in->imm & BPF_FETCH) && in->src_reg == r;
	case BPF_ST:
	case BPF_JMP:
	case BPF_JMP32:
		return false;
	}
	return true; /* LD_ABS / LD_IND: r0 (and be safe) */
}

/* The map r1 holds at call i when an lddw of it (xlated: src 1) comes
 * earlier in the same basic block with no write to r1 in between. */
static const struct bpfvm_map *known_r1_map(const struct jit_cc *cc, size_t i)
{
	size_t j = i;

	while (j > 0 && !(cc->info[j] & JIT_I_LEADER)) {
		const struct bpf_insn *in;

		j--;
		if (cc->info[j] & JIT_I_LDDW_HI)
			j--;
		in = &cc->insns[j];
		if (isa_is_lddw(in)) {
			if (in->dst_reg != BPF_REG_1)
				continue;
			if (in->src_reg != BPF_PSEUDO_MAP_FD)
				return NULL;
			return (const void *)(uintptr_t)((uint32_t)in[0].imm |
					(uint64_t)(uint32_t)in[1].imm << 32);
		}
		if (writes_reg(in, BPF_REG_1))
			return NULL;
	}
	return NULL;
}

static bool builtin(const struct jit_cc *cc, uint32_t id)
{
	const struct helper_def *d = helper_def_find(id);

	return d && bpfvm_helper_find(cc->env, id) == d->fn;
}

/* rax = this thread's CPU slot * stride (PERCPU_ARRAY): the slot + 1 is
 * thread_slot at %fs:off (map_cpu_slot_tls_off); 0 means none yet, and
 * a cold stub asks map_cpu_current (a C call where the helper's would
 * be: r1-r5 are the program's to lose; r2 kept, it holds the key). */
static uint8_t *cpu_offset(struct jit_cc *cc, uint8_t *p, int32_t tls_off,
			   int32_t stride)
{
	uint32_t at;
	uint8_t *q;

	*p++ = 0x64; /* mov eax, fs:[tls_off] */
	*p++ = 0x8b;
	*p++ = 0x04;
	*p++ = 0x25;
	memcpy(p, &tls_off, 4);
	p += 4;
	p = x86_test_rr(p, false, X86_RAX, X86_RAX);
	p = x86_jcc32(p, X86_CC_E, 0);
	q = jit_cold_begin(cc, &at);
	if (q) {
		jit_fix_main(cc, p, JIT_LOC_COLD, at);
		q = x86_push(q, jit_reg[BPF_REG_2]);
		q = x86_push(q, jit_reg[BPF_REG_2]); /* two: rsp stays aligned */
		q = jit_emit_ccall(cc, &cc->cold, JIT_LOC_COLD, q,
				   (const void *)map_cpu_current);
		q = x86_pop(q, jit_reg[BPF_REG_2]);
		q = x86_pop(q, jit_reg[BPF_REG_2]);
		q = x86_alu_ri(q, X86_ADD, false, X86_RAX, 1);
		q = x86_jmp32(q, 0);
		jit_fix(cc, JIT_LOC_COLD, (uint32_t)(q - 4 - cc->cold.p),
			JIT_FIX_REL32, (uint32_t)cc->i,
			(uint32_t)(p - cc->main.p) - cc->off1[cc->i]);
		cc->cold.len = (size_t)(q - cc->cold.p);
	}
	p = x86_alu_ri(p, X86_SUB, false, X86_RAX, 1);
	return x86_imul_rri(p, true, X86_RAX, X86_RAX, stride);
}

/* The map r1 holds at this lookup when the JIT inlines it: an ARRAY, or
 * a PERCPU_ARRAY (x86-64: its slot in static TLS), with sizes that fit
 * an imm32. NULL: call the helper. */
static const struct array_map *inlined_array(struct jit_cc *cc,
					     const struct bpf_insn *in,
					     int32_t *tls_off)
{
	const struct bpfvm_map *map;
	const struct array_map *a;

	if (in->imm != BPF_FUNC_map_lookup_elem ||
	    (cc->flags & JIT_F_CHECKED) || !builtin(cc, in->imm))
		return NULL;
	map = known_r1_map(cc, cc->i);
	if (!map || (map->type != BPF_MAP_TYPE_ARRAY &&
		     map->type != BPF_MAP_TYPE_PERCPU_ARRAY))
		return NULL;
	a = (const struct array_map *)map;
	if (a->elem_size > INT32_MAX)
		return NULL;
	*tls_off = 0;
	if (map->type == BPF_MAP_TYPE_ARRAY)
		return a;
#if defined(__x86_64__)
	{
		intptr_t off = map_cpu_slot_tls_off();

		if (a->cpu_stride > INT32_MAX || off < INT32_MIN ||
		    off > INT32_MAX)
			return NULL;
		*tls_off = (int32_t)off;
		return a;
	}
#else
	return NULL;
#endif
}

const void *jit_map_lookup_fn(struct jit_cc *cc, const struct bpf_insn *in)
{
	const struct bpfvm_map *map;

	if (in->imm != BPF_FUNC_map_lookup_elem ||
	    (cc->flags & JIT_F_CHECKED) || !builtin(cc, in->imm))
		return NULL;
	map = known_r1_map(cc, cc->i);
	return map ? (const void *)map->ops->lookup : NULL;
}

/* r0 = *(u32 *)r2 < max_entries ? values + index * elem_size : NULL,
 * plus the thread's slot * cpu_stride for a PERCPU_ARRAY (the helper's
 * answer, as the kernel's inlined lookups). Checked runs keep the helper
 * call: the key's load must be checked. */
uint8_t *jit_tr_array_lookup(struct jit_cc *cc, uint8_t *p,
			     const struct bpf_insn *in)
{
	int32_t tls_off;
	const struct array_map *a = inlined_array(cc, in, &tls_off);
	bool percpu = a && a->map.type == BPF_MAP_TYPE_PERCPU_ARRAY;
	int idx = percpu ? JIT_TMP2 : X86_RAX;
	uint8_t *to_null, *to_done;

	if (!a)
		return NULL;
	if (percpu)
		p = cpu_offset(cc, p, tls_off, (int32_t)a->cpu_stride);
	p = x86_load(p, X86_LD_U32, idx, jit_reg[BPF_REG_2], 0);
	p = x86_alu_ri(p, X86_CMP, false, idx, (int32_t)a->map.max_entries);
	to_null = p = x86_jcc8(p, X86_CC_AE, 0);
	if (__builtin_popcount(a->elem_size) == 1)
		p = x86_shift_ri(p, X86_SHL, true, idx,
				 (uint8_t)__builtin_ctz(a->elem_size));
	else
		p = x86_imul_rri(p, true, idx, idx, (int32_t)a->elem_size);
	if (percpu)
		p = x86_alu_rr(p, X86_ADD, true, X86_RAX, idx);
	p = x86_movabs(p, JIT_TMP, (uintptr_t)a->values);
	p = x86_alu_rr(p, X86_ADD, true, X86_RAX, JIT_TMP);
	to_done = p = x86_jmp8(p, 0);
	to_null[-1] = (uint8_t)(p - to_null);
	p = x86_zero(p, X86_RAX);
	to_done[-1] = (uint8_t)(p - to_done);
	return p;
}

/* jnz to a cold stub "mov eax, edx; jmp unwind": the lookup's error. */
static uint8_t *fail_on_edx(struct jit_cc *cc, uint8_t *p)
{
	uint32_t at;
	uint8_t *q;

	p = x86_test_rr(p, false, X86_RDX, X86_RDX);
	p = x86_jcc32(p, X86_CC_NE, 0);
	q = jit_cold_begin(cc, &at);
	if (!q)
		return p;
	jit_fix_main(cc, p, JIT_LOC_COLD, at);
	q = x86_mov_rr(q, false, X86_RAX, X86_RDX);
	q = x86_jmp32(q, 0);
	jit_fix(cc, JIT_LOC_COLD, (uint32_t)(q - 4 - cc->cold.p), JIT_FIX_REL32,
		JIT_LOC_HEAD, cc->head_label[JIT_H_UNWIND]);
	cc->cold.len = (size_t)(q - cc->cold.p);
	return p;
}

/* r1 (rdi) = ctx, r2 (rsi) = map, r3 (rdx) = index: ask jit_tail_lookup,
 * then jump to the target or fall through with r0 and r1 as they were. */
uint8_t *jit_tr_tail_call(struct jit_cc *cc, uint8_t *p)
{
	uint8_t *to_done;

	p = x86_push(p, X86_RDI);
	p = x86_push(p, X86_RAX); /* two pushes: rsp stays aligned */
	p = x86_mov_rr(p, true, X86_RDI, JIT_CTX);
	p = x86_movabs(p, X86_RCX, cc->img_addr);
	p = x86_mov_ri32(p, X86_R8, (uint32_t)cc->i);
	p = jit_emit_ccall(cc, &cc->main, (uint32_t)cc->i, p,
			   (const void *)jit_tail_lookup);
	p = x86_mov_rr(p, true, JIT_TMP, X86_RAX);
	p = x86_pop(p, X86_RAX);
	p = x86_pop(p, X86_RDI);
	p = fail_on_edx(cc, p);
	p = x86_test_rr(p, true, JIT_TMP, JIT_TMP);
	to_done = p = x86_jcc8(p, X86_CC_E, 0);
	p = jmp_r(p, JIT_TMP);
	to_done[-1] = (uint8_t)(p - to_done);
	return p;
}

uint8_t *jit_emit_cb_site(struct jit_cc *cc, uint8_t *p)
{
	const int32_t o_jit = (int32_t)offsetof(struct bpfvm_run, cb_jit);
	const int32_t o_r10 = (int32_t)offsetof(struct bpfvm_run, cb_r10);
	const int32_t o_insn = (int32_t)offsetof(struct bpfvm_run, cb_insn);
	const int32_t o_img = (int32_t)offsetof(struct bpfvm_run, cb_img);

	p = x86_store(p, 8, JIT_TMP2, o_jit, JIT_CTX);
	p = x86_store(p, 8, JIT_TMP2, o_r10, X86_RBP);
	p = x86_store_imm(p, 8, JIT_TMP2, o_insn, (int32_t)cc->i);
	p = x86_movabs(p, JIT_TMP, cc->img_addr);
	return x86_store(p, 8, JIT_TMP2, o_img, JIT_TMP);
}
