/* The C printer's state (btf_dump*.c): a growing text buffer with a size
 * budget, the declarator builder, struct/enum bodies, name resolution. */
#ifndef BPFVM_BTF_DUMP_PRIV_H
#define BPFVM_BTF_DUMP_PRIV_H

#include <errno.h>

#include "btf/btf_priv.h"

/* Text with a budget: past `limit` bytes, or out of memory, err is set
 * and further output is dropped (crafted BTF can make declarations whose
 * text doubles with each level). */
struct sbuf {
	char *p;
	size_t len, cap, limit;
	int err;
};

#define SBUF_LIMIT (1u << 20) /* one declaration; vmlinux's largest ~20k */

void sb_init(struct sbuf *s);
void sb_free(struct sbuf *s);
void sb_put(struct sbuf *s, const char *str, size_t n);
void sb_puts(struct sbuf *s, const char *str);
void sb_printf(struct sbuf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_prepend(struct sbuf *s, const char *str);
void sb_indent(struct sbuf *s, int n);

/* Depth of nested anonymous types / prototypes the printer follows, and
 * the steps it takes in all (vmlinux takes ~0.5M): crafted BTF can ask for
 * the same long chain from every member of a big struct. */
#define DUMP_MAX_DEPTH 256
#ifndef DUMP_MAX_STEPS
#define DUMP_MAX_STEPS (1ull << 27)
#endif

struct btf_dumper {
	const struct bpfvm_btf *btf;
	bool full;		/* anonymous bodies inline (dump_c), or {...} */
	const char **names;	/* dump_c: per id, the name printed */
	uint32_t *alias;	/* dump_c: a FWD's struct of the same name */
	uint8_t *align;		/* per id: alignment cache (0: not yet) */
	struct name_map *tags, *idents; /* dump_c: names used so far */
	struct name_map *structs, *unions; /* dump_c: first id of a name */
	int depth;
	int err;
	uint64_t steps;
};

/* Count a step; false (and -E2BIG) past the budget. */
static inline bool dump_step(struct btf_dumper *d)
{
	if (++d->steps <= DUMP_MAX_STEPS)
		return true;
	if (!d->err)
		d->err = -E2BIG;
	return false;
}

/* btf_dump_decl.c: `inner` (a name, or "") declared as type id. */
void dump_decl(struct btf_dumper *d, struct sbuf *out, uint32_t id,
	       const char *inner, int indent);
/* The name to print for a named type (resolved in dump_c). */
const char *dump_name(const struct btf_dumper *d, uint32_t id);

/* btf_dump_def.c: "struct [name ]{ ... }" / "enum [name ]{ ... }". */
void dump_body(struct btf_dumper *d, struct sbuf *out, uint32_t id,
	       int indent);

/* btf_dump_names.c: counting names per namespace; unique names. */
struct name_map *name_map_new(void);
void name_map_free(struct name_map *m);
/* The number kept for name (0 when new; NULL: out of memory). */
uint32_t *name_map_slot(struct name_map *m, const char *name);
/* Fill d->names and d->alias for every type; -errno. */
int dump_names_resolve(struct btf_dumper *d);
/* An enumerator's printed name into buf (suffixed if taken). */
const char *dump_enumerator(struct btf_dumper *d, const char *name,
			    char *buf, size_t size);
void dump_names_free(struct btf_dumper *d);

#endif
