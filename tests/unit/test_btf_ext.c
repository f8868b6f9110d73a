/* .BTF.ext: hand-built sections (func_info, line_info, core_relo for two
 * ELF sections, larger record sizes, a header without core_relo, the
 * other byte order), every malformation with its message, every
 * truncation; and the .BTF.ext clang wrote for tests/objs/btf_kinds. */
#include <bpfvm/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "btf_blob.h"
#include "check.h"

static struct bpfvm_btf *btf;
static uint32_t s_xdp, s_tc, s_file, s_line, s_acc;

enum { F_MAIN = 3, F_HELPER = 4 };

static void make_btf(void)
{
	static struct blob b;

	blob_init(&b);
	blob_int(&b, "int", 4, BTF_INT_SIGNED);			/* 1 */
	blob_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 1);	/* 2 */
	blob_type(&b, "main_fn", BTF_KIND_FUNC, 0, 1, 2);	/* 3 */
	blob_type(&b, "helper", BTF_KIND_FUNC, 0, 0, 2);	/* 4 */
	s_xdp = blob_str(&b, "xdp");
	s_tc = blob_str(&b, "tc");
	s_file = blob_str(&b, "file.c");
	s_line = blob_str(&b, "return 0;");
	s_acc = blob_str(&b, "0:1");
	CHECK_EQ_U64(bpfvm_btf_parse(b.out, blob_finish(&b), NULL, &btf), 0);
}

struct ext {
	uint8_t out[4096];
	size_t n;
};

/* Header + three subsections given as words (n = 0: empty). */
static void ext_build(struct ext *e, const uint32_t *f, size_t fn,
		      const uint32_t *l, size_t ln, const uint32_t *c,
		      size_t cn, uint32_t hdr_len)
{
	uint32_t h[8] = { BTF_MAGIC | BTF_VERSION << 16, hdr_len, 0,
			  (uint32_t)fn * 4, (uint32_t)fn * 4, (uint32_t)ln * 4,
			  (uint32_t)(fn + ln) * 4, (uint32_t)cn * 4 };

	memcpy(e->out, h, hdr_len);
	e->n = hdr_len;
	if (fn)
		memcpy(e->out + e->n, f, fn * 4);
	e->n += fn * 4;
	if (ln)
		memcpy(e->out + e->n, l, ln * 4);
	e->n += ln * 4;
	if (cn)
		memcpy(e->out + e->n, c, cn * 4);
	e->n += cn * 4;
}

#define NW(a) (sizeof(a) / 4)

static struct bpfvm_btf_ext *parse(const struct ext *e, int want, const char *msg)
{
	char log[256] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
				    .log_size = sizeof(log) };
	struct bpfvm_btf_ext *x = NULL;
	int err = bpfvm_btf_ext_parse(e->out, e->n, btf, &o, &x);

	if (err != want || (msg && !strstr(log, msg)))
		fprintf(stderr, "ext: err %d (want %d), log \"%s\" (want %s)\n",
			err, want, log, msg ? msg : "-");
	CHECK_EQ_U64(err, want);
	if (msg)
		CHECK(strstr(log, msg) != NULL);
	if (want)
		CHECK(x == NULL);
	return x;
}

static void check_good(const struct bpfvm_btf_ext *x, bool with_core)
{
	const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_find_sec(x, "xdp");
	const struct bpfvm_btf_ext_sec *t = bpfvm_btf_ext_find_sec(x, "tc");

	CHECK_EQ_U64(bpfvm_btf_ext_sec_cnt(x), 2);
	CHECK(bpfvm_btf_ext_sec(x, 2) == NULL);
	CHECK(bpfvm_btf_ext_find_sec(x, "nope") == NULL);
	CHECK(s && t);
	if (!s || !t)
		return;
	CHECK_STREQ(s->sec_name, "xdp");
	CHECK_EQ_U64(s->func_info_cnt, 2);
	CHECK_EQ_U64(s->func_info[0].type_id, F_MAIN);
	CHECK_EQ_U64(s->func_info[1].insn_off, 16);
	CHECK_EQ_U64(s->func_info[1].type_id, F_HELPER);
	CHECK_EQ_U64(s->line_info_cnt, 1);
	CHECK_EQ_U64(s->line_info[0].insn_off, 8);
	CHECK_STREQ(bpfvm_btf_str(btf, s->line_info[0].file_name_off), "file.c");
	CHECK_STREQ(bpfvm_btf_str(btf, s->line_info[0].line_off), "return 0;");
	CHECK_EQ_U64(BPF_LINE_INFO_LINE_NUM(s->line_info[0].line_col), 7);
	CHECK_EQ_U64(s->core_relo_cnt, with_core ? 1 : 0);
	if (with_core && s->core_relo_cnt) {
		CHECK_EQ_U64(s->core_relo[0].insn_off, 24);
		CHECK_STREQ(bpfvm_btf_str(btf, s->core_relo[0].access_str_off),
			    "0:1");
		CHECK_EQ_U64(s->core_relo[0].kind, BPF_CORE_FIELD_BYTE_OFFSET);
	}
	CHECK_EQ_U64(t->func_info_cnt, 1);
	CHECK_EQ_U64(t->line_info_cnt, 0);
	CHECK_EQ_U64(t->core_relo_cnt, 0);
}

static void test_good(void)
{
	const uint32_t f[] = { 8, s_xdp, 2, 0, F_MAIN, 16, F_HELPER,
			       s_tc, 1, 0, F_HELPER };
	const uint32_t f12[] = { 12, s_xdp, 2, 0, F_MAIN, 0xdead, 16, F_HELPER,
				 0xbeef, s_tc, 1, 0, F_HELPER, 7 };
	const uint32_t l[] = { 16, s_xdp, 1, 8, s_file, s_line, 7 << 10 | 3 };
	const uint32_t c[] = { 16, s_xdp, 1, 24, 1, s_acc, 0 };
	struct ext e;
	struct bpfvm_btf_ext *x;

	ext_build(&e, f, NW(f), l, NW(l), c, NW(c), 32);
	x = parse(&e, 0, NULL);
	check_good(x, true);
	bpfvm_btf_ext_free(x);
	/* newer, larger records: the known prefix is kept */
	ext_build(&e, f12, NW(f12), l, NW(l), c, NW(c), 32);
	x = parse(&e, 0, NULL);
	check_good(x, true);
	bpfvm_btf_ext_free(x);
	/* an older header: no core_relo fields, whatever follows */
	ext_build(&e, f, NW(f), l, NW(l), c, NW(c), 24);
	x = parse(&e, 0, NULL);
	check_good(x, false);
	bpfvm_btf_ext_free(x);
	/* the other byte order: every word swapped */
	ext_build(&e, f, NW(f), l, NW(l), c, NW(c), 32);
	for (size_t i = 4; i < e.n; i += 4) {
		uint32_t w;

		memcpy(&w, e.out + i, 4);
		w = __builtin_bswap32(w);
		memcpy(e.out + i, &w, 4);
	}
	e.out[0] = 0xeb, e.out[1] = 0x9f;
	x = parse(&e, 0, NULL);
	check_good(x, true);
	bpfvm_btf_ext_free(x);
	bpfvm_btf_ext_free(NULL);
	/* every prefix: an error or a parse, never a crash */
	ext_build(&e, f, NW(f), l, NW(l), c, NW(c), 32);
	for (size_t n = 0; n < e.n; n++) {
		struct bpfvm_btf_ext *y = NULL;
		int err = bpfvm_btf_ext_parse(e.out, n, btf, NULL, &y);

		CHECK(err < 0 || n >= 32);
		bpfvm_btf_ext_free(y);
	}
}

static void test_errors(void)
{
	const uint32_t f[] = { 8, s_xdp, 1, 0, F_MAIN };
	struct ext e;
#define BAD(fw, lw, cw, want, msg)                                            \
	do {                                                                  \
		const uint32_t fa[] = fw, la[] = lw, ca[] = cw;               \
		ext_build(&e, fa, NW(fa), la, NW(la), ca, NW(ca), 32);        \
		parse(&e, want, msg);                                         \
	} while (0)
#define W(...) { __VA_ARGS__ }
	BAD(W(4, s_xdp, 1, 0), W(16), W(16), -EINVAL, "record size 4");
	BAD(W(8, s_xdp, 0), W(16), W(16), -EINVAL, "0 records");
	BAD(W(8, s_xdp, 3, 0, F_MAIN), W(16), W(16), -EINVAL, "do not fit");
	BAD(W(8, 9999, 1, 0, F_MAIN), W(16), W(16), -EINVAL,
	    "section name offset 9999");
	BAD(W(8, s_xdp, 1, 0, 1), W(16), W(16), -EINVAL, "not a FUNC type id: 1");
	BAD(W(8, s_xdp, 1, 3, F_MAIN), W(16), W(16), -EINVAL,
	    "not a multiple of 8: 3");
	BAD(W(8, s_xdp, 1, 0, F_MAIN), W(16, s_xdp, 1, 0, 9999, s_line, 0),
	    W(16), -EINVAL, "file name outside the strings: 9999");
	BAD(W(8, s_xdp, 1, 0, F_MAIN), W(16), W(16, s_xdp, 1, 0, 99, s_acc, 0),
	    -EINVAL, "type id does not exist: 99");
	BAD(W(8, s_xdp, 1, 0, F_MAIN), W(16), W(16, s_xdp, 1, 0, 1, 0, 0),
	    -EINVAL, "access string");
	BAD(W(8, s_xdp), W(16), W(16), -EINVAL, "truncated block header");
	/* header problems */
	ext_build(&e, f, NW(f), NULL, 0, NULL, 0, 32);
	e.out[0] = 0x11;
	parse(&e, -EINVAL, "bad magic");
	ext_build(&e, f, NW(f), NULL, 0, NULL, 0, 32);
	e.out[2] = 9;
	parse(&e, -EINVAL, "version 9");
	ext_build(&e, f, NW(f), NULL, 0, NULL, 0, 32);
	e.out[4] = 200;
	parse(&e, -EINVAL, "header length 200");
	ext_build(&e, f, NW(f), NULL, 0, NULL, 0, 32);
	e.out[12] = 200; /* func_info_len */
	parse(&e, -EINVAL, "ends past the data");
	ext_build(&e, f, NW(f), NULL, 0, NULL, 0, 32);
	e.n = 10;
	parse(&e, -EINVAL, "too short");
#undef BAD
#undef W
}

/* A section's bytes from an ELF object (malloc'ed). */
static void *elf_section(const char *path, const char *name, size_t *size)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	void *out = NULL;

	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getshdrstrndx(elf, &shstrndx))
		while (!out && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh) ||
			    strcmp(elf_strptr(elf, shstrndx, sh.sh_name), name))
				continue;
			d = elf_getdata(scn, NULL);
			if (d && d->d_size && (out = malloc(d->d_size))) {
				memcpy(out, d->d_buf, d->d_size);
				*size = d->d_size;
			}
		}
	elf_end(elf);
	close(fd);
	return out;
}

static const char *func_name(const struct bpfvm_btf *b, uint32_t id)
{
	return bpfvm_btf_type_name(b, id);
}

static void test_object(const char *obj)
{
	char path[512];
	size_t bsize = 0, esize = 0;
	void *braw, *eraw;
	struct bpfvm_btf *ob = NULL;
	struct bpfvm_btf_ext *x = NULL;
	const struct bpfvm_btf_ext_sec *s;

	snprintf(path, sizeof(path), "%s/%s", BPFVM_OBJ_DIR, obj);
	braw = elf_section(path, ".BTF", &bsize);
	eraw = elf_section(path, ".BTF.ext", &esize);
	CHECK(braw && eraw);
	if (!braw || !eraw) {
		fprintf(stderr, "%s: no .BTF/.BTF.ext\n", path);
		goto out;
	}
	CHECK_EQ_U64(bpfvm_btf_parse(braw, bsize, NULL, &ob), 0);
	CHECK_EQ_U64(bpfvm_btf_ext_parse(eraw, esize, ob, NULL, &x), 0);
	s = bpfvm_btf_ext_find_sec(x, "xdp");
	CHECK(s && s->func_info_cnt == 1 && s->line_info_cnt > 3);
	if (s && s->func_info_cnt) {
		CHECK_STREQ(func_name(ob, s->func_info[0].type_id), "btf_kinds");
		CHECK_EQ_U64(s->func_info[0].insn_off, 0);
		for (uint32_t i = 0; i < s->line_info_cnt; i++)
			CHECK(strstr(bpfvm_btf_str(ob, s->line_info[i].file_name_off),
				     "btf_kinds.cpuv.bpf.c") != NULL);
	}
	s = bpfvm_btf_ext_find_sec(x, ".text");
	CHECK(s && s->func_info_cnt == 1);
	if (s && s->func_info_cnt)
		CHECK_STREQ(func_name(ob, s->func_info[0].type_id), "combine");
	bpfvm_btf_ext_free(x);
	bpfvm_btf_free(ob);
out:
	free(braw);
	free(eraw);
}

int main(void)
{
	make_btf();
	if (!btf)
		return check_report();
	test_good();
	test_errors();
	test_object("btf_kinds_v3.o");
	test_object("btf_kinds_v1.o");
	bpfvm_btf_free(btf);
	return check_report();
}
