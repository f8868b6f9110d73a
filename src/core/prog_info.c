/* Source information of a program, checked as BPF_PROG_LOAD checks it
 * (the kernel's check_btf_func / check_btf_line): func_info names one
 * FUNC per function (the entry and each bpf-to-bpf call or function
 * address target), in order; line_info is sorted, on instructions, and
 * starts every function. Copied, so the caller's arrays may go. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/btf.h>
#include "core/log.h"
#include "core/opts.h"
#include "core/prog_priv.h"
#include "isa/isa.h"

/* What each instruction is to the records: a function's start (0 and
 * every target of a pseudo call or lddw BPF_PSEUDO_FUNC; the insns are
 * validated, so targets are in range) or an lddw's second half. */
#define MARK_FUNC 1u
#define MARK_LDDW_HI 2u

static uint8_t *insn_marks(const struct bpf_insn *insns, size_t cnt)
{
	uint8_t *mark = calloc(cnt, sizeof(*mark));

	if (!mark)
		return NULL;
	mark[0] = MARK_FUNC;
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		bool call = in->code == (BPF_JMP | BPF_CALL) &&
			    in->src_reg == BPF_PSEUDO_CALL;
		bool addr = isa_is_lddw(in) && in->src_reg == BPF_PSEUDO_FUNC;

		if (call || addr)
			mark[i + 1 + (int64_t)in->imm] |= MARK_FUNC;
		if (isa_is_lddw(in))
			mark[++i] |= MARK_LDDW_HI;
	}
	return mark;
}

/* The first function start at or after i (cnt when none). */
static size_t next_func(const uint8_t *mark, size_t i, size_t cnt)
{
	while (i < cnt && !(mark[i] & MARK_FUNC))
		i++;
	return i;
}

static int check_func_info(const struct bpf_func_info *fi, size_t n,
			   const struct bpfvm_btf *btf, const uint8_t *mark,
			   size_t cnt, char *log, size_t log_size)
{
	size_t next = 0;	/* the function start func_info[i] must name */

	for (size_t i = 0; i < n; i++) {
		const struct btf_type *t = bpfvm_btf_type(btf, fi[i].type_id);

		next = next_func(mark, next, cnt);
		if (fi[i].insn_off != next)
			return core_logf(log, log_size, -EINVAL,
					 "func_info %zu: insn_off %u, but the "
					 "%s function starts at insn %zu", i,
					 fi[i].insn_off, i ? "next" : "first",
					 next);
		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC)
			return core_logf(log, log_size, -EINVAL,
					 "func_info %zu: type id %u is not a "
					 "FUNC", i, fi[i].type_id);
		next++;
	}
	next = next_func(mark, next, cnt);
	if (next < cnt)
		return core_logf(log, log_size, -EINVAL,
				 "func_info %zu: missing for the function at "
				 "insn %zu", n, next);
	return 0;
}

static int check_line(const struct bpf_line_info *li, size_t i,
		      const struct bpfvm_btf *btf, const uint8_t *mark,
		      size_t cnt, char *log, size_t log_size)
{
	if ((i && li[i].insn_off <= li[i - 1].insn_off) ||
	    li[i].insn_off >= cnt)
		return core_logf(log, log_size, -EINVAL,
				 "line_info %zu: insn_off %u is out of order "
				 "or past the %zu instructions", i,
				 li[i].insn_off, cnt);
	if (mark[li[i].insn_off] & MARK_LDDW_HI)
		return core_logf(log, log_size, -EINVAL,
				 "line_info %zu: insn %u is the second half "
				 "of an lddw", i, li[i].insn_off);
	if (!bpfvm_btf_str(btf, li[i].file_name_off) ||
	    !bpfvm_btf_str(btf, li[i].line_off))
		return core_logf(log, log_size, -EINVAL,
				 "line_info %zu: file or line name is not a "
				 "string of the BTF", i);
	return 0;
}

static int check_line_info(const struct bpf_line_info *li, size_t n,
			   const struct bpfvm_btf *btf,
			   const uint8_t *mark,
			   size_t cnt, char *log, size_t log_size)
{
	size_t f = 0;	/* the next function start to see a record */

	for (size_t i = 0; i < n; i++) {
		int err = check_line(li, i, btf, mark, cnt, log, log_size);

		if (err)
			return err;
		f = next_func(mark, f, cnt);
		if (f < li[i].insn_off)
			return core_logf(log, log_size, -EINVAL,
					 "line_info %zu: missing for the "
					 "function at insn %zu", i, f);
		if (f == li[i].insn_off)
			f++;
	}
	f = next_func(mark, f, cnt);
	if (f < cnt)
		return core_logf(log, log_size, -EINVAL,
				 "line_info %zu: missing for the function at "
				 "insn %zu", n, f);
	return 0;
}

/* Sizes first: counts beyond one per instruction are refused before any
 * record is read. */
static int check_counts(const struct bpfvm_prog_opts *opts, size_t cnt,
			char *log, size_t log_size)
{
	size_t nf = OPTS_GET(opts, func_info_cnt, 0);
	size_t nl = OPTS_GET(opts, line_info_cnt, 0);

	if (nf && !OPTS_GET(opts, func_info, NULL))
		return core_logf(log, log_size, -EINVAL,
				 "func_info 0: %zu records but no array", nf);
	if (nl && !OPTS_GET(opts, line_info, NULL))
		return core_logf(log, log_size, -EINVAL,
				 "line_info 0: %zu records but no array", nl);
	if (nf > cnt)
		return core_logf(log, log_size, -EINVAL,
				 "func_info %zu: more records than the %zu "
				 "instructions", nf, cnt);
	if (nl > cnt)
		return core_logf(log, log_size, -EINVAL,
				 "line_info %zu: more records than the %zu "
				 "instructions", nl, cnt);
	if ((nf || nl) && !OPTS_GET(opts, btf, NULL))
		return core_logf(log, log_size, -EINVAL,
				 "%s 0: records without the BTF they name "
				 "(opts.btf)", nf ? "func_info" : "line_info");
	return 0;
}

static int check_records(const struct bpfvm_prog_opts *opts,
			 const struct bpf_insn *insns, size_t cnt, char *log,
			 size_t log_size)
{
	const struct bpfvm_btf *btf = OPTS_GET(opts, btf, NULL);
	size_t nf = OPTS_GET(opts, func_info_cnt, 0);
	size_t nl = OPTS_GET(opts, line_info_cnt, 0);
	uint8_t *mark;
	int err = check_counts(opts, cnt, log, log_size);

	if (err || (!nf && !nl))
		return err;
	mark = insn_marks(insns, cnt);
	if (!mark)
		return -ENOMEM;
	if (nf)
		err = check_func_info(opts->func_info, nf, btf, mark, cnt,
				      log, log_size);
	if (!err && nl)
		err = check_line_info(opts->line_info, nl, btf, mark, cnt,
				      log, log_size);
	free(mark);
	return err;
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	void *p = n ? malloc(n * size) : NULL;

	if (p)
		memcpy(p, src, n * size);
	return p;
}

int core_prog_info_init(struct core_prog_info *info,
			const struct bpfvm_prog_opts *opts,
			const struct bpf_insn *insns, size_t cnt, char *log,
			size_t log_size)
{
	size_t nf = OPTS_GET(opts, func_info_cnt, 0);
	size_t nl = OPTS_GET(opts, line_info_cnt, 0);
	int err = check_records(opts, insns, cnt, log, log_size);

	memset(info, 0, sizeof(*info));
	if (err)
		return err;
	info->type = OPTS_GET(opts, prog_type, BPF_PROG_TYPE_UNSPEC);
	info->attach_type = OPTS_GET(opts, expected_attach_type, 0);
	info->func_info = dup_array(OPTS_GET(opts, func_info, NULL), nf,
				    sizeof(*info->func_info));
	info->line_info = dup_array(OPTS_GET(opts, line_info, NULL), nl,
				    sizeof(*info->line_info));
	if ((nf && !info->func_info) || (nl && !info->line_info)) {
		core_prog_info_release(info);
		return -ENOMEM;
	}
	info->func_info_cnt = nf;
	info->line_info_cnt = nl;
	if (OPTS_GET(opts, btf, NULL))
		info->btf = bpfvm_btf_get(opts->btf);
	return 0;
}

void core_prog_info_release(struct core_prog_info *info)
{
	bpfvm_btf_free(info->btf);
	free(info->func_info);
	free(info->line_info);
	memset(info, 0, sizeof(*info));
}

enum bpf_prog_type bpfvm_prog_type(const struct bpfvm_prog *prog)
{
	return prog->info.type;
}

enum bpf_attach_type bpfvm_prog_attach_type(const struct bpfvm_prog *prog)
{
	return prog->info.attach_type;
}

const struct bpfvm_btf *bpfvm_prog_btf(const struct bpfvm_prog *prog)
{
	return prog->info.btf;
}

const struct bpf_func_info *bpfvm_prog_func_info(const struct bpfvm_prog *prog,
						 size_t *cnt)
{
	if (cnt)
		*cnt = prog->info.func_info_cnt;
	return prog->info.func_info;
}

const struct bpf_line_info *bpfvm_prog_line_info(const struct bpfvm_prog *prog,
						 size_t *cnt)
{
	if (cnt)
		*cnt = prog->info.line_info_cnt;
	return prog->info.line_info;
}
