/* A program listing with its source lines (see prog_print.h). */
#include "prog_print.h"

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

/* "int name(args):" lines for functions starting at insn i (the FUNC's
 * prototype declared with the function's name). */
static void print_funcs(FILE *out, const struct cli_prog_src *src, size_t i,
			struct print_pos *pos)
{
	for (; pos->func < src->func_cnt &&
	       src->func_info[pos->func].insn_off <= i; pos->func++) {
		const struct bpf_func_info *fi = &src->func_info[pos->func];
		const char *name = bpfvm_btf_type_name(src->btf, fi->type_id);
		const struct btf_type *t = bpfvm_btf_type(src->btf,
							  fi->type_id);
		char decl[256];

		if (fi->insn_off != i)
			continue;
		if (t && BTF_INFO_KIND(t->info) == BTF_KIND_FUNC && name &&
		    bpfvm_btf_type_str(src->btf, t->type, name, decl,
				       sizeof(decl)) >= 0)
			fprintf(out, "%s:\n", decl);
		else
			fprintf(out, "%s:\n", name ? name : "?");
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

/* "; source line @ file:line" for each line_info record at insn i, but
 * for a repeat of the line printed last (clang gives each instruction of
 * a statement its own record). */
static void print_lines(FILE *out, const struct cli_prog_src *src, size_t i,
			struct print_pos *pos)
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
		fprintf(out, "; %s @ %s:%u\n", line, base_name(file),
			BPF_LINE_INFO_LINE_NUM(li->line_col));
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

bool cli_print_prog(FILE *out, const struct bpf_insn *insns, size_t cnt,
		    const struct cli_prog_src *src, bool raw)
{
	struct bpfvm_disasm_opts opts = { .sz = sizeof(opts) };
	struct print_pos pos = { 0 };
	bool ok = true;
	char buf[160];

	if (src && !src->btf)
		src = NULL;
	for (size_t i = 0; i < cnt;) {
		int n;

		if (src && src->xlated_of && i + 1 < cnt &&
		    format_xlated_map(src->xlated_of, &insns[i], buf,
				      sizeof(buf)))
			n = 2;
		else
			n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					      &opts);

		if (src) {
			print_funcs(out, src, i, &pos);
			print_lines(out, src, i, &pos);
		}
		fprintf(out, "%4zu:", i);
		if (raw)
			print_raw(out, &insns[i]);
		fprintf(out, " %s%s\n", n < 0 ? "invalid: " : "", buf);
		if (n < 0) {
			ok = false;
			n = 1;
		}
		/* an lddw's second slot: its bytes on a line of their own */
		if (n == 2 && raw) {
			fprintf(out, "%4zu:", i + 1);
			print_raw(out, &insns[i + 1]);
			fputc('\n', out);
		}
		i += (size_t)n;
	}
	return ok;
}
