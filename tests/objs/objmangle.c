/* objmangle: rewrite a BPF object the way older toolchains wrote it, so
 * the loader's tests cover those shapes too.
 *   objmangle --rela IN OUT  every SHT_REL section becomes SHT_RELA
 *                            (".rel.X" -> ".rela.X") with its addend
 *                            explicit in r_addend and taken out of the
 *                            place it patches (llvm_reloc.rst: REL keeps
 *                            it in the instruction's imm or the data)
 *   objmangle --em0 IN OUT   e_machine EM_NONE, as LLVM before 2017 wrote
 * Host tool, built and run by tests/objs/CMakeLists.txt. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

/* <elf.h> has only some of llvm_reloc.rst's types. */
#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2
#endif
#ifndef R_BPF_64_ABS32
#define R_BPF_64_ABS32 3
#endif
#ifndef R_BPF_64_NODYLD32
#define R_BPF_64_NODYLD32 4
#endif

/* Buffers handed to libelf as section data: it writes them at
 * elf_update, so they are freed after elf_end. */
static void *owned[1024];
static size_t owned_cnt;

static void *own(void *p)
{
	if (p && owned_cnt == sizeof(owned) / sizeof(owned[0])) {
		free(p);
		return NULL;
	}
	if (p)
		owned[owned_cnt++] = p;
	return p;
}

static int fail(const char *what)
{
	fprintf(stderr, "objmangle: %s: %s\n", what,
		elf_errno() ? elf_errmsg(-1) : strerror(errno));
	return 1;
}

/* The addend a REL relocation keeps at its place, which is then reset to
 * what a zero addend looks like there (calls: imm -1, see llvm_reloc.rst's
 * (S + A) / 8 - 1). Returns -1 for a place outside the section. */
static int take_addend(Elf_Data *target, uint64_t off, uint32_t type,
		       int64_t *addend)
{
	uint8_t *p = target ? target->d_buf : NULL;
	size_t size = target ? target->d_size : 0;
	int32_t i32;
	int64_t i64;

	*addend = 0;
	switch (type) {
	case R_BPF_64_64:
	case R_BPF_64_32:
		if (!p || off + sizeof(struct bpf_insn) > size)
			return -1;
		memcpy(&i32, p + off + 4, 4);
		*addend = type == R_BPF_64_32 ? ((int64_t)i32 + 1) * 8 : i32;
		i32 = type == R_BPF_64_32 ? -1 : 0;
		memcpy(p + off + 4, &i32, 4);
		return 0;
	case R_BPF_64_ABS64:
		if (!p || off + 8 > size)
			return -1;
		memcpy(&i64, p + off, 8);
		*addend = i64;
		memset(p + off, 0, 8);
		return 0;
	case R_BPF_64_ABS32:
	case R_BPF_64_NODYLD32:
		if (!p || off + 4 > size)
			return -1;
		memcpy(&i32, p + off, 4);
		*addend = (uint32_t)i32;
		memset(p + off, 0, 4);
		return 0;
	default:
		return 0;
	}
}

/* Append ".rela.X" for ".rel.X" to the section-name table; the new
 * name's offset, or 0 on failure. */
static size_t add_name(Elf_Scn *shstr, const char *old)
{
	Elf_Data *d = elf_getdata(shstr, NULL);
	size_t len = strlen(old) + 2, off = d->d_size;
	char *buf = own(malloc(d->d_size + len));

	if (!buf)
		return 0;
	memcpy(buf, d->d_buf, d->d_size);
	snprintf(buf + off, len, ".rela%s", old + 4);
	d->d_buf = buf;
	d->d_size += len;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	return off;
}

static int rel_to_rela(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, Elf_Scn *shstr)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	Elf_Scn *tscn = elf_getscn(elf, sh->sh_info);
	Elf_Data *target = tscn ? elf_getdata(tscn, NULL) : NULL;
	size_t n = d->d_size / sizeof(Elf64_Rel);
	Elf64_Rela *out = own(calloc(n ? n : 1, sizeof(*out)));
	const char *name;
	size_t shstrndx;

	if (!out)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Rel rel;
		int64_t addend;

		gelf_getrel(d, (int)i, &rel);
		if (take_addend(target, rel.r_offset,
				(uint32_t)GELF_R_TYPE(rel.r_info), &addend))
			return -1;
		out[i].r_offset = rel.r_offset;
		out[i].r_info = rel.r_info;
		out[i].r_addend = addend;
	}
	if (target)
		elf_flagdata(target, ELF_C_SET, ELF_F_DIRTY);
	d->d_buf = out;
	d->d_size = n * sizeof(*out);
	d->d_type = ELF_T_RELA;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	elf_getshdrstrndx(elf, &shstrndx);
	name = elf_strptr(elf, shstrndx, sh->sh_name);
	if (!name || strncmp(name, ".rel", 4))
		return -1;
	sh->sh_name = (uint32_t)add_name(shstr, name);
	if (!sh->sh_name)
		return -1;
	sh->sh_type = SHT_RELA;
	sh->sh_entsize = sizeof(Elf64_Rela);
	gelf_update_shdr(scn, sh);
	return 0;
}

static int mangle(Elf *elf, int rela)
{
	GElf_Ehdr eh;
	size_t shstrndx;
	Elf_Scn *scn = NULL, *shstr;

	if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx))
		return -1;
	if (!rela) {
		eh.e_machine = EM_NONE;
		return gelf_update_ehdr(elf, &eh) ? 0 : -1;
	}
	shstr = elf_getscn(elf, shstrndx);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return -1;
		if (sh.sh_type == SHT_REL && rel_to_rela(elf, scn, &sh, shstr))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rela, in, out;
	Elf *elf;
	char buf[1 << 16];
	ssize_t n;

	if (argc != 4 ||
	    (strcmp(argv[1], "--rela") && strcmp(argv[1], "--em0"))) {
		fprintf(stderr, "usage: objmangle --rela|--em0 IN OUT\n");
		return 2;
	}
	rela = !strcmp(argv[1], "--rela");
	in = open(argv[2], O_RDONLY);
	out = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		return fail("open");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return fail(argv[3]);
	close(in);
	elf_version(EV_CURRENT);
	elf = elf_begin(out, ELF_C_RDWR, NULL);
	if (!elf)
		return fail(argv[3]);
	if (mangle(elf, rela)) {
		fprintf(stderr, "objmangle: %s: cannot rewrite\n", argv[2]);
		unlink(argv[3]);
		return 1;
	}
	if (elf_update(elf, ELF_C_WRITE) < 0) {
		unlink(argv[3]);
		return fail("elf_update");
	}
	elf_end(elf);
	close(out);
	while (owned_cnt)
		free(owned[--owned_cnt]);
	return 0;
}
