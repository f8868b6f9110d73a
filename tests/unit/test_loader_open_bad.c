/* Loader open on bad input: every truncation of test objects, random
 * corruption, and targeted damage to headers, counts, offsets, symbols
 * and relocations. Each must fail with a message naming what is wrong
 * (and where), never crash (run it under ASan). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <bpfvm/object.h>
#include "check.h"
#include "loader_open_util.h"

static char log_buf[1024];

/* Open a damaged copy: expect `err` and a message holding each of the
 * NULL-terminated strings. */
static void expect(const uint8_t *b, size_t size, int err, const char *what,
		   ...)
{
	struct bpfvm_object *o = NULL;
	va_list ap;
	const char *s;
	int got;

	log_buf[0] = 0;
	got = t_open(b, size, "bad", log_buf, sizeof(log_buf), &o);
	if (got != err)
		fprintf(stderr, "%s: got %d want %d: %s\n", what, got, err,
			log_buf);
	CHECK(got == err && o == NULL);
	va_start(ap, what);
	while ((s = va_arg(ap, const char *))) {
		if (!strstr(log_buf, s))
			fprintf(stderr, "%s: '%s' not in \"%s\"\n", what, s,
				log_buf);
		CHECK(strstr(log_buf, s) != NULL);
	}
	va_end(ap);
	bpfvm_object_close(o);
}

/* Must fail or succeed without harm; a failure says why. */
static void survive(const uint8_t *b, size_t size)
{
	struct bpfvm_object *o = NULL;
	int err;

	log_buf[0] = 0;
	err = t_open(b, size, "bad", log_buf, sizeof(log_buf), &o);
	if (err) {
		CHECK(err < 0 && log_buf[0] && !o);
	} else {
		CHECK(o != NULL);
		for (size_t i = 0; i < bpfvm_object_prog_cnt(o); i++)
			bpfvm_obj_prog_insns(bpfvm_object_prog(o, i), NULL);
	}
	bpfvm_object_close(o);
}

static void test_truncate(const char *name)
{
	size_t size;
	uint8_t *b = t_read_obj(name, &size);
	int fails = 0;

	CHECK(b != NULL);
	for (size_t n = 0; b && n < size; n++) {
		struct bpfvm_object *o = NULL;
		uint8_t *c = t_dup(b, n);	/* exact size: ASan sees overreads */
		int err = t_open(c, n, "cut", log_buf, sizeof(log_buf), &o);

		/* the section table is at the end: every cut breaks it */
		fails += err < 0 && log_buf[0] && !o;
		bpfvm_object_close(o);
		free(c);
	}
	if (b)
		CHECK_EQ_U64(fails, size);
	free(b);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Random bytes flipped: in the headers (ELF, section table, symbols,
 * relocations) where damage matters most, and anywhere. */
static void test_corrupt(const char *name, int rounds)
{
	size_t size, n;
	uint8_t *b = t_read_obj(name, &size), *c;
	Elf64_Shdr *st;

	CHECK(b != NULL);
	if (!b)
		return;
	c = malloc(size);
	st = t_symtab(b);
	for (int r = 0; r < rounds; r++) {
		int flips = 1 + rnd() % 6;

		memcpy(c, b, size);
		for (int k = 0; k < flips; k++) {
			size_t at;

			switch (rnd() % 4) {
			case 0:
				at = rnd() % sizeof(Elf64_Ehdr);
				break;
			case 1:
				at = t_eh(b)->e_shoff + rnd() % (t_eh(b)->e_shnum *
							       sizeof(Elf64_Shdr));
				break;
			case 2:
				at = st->sh_offset + rnd() % st->sh_size;
				break;
			default:
				at = rnd() % size;
			}
			n = rnd();
			c[at] ^= (uint8_t)(n ? n : 1);
		}
		survive(c, size);
	}
	free(c);
	free(b);
}

/* One damage at a time, on a fresh copy each. */
#define DAMAGE(b, size, c) for (uint8_t *c = t_dup(b, size); c; free(c), c = NULL)

static void test_headers(uint8_t *b, size_t size)
{
	DAMAGE(b, size, c) {
		c[EI_CLASS] = ELFCLASS32;
		expect(c, size, -ENOEXEC, "class", "64-bit", NULL);
	}
	DAMAGE(b, size, c) {
		c[EI_DATA] = ELFDATA2MSB;
		expect(c, size, -ENOEXEC, "endian", "big-endian", NULL);
	}
	DAMAGE(b, size, c) {
		t_eh(c)->e_type = ET_EXEC;
		expect(c, size, -ENOEXEC, "type", "relocatable", NULL);
	}
	DAMAGE(b, size, c) {
		t_eh(c)->e_machine = EM_X86_64;
		expect(c, size, -ENOEXEC, "machine", "not BPF", NULL);
	}
	DAMAGE(b, size, c) {
		memcpy(c, "\x7f" "ELG", 4);
		expect(c, size, -ENOEXEC, "magic", "not an ELF", NULL);
	}
	expect(b, 10, -ENOEXEC, "tiny", "not an ELF", NULL);
	DAMAGE(b, size, c) {
		t_eh(c)->e_shoff = size - 8;
		expect(c, size, -EINVAL, "shoff", "bad", NULL);
	}
	DAMAGE(b, size, c) {
		t_eh(c)->e_shstrndx = t_eh(c)->e_shnum + 3;
		expect(c, size, -EINVAL, "shstrndx", NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, ".text")->sh_offset = size;
		expect(c, size, -EINVAL, "sec off", "'.text'", "past the end",
		       NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, "xdp")->sh_size = size;
		expect(c, size, -EINVAL, "sec size", "'xdp'", "past the end",
		       NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, "xdp")->sh_size -= 4;
		expect(c, size, -EINVAL, "odd code", "'xdp'",
		       "whole number of instructions", NULL);
	}
	DAMAGE(b, size, c) {
		t_sh(c, 1)->sh_name = 0x7fffffff;
		expect(c, size, -EINVAL, "sh_name", "bad name offset", NULL);
	}
}

static void test_symbols(uint8_t *b, size_t size)
{
	DAMAGE(b, size, c) {
		t_symtab(c)->sh_link = 0;
		expect(c, size, -EINVAL, "symtab link", "sh_link", NULL);
	}
	DAMAGE(b, size, c) {
		t_symtab(c)->sh_link = t_sec_idx(c, ".text");
		expect(c, size, -EINVAL, "symtab link 2", "not a string table",
		       NULL);
	}
	DAMAGE(b, size, c) {
		t_symtab(c)->sh_size -= 5;
		expect(c, size, -EINVAL, "symtab size", "whole number", NULL);
	}
	DAMAGE(b, size, c) {
		t_sym(c, "xdp_two", NULL)->st_size = 0x100000;
		expect(c, size, -EINVAL, "func size", "'xdp_two'",
		       "does not fit", NULL);
	}
	DAMAGE(b, size, c) {
		t_sym(c, "xdp_two", NULL)->st_value += 4;
		expect(c, size, -EINVAL, "func align", "'xdp_two'", NULL);
	}
	DAMAGE(b, size, c) {
		Elf64_Sym *s = t_sym(c, "xdp_two", NULL);

		s->st_value -= 8;	/* starts inside xdp_one */
		expect(c, size, -EINVAL, "overlap", "overlaps", NULL);
	}
}

static void test_relocs(uint8_t *b, size_t size)
{
	DAMAGE(b, size, c) {
		Elf64_Rel *r = t_rel(c, ".relxdp", "counts");

		r->r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(r->r_info));
		expect(c, size, -EINVAL, "sym idx", "'.relxdp'",
		       "symbol index 100000", NULL);
	}
	DAMAGE(b, size, c) {
		t_rel(c, ".relxdp", "counts")->r_offset = 0x10000;
		expect(c, size, -EINVAL, "rel off", "'xdp'", "'counts'",
		       "offset 65536", NULL);
	}
	DAMAGE(b, size, c) {
		t_rel(c, ".relxdp", "counts")->r_offset += 4;
		expect(c, size, -EINVAL, "rel misaligned", "'counts'",
		       "not at an instruction", NULL);
	}
	DAMAGE(b, size, c) {
		Elf64_Rel *r = t_rel(c, ".relxdp", "counts");

		r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 77);
		expect(c, size, -ENOTSUP, "rel type", "'xdp'", "'counts'",
		       "unknown relocation type 77", NULL);
	}
	DAMAGE(b, size, c) {
		Elf64_Rel *r = t_rel(c, ".relxdp", "counts");

		r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 2);
		expect(c, size, -EINVAL, "abs in code", "data relocation",
		       NULL);
	}
	DAMAGE(b, size, c) {	/* the lddw becomes a mov */
		Elf64_Rel *r = t_rel(c, ".relxdp", "counts");

		t_insn_at(c, "xdp", r->r_offset)->code = BPF_ALU64 | BPF_MOV |
							 BPF_K;
		expect(c, size, -EINVAL, "class", "'counts'",
		       "R_BPF_64_64 on instruction", NULL);
	}
	DAMAGE(b, size, c) {	/* a call relocation on a helper call */
		Elf64_Rel *r = t_rel(c, ".relxdp", "lib_func");

		t_insn_at(c, "xdp", r->r_offset)->src_reg = 0;
		expect(c, size, -EINVAL, "call src", "'lib_func'",
		       "not a call of a BPF function", NULL);
	}
	DAMAGE(b, size, c) {	/* call of a variable */
		Elf64_Rel *r = t_rel(c, ".relxdp", "lib_func");
		size_t g;

		t_sym(c, "g_bss", &g);
		r->r_info = ELF64_R_INFO(g, ELF64_R_TYPE(r->r_info));
		expect(c, size, -EINVAL, "call data", "'g_bss'",
		       "call to a symbol outside code", NULL);
	}
	DAMAGE(b, size, c) {	/* static data past its section */
		Elf64_Rel *r = t_rel(c, ".rel.text", ".data");

		t_insn_at(c, ".text", r->r_offset)->imm = 0x1000;
		expect(c, size, -EINVAL, "data off", "symbol '.data'",
		       "past the data", NULL);
	}
	DAMAGE(b, size, c) {	/* no map at that offset */
		Elf64_Rel *r = t_rel(c, ".relxdp", "counts");

		t_insn_at(c, "xdp", r->r_offset)->imm = 4;
		expect(c, size, -EINVAL, "map off", "'counts'",
		       "no map defined at offset 4", NULL);
	}
	DAMAGE(b, size, c) {	/* call target outside the callee section */
		Elf64_Rel *r = t_rel(c, ".relxdp", "lib_func");

		t_insn_at(c, "xdp", r->r_offset)->imm = 1000;
		expect(c, size, -EINVAL, "call target", "'lib_func'",
		       "not an instruction of section 'lib_sec'", NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, ".relxdp")->sh_link = 0;
		expect(c, size, -EINVAL, "rel link", "'.relxdp'", "sh_link",
		       NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, ".relxdp")->sh_info = 5000;
		expect(c, size, -EINVAL, "rel info", "'.relxdp'", "sh_info",
		       NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, ".relxdp")->sh_size -= 3;
		expect(c, size, -EINVAL, "rel size", "'.relxdp'",
		       "whole number of relocations", NULL);
	}
}

static void test_small_sections(uint8_t *b, size_t size)
{
	DAMAGE(b, size, c) {
		Elf64_Shdr *l = t_sec(c, "license");

		c[l->sh_offset + l->sh_size - 1] = 'X';
		expect(c, size, -EINVAL, "license", "'license'",
		       "NUL-terminated", NULL);
	}
	DAMAGE(b, size, c) {
		memset(c + t_sec(c, ".BTF")->sh_offset, 0, 4);
		expect(c, size, -EINVAL, "btf", "'.BTF'", NULL);
	}
	DAMAGE(b, size, c) {	/* no .BTF at all: .maps cannot be read */
		char *n = (char *)t_shname(c, t_sec(c, ".BTF"));

		n[1] = 'X';
		expect(c, size, -EINVAL, "no btf", "'.maps' needs BTF", NULL);
	}
}

static void test_legacy_maps(void)
{
	size_t size;
	uint8_t *b = t_read_obj("ld_legacy20", &size);

	CHECK(b != NULL);
	if (!b)
		return;
	DAMAGE(b, size, c) {
		t_sec(c, "version")->sh_size = 3;
		expect(c, size, -EINVAL, "version", "'version'", "not 4", NULL);
	}
	DAMAGE(b, size, c) {
		t_sec(c, "maps")->sh_size -= 1;
		expect(c, size, -EINVAL, "maps size", "'maps'",
		       "definition size", NULL);
	}
	DAMAGE(b, size, c) {
		t_sym(c, "flows", NULL)->st_value = 100;
		expect(c, size, -EINVAL, "maps sym", "'flows'",
		       "past the section", NULL);
	}
	DAMAGE(b, size, c) {
		t_sym(c, "flows", NULL)->st_value = 0;
		expect(c, size, -EINVAL, "maps dup", "same offset", NULL);
	}
	free(b);
	b = t_read_obj("ld_legacy40", &size);
	CHECK(b != NULL);
	DAMAGE(b, size, c) {
		c[t_sec(c, "maps")->sh_offset + 37] = 1;
		expect(c, size, -EINVAL, "tail", "'wide'",
		       "unknown non-zero map field at byte 37", NULL);
	}
	free(b);
	b = t_read_obj("ld_legacy36", &size);
	CHECK(b != NULL);
	DAMAGE(b, size, c) {	/* outer's inner_id names nothing */
		uint32_t *f = (uint32_t *)(c + t_sec(c, "maps")->sh_offset +
					   t_sym(c, "outer", NULL)->st_value);

		f[7] = 43;
		expect(c, size, -EINVAL, "inner_id", "'outer'",
		       "inner_id 43", NULL);
	}
	free(b);
}

/* A .bss larger than a map value can be (NOBITS: no bytes in the file)
 * is refused at open, not allocated (fuzz_loader found a 2 GiB one). */
static void test_huge_bss(void)
{
	size_t size;
	uint8_t *b = t_read_obj("ld_data", &size);

	CHECK(b != NULL);
	if (!b)
		return;
	DAMAGE(b, size, c) {
		t_sec(c, ".bss")->sh_size = 0x80000010ull;
		expect(c, size, -E2BIG, "huge bss", "'.bss'",
		       "more than a map value holds", NULL);
	}
	free(b);
}

int main(void)
{
	size_t size;
	uint8_t *b = t_read_obj("ld_progs", &size);
	int rounds;

	CHECK(b != NULL);
	if (b) {
		test_headers(b, size);
		test_symbols(b, size);
		test_relocs(b, size);
		test_small_sections(b, size);
	}
	free(b);
	test_legacy_maps();
	test_huge_bss();
	test_truncate("ld_legacy36");
	test_truncate("ld_progs");
	/* BPFVM_OPEN_ROUNDS=N: N rounds per object, for longer hunts */
	rounds = getenv("BPFVM_OPEN_ROUNDS") ? atoi(getenv("BPFVM_OPEN_ROUNDS"))
					     : 2000;
	test_corrupt("ld_progs", rounds);
	test_corrupt("ld_legacy36", rounds);
	test_corrupt("ld_data", rounds);
	test_corrupt("ld_legacy28", rounds);
	return check_report();
}
