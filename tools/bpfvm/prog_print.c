/* A program listing with its source lines (see prog_print.h). */
#include "prog_print.h"
#include "cli_json.h"

#include <bpfvm/btf.h>
#include <bpfvm/isa.h>
#include <bpfvm/map.h>
#include <bpfvm/prog.h>
#include <stdint.h>
#include <string.h>

static void print_raw(FILE *out, const struct bpf_insn *insn)
{
	const unsigned char *b = (const unsigned char *)insn;

	for (size_t j = 0; j < sizeof(*insn); j++)
		fprintf(out, " %02x", b[j]);
	fputc('\t', out);
}

/* The last path component: clang records the path it was given. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Where the listing is in the (sorted) records, and the line printed
 * last. */
struct print_pos {
	size_t func, line;
	const struct bpf_line_info *last;
};

/* Where a listing goes: text to f, or one JSON object per instruction
 * (bpftool prog dump xlated -j: "proto", "src", "file", "line_num",
 * "line_col", then "disasm"). */
struct prog_out {
	FILE *f;
	struct cj *j;
	const char *key;	/* JSON: the array's member name, or NULL */
	bool have_src;		/* JSON: source keys already given */
};

/* "int name(args):" lines for functions starting at insn i (the FUNC's
 * prototype declared with the function's name). */
static void print_funcs(struct prog_out *o, const struct cli_prog_src *src,
			size_t i, struct print_pos *pos)
{
	bool done = false;

	for (; pos->func < src->func_cnt &&
	       src->func_info[pos->func].insn_off <= i; pos->func++) {
		const struct bpf_func_info *fi = &src->func_info[pos->func];
		const char *name = bpfvm_btf_type_name(src->btf, fi->type_id);
		const struct btf_type *t = bpfvm_btf_type(src->btf,
							  fi->type_id);
		char decl[256];

		if (fi->insn_off != i || (o->j && done))
			continue;
		if (!(t && BTF_INFO_KIND(t->info) == BTF_KIND_FUNC && name &&
		      bpfvm_btf_type_str(src->btf, t->type, name, decl,
					 sizeof(decl)) >= 0))
			snprintf(decl, sizeof(decl), "%s", name ? name : "?");
		if (o->j)
			cj_str(o->j, "proto", decl);
		else
			fprintf(o->f, "%s:\n", decl);
		done = true;
	}
}

static bool same_line(const struct bpf_line_info *a,
		      const struct bpf_line_info *b)
{
	return a && a->line_off == b->line_off &&
	       a->file_name_off == b->file_name_off &&
	       BPF_LINE_INFO_LINE_NUM(a->line_col) ==
		       BPF_LINE_INFO_LINE_NUM(b->line_col);
}

static void print_line(struct prog_out *o, const char *line,
		       const char *file, uint32_t line_col)
{
	if (!o->j) {
		fprintf(o->f, "; %s @ %s:%u\n", line, file,
			BPF_LINE_INFO_LINE_NUM(line_col));
		return;
	}
	if (o->have_src)	/* one set of keys per instruction */
		return;
	o->have_src = true;
	cj_str(o->j, "src", line);
	cj_str(o->j, "file", file);
	cj_u64(o->j, "line_num", BPF_LINE_INFO_LINE_NUM(line_col));
	cj_u64(o->j, "line_col", BPF_LINE_INFO_LINE_COL(line_col));
}

/* "; source line @ file:line" for each line_info record at insn i, but
 * for a repeat of the line printed last (clang gives each instruction of
 * a statement its own record). */
static void print_lines(struct prog_out *o, const struct cli_prog_src *src,
			size_t i, struct print_pos *pos)
{
	for (; pos->line < src->line_cnt &&
	       src->line_info[pos->line].insn_off <= i; pos->line++) {
		const struct bpf_line_info *li = &src->line_info[pos->line];
		const char *line, *file;

		if (li->insn_off != i || same_line(pos->last, li))
			continue;
		line = bpfvm_btf_str(src->btf, li->line_off);
		file = bpfvm_btf_str(src->btf, li->file_name_off);
		if (!line || !file || !line[0])
			continue;
		pos->last = li;
		while (*line == ' ' || *line == '\t')
			line++;
		print_line(o, line, base_name(file), li->line_col);
	}
}

/* An xlated lddw naming a map (src 1: the map's address) or a value in
 * one (src 2: the value's address; found for maps whose values are
 * mmapable, as global data). False when it is neither. */
static bool format_xlated_map(struct bpfvm_prog *prog,
			      const struct bpf_insn *in, char *buf, size_t size)
{
	uintptr_t addr = (uint32_t)in[0].imm |
			 ((uintptr_t)(uint32_t)in[1].imm << 32);

	if (in->code != (BPF_LD | BPF_IMM | BPF_DW) ||
	    (in->src_reg != BPF_PSEUDO_MAP_FD &&
	     in->src_reg != BPF_PSEUDO_MAP_VALUE))
		return false;
	for (size_t m = 0; m < bpfvm_prog_map_cnt(prog); m++) {
		struct bpfvm_map *map = bpfvm_prog_map(prog, m);
		uintptr_t base = (uintptr_t)bpfvm_map_mmap(map);
		size_t span = (size_t)bpfvm_map_max_entries(map) *
			      bpfvm_map_value_size(map);

		if (in->src_reg == BPF_PSEUDO_MAP_FD && addr == (uintptr_t)map)
			snprintf(buf, size, "r%u = map[id:%u] ll  # %s",
				 in->dst_reg, bpfvm_map_id(map),
				 bpfvm_map_name(map));
		else if (in->src_reg == BPF_PSEUDO_MAP_VALUE && base &&
			 addr >= base && addr - base < span)
			snprintf(buf, size, "r%u = map[id:%u][0]+%zu ll  # %s",
				 in->dst_reg, bpfvm_map_id(map),
				 (size_t)(addr - base), bpfvm_map_name(map));
		else
			continue;
		return true;
	}
	snprintf(buf, size, "r%u = %s[0x%llx] ll", in->dst_reg,
		 in->src_reg == BPF_PSEUDO_MAP_FD ? "map" : "map_value",
		 (unsigned long long)addr);
	return true;
}

/* One instruction (n slots; n < 0: invalid, text says why). */
static void print_insn(struct prog_out *o, const struct bpf_insn *insns,
		       size_t i, int n, const char *text, bool raw)
{
	if (o->j) {
		char op[8];

		snprintf(op, sizeof(op), "0x%02x", insns[i].code);
		cj_u64(o->j, "insn", i);
		cj_str(o->j, "opcode", op);
		cj_str(o->j, n < 0 ? "invalid" : "disasm", text);
		if (raw)
			cj_hex(o->j, "bytes", &insns[i],
			       sizeof(*insns) * (n == 2 ? 2 : 1));
		return;
	}
	fprintf(o->f, "%4zu:", i);
	if (raw)
		print_raw(o->f, &insns[i]);
	fprintf(o->f, " %s%s\n", n < 0 ? "invalid: " : "", text);
	/* an lddw's second slot: its bytes on a line of their own */
	if (n == 2 && raw) {
		fprintf(o->f, "%4zu:", i + 1);
		print_raw(o->f, &insns[i + 1]);
		fputc('\n', o->f);
	}
}

static bool print_prog(struct prog_out *o, const struct bpf_insn *insns,
		       size_t cnt, const struct cli_prog_src *src, bool raw)
{
	struct bpfvm_disasm_opts opts = { .sz = sizeof(opts) };
	struct print_pos pos = { 0 };
	bool ok = true;
	char buf[160];

	if (src && !src->btf)
		src = NULL;
	if (o->j)
		cj_arr_begin(o->j, o->key);
	for (size_t i = 0; i < cnt;) {
		int n;

		if (src && src->xlated_of && i + 1 < cnt &&
		    format_xlated_map(src->xlated_of, &insns[i], buf,
				      sizeof(buf)))
			n = 2;
		else
			n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					      &opts);
		if (o->j) {
			cj_obj_begin(o->j, NULL);
			o->have_src = false;
		}
		if (src) {
			print_funcs(o, src, i, &pos);
			print_lines(o, src, i, &pos);
		}
		print_insn(o, insns, i, n, buf, raw);
		if (o->j)
			cj_obj_end(o->j);
		ok = ok && n >= 0;
		i += n < 0 ? 1 : (size_t)n;
	}
	if (o->j)
		cj_arr_end(o->j);
	return ok;
}

bool cli_print_prog(FILE *out, const struct bpf_insn *insns, size_t cnt,
		    const struct cli_prog_src *src, bool raw)
{
	struct prog_out o = { .f = out };

	return print_prog(&o, insns, cnt, src, raw);
}

bool cli_print_prog_json(struct cj *j, const char *key,
			 const struct bpf_insn *insns, size_t cnt,
			 const struct cli_prog_src *src, bool raw)
{
	struct prog_out o = { .j = j, .key = key };

	return print_prog(&o, insns, cnt, src, raw);
}
