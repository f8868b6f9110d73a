/* CO-RE (issue 5): malformed records are -EINVAL with "CO-RE relo #N
 * (sec 'S' insn I): reason"; nothing is patched past the bad record's
 * instruction; an instruction that no longer holds what clang put
 * there is refused. Records are core_local.o's, altered by hand. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "core_obj.h"
#include "loader/ld_core.h"

static struct core_obj lo, tg;
static const char *SEC = "tp/core_fields";

/* Relocate `n` copies of records through `r` on a fresh copy of SEC;
 * return the error, with the message in log. */
static int run(const struct bpf_core_relo *r, size_t n, char *log,
	       size_t size, struct bpf_insn **out)
{
	size_t cnt;
	struct bpf_insn *in = core_obj_insns(&lo, SEC, &cnt);
	int err;

	log[0] = 0;
	if (!in)
		return -999;
	err = ld_core_relocate(lo.btf, tg.btf, SEC, r, n, in, cnt, log, size);
	if (out)
		*out = in;
	else
		free(in);
	return err;
}

static void expect(const struct bpf_core_relo *r, size_t n, int want,
		   const char *prefix, const char *reason)
{
	char log[256];
	int err = run(r, n, log, sizeof(log), NULL);

	if (err != want || strncmp(log, prefix, strlen(prefix)) ||
	    !strstr(log, reason))
		fprintf(stderr, "got %d \"%s\", want %d \"%s...%s\"\n", err,
			log, want, prefix, reason);
	CHECK(err == want);
	CHECK(strncmp(log, prefix, strlen(prefix)) == 0);
	CHECK(strstr(log, reason) != NULL);
}

/* Random records (kinds, type ids, access strings of other records or
 * any string offset, instruction offsets) never crash, and fail only
 * with a message in the expected form. */
static void fuzz(void)
{
	const struct bpfvm_btf_ext_sec *secs[16];
	size_t nsec = bpfvm_btf_ext_sec_cnt(lo.ext), total = 0, bad = 0;
	uint32_t ntypes = bpfvm_btf_type_cnt(lo.btf);
	unsigned seed = 12345;

	for (size_t i = 0; i < nsec && i < 16; i++)
		secs[i] = bpfvm_btf_ext_sec(lo.ext, i);
	for (int it = 0; it < 20000; it++) {
		const struct bpfvm_btf_ext_sec *s = secs[rand_r(&seed) % nsec];
		const struct bpfvm_btf_ext_sec *o = secs[rand_r(&seed) % nsec];
		struct bpf_core_relo r;
		struct bpf_insn *in;
		size_t cnt;
		char log[256];
		int err;

		if (!s->core_relo_cnt || !o->core_relo_cnt)
			continue;
		r = s->core_relo[rand_r(&seed) % s->core_relo_cnt];
		switch (rand_r(&seed) % 5) {
		case 0:
			r.kind = rand_r(&seed) % 14;
			break;
		case 1:
			r.type_id = rand_r(&seed) % (ntypes + 2);
			break;
		case 2:
			r.access_str_off = o->core_relo[rand_r(&seed) %
				o->core_relo_cnt].access_str_off;
			r.type_id = rand_r(&seed) % (ntypes + 2);
			break;
		case 3:
			r.access_str_off = rand_r(&seed) % 4096;
			break;
		default:
			r.insn_off = rand_r(&seed) % 512;
			r.kind = rand_r(&seed) % 14;
			break;
		}
		in = core_obj_insns(&lo, s->sec_name, &cnt);
		if (!in)
			continue;
		log[0] = 0;
		err = ld_core_relocate(lo.btf, tg.btf, s->sec_name, &r, 1, in,
				       cnt, log, sizeof(log));
		total++;
		if (err) {
			bad++;
			if (err > 0 || strncmp(log, "CO-RE relo #0 (sec '", 20)) {
				fprintf(stderr, "fuzz: %d \"%s\"\n", err, log);
				CHECK(0);
			}
		}
		free(in);
	}
	/* most altered records are refused, a few still make sense */
	CHECK(total > 10000 && bad > total / 4 && bad < total);
}

int main(void)
{
	const struct bpf_core_relo *base, *tr;
	struct bpf_core_relo r[2];
	struct bpf_insn *in = NULL;
	size_t idx, cnt;
	char log[256];
	int id;

	CHECK(core_obj_open(&lo, BPFVM_OBJ_DIR "/core_local.o") == 0);
	CHECK(core_obj_open(&tg, BPFVM_OBJ_DIR "/core_target_a.o") == 0);
	base = core_obj_relo(&lo, SEC, BPF_CORE_FIELD_BYTE_SIZE, "core_a", "y",
			     &idx);
	tr = core_obj_relo(&lo, "tp/core_types", BPF_CORE_TYPE_EXISTS,
			   "core_a", "", NULL);
	CHECK(base && tr);
	if (!base || !tr)
		return check_report();
	/* good record first: the second one's index is in the message */
	r[0] = *base;
	r[1] = *base;
	r[1].insn_off = 3;
	expect(r, 2, -EINVAL, "CO-RE relo #1 (sec 'tp/core_fields' insn 0): ",
	       "insn_off 3");
	r[1].insn_off = 8 * 1000;
	expect(r, 2, -EINVAL, "CO-RE relo #1 (sec 'tp/core_fields' insn 1000)",
	       "outside");
	r[1] = *base;
	r[1].type_id = 0;
	expect(r, 2, -EINVAL, "CO-RE relo #1", "bad local type id 0");
	r[1].type_id = bpfvm_btf_type_cnt(lo.btf);
	expect(r, 2, -EINVAL, "CO-RE relo #1", "bad local type id");
	r[1] = *base;
	r[1].kind = 13;
	expect(r, 2, -EINVAL, "CO-RE relo #1", "unknown kind 13");
	/* access string: a type's name, not indices */
	r[1] = *base;
	r[1].access_str_off = bpfvm_btf_type(lo.btf, base->type_id)->name_off;
	expect(r, 2, -EINVAL, "CO-RE relo #1", "bad access string");
	r[1].access_str_off = 0xffffff;
	expect(r, 2, -EINVAL, "CO-RE relo #1", "out of range");
	/* a member index past the struct: core_b___v2 has 2 members */
	id = bpfvm_btf_find(lo.btf, "core_b___v2", BTF_KIND_STRUCT);
	CHECK(id > 0);
	r[1] = *core_obj_relo(&lo, SEC, BPF_CORE_FIELD_BYTE_SIZE, "core_a",
			      "u_shrink", NULL);
	r[1].type_id = (uint32_t)id;
	expect(r, 2, -EINVAL, "CO-RE relo #1", "member #");
	/* type relocations take "0" only */
	r[1] = *tr;
	r[1].insn_off = base->insn_off;
	r[1].access_str_off = base->access_str_off;
	expect(r, 2, -EINVAL, "CO-RE relo #1", "not \"0\"");
	/* field relocation on the exit instruction */
	run(r, 0, log, sizeof(log), &in);
	for (cnt = 0; in && in[cnt].code != (BPF_JMP | BPF_EXIT); cnt++)
		;
	free(in);
	r[1] = *base;
	r[1].insn_off = (uint32_t)(cnt * 8);
	expect(r, 2, -EINVAL, "CO-RE relo #1", "cannot be relocated");
	/* an anonymous local type has no name to look for (libbpf:
	 * -EOPNOTSUPP) */
	for (id = 1; id < (int)bpfvm_btf_type_cnt(lo.btf); id++) {
		const struct btf_type *t = bpfvm_btf_type(lo.btf, id);

		if (BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT && !t->name_off)
			break;
	}
	CHECK(id < (int)bpfvm_btf_type_cnt(lo.btf));
	r[1] = *base;
	r[1].type_id = (uint32_t)id;
	expect(r, 2, -EOPNOTSUPP, "CO-RE relo #1", "anonymous");
	/* the instruction does not hold what clang computed: refused */
	r[0] = *base;
	in = core_obj_insns(&lo, SEC, &cnt);
	CHECK(in != NULL);
	if (in) {
		in[base->insn_off / 8].imm = 7; /* clang wrote 8 (sizeof y) */
		CHECK(ld_core_relocate(lo.btf, tg.btf, SEC, r, 1, in, cnt, log,
				       sizeof(log)) == -EINVAL);
		CHECK(strstr(log, "holds 7, expected 8") != NULL);
		free(in);
	}
	/* no BTF: an error, not a crash; no records: nothing to do */
	CHECK(ld_core_relocate(lo.btf, NULL, SEC, r, 1, NULL, 0, log,
			       sizeof(log)) == -EINVAL);
	CHECK(ld_core_relocate(lo.btf, tg.btf, SEC, r, 0, NULL, 0, NULL, 0) == 0);
	/* no log buffer: same error */
	r[0].kind = 99;
	in = core_obj_insns(&lo, SEC, &cnt);
	CHECK(in && ld_core_relocate(lo.btf, tg.btf, SEC, r, 1, in, cnt, NULL,
				     0) == -EINVAL);
	free(in);
	fuzz();
	core_obj_close(&lo);
	core_obj_close(&tg);
	return check_report();
}
