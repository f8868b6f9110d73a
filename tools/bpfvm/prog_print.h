/* Printing a program with its source: instructions as `bpfvm disasm`
 * lists them, with each function's name and the source lines .BTF.ext's
 * line_info names interleaved (bpftool's `prog dump xlated linum`):
 *   int xdp_count(struct xdp_md *ctx):
 *   ; __u32 key = 0; @ zoo_xdp.bpf.c:85
 *      0: r1 = 0
 * Objects for the CLI (open + load from a path) live in cli_object.c. */
#ifndef BPFVM_CLI_PROG_PRINT_H
#define BPFVM_CLI_PROG_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/bpf.h>

struct bpfvm_btf;
struct bpfvm_object;
struct bpfvm_prog;

/* Source information of a program (all NULL / 0 without). */
struct cli_prog_src {
	const struct bpfvm_btf *btf;
	const struct bpf_func_info *func_info; /* insn_off in insns */
	size_t func_cnt;
	const struct bpf_line_info *line_info;  /* insn_off in insns */
	size_t line_cnt;
	/* Set when insns are this program's xlated ones: lddw of a map
	 * (its address) or a map value print as "map[id:N]" and
	 * "map[id:N][0]+off", with the map's name in a comment. */
	struct bpfvm_prog *xlated_of;
};

/* Print insns to out, "%4zu: insn" (raw: the bytes after the index), with
 * the source lines of src where it has them. False if an instruction is
 * not valid (it is printed as "invalid: why" and the listing goes on). */
bool cli_print_prog(FILE *out, const struct bpf_insn *insns, size_t cnt,
		    const struct cli_prog_src *src, bool raw);

/* The same listing as a JSON array (-j; key: its member name inside an
 * object, else NULL), one object per instruction:
 * {"proto"?, "src"?, "file"?, "line_num"?, "line_col"?, "insn": N,
 *  "opcode": "0xb7", "disasm": text (or "invalid": why), "bytes"? (raw)}
 * with bpftool prog dump xlated -j's names for the source keys. */
struct cj;
bool cli_print_prog_json(struct cj *j, const char *key,
			 const struct bpf_insn *insns, size_t cnt,
			 const struct cli_prog_src *src, bool raw);

/* Open and load the object at path, as `bpfvm prog` and `bpfvm disasm`
 * read one (kconfig: .config text for __kconfig externs, or NULL).
 * When load fails, *loaded is false and the object stays opened (its
 * programs then have their ELF instructions and no source lines); NULL
 * when it cannot be opened, after printing why. */
struct bpfvm_object *cli_object_open(const char *path, const char *kconfig,
				     bool *loaded);
/* The same, but a load failure is not printed: its message goes to
 * load_err (size bytes) for callers that go on without loading. */
struct bpfvm_object *cli_object_open_log(const char *path,
					 const char *kconfig, bool *loaded,
					 char *load_err, size_t size);
/* True when the file at path starts with the ELF magic. */
bool cli_is_elf(const char *path);

#endif
