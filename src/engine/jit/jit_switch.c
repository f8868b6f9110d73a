/* Switch dispatch (see jit_switch.h).
 *
 * A tree is found from its root: a conditional jump comparing register R
 * (64 or 32 bits) with a constant, whose ways lead (through gotos) to more
 * such compares of R of the same width, and so on; what is not such a
 * compare is a leaf. No value changes on the way, so where the tree sends
 * a value v is a function of v alone, and it is constant between the
 * points where some compare changes its answer: c and c + 1 for each
 * constant c, 0 and the sign bit. The plan evaluates the tree once per
 * such interval, merges neighbours with the same target into runs, and
 * takes the table from the second run to the last but one, in unsigned or
 * signed order (whichever is smaller): values below it go to the first
 * run's target, values above to the last's. Every value goes where the
 * tree sends it, by construction.
 *
 * The work is bounded (a budget of steps per compile), so a program full
 * of compares compiles as fast as before. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alu.h"
#include "engine/jit/jit_fuse.h"
#include "engine/jit/jit_switch.h"
#include "isa/isa.h"

#define MAX_NODES 2048		/* compares in one tree */
#define MAX_BP (2 * MAX_NODES + 2)
#define JA_HOPS 4		/* gotos followed from one compare */

/* One tree's dispatch: values lo .. lo + size - 1 (w-bit, in the
 * order) through the table, the others to below / above. */
struct sw_tree {
	uint32_t root;
	bool w64, sgn;
	uint64_t lo, size;
	uint32_t below, above;
	size_t tab;		/* its first entry in jit_switch.tab */
};

struct jit_switch {
	struct sw_tree *t;
	size_t n, cap;
	uint32_t *tab;		/* targets (insn indices) */
	size_t tab_n, tab_cap;
};

/* A set of insn indices, emptied by removing what went in (the sets of
 * one tree are small, the trees many). */
#define HS_BITS 13
#define HS_SLOTS (1u << HS_BITS) /* > 2 * MAX_BP: probes stay short */

struct hset {
	uint32_t key[HS_SLOTS];	/* insn + 1; 0: empty */
	uint32_t used[HS_SLOTS];
	size_t n_used;
};

/* The compares that lead to a compare of their kind: from src to dst. */
struct links {
	uint32_t *src, *dst;
	size_t n, cap;
};

/* Planning state: the tree's nodes and the targets counted so far. */
struct sw_work {
	struct jit_cc *cc;
	struct hset nodes, targets;
	size_t budget;
	uint32_t node[MAX_NODES];
	size_t n_node;
	uint64_t bp[MAX_BP];
	uint32_t tgt[MAX_BP];
	size_t n_bp;
};

#define IS_NODE_OP(c)                                                       \
	(((c) & 7) == BPF_JMP || ((c) & 7) == BPF_JMP32) &&                 \
		((c) & 8) == BPF_K &&                                       \
		((c) >> 4 == BPF_JEQ >> 4 || (c) >> 4 == BPF_JNE >> 4 ||    \
		 (c) >> 4 == BPF_JGT >> 4 || (c) >> 4 == BPF_JGE >> 4 ||    \
		 (c) >> 4 == BPF_JLT >> 4 || (c) >> 4 == BPF_JLE >> 4 ||    \
		 (c) >> 4 == BPF_JSGT >> 4 || (c) >> 4 == BPF_JSGE >> 4 ||  \
		 (c) >> 4 == BPF_JSLT >> 4 || (c) >> 4 == BPF_JSLE >> 4)

static const bool node_op[256] = { JIT_TABLE256(IS_NODE_OP) };

/* Is insn t a compare of the same register and width as insn r? */
static bool same_kind(const struct bpf_insn *insns, size_t r, size_t t)
{
	return node_op[insns[t].code] &&
	       (insns[t].code & 7) == (insns[r].code & 7) &&
	       insns[t].dst_reg == insns[r].dst_reg;
}

/* Where a jump to t ends up after gotos. */
static size_t follow(const struct jit_cc *cc, size_t t)
{
	for (int h = 0; h < JA_HOPS && t < cc->cnt; h++) {
		const struct bpf_insn *in = &cc->insns[t];

		if (in->code == (BPF_JMP | BPF_JA))
			t = (size_t)((int64_t)t + 1 + in->off);
		else if (in->code == (BPF_JMP32 | BPF_JA))
			t = (size_t)((int64_t)t + 1 + in->imm);
		else
			break;
	}
	return t;
}

static size_t edge(const struct jit_cc *cc, size_t i, bool taken)
{
	return follow(cc, taken ? (size_t)((int64_t)i + 1 + cc->insns[i].off) :
				  i + 1);
}

/* Does the code at insn t do what insn t does onward, when jumped to?
 * Yes unless a fused run takes it into an earlier insn's code (a jump
 * target always starts its own code: jit_fuse.h). */
static bool entry_ok(const struct jit_cc *cc, size_t t)
{
	unsigned role;

	if (t >= cc->cnt || (cc->info[t] & JIT_I_LDDW_HI))
		return false;
	if (!cc->fuse || !cc->fuse[t] || (cc->info[t] & JIT_I_TARGET))
		return true;
	role = JIT_FUSE_ROLE(cc->fuse[t]);
	return role == JIT_FUSE_LEA || role == JIT_FUSE_SELECT ||
	       role == JIT_FUSE_EXIT || role == JIT_FUSE_RET ||
	       role == JIT_FUSE_SWAP || role == JIT_FUSE_TAILDUP ||
	       role == JIT_FUSE_SWITCH;
}

static bool taken(const struct bpf_insn *in, uint64_t v)
{
	bool w = (in->code & 7) == BPF_JMP;
	uint64_t c = w ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm;

#define COND(op)                                                            \
	case BPF_##op:                                                      \
		return w ? eng_jmp64_##op(v, c) :                           \
			   eng_jmp32_##op((uint32_t)v, (uint32_t)c)
	switch (in->code & 0xf0) {
		COND(JEQ);
		COND(JNE);
		COND(JGT);
		COND(JGE);
		COND(JLT);
		COND(JLE);
		COND(JSGT);
		COND(JSGE);
		COND(JSLT);
		COND(JSLE);
	}
#undef COND
	return false;
}

static uint32_t hs_slot(const struct hset *h, uint32_t k)
{
	uint32_t s = (k * 2654435761u) >> (32 - HS_BITS);

	while (h->key[s] && h->key[s] != k)
		s = (s + 1) & (HS_SLOTS - 1);
	return s;
}

static bool hs_has(const struct hset *h, size_t i)
{
	return h->key[hs_slot(h, (uint32_t)i + 1)] != 0;
}

/* Add i; false when it was there. */
static bool hs_add(struct hset *h, size_t i)
{
	uint32_t k = (uint32_t)i + 1, s = hs_slot(h, k);

	if (h->key[s])
		return false;
	h->key[s] = k;
	h->used[h->n_used++] = s;
	return true;
}

static void hs_clear(struct hset *h)
{
	for (size_t k = 0; k < h->n_used; k++)
		h->key[h->used[k]] = 0;
	h->n_used = 0;
}

/* The tree's nodes from root r into w->node (and w->nodes); false when it is
 * too big, a leaf cannot be entered, or the budget is spent. */
static bool collect(struct sw_work *w, size_t r)
{
	const struct jit_cc *cc = w->cc;

	w->n_node = 0;
	w->node[w->n_node++] = (uint32_t)r;
	hs_add(&w->nodes, r);
	for (size_t k = 0; k < w->n_node; k++) {
		for (int way = 0; way < 2; way++) {
			size_t t = edge(cc, w->node[k], way);

			if (!w->budget || t >= cc->cnt)
				return false;
			w->budget--;
			if (!same_kind(cc->insns, r, t)) {
				if (!entry_ok(cc, t))
					return false;
				continue;
			}
			if (w->n_node == MAX_NODES)
				return false;
			if (!hs_add(&w->nodes, t))
				continue;
			w->node[w->n_node++] = (uint32_t)t;
		}
	}
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The points where some compare changes its answer, sorted. */
static void breakpoints(struct sw_work *w, bool w64)
{
	uint64_t mask = w64 ? ~0ull : 0xffffffffull;
	size_t n = 0;

	w->bp[n++] = 0;
	w->bp[n++] = (mask >> 1) + 1;
	for (size_t k = 0; k < w->n_node; k++) {
		uint64_t c = (uint64_t)(int64_t)w->cc->insns[w->node[k]].imm &
			     mask;

		w->bp[n++] = c;
		w->bp[n++] = (c + 1) & mask;
	}
	qsort(w->bp, n, sizeof(w->bp[0]), cmp_u64);
	w->n_bp = 1;
	for (size_t k = 1; k < n; k++)
		if (w->bp[k] != w->bp[w->n_bp - 1])
			w->bp[w->n_bp++] = w->bp[k];
}

/* Where the tree from r sends v; cnt when it loops. */
static size_t eval(struct sw_work *w, size_t r, uint64_t v)
{
	const struct jit_cc *cc = w->cc;
	size_t i = r;

	for (size_t steps = 0; steps <= w->n_node && w->budget; steps++) {
		size_t t = edge(cc, i, taken(&cc->insns[i], v));

		w->budget--;
		if (!hs_has(&w->nodes, t))
			return t;
		i = t;
	}
	return cc->cnt;
}

/* Targets of every interval into w->tgt; the number of distinct ones, 0
 * when the tree loops. */
static size_t eval_all(struct sw_work *w, size_t r)
{
	size_t distinct = 0;

	for (size_t k = 0; k < w->n_bp; k++) {
		size_t t = eval(w, r, w->bp[k]);

		if (t >= w->cc->cnt)
			return 0;
		w->tgt[k] = (uint32_t)t;
		distinct += hs_add(&w->targets, t);
	}
	return distinct;
}

/* The dispatch in the order starting at interval s (0: unsigned; the
 * sign bit's: signed); its cost in table entries, or SIZE_MAX when it
 * does not pay. *j2: the first interval of the second run. */
static size_t order_cost(const struct sw_work *w, size_t s, bool w64,
			 struct sw_tree *t, size_t *j2)
{
	uint64_t mask = w64 ? ~0ull : 0xffffffffull;
	size_t m = w->n_bp, runs = 1, last_start = 0;

	*j2 = 0;
	for (size_t j = 1; j < m; j++) {
		if (w->tgt[(s + j) % m] == w->tgt[(s + j - 1) % m])
			continue;
		runs++;
		*j2 = *j2 ? *j2 : j;
		last_start = j;
	}
	if (runs < 3)
		return SIZE_MAX;
	t->lo = w->bp[(s + *j2) % m];
	t->size = (w->bp[(s + last_start) % m] - t->lo) & mask;
	t->below = w->tgt[s];
	t->above = w->tgt[(s + m - 1) % m];
	if (t->size > JIT_SW_MAX_TABLE ||
	    t->size > JIT_SW_DENSITY * (uint64_t)(runs - 2))
		return SIZE_MAX;
	return (size_t)t->size + (t->below != t->above ? 2 : 0);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* The table's entries, from interval j2 of the order starting at s. */
static bool fill(struct jit_switch *sw, const struct sw_work *w, size_t s,
		 size_t j2, struct sw_tree *t)
{
	uint64_t mask = t->w64 ? ~0ull : 0xffffffffull;
	size_t m = w->n_bp, idx = 0;

	if (!grow((void **)&sw->tab, &sw->tab_cap, sw->tab_n + t->size,
		  sizeof(*sw->tab)))
		return false;
	t->tab = sw->tab_n;
	for (size_t j = j2; idx < t->size; j++) {
		size_t k = (s + j) % m;
		uint64_t next = k + 1 == m ? 0 : w->bp[k + 1];
		uint64_t len = (next - w->bp[k]) & mask;

		for (; len && idx < t->size; len--)
			sw->tab[sw->tab_n + idx++] = w->tgt[k];
	}
	sw->tab_n += t->size;
	return true;
}

static size_t sign_interval(const struct sw_work *w, bool w64)
{
	uint64_t half = w64 ? 1ull << 63 : 1ull << 31;
	size_t k = 0;

	while (w->bp[k] != half)
		k++;
	return k;
}

/* Plan the tree at root r when it pays; false only when out of memory. */
static bool plan_tree(struct sw_work *w, struct jit_switch *sw, size_t r)
{
	bool w64 = (w->cc->insns[r].code & 7) == BPF_JMP;
	struct sw_tree a = { .root = (uint32_t)r, .w64 = w64 }, b = a;
	size_t ja, jb, ca, cb, s_sgn;

	hs_clear(&w->nodes);
	hs_clear(&w->targets);
	/* most compares are no tree: too few for the targets it needs */
	if (!collect(w, r) || w->n_node < JIT_SW_MIN_TARGETS - 1)
		return true;
	breakpoints(w, w64);
	if (eval_all(w, r) < JIT_SW_MIN_TARGETS)
		return true;
	s_sgn = sign_interval(w, w64);
	ca = order_cost(w, 0, w64, &a, &ja);
	b.sgn = true;
	cb = order_cost(w, s_sgn, w64, &b, &jb);
	if (ca == SIZE_MAX && cb == SIZE_MAX)
		return true;
	if (cb < ca) {
		a = b;
		ja = jb;
	}
	if (!grow((void **)&sw->t, &sw->cap, sw->n + 1, sizeof(*sw->t)) ||
	    !fill(sw, w, a.sgn ? s_sgn : 0, ja, &a))
		return false;
	if (!w->cc->fuse && !(w->cc->fuse = calloc(w->cc->cnt + 1, 1)))
		return false;
	sw->t[sw->n++] = a;
	w->cc->fuse[r] = JIT_FUSE_SWITCH;
	return true;
}

static bool link_add(struct links *l, size_t src, size_t dst)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint32_t *a = realloc(l->src, cap * sizeof(*a));

		if (!a)
			return false;
		l->src = a;
		a = realloc(l->dst, cap * sizeof(*a));
		if (!a)
			return false;
		l->dst = a;
		l->cap = cap;
	}
	l->src[l->n] = (uint32_t)src;
	l->dst[l->n++] = (uint32_t)dst;
	return true;
}

/* One pass over the program: the links from compares next to a compare
 * of their kind (clang puts a tree's compares in such blocks, a chain's
 * too). Only those: reading every jump's target would cost most of the
 * pass in cache misses. false when out of memory. */
static bool links_from(const struct jit_cc *cc, size_t i, struct links *l)
{
	for (int way = 0; way < 2; way++) {
		size_t t = edge(cc, i, way);

		if (t < cc->cnt && same_kind(cc->insns, i, t) &&
		    !link_add(l, i, t))
			return false;
	}
	return true;
}

static bool find_links(const struct jit_cc *cc, struct links *l)
{
	const struct bpf_insn *in = cc->insns;
	bool prev = false;

	/* branch-free but for the rare blocks: random code's opcodes would
	 * mispredict a branch on each */
	for (size_t i = 0; i + 1 < cc->cnt; i++) {
		unsigned c0 = in[i].code, c1 = in[i + 1].code;
		bool next = node_op[c0] & node_op[c1] &
			    ((c0 & 7) == (c1 & 7)) &
			    (in[i].dst_reg == in[i + 1].dst_reg);

		if (__builtin_expect(next | prev, 0) && !links_from(cc, i, l))
			return false;
		prev = next;
	}
	return !prev || links_from(cc, cc->cnt - 1, l);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Plan from each compare that leads to others and that no other compare
 * of its kind leads to (a subtree is part of a bigger tree). */
static int plan_all(struct jit_cc *cc, struct sw_work *w,
		    struct jit_switch *sw, struct links *l)
{
	w->budget = 16 * cc->cnt + 65536;
	w->cc = cc;
	qsort(l->dst, l->n, sizeof(*l->dst), cmp_u32);
	for (size_t k = 0; k < l->n && w->budget; k++) {
		uint32_t r = l->src[k];

		if ((k && l->src[k - 1] == r) || (cc->fuse && cc->fuse[r]) ||
		    bsearch(&r, l->dst, l->n, sizeof(r), cmp_u32))
			continue;
		if (!plan_tree(w, sw, r))
			return -ENOMEM;
	}
	return 0;
}

int jit_switch_plan(struct jit_cc *cc)
{
	struct links l = { 0 };
	struct sw_work *w = NULL;
	int err = 0;

	if (cc->flags & (JIT_F_COUNTED | JIT_F_BLIND))
		return 0;
	if (!find_links(cc, &l))
		err = -ENOMEM;
	/* a tree with enough targets has more links than this */
	else if (l.n >= JIT_SW_MIN_TARGETS - 2) {
		w = calloc(1, sizeof(*w));
		cc->sw = calloc(1, sizeof(*cc->sw));
		err = w && cc->sw ? plan_all(cc, w, cc->sw, &l) : -ENOMEM;
	}
	if (err || (cc->sw && !cc->sw->n))
		jit_switch_free(cc);
	free(w);
	free(l.src);
	free(l.dst);
	return err;
}

void jit_switch_free(struct jit_cc *cc)
{
	if (!cc->sw)
		return;
	free(cc->sw->t);
	free(cc->sw->tab);
	free(cc->sw);
	cc->sw = NULL;
}

/* --- The dispatch's code. r11 holds the value (the index), r10 the
 * table's address (or a constant too wide for an immediate). */

static const struct sw_tree *find(const struct jit_switch *sw, size_t root)
{
	size_t lo = 0, hi = sw ? sw->n : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sw->t[mid].root == root)
			return &sw->t[mid];
		if (sw->t[mid].root < root)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* op r11, v (64 or 32 bits). */
static uint8_t *alu_k(uint8_t *p, enum x86_alu op, bool w64, uint64_t v)
{
	if (!w64)
		return x86_alu_ri(p, op, false, JIT_TMP, (int32_t)(uint32_t)v);
	if (x86_fits32((int64_t)v))
		return x86_alu_ri(p, op, true, JIT_TMP, (int32_t)v);
	p = x86_movabs(p, JIT_ADDR, v);
	return x86_alu_rr(p, op, true, JIT_TMP, JIT_ADDR);
}

static uint8_t *jcc_to(struct jit_cc *cc, uint8_t *p, enum x86_cc c,
		       uint32_t insn)
{
	p = x86_jcc32(p, c, 0);
	jit_fix_main(cc, p, insn, 0);
	return p;
}

/* The table of code addresses, 8-byte aligned in the cold segment; its
 * offset there, or UINT32_MAX when out of memory. */
static uint32_t emit_table(struct jit_cc *cc, const struct sw_tree *t)
{
	size_t pad = (8 - (cc->cold.len & 7)) & 7, n = (size_t)t->size * 8;
	uint8_t *q = jit_reserve(cc, &cc->cold, pad + n);
	uint32_t off;

	if (!q)
		return UINT32_MAX;
	memset(q, 0xcc, pad + n); /* int3 until the fixups fill it */
	off = (uint32_t)(cc->cold.len + pad);
	cc->cold.len += pad + n;
	for (size_t k = 0; k < t->size; k++)
		jit_fix(cc, JIT_LOC_COLD, off + (uint32_t)(8 * k),
			JIT_FIX_ABS64, cc->sw->tab[t->tab + k], 0);
	return cc->err ? UINT32_MAX : off;
}

uint8_t *jit_tr_switch(struct jit_cc *cc, uint8_t *p)
{
	const struct sw_tree *t = find(cc->sw, cc->i);
	int d = jit_reg[cc->insns[cc->i].dst_reg];
	uint64_t mask;
	uint32_t off;

	if (!t) {
		jit_fail(cc, -EINVAL, "no switch planned here");
		return NULL;
	}
	off = emit_table(cc, t);
	if (off == UINT32_MAX)
		return NULL;
	mask = t->w64 ? ~0ull : 0xffffffffull;
	p = x86_mov_rr(p, t->w64, JIT_TMP, d);
	if (t->below == t->above) {
		if (t->lo)
			p = alu_k(p, X86_SUB, t->w64, t->lo);
		p = x86_alu_ri(p, X86_CMP, t->w64, JIT_TMP,
			       (int32_t)(t->size - 1));
		p = jcc_to(cc, p, X86_CC_A, t->below);
	} else {
		p = alu_k(p, X86_CMP, t->w64, t->lo);
		p = jcc_to(cc, p, t->sgn ? X86_CC_L : X86_CC_B, t->below);
		p = alu_k(p, X86_CMP, t->w64, (t->lo + t->size - 1) & mask);
		p = jcc_to(cc, p, t->sgn ? X86_CC_G : X86_CC_A, t->above);
		if (t->lo)
			p = alu_k(p, X86_SUB, t->w64, t->lo);
	}
	/* lea r10, [rip + table]; jmp [r10 + r11 * 8] */
	memcpy(p, "\x4c\x8d\x15", 3);
	p = x86_put32(p + 3, 0);
	jit_fix_main(cc, p, JIT_LOC_COLD, off);
	memcpy(p, "\x43\xff\x24\xda", 4);
	return p + 4;
}
