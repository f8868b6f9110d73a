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

/* "int name(args):" lines for functions starting at insn i (the FUNC's
 * prototype declared with the function's name). */
static void print_funcs(FILE *out, const struct cli_prog_src *src, size_t i)
{
	for (size_t k = 0; k < src->func_cnt; k++) {
		const struct bpf_func_info *fi = &src->func_info[k];
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

/* "; source line @ file:line" for each line_info record at insn i, but
 * for a repeat of the line printed last (clang gives each instruction of
 * a statement its own record). */
static void print_lines(FILE *out, const struct cli_prog_src *src, size_t i,
			const struct bpf_line_info **last)
{
	for (size_t k = 0; k < src->line_cnt; k++) {
		const struct bpf_line_info *li = &src->line_info[k];
		const char *line, *file;

		if (li->insn_off != i)
			continue;
		if (*last && (*last)->line_off == li->line_off &&
		    (*last)->file_name_off == li->file_name_off &&
		    BPF_LINE_INFO_LINE_NUM((*last)->line_col) ==
			    BPF_LINE_INFO_LINE_NUM(li->line_col))
			continue;
		line = bpfvm_btf_str(src->btf, li->line_off);
		file = bpfvm_btf_str(src->btf, li->file_name_off);
		if (!line || !file || !line[0])
			continue;
		*last = li;
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
	const struct bpf_line_info *last = NULL;
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
			print_funcs(out, src, i);
			print_lines(out, src, i, &last);
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
