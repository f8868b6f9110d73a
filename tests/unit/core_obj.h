/* Test support for the loader's standalone pieces (issue 5): an object
 * compiled from tests/objs read with libelf alone (so tests do not need
 * the loader's open): its BTF, .BTF.ext, a section's bytes; and CO-RE
 * records found by kind, type name and the member path their access
 * string names ("arr[2]", "in_a"; enumerator name; "" for types). */
#ifndef BPFVM_TESTS_CORE_OBJ_H
#define BPFVM_TESTS_CORE_OBJ_H

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpfvm/btf.h>

struct core_obj {
	int fd;
	Elf *elf;
	struct bpfvm_btf *btf;
	struct bpfvm_btf_ext *ext;
};

/* The section's bytes (owned by libelf), or NULL. */
static inline const void *core_obj_sec(const struct core_obj *o,
				       const char *name, size_t *size)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(o->elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(o->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			return NULL;
		n = elf_strptr(o->elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, name))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			return NULL;
		*size = d->d_size;
		return d->d_buf;
	}
	return NULL;
}

static inline int core_obj_open(struct core_obj *o, const char *path)
{
	const void *ext;
	size_t ext_size;
	int err;

	memset(o, 0, sizeof(*o));
	elf_version(EV_CURRENT);
	o->fd = open(path, O_RDONLY);
	if (o->fd < 0)
		return -1;
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf)
		return -1;
	err = bpfvm_btf_parse_file(path, NULL, &o->btf);
	if (err)
		return err;
	ext = core_obj_sec(o, ".BTF.ext", &ext_size);
	if (ext)
		err = bpfvm_btf_ext_parse(ext, ext_size, o->btf, NULL, &o->ext);
	return err;
}

static inline void core_obj_close(struct core_obj *o)
{
	bpfvm_btf_ext_free(o->ext);
	bpfvm_btf_free(o->btf);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd > 0)
		close(o->fd);
}

/* A malloc'ed copy of a code section's instructions. */
static inline struct bpf_insn *core_obj_insns(const struct core_obj *o,
					      const char *sec, size_t *cnt)
{
	size_t size = 0;
	const void *d = core_obj_sec(o, sec, &size);
	struct bpf_insn *in;

	if (!d || !size)
		return NULL;
	in = malloc(size);
	if (in)
		memcpy(in, d, size);
	*cnt = size / sizeof(*in);
	return in;
}

/* Append to buf the path the access string names (see above). */
static inline void core_obj_path(const struct bpfvm_btf *btf,
				 uint32_t type_id, uint32_t kind,
				 const char *acc, char *buf, size_t size)
{
	int id = bpfvm_btf_skip_mods(btf, type_id);
	char *end;
	unsigned long v = strtoul(acc, &end, 10);
	const struct btf_type *t = id > 0 ? bpfvm_btf_type(btf, id) : NULL;

	buf[0] = 0;
	if (kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE) {
		const struct btf_enum *e = (const void *)(t + 1);
		const struct btf_enum64 *e64 = (const void *)(t + 1);

		snprintf(buf, size, "%s", bpfvm_btf_str(btf,
			 BTF_INFO_KIND(t->info) == BTF_KIND_ENUM64 ?
			 e64[v].name_off : e[v].name_off));
		return;
	}
	while (t && *end == ':') {
		v = strtoul(end + 1, &end, 10);
		if (BTF_INFO_KIND(t->info) == BTF_KIND_ARRAY) {
			const struct btf_array *a = (const void *)(t + 1);

			snprintf(buf + strlen(buf), size - strlen(buf), "[%lu]",
				 v);
			id = bpfvm_btf_skip_mods(btf, a->type);
		} else {
			const struct btf_member *m = (const void *)(t + 1);
			const char *n = bpfvm_btf_str(btf, m[v].name_off);

			if (*n)
				snprintf(buf + strlen(buf), size - strlen(buf),
					 "%s%s", *buf ? "." : "", n);
			id = bpfvm_btf_skip_mods(btf, m[v].type);
		}
		t = id > 0 ? bpfvm_btf_type(btf, id) : NULL;
	}
}

/* The record of section `sec` with this kind, root type name and path;
 * NULL when there is none. *idx: its index in the section's records. */
static inline const struct bpf_core_relo *
core_obj_relo(const struct core_obj *o, const char *sec, uint32_t kind,
	      const char *type_name, const char *path, size_t *idx)
{
	const struct bpfvm_btf_ext_sec *s = bpfvm_btf_ext_find_sec(o->ext, sec);
	char buf[128];

	for (uint32_t i = 0; s && i < s->core_relo_cnt; i++) {
		const struct bpf_core_relo *r = &s->core_relo[i];

		if (r->kind != kind ||
		    strcmp(bpfvm_btf_type_name(o->btf, r->type_id), type_name))
			continue;
		core_obj_path(o->btf, r->type_id, kind,
			      bpfvm_btf_str(o->btf, r->access_str_off), buf,
			      sizeof(buf));
		if (strcmp(buf, path))
			continue;
		if (idx)
			*idx = i;
		return r;
	}
	return NULL;
}

/* What a relocated instruction holds: ALU imm, load/store offset, or
 * lddw's 64-bit constant. */
static inline uint64_t core_insn_val(const struct bpf_insn *in)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return (uint64_t)(int64_t)in->off;
	case BPF_LD:
		return (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	default:
		return (uint64_t)(int64_t)in->imm;
	}
}

static inline int core_insn_poisoned(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->imm == 0xbad2310;
}

#endif
