/* bpfvm btf dump [file] FILE [format c|raw]: the BTF of FILE (raw BTF
 * such as /sys/kernel/btf/vmlinux, or an ELF object's .BTF) as C that
 * compiles (default) or as bpftool's raw listing, one type a line:
 *   [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED */
#include "cli.h"

#include <bpfvm/btf.h>
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

static void print_int(const struct btf_type *t)
{
	uint32_t v = *(const uint32_t *)(t + 1), enc = BTF_INT_ENCODING(v);

	printf(" size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
	       BTF_INT_OFFSET(v), BTF_INT_BITS(v),
	       enc & BTF_INT_SIGNED ? "SIGNED" : enc & BTF_INT_CHAR ? "CHAR"
				 : enc & BTF_INT_BOOL ? "BOOL" : "(none)");
}

static void print_members(const struct bpfvm_btf *btf, const struct btf_type *t)
{
	const struct btf_member *m = (const void *)(t + 1);
	bool kflag = BTF_INFO_KFLAG(t->info);

	printf(" size=%u vlen=%u", t->size, BTF_INFO_VLEN(t->info));
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		printf("\n\t'%s' type_id=%u bits_offset=%u", str(btf, m[i].name_off),
		       m[i].type, kflag ? BTF_MEMBER_BIT_OFFSET(m[i].offset)
					: m[i].offset);
		if (kflag && BTF_MEMBER_BITFIELD_SIZE(m[i].offset))
			printf(" bitfield_size=%u",
			       BTF_MEMBER_BITFIELD_SIZE(m[i].offset));
	}
}

static void print_enum(const struct bpfvm_btf *btf, const struct btf_type *t)
{
	bool is64 = BTF_INFO_KIND(t->info) == BTF_KIND_ENUM64;
	bool sign = BTF_INFO_KFLAG(t->info);
	const struct btf_enum64 *e64 = (const void *)(t + 1);
	const struct btf_enum *e = (const void *)(t + 1);

	printf(" encoding=%s size=%u vlen=%u", sign ? "SIGNED" : "UNSIGNED",
	       t->size, BTF_INFO_VLEN(t->info));
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		uint64_t v = is64 ? (uint64_t)e64[i].val_hi32 << 32 | e64[i].val_lo32
				  : (uint32_t)e[i].val;

		printf("\n\t'%s' val=", str(btf, is64 ? e64[i].name_off
						      : e[i].name_off));
		if (is64)
			printf(sign ? "%lldLL" : "%lluULL", (unsigned long long)v);
		else
			printf(sign ? "%d" : "%u", (int32_t)v);
	}
}

static void print_params(const struct bpfvm_btf *btf, const struct btf_type *t)
{
	const struct btf_param *p = (const void *)(t + 1);

	printf(" ret_type_id=%u vlen=%u", t->type, BTF_INFO_VLEN(t->info));
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++)
		printf("\n\t'%s' type_id=%u", str(btf, p[i].name_off), p[i].type);
}

static void print_datasec(const struct bpfvm_btf *btf,
			  const struct btf_type *t)
{
	const struct btf_var_secinfo *v = (const void *)(t + 1);

	printf(" size=%u vlen=%u", t->size, BTF_INFO_VLEN(t->info));
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *vt = bpfvm_btf_type(btf, v[i].type);

		printf("\n\ttype_id=%u offset=%u size=%u (%s '%s')", v[i].type,
		       v[i].offset, v[i].size,
		       vt ? kind_names[BTF_INFO_KIND(vt->info)] : "?",
		       vt ? str(btf, vt->name_off) : "?");
	}
}

static void print_type(const struct bpfvm_btf *btf, uint32_t id)
{
	const struct btf_type *t = bpfvm_btf_type(btf, id);
	int kind = (int)BTF_INFO_KIND(t->info);

	printf("[%u] %s '%s'", id, kind_names[kind], str(btf, t->name_off));
	switch (kind) {
	case BTF_KIND_INT:
		print_int(t);
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		printf(" type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);

		printf(" type_id=%u index_type_id=%u nr_elems=%u", a->type,
		       a->index_type, a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		print_members(btf, t);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		print_enum(btf, t);
		break;
	case BTF_KIND_FWD:
		printf(" fwd_kind=%s", BTF_INFO_KFLAG(t->info) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		printf(" type_id=%u linkage=%s", t->type,
		       linkage(BTF_INFO_VLEN(t->info)));
		break;
	case BTF_KIND_FUNC_PROTO:
		print_params(btf, t);
		break;
	case BTF_KIND_VAR:
		printf(" type_id=%u, linkage=%s", t->type,
		       linkage(((const struct btf_var *)(t + 1))->linkage));
		break;
	case BTF_KIND_DATASEC:
		print_datasec(btf, t);
		break;
	case BTF_KIND_FLOAT:
		printf(" size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG:
		printf(" type_id=%u component_idx=%d", t->type,
		       ((const struct btf_decl_tag *)(t + 1))->component_idx);
		break;
	}
	putchar('\n');
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
	const char *path = NULL, *format = "c";
	struct bpfvm_btf *btf;
	int i = 2, err;

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
	err = bpfvm_btf_parse_file(path, &opts, &btf);
	if (err) {
		cli_err("btf: %s: %s", path, log[0] ? log : strerror(-err));
		return 1;
	}
	if (!strcmp(format, "raw")) {
		for (uint32_t id = 1; id < bpfvm_btf_type_cnt(btf); id++)
			print_type(btf, id);
	} else {
		err = bpfvm_btf_dump_c(btf, stdout);
	}
	bpfvm_btf_free(btf);
	if (err)
		cli_err("btf: %s: %s", path, strerror(-err));
	return err ? 1 : 0;
}
