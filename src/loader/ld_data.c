/* Global data: .data / .data.*, .rodata / .rodata.* (string literals in
 * .rodata.str1.1 included) and .bss / .bss.* each become a one-value
 * ARRAY map whose value is the section's bytes, as libbpf makes them.
 * Empty sections make no map. Flags: BPF_F_MMAPABLE on all (the host
 * reads and writes variables in place; libbpf sets it whenever a
 * variable is visible, which is nearly always), BPF_F_RDONLY_PROG on
 * read-only data (frozen at load). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int data_map_add(struct ld_ctx *c, const struct ld_sec *s, int kind)
{
	char name[BPF_OBJ_NAME_LEN];
	struct bpfvm_obj_map *m;

	if (s->size > UINT32_MAX)
		return ld_errf(c, -E2BIG, "section '%s': %zu bytes of global "
			       "data", s->name, s->size);
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
	m->def.map_flags = BPF_F_MMAPABLE;
	if (kind == BPFVM_OBJ_MAP_RODATA)
		m->def.map_flags |= BPF_F_RDONLY_PROG;
	c->info[s->idx].role = LD_SEC_DATA;
	c->info[s->idx].index = c->obj->map_cnt - 1;
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
	return 0;
}
