/* Global data: .data / .data.*, .rodata / .rodata.* (string literals in
 * .rodata.str1.1 included) and .bss / .bss.* each become a one-value
 * ARRAY map whose value is the section's bytes, as libbpf makes them;
 * then the .kconfig map when the object has __kconfig externs (its size
 * as ld_extern lays them out; values come at load). Empty sections make
 * no map. Flags as libbpf gives them at open: BPF_F_RDONLY_PROG on
 * read-only data and .kconfig, BPF_F_MMAPABLE where the section's BTF
 * DATASEC holds a variable that is not static (what skeletons map). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_extern.h"
#include "loader/ld_open.h"

static bool has_prefix(const char *name, const char *pfx)
{
	size_t n = strlen(pfx);

	return !strncmp(name, pfx, n) && (name[n] == '\0' || name[n] == '.');
}

static int data_kind(const struct ld_sec *s)
{
	if (s->type == SHT_PROGBITS && !(s->flags & SHF_EXECINSTR)) {
		if (has_prefix(s->name, ".data"))
			return BPFVM_OBJ_MAP_DATA;
		if (has_prefix(s->name, ".rodata"))
			return BPFVM_OBJ_MAP_RODATA;
	}
	if (s->type == SHT_NOBITS && has_prefix(s->name, ".bss"))
		return BPFVM_OBJ_MAP_BSS;
	return -1;
}

/* libbpf's naming: the object name's first characters + the section
 * name, at most 15 characters, the suffix taking at least 7 (so ".bss"
 * gets the same prefix as ".rodata"); names with a second dot
 * (".rodata.str1.1", ".data.foo") are used alone, truncated; characters
 * the kernel refuses become '_'. */
static void data_map_name(const char *obj_name, const char *sec, char *out)
{
	const size_t max = BPF_OBJ_NAME_LEN - 1;
	size_t sfx = strlen(sec), pfx;
	char *p;

	if (sfx < 7)
		sfx = 7;
	if (sfx > max)
		sfx = max;
	pfx = strchr(sec + 1, '.') ? 0 : max - sfx;
	if (pfx > strlen(obj_name))
		pfx = strlen(obj_name);
	snprintf(out, BPF_OBJ_NAME_LEN, "%.*s%.*s", (int)pfx, obj_name,
		 (int)sfx, sec);
	for (p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
}

/* libbpf's map_is_mmapable: a non-static variable in the DATASEC. */
static bool data_mmapable(const struct bpfvm_btf *btf, const char *sec)
{
	int id = btf ? bpfvm_btf_find(btf, sec, BTF_KIND_DATASEC) : -1;
	const struct btf_type *t = id > 0 ? bpfvm_btf_type(btf, id) : NULL;
	const struct btf_var_secinfo *v;

	if (!t)
		return false;
	v = (const struct btf_var_secinfo *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *vt = bpfvm_btf_type(btf, v[i].type);

		if (vt && BTF_INFO_KIND(vt->info) == BTF_KIND_VAR &&
		    ((const struct btf_var *)(vt + 1))->linkage !=
			    BTF_VAR_STATIC)
			return true;
	}
	return false;
}

static int data_map_add(struct ld_ctx *c, const struct ld_sec *s, int kind)
{
	char name[BPF_OBJ_NAME_LEN];
	struct bpfvm_obj_map *m;

	/* An array value holds at most INT_MAX bytes (as the kernel's). */
	if (s->size > INT_MAX)
		return ld_errf(c, -E2BIG, "section '%s': %zu bytes of global "
			       "data (more than a map value holds)", s->name,
			       s->size);
	data_map_name(c->obj->name, s->name, name);
	m = ld_map_add(c, name, kind);
	if (!m)
		return ld_errf(c, -ENOMEM, "out of memory");
	m->sec = s->idx;
	m->data_size = s->size;
	m->data = kind == BPFVM_OBJ_MAP_BSS ? calloc(1, s->size)
					    : malloc(s->size);
	if (!m->data)
		return ld_errf(c, -ENOMEM, "out of memory");
	if (kind != BPFVM_OBJ_MAP_BSS)
		memcpy(m->data, s->data, s->size);
	m->def.type = BPF_MAP_TYPE_ARRAY;
	m->def.key_size = sizeof(uint32_t);
	m->def.value_size = s->size;
	m->def.max_entries = 1;
	if (data_mmapable(c->obj->btf, s->name))
		m->def.map_flags = BPF_F_MMAPABLE;
	if (kind == BPFVM_OBJ_MAP_RODATA)
		m->def.map_flags |= BPF_F_RDONLY_PROG;
	c->info[s->idx].role = LD_SEC_DATA;
	c->info[s->idx].index = c->obj->map_cnt - 1;
	return 0;
}

/* The names of DATASEC `sec`'s entries appended to names[*n]. */
static size_t datasec_names(const struct bpfvm_btf *btf, const char *sec,
			    const char **names, size_t n)
{
	int id = bpfvm_btf_find(btf, sec, BTF_KIND_DATASEC);
	const struct btf_type *t = id > 0 ? bpfvm_btf_type(btf, id) : NULL;
	const struct btf_var_secinfo *v;

	if (!t)
		return n;
	v = (const struct btf_var_secinfo *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++)
		if (names)
			names[n++] = bpfvm_btf_type_name(btf, v[i].type);
		else
			n++;
	return n;
}

/* .kconfig: laid out now (libbpf makes the map at open), filled at load.
 * Values are not looked at here, so every extern (.kconfig and .ksyms)
 * is taken as weak. */
static int kconfig_map(struct ld_ctx *c)
{
	const struct bpfvm_btf *btf = c->obj->btf;
	struct ld_extern_set set = { 0 };
	char name[BPF_OBJ_NAME_LEN], msg[512] = "";
	struct bpfvm_obj_map *m;
	const char **all;
	size_t n;
	int err;

	if (!btf || bpfvm_btf_find(btf, ".kconfig", BTF_KIND_DATASEC) < 0)
		return 0;
	n = datasec_names(btf, ".ksyms", NULL,
			  datasec_names(btf, ".kconfig", NULL, 0));
	all = calloc(n + 1, sizeof(*all));
	if (!all)
		return ld_errf(c, -ENOMEM, "out of memory");
	n = datasec_names(btf, ".ksyms", all,
			  datasec_names(btf, ".kconfig", all, 0));
	err = ld_extern_resolve_weak(btf, NULL, 0, all, n, &set, msg,
				     sizeof(msg));
	free(all);
	if (err)
		return ld_errf(c, err, "externs: %s", msg);
	n = set.image_size;
	ld_extern_set_free(&set);
	if (!n)
		return 0;
	data_map_name(c->obj->name, ".kconfig", name);
	m = ld_map_add(c, name, BPFVM_OBJ_MAP_KCONFIG);
	if (!m || !(m->data = calloc(1, n)))
		return ld_errf(c, -ENOMEM, "out of memory");
	m->data_size = n;
	m->def = (struct bpfvm_map_def){
		.type = BPF_MAP_TYPE_ARRAY, .key_size = sizeof(uint32_t),
		.value_size = n, .max_entries = 1,
		.map_flags = BPF_F_RDONLY_PROG |
			     (data_mmapable(c->obj->btf, ".kconfig")
				      ? BPF_F_MMAPABLE : 0) };
	return 0;
}

int ld_data_maps(struct ld_ctx *c)
{
	size_t i;
	int err;

	for (i = 1; i < c->obj->sec_cnt; i++) {
		const struct ld_sec *s = &c->obj->secs[i];
		int kind = data_kind(s);

		if (kind < 0 || !s->size)
			continue;
		err = data_map_add(c, s, kind);
		if (err)
			return err;
	}
	return kconfig_map(c);
}
