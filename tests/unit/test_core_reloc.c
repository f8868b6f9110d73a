/* CO-RE (issue 5): core_local.o's relocations applied against
 * core_target_a.o's BTF by ld_core_relocate; every patched instruction
 * checked against the target layout as the host compiler sees it
 * (tests/objs/core_target.h): offsets, sizes, signedness, bitfield
 * shifts (by reading bitfields through them), type and enum facts,
 * poisoning, flavors, candidates that agree and that do not. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "check.h"
#include "core_obj.h"
#include "loader/ld_core.h"
#include "../objs/core_target.h"

static struct core_obj lo, tg;

/* A relocated copy of section `sec`; NULL (and a failed check) when
 * relocation fails. */
static struct bpf_insn *relocated(const char *sec, size_t *cnt)
{
	const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_find_sec(lo.ext, sec);
	struct bpf_insn *in = core_obj_insns(&lo, sec, cnt);
	char log[256] = "";
	int err;

	CHECK(s && in);
	if (!s || !in) {
		free(in);
		return NULL;
	}
	err = ld_core_relocate(lo.btf, tg.btf, sec, s->core_relo,
			       s->core_relo_cnt, in, *cnt, log, sizeof(log));
	if (err)
		fprintf(stderr, "%s: %d %s\n", sec, err, log);
	CHECK(err == 0);
	if (err) {
		free(in);
		return NULL;
	}
	return in;
}

/* The patched instruction of the record (kind, type, path) of sec. */
static const struct bpf_insn *at(const struct bpf_insn *in, const char *sec,
				 uint32_t kind, const char *type,
				 const char *path)
{
	const struct bpf_core_relo *r = core_obj_relo(&lo, sec, kind, type,
						      path, NULL);

	if (!r)
		fprintf(stderr, "no record %s %u %s %s\n", sec, kind, type, path);
	CHECK(r != NULL);
	return r ? &in[r->insn_off / 8] : NULL;
}

#define VAL(in, sec, kind, type, path)                                      \
	({ const struct bpf_insn *i_ = at(in, sec, kind, type, path);       \
	   i_ ? core_insn_val(i_) : ~0ull; })

static void test_loads(void)
{
	const char *sec = "tp/core_loads";
	size_t cnt;
	struct bpf_insn *in = relocated(sec, &cnt);
	const struct bpf_insn *i;
	const uint32_t K = BPF_CORE_FIELD_BYTE_OFFSET;

	if (!in)
		return;
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "x"), offsetof(struct core_a, x));
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "y"), offsetof(struct core_a, y));
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "z"), offsetof(struct core_a, z));
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "in_a"),
		     offsetof(struct core_a, in_a));
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "in_b"),
		     offsetof(struct core_a, in_b));
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "arr[2]"),
		     offsetof(struct core_a, arr) + 2 * sizeof(int));
	CHECK_EQ_U64(VAL(in, sec, K, "core_a", "ptr"),
		     offsetof(struct core_a, ptr));
	/* the flavor core_b___v2 is the target's core_b */
	CHECK_EQ_U64(VAL(in, sec, K, "core_b___v2", "q"),
		     offsetof(struct core_b, q));
	CHECK_EQ_U64(VAL(in, sec, K, "core_b___v2", "r"),
		     offsetof(struct core_b, r));
	/* sizes kept where the field's size is the same */
	i = at(in, sec, K, "core_a", "x");
	CHECK(i && BPF_SIZE(i->code) == BPF_W && BPF_CLASS(i->code) == BPF_LDX);
	i = at(in, sec, K, "core_a", "y");
	CHECK(i && BPF_SIZE(i->code) == BPF_DW);
	/* unsigned int -> unsigned short: the load shrinks to 2 bytes */
	i = at(in, sec, K, "core_a", "u_shrink");
	CHECK(i && BPF_SIZE(i->code) == BPF_H && BPF_MODE(i->code) == BPF_MEM &&
	      BPF_CLASS(i->code) == BPF_LDX);
	CHECK_EQ_U64(i ? (uint64_t)i->off : 0,
		     offsetof(struct core_a, u_shrink));
	for (size_t k = 0; k < cnt; k++)
		CHECK(!core_insn_poisoned(&in[k]));
	free(in);
}

static void test_flex(void)
{
	const char *sec = "tp/core_flex";
	size_t cnt;
	struct bpf_insn *in = relocated(sec, &cnt);
	const uint32_t K = BPF_CORE_FIELD_BYTE_OFFSET;

	if (!in)
		return;
	CHECK_EQ_U64(VAL(in, sec, K, "core_flex", "n"),
		     offsetof(struct core_flex, n));
	CHECK_EQ_U64(VAL(in, sec, K, "core_flex", "data[5]"),
		     offsetof(struct core_flex, data) + 5 * sizeof(int));
	free(in);
}

static void test_poison(void)
{
	const char *sec = "tp/core_poison";
	size_t cnt;
	struct bpf_insn *in = relocated(sec, &cnt);
	const struct bpf_insn *i;
	const uint32_t K = BPF_CORE_FIELD_BYTE_OFFSET;

	if (!in)
		return;
	/* int -> short (signed: no safe narrowing) and a missing field */
	i = at(in, sec, K, "core_a", "s_shrink");
	CHECK(i && core_insn_poisoned(i) && i->dst_reg == 0 && i->src_reg == 0 &&
	      i->off == 0);
	i = at(in, sec, K, "core_a", "gone");
	CHECK(i && core_insn_poisoned(i));
	CHECK(!core_insn_poisoned(&in[cnt - 1])); /* exit stays */
	CHECK_EQ_U64(LD_CORE_POISON_HELPER, 195896080);
	free(in);
}

static void test_fields(void)
{
	const char *sec = "tp/core_fields";
	size_t cnt;
	struct bpf_insn *in = relocated(sec, &cnt);
	struct core_a a;

	if (!in)
		return;
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_EXISTS, "core_a", "x"), 1);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_EXISTS, "core_a", "gone"), 0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_BYTE_SIZE, "core_a", "y"),
		     sizeof(a.y));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_BYTE_SIZE, "core_a",
			 "u_shrink"), sizeof(a.u_shrink));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_BYTE_SIZE, "core_a", "arr"),
		     sizeof(a.arr));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_BYTE_SIZE, "core_a", "arr[1]"),
		     sizeof(a.arr[1]));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_SIGNED, "core_a", "bf_s"), 1);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_SIGNED, "core_a", "bf_u"), 0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_SIGNED, "core_a", "x"), 1);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_SIGNED, "core_a", "u_shrink"),
		     0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_FIELD_BYTE_OFFSET, "core_a", "in_b"),
		     offsetof(struct core_a, in_b));
	free(in);
}

/* Read bitfield `path` of the target struct at `obj` the way
 * BPF_CORE_READ_BITFIELD does, with the relocated constants. */
static int64_t read_bitfield(const struct bpf_insn *in, const char *path,
			     const void *obj)
{
	const char *sec = "tp/core_bitfields";
	uint64_t off = VAL(in, sec, BPF_CORE_FIELD_BYTE_OFFSET, "core_a", path);
	uint64_t sz = VAL(in, sec, BPF_CORE_FIELD_BYTE_SIZE, "core_a", path);
	uint64_t ls = VAL(in, sec, BPF_CORE_FIELD_LSHIFT_U64, "core_a", path);
	uint64_t rs = VAL(in, sec, BPF_CORE_FIELD_RSHIFT_U64, "core_a", path);
	uint64_t sg = VAL(in, sec, BPF_CORE_FIELD_SIGNED, "core_a", path);
	uint64_t v = 0;

	CHECK(sz == 1 || sz == 2 || sz == 4 || sz == 8);
	CHECK(off + sz <= sizeof(struct core_a) && ls < 64 && rs < 64);
	if (!(sz == 1 || sz == 2 || sz == 4 || sz == 8) || ls >= 64 ||
	    rs >= 64 || off + sz > sizeof(struct core_a))
		return -1;
	memcpy(&v, (const char *)obj + off, sz); /* little endian */
	v <<= ls;
	return sg ? (int64_t)v >> rs : (int64_t)(v >> rs);
}

static void test_bitfields(void)
{
	size_t cnt;
	struct bpf_insn *in = relocated("tp/core_bitfields", &cnt);
	struct core_a a;

	if (!in)
		return;
	for (int round = 0; round < 2; round++) {
		memset(&a, round ? 0xff : 0x5a, sizeof(a));
		a.bf_u = round ? 2 : 5;
		a.bf_s = round ? -200 : 77;
		a.bf_wide = round ? 0xfedcba9876ull : 0x123456789aull;
		CHECK_EQ_U64(read_bitfield(in, "bf_u", &a), a.bf_u);
		CHECK_EQ_U64(read_bitfield(in, "bf_s", &a), (int64_t)a.bf_s);
		CHECK_EQ_U64(read_bitfield(in, "bf_wide", &a), a.bf_wide);
	}
	free(in);
}

static void test_types(void)
{
	const char *sec = "tp/core_types";
	size_t cnt;
	struct bpf_insn *in = relocated(sec, &cnt);

	if (!in)
		return;
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_EXISTS, "core_a", ""), 1);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_EXISTS, "core_gone", ""), 0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_EXISTS, "core_a_t", ""), 1);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_EXISTS, "core_a_nowhere_t", ""),
		     0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_SIZE, "core_a", ""),
		     sizeof(struct core_a));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_SIZE, "core_gone", ""), 0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_SIZE, "core_b___v2", ""),
		     sizeof(struct core_b));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_ID_TARGET, "core_a", ""),
		     bpfvm_btf_find(tg.btf, "core_a", BTF_KIND_STRUCT));
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_ID_TARGET, "core_gone", ""), 0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_TYPE_ID_LOCAL, "core_a", ""),
		     bpfvm_btf_find(lo.btf, "core_a", BTF_KIND_STRUCT));
	free(in);
}

static void test_enums(void)
{
	const char *sec = "tp/core_enums";
	size_t cnt;
	struct bpf_insn *in = relocated(sec, &cnt);
	const struct bpf_insn *i;

	if (!in)
		return;
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_ENUMVAL_EXISTS, "core_e", "CE_ONE"), 1);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_ENUMVAL_EXISTS, "core_e", "CE_GONE"),
		     0);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_ENUMVAL_VALUE, "core_e", "CE_ONE"),
		     CE_ONE);
	CHECK_EQ_U64(VAL(in, sec, BPF_CORE_ENUMVAL_VALUE, "core_e", "CE_TWO"),
		     CE_TWO);
	free(in);
	sec = "tp/core_enum_gone";
	in = relocated(sec, &cnt);
	if (!in)
		return;
	i = at(in, sec, BPF_CORE_ENUMVAL_VALUE, "core_e", "CE_GONE");
	CHECK(i && core_insn_poisoned(i));
	if (i && i + 1 < in + cnt && i->code == (BPF_LD | BPF_IMM | BPF_DW))
		CHECK(core_insn_poisoned(i + 1));
	free(in);
}

static void test_candidates(void)
{
	const char *sec = "tp/core_amb";
	const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_find_sec(lo.ext, sec);
	size_t cnt;
	struct bpf_insn *in = relocated("tp/core_agree", &cnt);
	char log[256] = "";
	int err;

	/* core_agree___1 and ___2 both have f at 0 */
	if (in)
		CHECK_EQ_U64(VAL(in, "tp/core_agree", BPF_CORE_FIELD_BYTE_OFFSET,
				 "core_agree", "f"), 0);
	free(in);
	in = core_obj_insns(&lo, sec, &cnt);
	CHECK(s && in);
	if (!s || !in) {
		free(in);
		return;
	}
	/* core_amb___1 has f at 0, core_amb___2 at 8 */
	err = ld_core_relocate(lo.btf, tg.btf, sec, s->core_relo,
			       s->core_relo_cnt, in, cnt, log, sizeof(log));
	CHECK(err == -EINVAL);
	CHECK(strstr(log, "CO-RE relo #0 (sec 'tp/core_amb' insn 0)") == log);
	CHECK(strstr(log, "ambiguity") != NULL);
	free(in);
}

int main(void)
{
	int e1 = core_obj_open(&lo, BPFVM_OBJ_DIR "/core_local.o");
	int e2 = core_obj_open(&tg, BPFVM_OBJ_DIR "/core_target_a.o");

	CHECK(e1 == 0 && e2 == 0 && lo.ext);
	if (e1 || e2 || !lo.ext)
		return check_report();
	test_loads();
	test_poison();
	test_flex();
	test_fields();
	test_bitfields();
	test_types();
	test_enums();
	test_candidates();
	core_obj_close(&lo);
	core_obj_close(&tg);
	return check_report();
}
