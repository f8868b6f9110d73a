/* Externs from the object's BTF: the variables of the ".kconfig" and
 * ".ksyms" DATASECs. Kconfig externs get places in one image (the
 * .kconfig map's value), laid out as libbpf lays them out: by alignment
 * (largest first), then size, then name, so offsets agree with libbpf's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "loader/ld_btf_util.h"
#include "loader/ld_extern_priv.h"

#define EXT_ERR(c, e, err, fmt, ...)                                        \
	core_logf((c)->log, (c)->log_size, (err), "extern '%s': " fmt,      \
		  (e)->name, ##__VA_ARGS__)

/* The kcfg kind of type id (after typedefs and modifiers), or -1. */
static int classify(const struct bpfvm_btf *btf, uint32_t id,
		    struct ldx_info *in, bool top)
{
	const struct btf_type *t = ldbtf_skip(btf, id, NULL);
	uint32_t enc;

	if (!t)
		return -1;
	switch (ldbtf_kind(t)) {
	case BTF_KIND_INT:
		enc = ldbtf_int_enc(t);
		in->align = t->size;
		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? (int)LDX_BOOL : -1;
		in->is_signed = enc & BTF_INT_SIGNED;
		if (t->size == 1)
			return LDX_CHAR;
		if (t->size > 8 || (t->size & (t->size - 1)))
			return -1;
		return LDX_INT;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		in->align = t->size;
		if (!top || strcmp(ldbtf_name(btf, t->name_off),
				   "libbpf_tristate") ||
		    (ldbtf_kind(t) == BTF_KIND_ENUM && t->size != 4))
			return -1;
		return LDX_TRI;
	case BTF_KIND_ARRAY:
		if (!top || !ldbtf_array(t)->nelems ||
		    classify(btf, ldbtf_array(t)->type, in, false) != LDX_CHAR)
			return -1;
		in->is_signed = false;
		return LDX_STR;
	default:
		return -1;
	}
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i] && !strcmp(list[i], name))
			return true;
	}
	return false;
}

/* One entry of a DATASEC: a VAR (kconfig or ksym) or a FUNC (kfunc). */
static int collect_one(struct ldx_ctx *c, const struct bpfvm_btf *btf,
		       uint32_t type, bool kconfig, const char *const *weak,
		       size_t weak_cnt)
{
	const struct btf_type *t = bpfvm_btf_type(btf, type);
	struct ld_extern *e = &c->set->ext[c->set->cnt];
	struct ldx_info *in = &c->info[c->set->cnt];
	int64_t sz;
	int k;

	if (!t || (ldbtf_kind(t) != BTF_KIND_VAR &&
		   (kconfig || ldbtf_kind(t) != BTF_KIND_FUNC)))
		return core_logf(c->log, c->log_size, -EINVAL, "extern "
				 "section entry [%u] is not a variable", type);
	e->name = ldbtf_name(btf, t->name_off);
	e->is_kconfig = kconfig;
	e->weak = in_list(e->name, weak, weak_cnt);
	c->set->cnt++;
	if (!*e->name)
		return core_logf(c->log, c->log_size, -EINVAL, "extern [%u] "
				 "has no name", type);
	if (ldbtf_kind(t) == BTF_KIND_FUNC)
		return 0;
	sz = bpfvm_btf_type_size(btf, t->type);
	e->size = sz > 0 ? (uint32_t)sz : 0;
	if (!kconfig)
		return 0;
	k = classify(btf, t->type, in, true);
	if (k < 0 || sz <= 0)
		return EXT_ERR(c, e, -EINVAL, "type of a __kconfig extern must "
			       "be bool, char, an integer, enum "
			       "libbpf_tristate or char[N]");
	in->kind = (enum ldx_kind)k;
	return 0;
}

static int collect(struct ldx_ctx *c, const struct bpfvm_btf *btf,
		   const char *const *weak, size_t weak_cnt)
{
	static const char *const secs[2] = { ".kconfig", ".ksyms" };
	const struct btf_type *sec[2] = { NULL, NULL };
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		int id = bpfvm_btf_find(btf, secs[i], BTF_KIND_DATASEC);

		sec[i] = id > 0 ? bpfvm_btf_type(btf, (uint32_t)id) : NULL;
		n += sec[i] ? ldbtf_vlen(sec[i]) : 0;
	}
	c->set->ext = calloc(n ? n : 1, sizeof(*c->set->ext));
	c->info = calloc(n ? n : 1, sizeof(*c->info));
	if (!c->set->ext || !c->info)
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		for (uint32_t j = 0; sec[i] && j < ldbtf_vlen(sec[i]); j++) {
			int err = collect_one(c, btf,
					      ldbtf_secinfos(sec[i])[j].type,
					      i == 0, weak, weak_cnt);
			if (err)
				return err;
		}
	}
	return 0;
}

/* libbpf's order: kconfig first; by alignment down, size up, name. */
static int cmp_ext(const struct ld_extern *a, const struct ldx_info *ai,
		   const struct ld_extern *b, const struct ldx_info *bi)
{
	if (a->is_kconfig != b->is_kconfig)
		return a->is_kconfig ? -1 : 1;
	if (a->is_kconfig && ai->align != bi->align)
		return ai->align > bi->align ? -1 : 1;
	if (a->is_kconfig && a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Insertion sort of both arrays together (externs are few). */
static void sort_exts(struct ldx_ctx *c)
{
	struct ld_extern *e = c->set->ext;
	struct ldx_info *in = c->info;

	for (size_t i = 1; i < c->set->cnt; i++) {
		struct ld_extern ke = e[i];
		struct ldx_info ki = in[i];
		size_t j = i;

		for (; j > 0 && cmp_ext(&e[j - 1], &in[j - 1], &ke, &ki) > 0;
		     j--) {
			e[j] = e[j - 1];
			in[j] = in[j - 1];
		}
		e[j] = ke;
		in[j] = ki;
	}
}

static int layout(struct ldx_ctx *c)
{
	uint32_t off = 0;

	for (size_t i = 0; i < c->set->cnt; i++) {
		struct ld_extern *e = &c->set->ext[i];
		uint32_t a = c->info[i].align ? c->info[i].align : 1;

		if (!e->is_kconfig)
			continue;
		e->off = (off + a - 1) / a * a;
		off = e->off + e->size;
	}
	c->set->image_size = off;
	if (!off)
		return 0;
	c->set->image = calloc(1, off);
	return c->set->image ? 0 : -ENOMEM;
}

int ld_extern_resolve_weak(const struct bpfvm_btf *btf, const char *kconfig,
			   uint32_t kversion, const char *const *weak,
			   size_t weak_cnt, struct ld_extern_set *out,
			   char *log, size_t log_size)
{
	struct ldx_ctx c = { out, NULL, log, log_size, 0 };
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (btf)
		err = collect(&c, btf, weak, weak_cnt);
	if (!err) {
		sort_exts(&c);
		err = layout(&c);
	}
	if (!err)
		err = ldx_values(&c, kconfig, kversion);
	free(c.info);
	if (err)
		ld_extern_set_free(out);
	return err;
}

int ld_extern_resolve(const struct bpfvm_btf *btf, const char *kconfig,
		      uint32_t kversion, struct ld_extern_set *out,
		      char *log, size_t log_size)
{
	return ld_extern_resolve_weak(btf, kconfig, kversion, NULL, 0, out,
				      log, log_size);
}

const struct ld_extern *ld_extern_find(const struct ld_extern_set *set,
				       const char *name)
{
	for (size_t i = 0; set && i < set->cnt; i++) {
		if (!strcmp(set->ext[i].name, name))
			return &set->ext[i];
	}
	return NULL;
}

void ld_extern_set_free(struct ld_extern_set *set)
{
	if (!set)
		return;
	free(set->ext);
	free(set->image);
	memset(set, 0, sizeof(*set));
}
