/* The JIT's compile passes. The usual compile translates instructions
 * grouped by opcode, through fast paths where it can; it must give byte
 * for byte the image of the reference compile (program order, general
 * translators only), for every form of every instruction. And branch
 * sizing: every branch short exactly when it reaches, at every distance
 * around the rel8 limit, alone and among other branches. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"
#include "engine/jit/jit.h"

static struct bpfvm_env *env;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Immediates and offsets where encodings change size or meaning. */
static int32_t pick_imm(void)
{
	static const int32_t v[] = { 0,	  1,	-1,	 2,	  7,	 8,
				     15,  16,	31,	 32,	  33,	 63,
				     64,  127,	128,	 -128,	  -129,	 255,
				     256, 0x7fffffff, INT32_MIN, 0x12345678,
				     -0x12345678, 0xffff, 0x10000 };

	return rnd(3) ? v[rnd(sizeof(v) / sizeof(v[0]))] : (int32_t)rnd(~0u);
}

static int16_t pick_off(void)
{
	static const int16_t v[] = { 0,	  1,	-1,   8,     -8,    127,
				     128, -128, -129, 0x7fff, -0x8000 };

	return v[rnd(sizeof(v) / sizeof(v[0]))];
}

/* One random insn of class cls (no calls, exits or lddw) at i of cnt;
 * jumps land inside the program. */
static struct bpf_insn random_insn(unsigned cls, size_t i, size_t cnt)
{
	static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	static const int32_t atomics[] = {
		BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH,
		BPF_OR | BPF_FETCH, BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH,
		BPF_XCHG, BPF_CMPXCHG,
	};
	struct bpf_insn in = INSN(0, rnd(10), rnd(11), 0, pick_imm());
	unsigned op = rnd(16) << 4, src = rnd(2) ? BPF_X : BPF_K;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == 0xe0 || op == 0xf0)
			op = BPF_MOV;
		in.code = (uint8_t)(cls | op | (op == BPF_NEG ? 0 : src));
		if (op == BPF_END)
			in.imm = 16 << rnd(3);
		else if (op == BPF_MOV && src == BPF_X)
			in.off = (int16_t)(rnd(2) ? 0 : 8 << rnd(3));
		else if (op == BPF_DIV || op == BPF_MOD)
			in.off = (int16_t)rnd(2);
		return in;
	case BPF_LDX:
		in.code = (uint8_t)(BPF_LDX | sizes[rnd(4)] |
				    (rnd(3) ? BPF_MEM : BPF_MEMSX));
		if ((in.code & 0xe0) == BPF_MEMSX && (in.code & 0x18) == BPF_DW)
			in.code = BPF_LDX | BPF_MEM | BPF_DW;
		in.off = pick_off();
		return in;
	case BPF_ST:
	case BPF_STX:
		in.code = (uint8_t)(cls | sizes[rnd(4)] | BPF_MEM);
		in.dst_reg = rnd(11);
		in.off = pick_off();
		if (cls == BPF_STX && rnd(6) == 0) {
			in.code = (uint8_t)(BPF_STX | BPF_ATOMIC |
					    (rnd(2) ? BPF_W : BPF_DW));
			in.imm = atomics[rnd(10)];
		}
		return in;
	}
	/* jumps: conditions (op 0x10-0xd0 but call/exit), ja; backward
	 * ones make loop heads */
	if (op == 0 || op >= 0xe0 || op == BPF_CALL || op == BPF_EXIT)
		op = rnd(4) ? BPF_JNE : BPF_JA;
	in.code = (uint8_t)(cls | op | (op == BPF_JA ? 0 : src));
	in.off = (int16_t)(rnd(4) ? rnd(4) : rnd(300));
	if (i + 1 + (size_t)in.off >= cnt)
		in.off = (int16_t)(cnt - 2 - i);
	if (rnd(10) == 0)
		in.off = (int16_t)(-1 - (int)rnd(i < 200 ? (unsigned)i + 1 : 200));
	if (op == BPF_JA && cls == BPF_JMP32) {
		in.imm = in.off;
		in.off = 0;
	}
	return in;
}

static bool lddw_hi(const struct bpf_insn *p, size_t t)
{
	return t > 0 && p[t - 1].code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* A jump into an lddw lands past it. */
static void retarget(struct bpf_insn *p, size_t i)
{
	unsigned cls = p[i].code & 7;
	int32_t *d = cls == BPF_JMP32 && (p[i].code & 0xf0) == BPF_JA ?
			     &p[i].imm : NULL;
	int16_t *o = &p[i].off;

	if ((cls != BPF_JMP && cls != BPF_JMP32) || lddw_hi(p, i))
		return;
	if (d ? lddw_hi(p, i + 1 + (size_t)(int64_t)*d) :
		lddw_hi(p, i + 1 + (size_t)(int64_t)*o)) {
		if (d)
			++*d;
		else
			++*o;
	}
}

/* cnt - 1 random insns and an exit. */
static struct bpf_insn *random_prog(size_t cnt)
{
	static const uint8_t cls[] = { BPF_ALU,	 BPF_ALU64, BPF_ALU64, BPF_LDX,
				       BPF_ST,	 BPF_STX,   BPF_JMP,   BPF_JMP32,
				       BPF_ALU64 };
	struct bpf_insn *p = calloc(cnt, sizeof(*p));

	for (size_t i = 0; p && i + 1 < cnt; i++) {
		if (rnd(40) == 0 && i + 2 < cnt) {
			struct bpf_insn ld[] = { LD_IMM64(rnd(10), rng) };

			memcpy(&p[i++], ld, sizeof(ld));
			continue;
		}
		p[i] = random_insn(cls[rnd(sizeof(cls))], i, cnt);
	}
	if (p)
		p[cnt - 1] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; p && i + 1 < cnt; i++)
		retarget(p, i);
	return p;
}

/* insn_off[i] - insn_off[0] for every i, and size - insn_off[0]: the
 * layout after the head. The head holds the entry and the thunks, whose C
 * calls take 13 bytes instead of 5 when the mapping lands too far from
 * the C functions (then it is 32 bytes longer): two compiles may differ
 * there by placement alone, never by pass. */
static uint32_t *rel_layout(const struct jit_image *img, size_t cnt)
{
	uint32_t *r = malloc((cnt + 2) * sizeof(*r));

	for (size_t i = 0; r && i <= cnt; i++)
		r[i] = img->insn_off[i] - img->insn_off[0];
	if (r)
		r[cnt + 1] = (uint32_t)(img->size - img->insn_off[0]);
	return r;
}

/* Where the layouts first differ, for the failure message. */
static void print_first_diff(const uint32_t *ra, const uint32_t *rb,
			     size_t cnt, uint32_t flags)
{
	for (size_t i = 0; i <= cnt + 1; i++) {
		if (ra[i] != rb[i]) {
			fprintf(stderr, "flags 0x%x, %zu insns: %s %zu at +%u "
				"(usual) / +%u (reference)\n", flags, cnt,
				i > cnt ? "end" : "insn", i, ra[i], rb[i]);
			return;
		}
	}
}

/* One usual compile and one reference compile: the same layout after
 * the head (rel_layout); exact: the same main code too. report: CHECK
 * each, else only say whether all matched. */
static bool compare_once(const struct bpf_insn *p, size_t cnt, uint32_t flags,
			 bool exact, bool report)
{
	struct jit_image *a = NULL, *b = NULL;
	uint32_t *ra = NULL, *rb = NULL;
	bool offs = false, size = false, code = !exact, same;
	char log[128];
	int ea = jit_compile(p, cnt, env, flags, &a, log, sizeof(log));
	int eb = jit_compile(p, cnt, env, flags | JIT_F_REFERENCE, &b, log,
			     sizeof(log));

	if (a && b) {
		ra = rel_layout(a, cnt);
		rb = rel_layout(b, cnt);
	}
	if (ra && rb) {
		size = ra[cnt + 1] == rb[cnt + 1];
		offs = !memcmp(ra, rb, (cnt + 1) * sizeof(*ra));
		/* the main code: the head holds addresses of this image */
		if (exact && offs)
			code = !memcmp((uint8_t *)a->code + a->insn_off[0],
				       (uint8_t *)b->code + b->insn_off[0],
				       ra[cnt]);
	}
	if (report) {
		CHECK(ea == 0 && eb == 0 && ra && rb);
		CHECK(size && offs);
		CHECK(code);
		if (ra && rb && !(size && offs))
			print_first_diff(ra, rb, cnt, flags);
	}
	same = ra && rb && size && offs && code;
	free(ra);
	free(rb);
	jit_image_free(a);
	jit_image_free(b);
	return same;
}

/* The usual compile against the reference one. exact: not for variants
 * with cold stubs (their order follows the translation) or blinding.
 * Blinded compiles draw their own random keys, and a key whose low half
 * fits in 8 bits (about 1 in 2^24 per constant, 1 test run in ~300) makes
 * that xor 3 bytes shorter: two blinded compiles may differ by chance,
 * while a pass that lays out code differently does so every time. So a
 * blinded mismatch is compiled again, twice at most, before it counts. */
static void compare(const struct bpf_insn *p, size_t cnt, uint32_t flags,
		    bool exact)
{
	int tries = (flags & JIT_F_BLIND) ? 3 : 1;

	for (int t = 1; t < tries; t++)
		if (compare_once(p, cnt, flags, exact, false))
			return;
	compare_once(p, cnt, flags, exact, true);
}

/* Every form, in chunks of the grouped pass and across their ends. */
static void test_same_image(void)
{
	static const size_t lens[] = { 2, 3, 17, 4096, 4097, 9000 };

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		for (int rep = 0; rep < 4; rep++) {
			struct bpf_insn *p = random_prog(lens[k]);

			CHECK(p != NULL);
			if (!p)
				return;
			compare(p, lens[k], 0, true);
			compare(p, lens[k], JIT_F_DIRECT, true);
			compare(p, lens[k], JIT_F_CHECKED, false);
			compare(p, lens[k], JIT_F_BLIND, false);
			free(p);
		}
	}
}

/* A large program: its scratch and image are mappings on huge pages,
 * kept from one compile for the next, and its code buffer grows. */
static void test_large(void)
{
	size_t cnt = 200000;
	struct bpf_insn *p = random_prog(cnt);

	CHECK(p != NULL);
	for (int rep = 0; p && rep < 3; rep++)
		compare(p, cnt, 0, true);
	free(p);
}

/* Where the branch of jump insn i (to t) is in the image, and its size:
 * 2 (rel8) or 5/6 (rel32); 0: none or not to t. */
static unsigned branch_len(const struct jit_image *img, size_t i, size_t t)
{
	const uint8_t *c = img->code;
	uint32_t end = img->insn_off[i + 1], to = img->insn_off[t];
	int32_t rel;

	if (end - img->insn_off[i] >= 2 &&
	    (c[end - 2] == 0xeb || (c[end - 2] & 0xf0) == 0x70) &&
	    end + (int8_t)c[end - 1] == to)
		return 2;
	if (end - img->insn_off[i] < 5)
		return 0;
	memcpy(&rel, c + end - 4, 4);
	if (end + rel != to)
		return 0;
	if (c[end - 5] == 0xe9)
		return 5;
	return c[end - 6] == 0x0f && (c[end - 5] & 0xf0) == 0x80 ? 6 : 0;
}

/* Fill insns of 3, 4, 7 and 11 bytes. */
static size_t put_filler(struct bpf_insn *p, size_t i, unsigned kind)
{
	static const struct bpf_insn fill[4] = {
		MOV64_REG(BPF_REG_0, BPF_REG_1),	 /* 48 89 f8 */
		ALU64_IMM(BPF_ADD, BPF_REG_0, 1),	 /* 48 83 c0 01 */
		MOV64_IMM(BPF_REG_3, -0x12345678),	 /* 48 c7 c2 imm32 */
		INSN(BPF_ST | BPF_MEM | BPF_DW, 1, 0, 0x1000, 7), /* disp32 */
	};

	p[i] = fill[kind];
	return 1;
}

/* One jump over code of every length around the limit: short exactly
 * when the displacement fits in 8 bits. */
static void test_one_jump(void)
{
	struct bpf_insn p[200];

	for (unsigned n3 = 0; n3 < 4; n3++) {
		for (unsigned n4 = 20; n4 < 40; n4++) {
			size_t cnt = 1, t;
			struct jit_image *img = NULL;
			char log[128];
			uint32_t disp;

			for (unsigned k = 0; k < n3; k++)
				cnt += put_filler(p, cnt, 0);
			for (unsigned k = 0; k < n4; k++)
				cnt += put_filler(p, cnt, 1);
			t = cnt;
			p[0] = INSN(BPF_JMP | BPF_JEQ | BPF_X, 1, 2,
				    (int16_t)(t - 1), 0);
			p[cnt++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
			CHECK(jit_compile(p, cnt, env, 0, &img, log,
					  sizeof(log)) == 0);
			if (!img)
				continue;
			disp = img->insn_off[t] - img->insn_off[1];
			CHECK_EQ_U64(branch_len(img, 0, t), disp <= 127 ? 2 : 6);
			jit_image_free(img);
		}
	}
}

/* A loop closed by one backward branch over code of every length around
 * the limit (the loop head is aligned: its padding is before it). */
static void test_backward_jump(void)
{
	struct bpf_insn p[200];

	for (unsigned n3 = 0; n3 < 4; n3++) {
		for (unsigned n4 = 20; n4 < 40; n4++) {
			size_t cnt = 1, head = 1, j;
			struct jit_image *img = NULL;
			char log[128];
			int64_t disp;

			p[0] = MOV64_IMM(BPF_REG_1, 0);
			for (unsigned k = 0; k < n3; k++)
				cnt += put_filler(p, cnt, 0);
			for (unsigned k = 0; k < n4; k++)
				cnt += put_filler(p, cnt, 1);
			j = cnt;
			p[cnt] = INSN(BPF_JMP | BPF_JNE | BPF_X, 1, 2, 0, 0);
			p[cnt].off = (int16_t)(head - cnt - 1);
			cnt++;
			p[cnt++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
			CHECK(jit_compile(p, cnt, env, 0, &img, log,
					  sizeof(log)) == 0);
			if (!img)
				continue;
			CHECK(img->insn_off[head] % 16 == 0);
			/* from the end of the branch were it short */
			disp = (int64_t)img->insn_off[head] -
			       (img->insn_off[j] + 3 + 2);
			CHECK_EQ_U64(branch_len(img, j, head),
				     disp >= -128 ? 2 : 6);
			jit_image_free(img);
		}
	}
}

/* Many forward jumps of random lengths over code of random sizes, often
 * over each other near the limit: the branches reach their targets (all
 * but those fusion turned into something else), and none is long that
 * would reach as short (each one's choice is the best given the others':
 * forward, a branch's size moves its target with it). */
static void test_many_jumps(void)
{
	for (int rep = 0; rep < 40; rep++) {
		size_t cnt = 3000, n = 0, jumps = 0, longs = 0, none = 0;
		struct bpf_insn *p = calloc(cnt, sizeof(*p));
		uint32_t *tgt = calloc(cnt, sizeof(*tgt));
		struct jit_image *img = NULL;
		char log[128];

		if (!p || !tgt)
			break;
		while (n + 3 < cnt) {
			if (rnd(3) == 0) {
				/* over 1 insn: maybe a select, no branch */
				size_t t = n + 3 + rnd(rep % 2 ? 60 : 25);

				t = t < cnt - 1 ? t : cnt - 1;
				p[n] = rnd(3) ? INSN(BPF_JMP | BPF_JGT | BPF_K,
						     1, 0, 0, 5) :
						INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0);
				p[n].off = (int16_t)(t - n - 1);
				tgt[n++] = (uint32_t)t;
				continue;
			}
			n += put_filler(p, n, rnd(4));
		}
		while (n < cnt)
			p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		CHECK(jit_compile(p, cnt, env, 0, &img, log, sizeof(log)) == 0);
		for (size_t i = 0; img && i < cnt; i++) {
			unsigned len;

			if (!tgt[i])
				continue;
			len = branch_len(img, i, tgt[i]);
			jumps++;
			none += !len; /* fused (a select: cmov and the ja) */
			if (len > 2) {
				longs++;
				CHECK(img->insn_off[tgt[i]] - img->insn_off[i + 1] >
				      127);
			}
		}
		CHECK(longs > 0 && longs < jumps);
		CHECK(none * 10 < jumps);
		jit_image_free(img);
		free(p);
		free(tgt);
	}
}

int main(void)
{
	CHECK(bpfvm_env_create(&env) == 0);
	test_same_image();
	test_large();
	test_one_jump();
	test_backward_jump();
	test_many_jumps();
	bpfvm_env_free(env);
	return check_report();
}
