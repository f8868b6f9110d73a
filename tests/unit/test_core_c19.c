/* CO-RE (issue 5) with relocations clang 15+ emits (objects built by
 * clang-19; SKIP without it): TYPE_MATCHES true and false where
 * TYPE_EXISTS is true, 64-bit enumerator values through lddw, and a
 * 32-bit local enum whose target is an enum64. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core_obj.h"
#include "loader/ld_core.h"

int main(void)
{
	const char *sec = "tp/core_c19";
	const char *lp = BPFVM_OBJ_DIR "/core_local19.o";
	const char *tp = BPFVM_OBJ_DIR "/core_target19.o";
	const struct bpfvm_btf_ext_sec *s;
	struct core_obj lo, tg;
	struct bpf_insn *in;
	char log[256] = "";
	size_t cnt;
	int err;

	if (access(lp, R_OK) || access(tp, R_OK)) {
		printf("SKIP: %s not built (needs clang-19)\n", lp);
		return 77;
	}
	CHECK(core_obj_open(&lo, lp) == 0 && core_obj_open(&tg, tp) == 0);
	s = lo.ext ? bpfvm_btf_ext_find_sec(lo.ext, sec) : NULL;
	in = core_obj_insns(&lo, sec, &cnt);
	CHECK(s && in);
	if (!s || !in)
		return check_report();
	err = ld_core_relocate(lo.btf, tg.btf, sec, s->core_relo,
			       s->core_relo_cnt, in, cnt, log, sizeof(log));
	CHECK(err == 0);
	if (err)
		fprintf(stderr, "%s\n", log);
#define VAL(kind, type, path)                                               \
	({ const struct bpf_core_relo *r_ =                                 \
		   core_obj_relo(&lo, sec, kind, type, path, NULL);         \
	   CHECK(r_ != NULL);                                               \
	   r_ ? core_insn_val(&in[r_->insn_off / 8]) : ~0ull; })
	CHECK_EQ_U64(VAL(BPF_CORE_TYPE_MATCHES, "core_m", ""), 1);
	CHECK_EQ_U64(VAL(BPF_CORE_TYPE_MATCHES, "core_nm", ""), 0);
	CHECK_EQ_U64(VAL(BPF_CORE_TYPE_EXISTS, "core_nm", ""), 1);
	CHECK_EQ_U64(VAL(BPF_CORE_ENUMVAL_VALUE, "core_e64", "E64_BIG"),
		     0x1234567890ull);
	CHECK_EQ_U64(VAL(BPF_CORE_ENUMVAL_VALUE, "core_e64", "E64_SMALL"), 5);
	CHECK_EQ_U64(VAL(BPF_CORE_ENUMVAL_VALUE, "core_e32", "E32_A"), 0x77);
	free(in);
	core_obj_close(&lo);
	core_obj_close(&tg);
	return check_report();
}
