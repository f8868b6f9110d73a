/* A program's source information (prog_info.c): what it is for (type,
 * expected attach type) and the BTF records that map its instructions
 * back to functions and source lines, as BPF_PROG_LOAD carries them. */
#ifndef BPFVM_CORE_PROG_INFO_H
#define BPFVM_CORE_PROG_INFO_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpfvm/prog.h>

struct core_prog_info {
	enum bpf_prog_type type;
	enum bpf_attach_type attach_type;
	struct bpfvm_btf *btf;		/* a reference, or NULL */
	struct bpf_func_info *func_info; /* copies, insn_off in insns */
	size_t func_info_cnt;
	struct bpf_line_info *line_info;
	size_t line_info_cnt;
};

/* Check the records of opts against the validated insns and copy them
 * (taking a BTF reference): 0 or -EINVAL with "func_info N: reason" /
 * "line_info N: reason" in log, -ENOMEM. On error nothing is held. */
int core_prog_info_init(struct core_prog_info *info,
			const struct bpfvm_prog_opts *opts,
			const struct bpf_insn *insns, size_t cnt, char *log,
			size_t log_size);
void core_prog_info_release(struct core_prog_info *info);

#endif
