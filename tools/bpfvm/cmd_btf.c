/* bpfvm btf dump [file] FILE [format c|raw]: the BTF of FILE (raw BTF
 * such as /sys/kernel/btf/vmlinux, or an ELF object's .BTF) as C that
 * compiles (default) or as bpftool's raw listing, one type a line:
 *   [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
 * With -j: bpftool's JSON of the raw listing (C cannot be JSON). */
#include "cli.h"
#include "cli_json.h"

#include <bpfvm/btf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[NR_BTF_KINDS] = {
	"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
	"TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO",
	"VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
};

static const char *linkage(uint32_t l)
{
	return l == 0 ? "static" : l == 1 ? "global" : l == 2 ? "extern"
							       : "(unknown)";
}

static const char *str(const struct bpfvm_btf *btf, uint32_t off)
{
	const char *s = bpfvm_btf_str(btf, off);

	return s && *s ? s : "(anon)";
}

/* One printer for both listings: text fields " key=value" on the type's
 * line and "\n\t..." lines for members; JSON (bpftool btf dump -j) an
 * object per type with the same keys and arrays of member objects. */
struct out {
	struct cj *j;		/* NULL: text */
	bool item_start;	/* text: no space before an item's first field */
};

static void sep(struct out *o)
{
	if (!o->item_start)
		putchar(' ');
	o->item_start = false;
}

static void out_u(struct out *o, const char *key, uint64_t v)
{
	if (o->j) {
		cj_u64(o->j, key, v);
		return;
	}
	sep(o);
	printf("%s=%llu", key, (unsigned long long)v);
}

static void out_i(struct out *o, const char *key, int64_t v)
{
	if (o->j) {
		cj_i64(o->j, key, v);
		return;
	}
	sep(o);
	printf("%s=%lld", key, (long long)v);
}

static void out_s(struct out *o, const char *key, const char *v)
{
	if (o->j) {
		cj_str(o->j, key, v);
		return;
	}
	sep(o);
	printf("%s=%s", key, v);
}

/* A member's name: "'name'" in text, "name" in JSON. */
static void out_name(struct out *o, const char *name)
{
	if (o->j) {
		cj_str(o->j, "name", name);
		return;
	}
	sep(o);
	printf("'%s'", name);
}

/* Text only (what bpftool's raw listing adds for people). */
static void out_text(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->j)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void list_begin(struct out *o, const char *key)
{
	if (o->j)
		cj_arr_begin(o->j, key);
}

static void list_end(struct out *o)
{
	if (o->j)
		cj_arr_end(o->j);
}

static void item_begin(struct out *o)
{
	if (o->j)
		cj_obj_begin(o->j, NULL);
	else
		fputs("\n\t", stdout);
	o->item_start = true;
}

static void item_end(struct out *o)
{
	if (o->j)
		cj_obj_end(o->j);
	o->item_start = false;
}

static void print_int(struct out *o, const struct btf_type *t)
{
	uint32_t v = *(const uint32_t *)(t + 1), enc = BTF_INT_ENCODING(v);

	out_u(o, "size", t->size);
	out_u(o, "bits_offset", BTF_INT_OFFSET(v));
	out_u(o, "nr_bits", BTF_INT_BITS(v));
	out_s(o, "encoding", enc & BTF_INT_SIGNED ? "SIGNED"
			     : enc & BTF_INT_CHAR ? "CHAR"
			     : enc & BTF_INT_BOOL ? "BOOL" : "(none)");
}

static void print_members(struct out *o, const struct bpfvm_btf *btf,
			  const struct btf_type *t)
{
	const struct btf_member *m = (const void *)(t + 1);
	bool kflag = BTF_INFO_KFLAG(t->info);

	out_u(o, "size", t->size);
	out_u(o, "vlen", BTF_INFO_VLEN(t->info));
	list_begin(o, "members");
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		uint32_t bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset)
				      : 0;

		item_begin(o);
		out_name(o, str(btf, m[i].name_off));
		out_u(o, "type_id", m[i].type);
		out_u(o, "bits_offset", kflag ? BTF_MEMBER_BIT_OFFSET(m[i].offset)
					      : m[i].offset);
		if (bits)
			out_u(o, "bitfield_size", bits);
		item_end(o);
	}
	list_end(o);
}

static void enum_val(struct out *o, bool is64, bool sign, uint64_t v)
{
	if (o->j) {
		if (sign)
			cj_i64(o->j, "val", is64 ? (int64_t)v : (int32_t)v);
		else
			cj_u64(o->j, "val", v);
		return;
	}
	sep(o);
	if (is64)
		printf(sign ? "val=%lldLL" : "val=%lluULL",
		       (unsigned long long)v);
	else
		printf(sign ? "val=%d" : "val=%u", (int32_t)v);
}

static void print_enum(struct out *o, const struct bpfvm_btf *btf,
		       const struct btf_type *t)
{
	bool is64 = BTF_INFO_KIND(t->info) == BTF_KIND_ENUM64;
	bool sign = BTF_INFO_KFLAG(t->info);
	const struct btf_enum64 *e64 = (const void *)(t + 1);
	const struct btf_enum *e = (const void *)(t + 1);

	out_s(o, "encoding", sign ? "SIGNED" : "UNSIGNED");
	out_u(o, "size", t->size);
	out_u(o, "vlen", BTF_INFO_VLEN(t->info));
	list_begin(o, "values");
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		uint64_t v = is64 ? (uint64_t)e64[i].val_hi32 << 32 | e64[i].val_lo32
				  : (uint32_t)e[i].val;

		item_begin(o);
		out_name(o, str(btf, is64 ? e64[i].name_off : e[i].name_off));
		enum_val(o, is64, sign, v);
		item_end(o);
	}
	list_end(o);
}

static void print_params(struct out *o, const struct bpfvm_btf *btf,
			 const struct btf_type *t)
{
	const struct btf_param *p = (const void *)(t + 1);

	out_u(o, "ret_type_id", t->type);
	out_u(o, "vlen", BTF_INFO_VLEN(t->info));
	list_begin(o, "params");
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		item_begin(o);
		out_name(o, str(btf, p[i].name_off));
		out_u(o, "type_id", p[i].type);
		item_end(o);
	}
	list_end(o);
}

static void print_datasec(struct out *o, const struct bpfvm_btf *btf,
			  const struct btf_type *t)
{
	const struct btf_var_secinfo *v = (const void *)(t + 1);

	out_u(o, "size", t->size);
	out_u(o, "vlen", BTF_INFO_VLEN(t->info));
	list_begin(o, "vars");
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *vt = bpfvm_btf_type(btf, v[i].type);

		item_begin(o);
		out_u(o, "type_id", v[i].type);
		out_u(o, "offset", v[i].offset);
		out_u(o, "size", v[i].size);
		out_text(o, " (%s '%s')",
			 vt ? kind_names[BTF_INFO_KIND(vt->info)] : "?",
			 vt ? str(btf, vt->name_off) : "?");
		item_end(o);
	}
	list_end(o);
}

static void print_fields(struct out *o, const struct bpfvm_btf *btf,
			 const struct btf_type *t)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		print_int(o, t);
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		out_u(o, "type_id", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);

		out_u(o, "type_id", a->type);
		out_u(o, "index_type_id", a->index_type);
		out_u(o, "nr_elems", a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		print_members(o, btf, t);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		print_enum(o, btf, t);
		break;
	case BTF_KIND_FWD:
		out_s(o, "fwd_kind", BTF_INFO_KFLAG(t->info) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		out_u(o, "type_id", t->type);
		out_s(o, "linkage", linkage(BTF_INFO_VLEN(t->info)));
		break;
	case BTF_KIND_FUNC_PROTO:
		print_params(o, btf, t);
		break;
	case BTF_KIND_VAR:
		out_u(o, "type_id", t->type);
		out_text(o, ",");	/* bpftool's text has this comma */
		out_s(o, "linkage",
		      linkage(((const struct btf_var *)(t + 1))->linkage));
		break;
	case BTF_KIND_DATASEC:
		print_datasec(o, btf, t);
		break;
	case BTF_KIND_FLOAT:
		out_u(o, "size", t->size);
		break;
	case BTF_KIND_DECL_TAG:
		out_u(o, "type_id", t->type);
		out_i(o, "component_idx",
		      ((const struct btf_decl_tag *)(t + 1))->component_idx);
		break;
	}
}

static void print_type(struct out *o, const struct bpfvm_btf *btf,
		       uint32_t id)
{
	const struct btf_type *t = bpfvm_btf_type(btf, id);
	const char *kind = kind_names[BTF_INFO_KIND(t->info)];

	if (o->j) {
		cj_obj_begin(o->j, NULL);
		cj_u64(o->j, "id", id);
		cj_str(o->j, "kind", kind);
		cj_str(o->j, "name", str(btf, t->name_off));
	} else {
		printf("[%u] %s '%s'", id, kind, str(btf, t->name_off));
	}
	print_fields(o, btf, t);
	if (o->j)
		cj_obj_end(o->j);
	else
		putchar('\n');
}

/* Every type; with -j {"types":[...]} as bpftool btf dump -j. */
static void print_raw(const struct bpfvm_btf *btf)
{
	struct cj j;
	struct out o = { .j = cli_json_on() ? &j : NULL };

	if (o.j) {
		cj_init(&j, stdout);
		cj_obj_begin(&j, NULL);
		cj_arr_begin(&j, "types");
	}
	for (uint32_t id = 1; id < bpfvm_btf_type_cnt(btf); id++)
		print_type(&o, btf, id);
	if (o.j) {
		cj_arr_end(&j);
		cj_obj_end(&j);
		cj_end(&j);
	}
}

static int usage(void)
{
	cli_err("usage: bpfvm btf dump [file] FILE [format c|raw]");
	return 2;
}

int cmd_btf(int argc, char **argv)
{
	char log[512] = "";
	struct bpfvm_btf_opts opts = { .sz = sizeof(opts), .log_buf = log,
				       .log_size = sizeof(log) };
	/* JSON exists for the raw listing only, so -j makes it the default */
	const char *path = NULL, *format = cli_json_on() ? "raw" : "c";
	struct bpfvm_btf *btf;
	int i = 2, err = 0;

	if (argc < 3 || strcmp(argv[1], "dump"))
		return usage();
	if (!strcmp(argv[i], "file") && argc > 3)
		i++;
	path = argv[i++];
	if (i < argc && !strcmp(argv[i], "format") && i + 1 < argc) {
		format = argv[i + 1];
		i += 2;
	}
	if (i != argc || (strcmp(format, "c") && strcmp(format, "raw")))
		return usage();
	if (!strcmp(format, "c") && cli_json_on()) {
		/* bpftool's answer too: C is text, not data */
		cli_err("btf: JSON output for C-syntax dump is not supported");
		return 2;
	}
	err = bpfvm_btf_parse_file(path, &opts, &btf);
	if (err) {
		cli_err("btf: %s: %s", path, log[0] ? log : strerror(-err));
		return 1;
	}
	if (!strcmp(format, "raw"))
		print_raw(btf);
	else
		err = bpfvm_btf_dump_c(btf, stdout);
	bpfvm_btf_free(btf);
	if (err)
		cli_err("btf: %s: %s", path, strerror(-err));
	return err ? 1 : 0;
}
