/* Crafted BTF that asks for a lot of work must still be answered in
 * bounded time: a long modifier chain named by 65k union members (parse
 * checks each member in O(1); the C printer prints a 200-long chain per
 * member and refuses a 100k-long one with -E2BIG), and a .BTF.ext with
 * 20k sections of one record each. A hang here is a ctest timeout. */
#include <bpfvm/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct big {
	uint32_t *w;
	size_t nw, cap;
	char *s;
	size_t ns, scap;
};

static void w(struct big *b, uint32_t v)
{
	if (b->nw == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->w = realloc(b->w, b->cap * 4);
	}
	b->w[b->nw++] = v;
}

static uint32_t str(struct big *b, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)b->ns;

	while (b->ns + n > b->scap) {
		b->scap = b->scap ? b->scap * 2 : 1024;
		b->s = realloc(b->s, b->scap);
	}
	memcpy(b->s + b->ns, s, n);
	b->ns += n;
	return off;
}

static void *finish(struct big *b, size_t *size)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION,
				.hdr_len = sizeof(h),
				.type_len = (uint32_t)(b->nw * 4),
				.str_off = (uint32_t)(b->nw * 4),
				.str_len = (uint32_t)b->ns };
	uint8_t *out = malloc(sizeof(h) + b->nw * 4 + b->ns);

	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), b->w, b->nw * 4);
	memcpy(out + sizeof(h) + b->nw * 4, b->s, b->ns);
	*size = sizeof(h) + b->nw * 4 + b->ns;
	free(b->w);
	free(b->s);
	return out;
}

enum { MEMBERS = 65535, SECS = 20000 };

/* A chain of `chain` consts over int, and a union of 65535 members of
 * the chain's top; dump_c's result. */
static int chain_union(uint32_t chain)
{
	struct big b = { 0 };
	struct bpfvm_btf *btf = NULL;
	uint32_t top = chain + 1, uni = chain + 2;
	int err = -1;
	char buf[64];
	size_t size;
	void *raw;
	FILE *null = fopen("/dev/null", "w");

	str(&b, "");
	w(&b, str(&b, "int")), w(&b, BTF_KIND_INT << 24), w(&b, 4);
	w(&b, BTF_INT_SIGNED << 24 | 32);
	for (uint32_t i = 0; i < chain; i++)
		w(&b, 0), w(&b, BTF_KIND_CONST << 24), w(&b, i + 1);
	w(&b, str(&b, "u")), w(&b, BTF_KIND_UNION << 24 | MEMBERS), w(&b, 4);
	for (uint32_t i = 0; i < MEMBERS; i++)
		w(&b, str(&b, "m")), w(&b, top), w(&b, 0);
	raw = finish(&b, &size);
	CHECK_EQ_U64(bpfvm_btf_parse(raw, size, NULL, &btf), 0);
	free(raw);
	if (!btf)
		return err;
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, top), 1);
	CHECK_EQ_U64(bpfvm_btf_type_size(btf, uni), 4);
	CHECK_EQ_U64(bpfvm_btf_type_str(btf, top, "v", buf, sizeof(buf)),
		     strlen("const int v"));
	CHECK_STREQ(buf, "const int v");
	err = bpfvm_btf_dump_c(btf, null);
	fclose(null);
	bpfvm_btf_free(btf);
	return err;
}

static void test_ext_sections(void)
{
	struct big b = { 0 };
	struct bpfvm_btf *btf = NULL;
	struct bpfvm_btf_ext *ext = NULL;
	uint32_t *names = malloc(SECS * 4), *e;
	size_t size, n = 0;
	void *raw;
	char name[16];

	str(&b, "");
	w(&b, str(&b, "int")), w(&b, BTF_KIND_INT << 24), w(&b, 4);
	w(&b, BTF_INT_SIGNED << 24 | 32);
	w(&b, 0), w(&b, BTF_KIND_FUNC_PROTO << 24), w(&b, 1);
	w(&b, str(&b, "f")), w(&b, BTF_KIND_FUNC << 24 | 1), w(&b, 2);
	for (uint32_t i = 0; i < SECS; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		names[i] = str(&b, name);
	}
	raw = finish(&b, &size);
	CHECK_EQ_U64(bpfvm_btf_parse(raw, size, NULL, &btf), 0);
	free(raw);
	e = malloc((8 + 1 + SECS * 4) * 4);
	e[n++] = BTF_MAGIC | BTF_VERSION << 16;
	e[n++] = 32;
	e[n++] = 0, e[n++] = (1 + SECS * 4) * 4;	/* func_info */
	e[n++] = 0, e[n++] = 0, e[n++] = 0, e[n++] = 0;
	e[n++] = 8;
	for (uint32_t i = 0; i < SECS; i++)
		e[n++] = names[i], e[n++] = 1, e[n++] = 0, e[n++] = 3;
	CHECK_EQ_U64(bpfvm_btf_ext_parse(e, n * 4, btf, NULL, &ext), 0);
	CHECK_EQ_U64(bpfvm_btf_ext_sec_cnt(ext), SECS);
	CHECK(bpfvm_btf_ext_find_sec(ext, "s12345") != NULL);
	CHECK_EQ_U64(bpfvm_btf_ext_find_sec(ext, "s12345")->func_info_cnt, 1);
	bpfvm_btf_ext_free(ext);
	bpfvm_btf_free(btf);
	free(e);
	free(names);
}

int main(void)
{
	/* 13M printer steps: prints, in linear time */
	CHECK_EQ_U64(chain_union(200), 0);
	/* 100k deep: past the printer's depth */
	CHECK_EQ_U64(chain_union(100000), -E2BIG);
	test_ext_sections();
	return check_report();
}
