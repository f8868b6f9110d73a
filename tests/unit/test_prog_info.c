/* Programs' source information: type and attach type, the BTF reference,
 * func_info / line_info copied and checked as BPF_PROG_LOAD checks them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/bpfvm.h>
#include "check.h"
#include "insn_build.h"

/* main @0 calls sub @3 */
static const struct bpf_insn insns[] = {
	MOV64_IMM(BPF_REG_1, 1),
	CALL_LOCAL(1),
	EXIT(),
	LD_IMM64(BPF_REG_0, 42),
	EXIT(),
};

/* <linux/btf.h> does not encode: kind, flag and vlen into info */
#define INFO(kind, kflag, vlen)                                             \
	(((uint32_t)(kflag) << 31) | ((uint32_t)(kind) << 24) | (vlen))
#define INT_ENC(enc, off, bits) (((enc) << 24) | ((off) << 16) | (bits))

static const char strs[] = "\0int\0main\0sub\0file.c\0return 42;";
enum { S_INT = 1, S_MAIN = 5, S_SUB = 10, S_FILE = 14, S_LINE = 21 };

/* [1] int, [2] int (void), [3] main, [4] sub */
static struct bpfvm_btf *make_btf(void)
{
	struct {
		struct btf_header h;
		uint32_t types[4 + 3 + 3 + 3];
		char strs[sizeof(strs)];
	} raw = {
		.h = { .magic = BTF_MAGIC, .version = BTF_VERSION,
		       .hdr_len = sizeof(struct btf_header),
		       .type_off = 0, .type_len = sizeof(raw.types),
		       .str_off = sizeof(raw.types),
		       .str_len = sizeof(strs) },
		.types = {
			S_INT, INFO(BTF_KIND_INT, 0, 0), 4,
			INT_ENC(BTF_INT_SIGNED, 0, 32),
			0, INFO(BTF_KIND_FUNC_PROTO, 0, 0), 1,
			S_MAIN, INFO(BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL), 2,
			S_SUB, INFO(BTF_KIND_FUNC, 0, BTF_FUNC_STATIC), 2,
		},
	};
	struct bpfvm_btf *btf = NULL;
	char log[256] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
				    .log_size = sizeof(log) };

	memcpy(raw.strs, strs, sizeof(strs));
	if (bpfvm_btf_parse(&raw, sizeof(raw), &o, &btf))
		fprintf(stderr, "btf: %s\n", log);
	return btf;
}

static const struct bpf_func_info good_fi[] = { { 0, 3 }, { 3, 4 } };
static const struct bpf_line_info good_li[] = {
	{ 0, S_FILE, S_LINE, (5 << 10) | 2 },
	{ 1, S_FILE, S_LINE, (6 << 10) | 2 },
	{ 3, S_FILE, S_LINE, (9 << 10) | 2 },
};

struct case_ {
	const char *what;
	struct bpf_func_info fi[3];
	size_t fi_cnt;
	struct bpf_line_info li[3];
	size_t li_cnt;
	const char *msg;	/* expected in the log */
};

static const struct case_ bad[] = {
	{ "first func not at 0", { { 1, 3 }, { 3, 4 } }, 2, { { 0 } }, 0,
	  "func_info 0: insn_off 1" },
	{ "sub missing", { { 0, 3 } }, 1, { { 0 } }, 0,
	  "func_info 1: missing for the function at insn 3" },
	{ "not a function start", { { 0, 3 }, { 2, 4 } }, 2, { { 0 } }, 0,
	  "func_info 1: insn_off 2" },
	{ "past the end", { { 0, 3 }, { 3, 4 }, { 9, 4 } }, 3, { { 0 } }, 0,
	  "func_info 2:" },
	{ "type not a FUNC", { { 0, 1 }, { 3, 4 } }, 2, { { 0 } }, 0,
	  "func_info 0: type id 1 is not a FUNC" },
	{ "line order", { { 0 } }, 0,
	  { { 0, S_FILE, S_LINE, 0 }, { 3, S_FILE, S_LINE, 0 },
	    { 1, S_FILE, S_LINE, 0 } }, 3,
	  "line_info 2: insn_off 1 is out of order" },
	{ "line past the end", { { 0 } }, 0,
	  { { 0, S_FILE, S_LINE, 0 }, { 3, S_FILE, S_LINE, 0 },
	    { 6, S_FILE, S_LINE, 0 } }, 3,
	  "line_info 2: insn_off 6" },
	{ "line on lddw's second half", { { 0 } }, 0,
	  { { 0, S_FILE, S_LINE, 0 }, { 3, S_FILE, S_LINE, 0 },
	    { 4, S_FILE, S_LINE, 0 } }, 3,
	  "line_info 2: insn 4 is the second half of an lddw" },
	{ "line missing at sub", { { 0 } }, 0,
	  { { 0, S_FILE, S_LINE, 0 }, { 2, S_FILE, S_LINE, 0 } }, 2,
	  "line_info 2: missing for the function at insn 3" },
	{ "bad string", { { 0 } }, 0, { { 0, 999, S_LINE, 0 } }, 1,
	  "line_info 0: file or line name" },
	{ "first line not at 0", { { 0 } }, 0,
	  { { 1, S_FILE, S_LINE, 0 }, { 3, S_FILE, S_LINE, 0 } }, 2,
	  "line_info 0: missing for the function at insn 0" },
};

static int create(struct bpfvm_btf *btf, const struct bpf_func_info *fi,
		  size_t nf, const struct bpf_line_info *li, size_t nl,
		  char *log, size_t log_size, struct bpfvm_prog **out)
{
	struct bpfvm_prog_opts o = {
		.sz = sizeof(o), .log_buf = log, .log_size = log_size,
		.prog_type = BPF_PROG_TYPE_XDP,
		.expected_attach_type = BPF_XDP,
		.btf = btf, .func_info = fi, .func_info_cnt = nf,
		.line_info = li, .line_info_cnt = nl,
	};

	return bpfvm_prog_create(insns, ARRAY_LEN(insns), &o, out);
}

static void test_good(void)
{
	struct bpfvm_btf *btf = make_btf();
	struct bpfvm_prog *prog = NULL;
	struct bpf_func_info fi[2];
	struct bpf_line_info li[3];
	const struct bpf_func_info *gf;
	const struct bpf_line_info *gl;
	char log[256] = "";
	size_t n;
	uint64_t r0 = 0;

	CHECK(btf != NULL);
	if (!btf)
		return;
	memcpy(fi, good_fi, sizeof(fi));
	memcpy(li, good_li, sizeof(li));
	CHECK(create(btf, fi, 2, li, 3, log, sizeof(log), &prog) == 0);
	if (!prog) {
		fprintf(stderr, "create: %s\n", log);
		bpfvm_btf_free(btf);
		return;
	}
	/* the program keeps copies and its own BTF reference */
	memset(fi, 0xff, sizeof(fi));
	memset(li, 0xff, sizeof(li));
	bpfvm_btf_free(btf);
	CHECK_EQ_U64(bpfvm_prog_type(prog), BPF_PROG_TYPE_XDP);
	CHECK_EQ_U64(bpfvm_prog_attach_type(prog), BPF_XDP);
	CHECK(bpfvm_prog_btf(prog) == btf);
	CHECK_STREQ(bpfvm_btf_str(bpfvm_prog_btf(prog), S_LINE), "return 42;");
	gf = bpfvm_prog_func_info(prog, &n);
	CHECK_EQ_U64(n, 2);
	CHECK(gf && !memcmp(gf, good_fi, sizeof(good_fi)));
	gl = bpfvm_prog_line_info(prog, &n);
	CHECK_EQ_U64(n, 3);
	CHECK(gl && !memcmp(gl, good_li, sizeof(good_li)));
	CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, NULL) == 0);
	CHECK_EQ_U64(r0, 42);
	bpfvm_prog_free(prog);
}

static void test_none(void)
{
	struct bpfvm_prog *prog = NULL;
	size_t n = 9;

	CHECK(bpfvm_prog_create(insns, ARRAY_LEN(insns), NULL, &prog) == 0);
	if (!prog)
		return;
	CHECK_EQ_U64(bpfvm_prog_type(prog), BPF_PROG_TYPE_UNSPEC);
	CHECK(bpfvm_prog_btf(prog) == NULL);
	CHECK(bpfvm_prog_func_info(prog, &n) == NULL && n == 0);
	CHECK(bpfvm_prog_line_info(prog, &n) == NULL && n == 0);
	bpfvm_prog_free(prog);
}

static void test_bad(void)
{
	struct bpfvm_btf *btf = make_btf();
	struct bpfvm_prog *prog;
	char log[256];

	for (size_t i = 0; btf && i < ARRAY_LEN(bad); i++) {
		prog = NULL;
		log[0] = '\0';
		CHECK(create(btf, bad[i].fi, bad[i].fi_cnt, bad[i].li,
			     bad[i].li_cnt, log, sizeof(log), &prog) == -EINVAL);
		CHECK(prog == NULL);
		if (!strstr(log, bad[i].msg)) {
			fprintf(stderr, "%s: log \"%s\", want \"%s\"\n",
				bad[i].what, log, bad[i].msg);
			CHECK(0);
		}
	}
	/* records need the BTF they name, an array, and sane counts */
	CHECK(create(NULL, good_fi, 2, NULL, 0, log, sizeof(log), &prog) ==
	      -EINVAL);
	CHECK(strstr(log, "func_info 0: records without the BTF") != NULL);
	CHECK(create(btf, NULL, 2, NULL, 0, log, sizeof(log), &prog) ==
	      -EINVAL);
	CHECK(create(btf, good_fi, 7, NULL, 0, log, sizeof(log), &prog) ==
	      -EINVAL);
	CHECK(strstr(log, "more records than the 6 instructions") != NULL);
	bpfvm_btf_free(btf);
}

int main(void)
{
	test_good();
	test_none();
	test_bad();
	return check_report();
}
