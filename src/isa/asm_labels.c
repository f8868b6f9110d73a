/* Labels, references to them, and patching the references once the whole
 * text is read (targets may come later than their jumps). */
#include "asm_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Grow an array of `size`-byte items to hold one more; false if out of
 * memory. */
static bool grow(void **arr, size_t *cap, size_t used, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (used < *cap)
		return true;
	p = realloc(*arr, ncap * size);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static int by_name_only(const void *a, const void *b)
{
	return strcmp(((const struct asm_label *)a)->name,
		      ((const struct asm_label *)b)->name);
}

/* Labels are sorted once all are known (asm_labels_resolve), so that
 * large programs resolve in n log n. */
static int by_name(const void *a, const void *b)
{
	const struct asm_label *x = a, *y = b;
	int cmp = strcmp(x->name, y->name);

	return cmp ? cmp : (x->line > y->line) - (x->line < y->line);
}

static const struct asm_label *find(const struct asm_ctx *c,
				    const char *name)
{
	struct asm_label key = { .name = (char *)name };

	if (!c->nlabels)
		return NULL;
	return bsearch(&key, c->labels, c->nlabels, sizeof(key), by_name_only);
}

int asm_label_define(struct asm_ctx *c, const char *name)
{
	char *copy;

	if (!grow((void **)&c->labels, &c->labels_cap, c->nlabels,
		  sizeof(*c->labels)) || !(copy = strdup(name)))
		return asm_error(c, "out of memory");
	c->labels[c->nlabels++] = (struct asm_label){ copy, c->cnt, c->line };
	return 0;
}

int asm_fixup_add(struct asm_ctx *c, const char *name,
		  enum asm_fix_kind kind)
{
	char *copy;

	if (!grow((void **)&c->fixups, &c->fixups_cap, c->nfixups,
		  sizeof(*c->fixups)) || !(copy = strdup(name)))
		return asm_error(c, "out of memory");
	c->fixups[c->nfixups++] = (struct asm_fixup){
		.name = copy, .idx = c->cnt - 1, .line = c->line, .kind = kind,
	};
	return 0;
}

/* Where a label points; the first "exit" is an implicit label "exit" (the
 * conformance files jump to it). */
static bool lookup(const struct asm_ctx *c, const char *name, size_t *idx)
{
	const struct asm_label *l = find(c, name);

	if (l)
		*idx = l->idx;
	else if (c->first_exit >= 0 && strcmp(name, "exit") == 0)
		*idx = (size_t)c->first_exit;
	return l || (c->first_exit >= 0 && strcmp(name, "exit") == 0);
}

static int patch(struct asm_ctx *c, const struct asm_fixup *f)
{
	struct bpf_insn *in = &c->insns[f->idx];
	size_t target;
	int64_t delta;

	c->line = f->line;
	if (!lookup(c, f->name, &target))
		return f->kind == ASM_FIX_CALL
			? asm_error(c, "call target '%s' is neither a helper "
				    "nor a label", f->name)
			: asm_error(c, "jump target '%s' is not a label",
				    f->name);
	delta = (int64_t)target - (int64_t)f->idx - 1;
	if (f->kind == ASM_FIX_OFF) {
		if (delta < INT16_MIN || delta > INT16_MAX)
			return asm_error(c, "jump target '%s' is %lld "
					 "instructions away, too far for a "
					 "16-bit offset (use gotol)",
					 f->name, (long long)delta);
		in->off = (int16_t)delta;
		return 0;
	}
	if (f->kind == ASM_FIX_CALL)
		in->src_reg = BPF_PSEUDO_CALL;
	in->imm = (int32_t)delta; /* programs are far below 2^31 slots */
	return 0;
}

int asm_labels_resolve(struct asm_ctx *c)
{
	if (c->nlabels)
		qsort(c->labels, c->nlabels, sizeof(*c->labels), by_name);
	for (size_t i = 1; i < c->nlabels; i++) {
		if (strcmp(c->labels[i - 1].name, c->labels[i].name) == 0) {
			c->line = c->labels[i].line;
			return asm_error(c, "label '%s' is defined twice",
					 c->labels[i].name);
		}
	}
	for (size_t i = 0; i < c->nfixups; i++) {
		int err = patch(c, &c->fixups[i]);

		if (err)
			return err;
	}
	return 0;
}

void asm_labels_free(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nlabels; i++)
		free(c->labels[i].name);
	for (size_t i = 0; i < c->nfixups; i++)
		free(c->fixups[i].name);
	free(c->labels);
	free(c->fixups);
}
