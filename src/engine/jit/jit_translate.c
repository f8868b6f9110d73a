/* The JIT driver. Four linear steps:
 *  0. analyse (jit_analyse.c): leaders, jump targets, loop heads, function
 *     entries, in one branch-free pass over the instructions;
 *  1. translate (jit_pass.c): each instruction's code goes into a buffer,
 *     except the branch that ends a jump, which is only recorded (kind,
 *     target); references whose value depends on the final layout become
 *     fixups;
 *  2. layout (jit_layout.c): choose rel8 or rel32 for every branch, most
 *     proven from the code in between, the others by rounds over them
 *     only (a branch once found not to fit stays long, so it
 *     terminates), with loop heads aligned to 16 bytes;
 *  3. emit: copy the code to the executable image block by block with
 *     the branches in between, apply the fixups, seal the pages.
 * Nothing here allocates per instruction. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "engine/jit/jit_layout.h"
#include "engine/jit/jit_priv.h"
#include "engine/jit/jit_switch.h"
#include "isa/isa.h"

const uint8_t jit_reg[11] = {
	X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8,
	X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};

int jit_fail(struct jit_cc *cc, int err, const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!cc->err)
		cc->err = core_logf(cc->log, cc->log_size, err, "insn %zu: %s",
				    cc->i, msg);
	return cc->err;
}

uint8_t *jit_reserve(struct jit_cc *cc, struct jit_buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		uint8_t *q;

		while (cap < b->len + n)
			cap *= 2;
		q = jit_mem_scratch_grow(b->p, b->cap, cap);
		if (!q) {
			cc->err = -ENOMEM;
			return NULL;
		}
		b->p = q;
		b->cap = cap;
	}
	return b->p + b->len;
}

void jit_buf_free(struct jit_buf *b)
{
	jit_mem_scratch_free(b->p);
	*b = (struct jit_buf){ 0 };
}

void jit_fix(struct jit_cc *cc, uint32_t at_loc, uint32_t at_delta,
	     enum jit_fix_kind kind, uint32_t tgt_loc, uint64_t tgt)
{
	struct jit_fixup *f;

	if (cc->fix_cnt == cc->fix_cap) {
		size_t cap = cc->fix_cap ? cc->fix_cap * 2 : 256;
		void *q = realloc(cc->fix, cap * sizeof(*cc->fix));

		if (!q) {
			cc->err = -ENOMEM;
			return;
		}
		cc->fix = q;
		cc->fix_cap = cap;
	}
	f = &cc->fix[cc->fix_cnt++];
	f->at_loc = at_loc;
	f->at_delta = at_delta;
	f->kind = kind;
	f->tgt_loc = tgt_loc;
	if (tgt_loc == JIT_LOC_ABS)
		f->abs = tgt;
	else
		f->tgt_delta = (uint32_t)tgt;
}

void jit_fix_main(struct jit_cc *cc, uint8_t *p, uint32_t tgt_loc,
		  uint64_t tgt)
{
	uint32_t at = (uint32_t)(p - 4 - cc->main.p) - cc->off1[cc->i];

	jit_fix(cc, (uint32_t)cc->i, at, JIT_FIX_REL32, tgt_loc, tgt);
}

uint8_t *jit_emit_ccall(struct jit_cc *cc, struct jit_buf *b, uint32_t loc,
			uint8_t *p, const void *fn)
{
	uint64_t a = (uintptr_t)fn;

	if (cc->far_calls) {
		p = x86_movabs(p, JIT_TMP, a);
		return x86_call_r(p, JIT_TMP);
	}
	if (a < cc->call_lo)
		cc->call_lo = a;
	if (a > cc->call_hi)
		cc->call_hi = a;
	p = x86_call32(p, 0);
	if (loc == JIT_LOC_HEAD || loc == JIT_LOC_COLD)
		jit_fix(cc, loc, (uint32_t)(p - 4 - b->p), JIT_FIX_REL32,
			JIT_LOC_ABS, a);
	else
		jit_fix_main(cc, p, JIT_LOC_ABS, a);
	return p;
}

static uint64_t blind_key(struct jit_cc *cc)
{
	uint64_t x = cc->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	cc->rng = x;
	/* Never 0 in either half: the key must change every bit pattern. */
	return x | 0x0000000100000001ull << (x & 31);
}

uint8_t *jit_emit_imm(struct jit_cc *cc, uint8_t *p, int dst, int64_t imm)
{
	uint64_t k;

	if (!(cc->flags & JIT_F_BLIND))
		return x86_mov_imm64(p, dst, (uint64_t)imm);
	k = blind_key(cc);
	if (x86_fits32(imm)) {
		p = x86_mov_ri_sx(p, dst, (int32_t)(imm ^ (int32_t)k));
		return x86_alu_ri(p, X86_XOR, true, dst, (int32_t)k);
	}
	if ((uint64_t)imm <= UINT32_MAX) { /* zero-extended 32-bit value */
		p = x86_mov_ri32(p, dst, (uint32_t)(imm ^ (uint32_t)k));
		return x86_alu_ri(p, X86_XOR, false, dst, (int32_t)k);
	}
	p = x86_movabs(p, dst, (uint64_t)imm ^ k);
	p = x86_movabs(p, JIT_TMP, k);
	return x86_alu_rr(p, X86_XOR, true, dst, JIT_TMP);
}

uint8_t *jit_cold_begin(struct jit_cc *cc, uint32_t *off)
{
	uint8_t *p = jit_reserve(cc, &cc->cold, 64);

	*off = (uint32_t)cc->cold.len;
	return p;
}

/* --- Emission into the image. */

static uint64_t loc_pos(const uint32_t *off, uint32_t loc, uint32_t delta,
			uint32_t cold0)
{
	if (loc == JIT_LOC_HEAD)
		return delta;
	if (loc == JIT_LOC_COLD)
		return cold0 + delta;
	return off[loc] + delta;
}

static void apply_fixups(const struct jit_cc *cc, uint8_t *img,
			 const uint32_t *off, uint32_t cold0)
{
	for (size_t k = 0; k < cc->fix_cnt; k++) {
		const struct jit_fixup *f = &cc->fix[k];
		uint64_t at = loc_pos(off, f->at_loc, f->at_delta, cold0);
		uint64_t tgt = f->tgt_loc == JIT_LOC_ABS ?
				       f->abs :
				       (uintptr_t)img + loc_pos(off, f->tgt_loc,
							  f->tgt_delta, cold0);

		if (f->kind == JIT_FIX_ABS64) {
			memcpy(img + at, &tgt, 8);
		} else {
			int32_t rel = (int32_t)(tgt - ((uintptr_t)img + at + 4));

			memcpy(img + at, &rel, 4);
		}
	}
}

/* Would a rel32 from anywhere in [base, base + size) reach every C
 * function the code calls? */
static bool calls_reach(const struct jit_cc *cc, uint64_t base, size_t size)
{
	uint64_t lo, hi;

	if (cc->far_calls || cc->call_lo > cc->call_hi)
		return true;
	lo = base < cc->call_lo ? base : cc->call_lo;
	hi = base + size > cc->call_hi ? base + size : cc->call_hi;
	return hi - lo < (1ull << 31) - 4096;
}

/* The per insn arrays: off1 on its own (it becomes the image's insn_off),
 * the others in one block of scratch; only br starts zeroed. */
static int alloc_arrays(struct jit_cc *cc)
{
	size_t n = cc->cnt + 1;
	uint8_t *a = jit_mem_scratch(n * 16);

	cc->arena = a;
	cc->off1 = jit_mem_scratch(n * sizeof(*cc->off1));
	if (!a || !cc->off1)
		return -ENOMEM;
	cc->br_tgt = (uint32_t *)a;
	cc->scratch = (uint32_t *)(a + n * 4);
	cc->fuse_cand = (uint32_t *)(a + n * 8);
	cc->len = (uint16_t *)(a + n * 12);
	cc->info = a + n * 14; /* written whole by the analysis */
	cc->br = a + n * 15;
	memset(cc->br, 0, n);
	return 0;
}

int jit_cc_init(struct jit_cc *cc, const struct bpf_insn *insns, size_t cnt,
		const struct bpfvm_env *env, uint32_t flags, char *log,
		size_t log_size)
{
	*cc = (struct jit_cc){ .insns = insns, .cnt = cnt, .env = env,
			       .flags = flags, .log = log, .log_size = log_size,
			       .call_lo = UINT64_MAX };
	if (alloc_arrays(cc))
		return -ENOMEM;
	if ((flags & JIT_F_BLIND) &&
	    getrandom(&cc->rng, sizeof(cc->rng), 0) != sizeof(cc->rng))
		cc->rng = (uintptr_t)cc ^ (uintptr_t)insns;
	cc->rng |= 1;
	jit_analyse(cc);
	if (jit_fuse_plan(cc))
		return -ENOMEM;
	return jit_switch_plan(cc);
}

/* Before a pass (again, with far calls): br is zero already the first
 * time. */
static void reset_pass(struct jit_cc *cc, bool again)
{
	cc->head.len = cc->main.len = cc->cold.len = 0;
	cc->fix_cnt = 0;
	cc->call_lo = UINT64_MAX;
	cc->call_hi = 0;
	if (again)
		memset(cc->br, 0, cc->cnt + 1);
}

void jit_cc_free(struct jit_cc *cc)
{
	jit_mem_scratch_free(cc->arena);
	jit_mem_scratch_free(cc->off1);
	free(cc->fuse);
	jit_switch_free(cc);
	jit_buf_free(&cc->head);
	jit_buf_free(&cc->main);
	jit_buf_free(&cc->cold);
	free(cc->fix);
}

/* Translate, collect the layout items, and map the image. Retried with
 * calls through registers when the mapping lands too far from the C
 * functions the code calls. */
static int translate_map(struct jit_cc *cc, struct jit_layout *lo,
			 void **mem, size_t *map_size)
{
	for (bool again = false;; again = true) {
		size_t ub;
		int err;

		reset_pass(cc, again);
		err = jit_layout_begin(cc, lo);
		if (!err)
			err = jit_emit_head(cc);
		if (!err)
			err = jit_translate(cc);
		if (err)
			return err;
		ub = jit_layout_init(cc, lo);
		ub += cc->head.len + 32 + cc->cold.len;
		*mem = jit_mem_alloc(ub, map_size, cc->call_lo, cc->call_hi);
		if (!*mem)
			return -ENOMEM;
		if (calls_reach(cc, (uintptr_t)*mem, ub))
			return 0;
		jit_mem_free(*mem, *map_size);
		cc->far_calls = true;
	}
}

static int make_image(struct jit_cc *cc, struct jit_image_priv *ip)
{
	struct jit_image *img = &ip->pub;
	struct jit_layout lo = { 0 };
	size_t map_size;
	uint32_t cold0;
	void *mem = NULL;
	int err = translate_map(cc, &lo, &mem, &map_size);

	if (err) {
		jit_layout_free(&lo);
		return err;
	}
	jit_layout_size(cc, &lo);
	jit_layout_emit(cc, &lo, mem, cc->off1); /* in place */
	jit_layout_free(&lo);
	img->insn_off = cc->off1;
	cc->off1 = NULL;
	cold0 = (img->insn_off[cc->cnt] + 15) & ~15u;
	x86_nops((uint8_t *)mem + img->insn_off[cc->cnt],
		 cold0 - img->insn_off[cc->cnt]);
	if (cc->cold.len)
		memcpy((uint8_t *)mem + cold0, cc->cold.p, cc->cold.len);
	apply_fixups(cc, mem, img->insn_off, cold0);
	img->code = mem;
	img->size = cold0 + cc->cold.len;
	img->map_size = map_size;
	err = jit_mem_seal(mem, map_size);
	if (err) {
		jit_mem_free(mem, map_size);
		img->code = NULL;
	}
	return err;
}

/* The image's private tables: function entries for callx, lddw slots for
 * the budget's slow path. */
static int image_tables(const struct jit_cc *cc, struct jit_image_priv *ip)
{
	size_t n = 1;

	if (cc->subprogs)
		for (size_t i = 1; i < cc->cnt; i++)
			n += (cc->info[i] & JIT_I_FUNC) != 0;
	ip->funcs = malloc(n * sizeof(*ip->funcs));
	if (!ip->funcs)
		return -ENOMEM;
	ip->funcs[ip->func_cnt++] = ip->pub.insn_off[0];
	for (size_t i = 1; i < cc->cnt && ip->func_cnt < n; i++) {
		if (cc->info[i] & JIT_I_FUNC)
			ip->funcs[ip->func_cnt++] = ip->pub.insn_off[i];
	}
	if (!(cc->flags & JIT_F_COUNTED))
		return 0;
	ip->lddw_bits = calloc(cc->cnt / 8 + 1, 1);
	if (!ip->lddw_bits)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < cc->cnt; i++) {
		if (cc->info[i + 1] & JIT_I_LDDW_HI)
			ip->lddw_bits[i / 8] |= 1u << (i % 8);
	}
	return 0;
}

int jit_compile(const struct bpf_insn *insns, size_t cnt,
		const struct bpfvm_env *env, uint32_t flags,
		struct jit_image **out, char *log, size_t log_size)
{
	struct jit_cc cc = { 0 };
	struct jit_image_priv *ip = calloc(1, sizeof(*ip));
	int err = -ENOMEM;

	if (!ip)
		return -ENOMEM;
	if (cnt == 0 || cnt > BPFVM_MAX_INSNS) {
		err = core_logf(log, log_size, -EINVAL, "bad instruction count");
		goto out;
	}
	ip->pub.insn_cnt = cnt;
	ip->pub.flags = flags;
	ip->env = env;
	if (jit_cc_init(&cc, insns, cnt, env, flags, log, log_size))
		goto out;
	cc.img_addr = (uintptr_t)ip;
	err = make_image(&cc, ip);
	if (!err)
		err = image_tables(&cc, ip);
	if (cc.leaf)
		ip->pub.flags |= JIT_F_LEAF;
out:
	jit_cc_free(&cc);
	if (err) {
		jit_image_free(&ip->pub);
		return err;
	}
	*out = &ip->pub;
	return 0;
}

void jit_image_free(struct jit_image *img)
{
	struct jit_image_priv *ip = (struct jit_image_priv *)img;

	if (!img)
		return;
	if (img->code)
		jit_mem_free(img->code, img->map_size);
	jit_mem_scratch_free(img->insn_off);
	free(ip->funcs);
	free(ip->lddw_bits);
	free(ip);
}
