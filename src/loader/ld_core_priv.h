/* CO-RE internals shared by ld_core*.c: the parsed access "spec" of a
 * relocation (local or matched in the target) and the result computed
 * from a pair of specs. The rules are libbpf's (relo_core.c), which is
 * what programs built with bpf_core_read.h expect. */
#ifndef BPFVM_LOADER_LD_CORE_PRIV_H
#define BPFVM_LOADER_LD_CORE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/btf.h>

/* Deepest struct/union/array nesting an access string may name. */
#define LD_CORE_SPEC_MAX 64

/* One step of an access: a named member (name set; type_id is the
 * struct/union, idx the member) or an array element (name NULL; type_id
 * is the element type, idx the index). Enum relocations: the enum and
 * enumerator index. */
struct ld_core_acc {
	uint32_t type_id;
	uint32_t idx;
	const char *name;
};

struct ld_core_spec {
	const struct bpfvm_btf *btf;
	uint32_t root_type_id;
	uint32_t kind;			/* enum bpf_core_relo_kind */
	struct ld_core_acc acc[LD_CORE_SPEC_MAX]; /* named steps only */
	int len;
	uint32_t raw[LD_CORE_SPEC_MAX];	/* every index of the access */
	int raw_len;
	uint64_t bit_offset;		/* of the accessed field */
};

/* What a relocation becomes: the value the compiler assumed (orig) and
 * the target's (new); validate: orig must be what the instruction holds;
 * sizes and type ids: for the load/store size check of BYTE_OFFSET. */
struct ld_core_res {
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz;
	uint32_t orig_type_id, new_type_id;
	bool poison;
	bool validate;
	bool fail_memsz_adjust;
};

/* Why a step failed, for the caller's "CO-RE relo #N ...: reason". */
struct ld_core_why {
	char msg[160];
};

int ld_core_why(struct ld_core_why *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bool ld_core_kind_field(uint32_t k)
{
	return k <= BPF_CORE_FIELD_RSHIFT_U64;
}

static inline bool ld_core_kind_type(uint32_t k)
{
	return k == BPF_CORE_TYPE_ID_LOCAL || k == BPF_CORE_TYPE_ID_TARGET ||
	       k == BPF_CORE_TYPE_EXISTS || k == BPF_CORE_TYPE_SIZE ||
	       k == BPF_CORE_TYPE_MATCHES;
}

static inline bool ld_core_kind_enumval(uint32_t k)
{
	return k == BPF_CORE_ENUMVAL_EXISTS || k == BPF_CORE_ENUMVAL_VALUE;
}

/* ld_core_spec.c: parse the access string of a local type into spec
 * (-EINVAL / -E2BIG with why); match a local spec against target type
 * targ_id: 1 matched (targ filled), 0 not, <0 error. */
int ld_core_spec_parse(const struct bpfvm_btf *btf, uint32_t type_id,
		       const char *access, uint32_t kind,
		       struct ld_core_spec *spec, struct ld_core_why *why);
int ld_core_spec_match(const struct ld_core_spec *local,
		       const struct bpfvm_btf *targ_btf, uint32_t targ_id,
		       struct ld_core_spec *targ);

/* ld_core_compat.c: libbpf's compatibility rules. 1 / 0 / -errno. */
size_t ld_core_essential_len(const char *name);
int ld_core_fields_compat(const struct bpfvm_btf *lb, uint32_t lid,
			  const struct bpfvm_btf *tb, uint32_t tid);
int ld_core_types_compat(const struct bpfvm_btf *lb, uint32_t lid,
			 const struct bpfvm_btf *tb, uint32_t tid);
int ld_core_types_match(const struct bpfvm_btf *lb, uint32_t lid,
			const struct bpfvm_btf *tb, uint32_t tid);

/* ld_core_cands.c: per distinct local (kind, essential name) of a set
 * of records, the target type ids that share it, ascending. */
struct ld_core_cand {
	uint32_t kind;		/* BTF_KIND_*, enum64 as enum */
	const char *name;	/* the local name; its first len bytes count */
	size_t len;
	uint32_t *ids;
	size_t cnt, cap;
};

struct ld_core_cands {
	struct ld_core_cand *e;	/* sorted by (kind, name) */
	size_t cnt;
};

int ld_core_cands_build(struct ld_core_cands *c, const struct bpfvm_btf *local,
			const struct bpfvm_btf *target,
			const struct bpf_core_relo *relos, size_t cnt);
/* The candidates of a local type (NULL: none in the target). */
const struct ld_core_cand *ld_core_cands_find(const struct ld_core_cands *c,
					      const struct bpfvm_btf *local,
					      uint32_t type_id);
void ld_core_cands_free(struct ld_core_cands *c);

/* ld_core_calc.c: the result of a relocation for a local spec and a
 * matched target spec (NULL: nothing in the target matched). */
int ld_core_calc(const struct ld_core_spec *local,
		 const struct ld_core_spec *targ, struct ld_core_res *res,
		 struct ld_core_why *why);

/* ld_core_patch.c: write res into insns[idx] (and idx + 1 for lddw). */
int ld_core_patch(struct bpf_insn *insns, size_t cnt, size_t idx,
		  const struct ld_core_res *res, struct ld_core_why *why);

#endif
