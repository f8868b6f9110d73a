/* Malformed BTF: every check of the parser, each with the errno and the
 * message it must give (naming the type and byte offset where there is
 * one); then every truncation and many corruptions of a valid blob must
 * fail cleanly or parse (never crash, under ASan in the sanitizer build). */
#include <bpfvm/btf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "btf_blob.h"
#include "check.h"

#define HDR sizeof(struct btf_header)

static void hdr_set(struct blob *b, size_t field_off, uint32_t v)
{
	memcpy(b->out + field_off, &v, 4);
}

#define HSET(field, v) hdr_set(b, offsetof(struct btf_header, field), v)

/* int [1], and a struct s { int a; } [2] */
static void base_types(struct blob *b)
{
	blob_init(b);
	blob_int(b, "int", 4, BTF_INT_SIGNED);
	blob_type(b, "s", BTF_KIND_STRUCT, 0, 1, 4);
	blob_member(b, "a", 1, 0);
}

/* Each case builds a blob and returns its size. */
static size_t c_short(struct blob *b) { base_types(b); blob_finish(b); return 6; }
static size_t c_magic(struct blob *b) { base_types(b); size_t n = blob_finish(b); b->out[0] = 0x12; return n; }
static size_t c_version(struct blob *b) { base_types(b); size_t n = blob_finish(b); b->out[2] = 2; return n; }
static size_t c_flags(struct blob *b) { base_types(b); size_t n = blob_finish(b); b->out[3] = 1; return n; }
static size_t c_hdr_small(struct blob *b) { base_types(b); size_t n = blob_finish(b); HSET(hdr_len, 16); return n; }
static size_t c_hdr_big(struct blob *b) { base_types(b); size_t n = blob_finish(b); HSET(hdr_len, 4000); return n; }
static size_t c_hdr_extra(struct blob *b)
{
	/* a 28-byte header whose unknown field is not 0 */
	size_t n;

	base_types(b);
	n = blob_finish(b);
	memmove(b->out + HDR + 4, b->out + HDR, n - HDR);
	hdr_set(b, HDR, 7);
	HSET(hdr_len, HDR + 4);
	return n + 4;
}
static size_t c_types_past(struct blob *b) { base_types(b); size_t n = blob_finish(b); HSET(type_len, 4000); return n; }
static size_t c_strs_past(struct blob *b) { base_types(b); size_t n = blob_finish(b); HSET(str_len, 4000); return n; }
static size_t c_overlap(struct blob *b) { base_types(b); size_t n = blob_finish(b); HSET(str_off, 4); HSET(str_len, 8); return n; }
static size_t c_unaligned(struct blob *b) { base_types(b); size_t n = blob_finish(b); HSET(type_off, 2); HSET(type_len, 8); return n; }
static size_t c_str_nul_end(struct blob *b) { base_types(b); size_t n = blob_finish(b); b->out[n - 1] = 'x'; return n; }
static size_t c_str_nul_start(struct blob *b) { base_types(b); size_t n = blob_finish(b); b->out[HDR + b->nw * 4] = 'x'; return n; }
static size_t c_str_empty(struct blob *b) { blob_init(b); b->ns = 0; return blob_finish(b); }
static size_t c_truncated(struct blob *b)
{
	size_t n;

	base_types(b);
	n = blob_finish(b);
	HSET(type_len, (uint32_t)(b->nw * 4 - 8)); /* cut inside [2] */
	return n;
}
static size_t c_unknown_kind(struct blob *b) { base_types(b); blob_type(b, "x", 20, 0, 0, 0); return blob_finish(b); }
static size_t c_vlen_overrun(struct blob *b)
{
	base_types(b);
	blob_type(b, "t", BTF_KIND_STRUCT, 0, 5, 4);
	blob_member(b, "a", 1, 0);
	return blob_finish(b);
}
static size_t c_name_off(struct blob *b) { base_types(b); blob_w(b, 9999); blob_w(b, BTF_KIND_TYPEDEF << 24); blob_w(b, 1); return blob_finish(b); }
static size_t c_ptr_named(struct blob *b) { base_types(b); blob_type(b, "p", BTF_KIND_PTR, 0, 0, 1); return blob_finish(b); }
static size_t c_bad_ident(struct blob *b) { base_types(b); blob_type(b, "1abc", BTF_KIND_TYPEDEF, 0, 0, 1); return blob_finish(b); }
static size_t c_bad_ref(struct blob *b) { base_types(b); blob_type(b, NULL, BTF_KIND_PTR, 0, 0, 77); return blob_finish(b); }
static size_t c_int_size(struct blob *b) { blob_init(b); blob_type(b, "i", BTF_KIND_INT, 0, 0, 3); blob_w(b, 24); return blob_finish(b); }
static size_t c_int_bits(struct blob *b) { blob_init(b); blob_type(b, "i", BTF_KIND_INT, 0, 0, 2); blob_w(b, 17); return blob_finish(b); }
static size_t c_int_enc(struct blob *b) { blob_init(b); blob_type(b, "i", BTF_KIND_INT, 0, 0, 4); blob_w(b, 3u << 24 | 32); return blob_finish(b); }
static size_t c_kflag(struct blob *b) { base_types(b); blob_type(b, NULL, BTF_KIND_PTR, 1, 0, 1); return blob_finish(b); }
static size_t c_vlen(struct blob *b) { base_types(b); blob_type(b, "t", BTF_KIND_TYPEDEF, 0, 1, 1); return blob_finish(b); }
static size_t c_reserved(struct blob *b) { base_types(b); blob_w(b, 0); blob_w(b, BTF_KIND_PTR << 24 | 1 << 20); blob_w(b, 1); return blob_finish(b); }
static size_t c_array_void(struct blob *b) { base_types(b); blob_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0); blob_w(b, 0); blob_w(b, 1); blob_w(b, 2); return blob_finish(b); }
static size_t c_array_index(struct blob *b) { base_types(b); blob_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0); blob_w(b, 1); blob_w(b, 2); blob_w(b, 2); return blob_finish(b); }
static size_t c_array_huge(struct blob *b) { base_types(b); blob_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0); blob_w(b, 1); blob_w(b, 1); blob_w(b, 0x40000000); return blob_finish(b); }
static size_t c_member_past(struct blob *b) { base_types(b); blob_type(b, "t", BTF_KIND_STRUCT, 0, 1, 4); blob_member(b, "a", 1, 16); return blob_finish(b); }
static size_t c_union_off(struct blob *b) { base_types(b); blob_type(b, "t", BTF_KIND_UNION, 0, 1, 8); blob_member(b, "a", 1, 32); return blob_finish(b); }
static size_t c_bitfield_struct(struct blob *b) { base_types(b); blob_type(b, "t", BTF_KIND_STRUCT, 1, 1, 4); blob_member(b, "a", 2, 3u << 24); return blob_finish(b); }
static size_t c_member_func(struct blob *b)
{
	base_types(b);
	blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 1);	/* 3 */
	blob_type(b, "f", BTF_KIND_FUNC, 0, 0, 3);		/* 4 */
	blob_type(b, "t", BTF_KIND_STRUCT, 0, 1, 8);
	blob_member(b, "m", 4, 0);
	return blob_finish(b);
}
static size_t c_member_proto(struct blob *b)
{
	base_types(b);
	blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 1);	/* 3 */
	blob_type(b, "t", BTF_KIND_STRUCT, 0, 1, 8);
	blob_member(b, "m", 3, 0);
	return blob_finish(b);
}
static size_t c_func_type(struct blob *b) { base_types(b); blob_type(b, "f", BTF_KIND_FUNC, 0, 0, 1); return blob_finish(b); }
static size_t c_func_linkage(struct blob *b)
{
	base_types(b);
	blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 1);
	blob_type(b, "f", BTF_KIND_FUNC, 0, 5, 3);
	return blob_finish(b);
}
static size_t c_param_void(struct blob *b)
{
	base_types(b);
	blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, 2, 1);
	blob_w(b, 0), blob_w(b, 0);	/* "..." but not last */
	blob_w(b, 0), blob_w(b, 1);
	return blob_finish(b);
}
static size_t c_var_linkage(struct blob *b) { base_types(b); blob_type(b, "v", BTF_KIND_VAR, 0, 0, 1); blob_w(b, 9); return blob_finish(b); }
static size_t c_datasec_entry(struct blob *b) { base_types(b); blob_type(b, ".data", BTF_KIND_DATASEC, 0, 1, 4); blob_w(b, 1), blob_w(b, 0), blob_w(b, 4); return blob_finish(b); }
static size_t c_tag_target(struct blob *b) { base_types(b); blob_type(b, "tag", BTF_KIND_DECL_TAG, 0, 0, 1); blob_w(b, (uint32_t)-1); return blob_finish(b); }
static size_t c_tag_index(struct blob *b) { base_types(b); blob_type(b, "tag", BTF_KIND_DECL_TAG, 0, 0, 2); blob_w(b, 1); return blob_finish(b); }
static size_t c_float_size(struct blob *b) { blob_init(b); blob_type(b, "float", BTF_KIND_FLOAT, 0, 0, 3); return blob_finish(b); }
static size_t c_enum_size(struct blob *b) { blob_init(b); blob_type(b, "e", BTF_KIND_ENUM, 0, 0, 3); return blob_finish(b); }
static size_t c_enum_name(struct blob *b) { blob_init(b); blob_type(b, "e", BTF_KIND_ENUM, 0, 1, 4); blob_w(b, 0), blob_w(b, 1); return blob_finish(b); }
static size_t c_fwd_type(struct blob *b) { blob_init(b); blob_type(b, "f", BTF_KIND_FWD, 0, 0, 1); return blob_finish(b); }
static size_t c_typedef_loop(struct blob *b)
{
	blob_init(b);
	blob_type(b, "a", BTF_KIND_TYPEDEF, 0, 0, 2);
	blob_type(b, "b", BTF_KIND_TYPEDEF, 0, 0, 1);
	return blob_finish(b);
}
static size_t c_const_self(struct blob *b) { blob_init(b); blob_type(b, NULL, BTF_KIND_CONST, 0, 0, 1); return blob_finish(b); }
static size_t c_ptr_self(struct blob *b) { blob_init(b); blob_type(b, NULL, BTF_KIND_PTR, 0, 0, 1); return blob_finish(b); }
static size_t c_struct_self(struct blob *b)
{
	base_types(b);
	blob_type(b, "t", BTF_KIND_STRUCT, 0, 2, 8);	/* 3 */
	blob_member(b, "a", 1, 0);
	blob_member(b, "me", 3, 32);
	return blob_finish(b);
}
static size_t c_struct_self_array(struct blob *b)
{
	base_types(b);
	blob_type(b, "t", BTF_KIND_STRUCT, 0, 1, 8);	/* 3 */
	blob_member(b, "arr", 5, 0);
	blob_type(b, "td", BTF_KIND_TYPEDEF, 0, 0, 3);	/* 4 */
	blob_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);	/* 5 */
	blob_w(b, 4), blob_w(b, 1), blob_w(b, 1);
	return blob_finish(b);
}
static size_t c_anon_self(struct blob *b)
{
	base_types(b);
	blob_type(b, NULL, BTF_KIND_STRUCT, 0, 1, 8);	/* 3 */
	blob_member(b, "p", 4, 0);
	blob_type(b, NULL, BTF_KIND_PTR, 0, 0, 3);	/* 4 */
	return blob_finish(b);
}
static size_t c_proto_self(struct blob *b)
{
	base_types(b);
	blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, 1, 4);	/* 3 */
	blob_w(b, 0), blob_w(b, 4);
	blob_type(b, NULL, BTF_KIND_PTR, 0, 0, 3);		/* 4 */
	return blob_finish(b);
}

static const struct err_case {
	const char *name;
	size_t (*build)(struct blob *b);
	int err;
	const char *want1, *want2;
} cases[] = {
	{ "short", c_short, -EINVAL, "too short", NULL },
	{ "magic", c_magic, -EINVAL, "bad magic", NULL },
	{ "version", c_version, -EINVAL, "version 2", NULL },
	{ "flags", c_flags, -EINVAL, "flags", NULL },
	{ "hdr_small", c_hdr_small, -EINVAL, "header length 16", NULL },
	{ "hdr_big", c_hdr_big, -EINVAL, "header length 4000", NULL },
	{ "hdr_extra", c_hdr_extra, -E2BIG, "byte offset 24", NULL },
	{ "types_past", c_types_past, -EINVAL, "type section", "past" },
	{ "strs_past", c_strs_past, -EINVAL, "string section", "past" },
	{ "overlap", c_overlap, -EINVAL, "overlap", NULL },
	{ "unaligned", c_unaligned, -EINVAL, "aligned", "byte offset 26" },
	{ "str_nul_end", c_str_nul_end, -EINVAL, "end with NUL", "byte offset" },
	{ "str_nul_start", c_str_nul_start, -EINVAL, "start with an empty",
	  "byte offset" },
	{ "str_empty", c_str_empty, -EINVAL, "empty string section", NULL },
	{ "truncated", c_truncated, -EINVAL, "type [2] STRUCT at byte offset 40",
	  "needs 24 bytes" },
	{ "unknown_kind", c_unknown_kind, -EINVAL,
	  "type [3] at byte offset 64", "unknown kind 20" },
	{ "vlen_overrun", c_vlen_overrun, -EINVAL,
	  "type [3] STRUCT at byte offset 64", "vlen 5" },
	{ "name_off", c_name_off, -EINVAL, "type [3] TYPEDEF",
	  "string offset 9999" },
	{ "ptr_named", c_ptr_named, -EINVAL, "type [3] PTR 'p' at byte offset 64",
	  "must be empty" },
	{ "bad_ident", c_bad_ident, -EINVAL, "type [3]", "not a C identifier" },
	{ "bad_ref", c_bad_ref, -EINVAL, "type [3] PTR",
	  "type [77], which does not exist" },
	{ "int_size", c_int_size, -EINVAL, "type [1] INT 'i' at byte offset 24",
	  "size 3" },
	{ "int_bits", c_int_bits, -EINVAL, "type [1]", "17 bits" },
	{ "int_enc", c_int_enc, -EINVAL, "type [1]", "encoding 0x3" },
	{ "kflag", c_kflag, -EINVAL, "type [3] PTR", "kind_flag" },
	{ "vlen", c_vlen, -EINVAL, "type [3] TYPEDEF", "vlen 1" },
	{ "reserved", c_reserved, -EINVAL, "type [3] PTR", "reserved bits" },
	{ "array_void", c_array_void, -EINVAL, "type [3] ARRAY",
	  "element type references void" },
	{ "array_index", c_array_index, -EINVAL, "type [3] ARRAY",
	  "index type [2] is not an integer" },
	{ "array_huge", c_array_huge, -E2BIG, "type [3] ARRAY",
	  "larger than 4 GB" },
	{ "member_past", c_member_past, -EINVAL, "type [3] STRUCT 't'",
	  "past the size" },
	{ "union_off", c_union_off, -EINVAL, "type [3] UNION", "bit offset 32" },
	{ "bitfield_struct", c_bitfield_struct, -EINVAL, "type [3] STRUCT",
	  "bitfield of 3 bits" },
	{ "member_func", c_member_func, -EINVAL, "type [5] STRUCT",
	  "type [4] of kind FUNC" },
	{ "member_proto", c_member_proto, -EINVAL, "type [4] STRUCT",
	  "has no size" },
	{ "func_type", c_func_type, -EINVAL, "type [3] FUNC 'f'",
	  "not a FUNC_PROTO" },
	{ "func_linkage", c_func_linkage, -EINVAL, "type [4] FUNC", "linkage 5" },
	{ "param_void", c_param_void, -EINVAL, "type [3] FUNC_PROTO",
	  "parameter 0 references void" },
	{ "var_linkage", c_var_linkage, -EINVAL, "type [3] VAR 'v'", "linkage 9" },
	{ "datasec_entry", c_datasec_entry, -EINVAL, "type [3] DATASEC '.data'",
	  "not a VAR" },
	{ "tag_target", c_tag_target, -EINVAL, "type [3] DECL_TAG 'tag'",
	  "of kind INT" },
	{ "tag_index", c_tag_index, -EINVAL, "type [3] DECL_TAG",
	  "component index 1" },
	{ "float_size", c_float_size, -EINVAL, "type [1] FLOAT", "size 3" },
	{ "enum_size", c_enum_size, -EINVAL, "type [1] ENUM", "size 3" },
	{ "enum_name", c_enum_name, -EINVAL, "type [1] ENUM", "enumerator 0" },
	{ "fwd_type", c_fwd_type, -EINVAL, "type [1] FWD", "type 1" },
	{ "typedef_loop", c_typedef_loop, -ELOOP, "type [1] TYPEDEF 'a'",
	  "loops back" },
	{ "const_self", c_const_self, -ELOOP, "type [1] CONST", "loops back" },
	{ "ptr_self", c_ptr_self, -ELOOP, "type [1] PTR", "loops back" },
	{ "struct_self", c_struct_self, -ELOOP, "type [3] STRUCT 't'",
	  "contains itself by value" },
	{ "struct_self_array", c_struct_self_array, -ELOOP, "STRUCT 't'",
	  "contains itself by value" },
	{ "anon_self", c_anon_self, -ELOOP, "type [3] STRUCT", "loops back" },
	{ "proto_self", c_proto_self, -ELOOP, "FUNC_PROTO", "loops back" },
};

static void run_case(const struct err_case *c)
{
	static struct blob b;
	char log[512] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
				    .log_size = sizeof(log) };
	struct bpfvm_btf *btf = (struct bpfvm_btf *)1;
	size_t n = c->build(&b);
	int err = bpfvm_btf_parse(b.out, n, &o, &btf);
	bool ok = err == c->err && btf == NULL && !strncmp(log, "BTF: ", 5) &&
		  strstr(log, c->want1) &&
		  (!c->want2 || strstr(log, c->want2));

	if (getenv("BTF_TEST_VERBOSE"))
		printf("%-18s %d %s\n", c->name, err, log);
	if (!ok)
		fprintf(stderr, "case %s: err %d (want %d), log \"%s\"\n",
			c->name, err, c->err, log);
	CHECK(ok);
}

/* A pointer to itself through a named struct is fine (a list). */
static void test_positive_controls(void)
{
	static struct blob b;
	struct bpfvm_btf *btf = NULL;

	base_types(&b);
	blob_type(&b, "node", BTF_KIND_STRUCT, 0, 1, 8);	/* 3 */
	blob_member(&b, "next", 4, 0);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 3);		/* 4 */
	CHECK_EQ_U64(bpfvm_btf_parse(b.out, blob_finish(&b), NULL, &btf), 0);
	bpfvm_btf_free(btf);
}

/* Every prefix and many corruptions of a valid blob: no crash. */
static void test_corruptions(void)
{
	static struct blob b;
	uint8_t *copy;
	size_t n;
	int parsed = 0;

	base_types(&b);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 2);
	blob_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 1, 1);
	blob_w(&b, blob_str(&b, "x")), blob_w(&b, 3);
	blob_type(&b, "e", BTF_KIND_ENUM64, 1, 1, 8);
	blob_w(&b, blob_str(&b, "E")), blob_w(&b, 1), blob_w(&b, 2);
	n = blob_finish(&b);
	copy = malloc(n);
	for (size_t len = 0; len < n; len++) {
		struct bpfvm_btf *btf = NULL;

		memcpy(copy, b.out, len);
		CHECK(bpfvm_btf_parse(copy, len, NULL, &btf) < 0);
		CHECK(btf == NULL);
	}
	srand(5);
	for (int i = 0; i < 20000; i++) {
		struct bpfvm_btf *btf = NULL;

		memcpy(copy, b.out, n);
		for (int k = 0; k < 1 + i % 3; k++)
			copy[(size_t)rand() % n] = (uint8_t)rand();
		if (!bpfvm_btf_parse(copy, n, NULL, &btf)) {
			parsed++;
			bpfvm_btf_free(btf);
		}
	}
	printf("corruptions: %d of 20000 still parse\n", parsed);
	free(copy);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_positive_controls();
	test_corruptions();
	return check_report();
}
