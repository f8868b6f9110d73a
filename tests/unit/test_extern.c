/* Externs (issue 5): ld_extern_resolve_weak over tests/objs/ext_*.o
 * (weak names from the ELF symbol table, read with libelf): places in
 * the .kconfig image (aligned, disjoint), the bytes each kconfig value
 * becomes, weak ones left 0, and the errors: strong externs without a
 * value, values of the wrong kind or out of range, malformed lines. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "core_obj.h"
#include "loader/ld_extern.h"

#define KV(a, b, c) (((a) << 16) + ((b) << 8) + (c))

static const char *KCONFIG =
	"# a kernel .config\n"
	"CONFIG_EXT_BOOL_Y=y\n"
	"# CONFIG_EXT_BOOL_N is not set\n"
	"CONFIG_EXT_TRI_M=m\n"
	"CONFIG_EXT_TRI_Y=y\n"
	"CONFIG_EXT_CHAR=m\n"
	"CONFIG_EXT_STR=\"hello\"\n"
	"CONFIG_EXT_U64=0xfedcba9876543210\n"
	"\n"
	"CONFIG_EXT_NEG=-5\r\n"
	"CONFIG_EXT_HEX=0xff\n"
	"CONFIG_EXT_INT=123456\n"
	"CONFIG_UNRELATED=whatever\n"
	"CONFIG_EXT_INT=7\n";

struct obj {
	struct core_obj o;
	const char *weak[32];
	size_t weak_cnt;
};

/* Undefined weak symbols: the weak externs. */
static void open_obj(struct obj *x, const char *name)
{
	char path[512];
	Elf_Scn *scn = NULL;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	memset(x, 0, sizeof(*x));
	CHECK(core_obj_open(&x->o, path) == 0);
	while (x->o.elf && (scn = elf_nextscn(x->o.elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Sym s;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !d)
			continue;
		for (int i = 0; gelf_getsym(d, i, &s) && x->weak_cnt < 32; i++)
			if (GELF_ST_BIND(s.st_info) == STB_WEAK &&
			    s.st_shndx == SHN_UNDEF)
				x->weak[x->weak_cnt++] =
					elf_strptr(x->o.elf, sh.sh_link,
						   s.st_name);
	}
}

static int resolve(struct obj *x, const char *kconfig, uint32_t kv,
		   struct ld_extern_set *set, char *log, size_t n)
{
	log[0] = 0;
	return ld_extern_resolve_weak(x->o.btf, kconfig, kv, x->weak,
				      x->weak_cnt, set, log, n);
}

static uint64_t value(const struct ld_extern_set *set, const char *name)
{
	const struct ld_extern *e = ld_extern_find(set, name);
	uint64_t v = 0;

	CHECK(e && e->is_kconfig && e->size <= 8);
	if (!e || e->size > 8 || e->off + e->size > set->image_size)
		return ~0ull;
	memcpy(&v, (const char *)set->image + e->off, e->size);
	return v;
}

static void test_layout(const struct ld_extern_set *set)
{
	for (size_t i = 0; i < set->cnt; i++) {
		const struct ld_extern *a = &set->ext[i];

		if (!a->is_kconfig)
			continue;
		CHECK(a->size > 0 && a->off + a->size <= set->image_size);
		/* natural alignment for scalars (arrays: of their char) */
		if (a->size <= 8)
			CHECK(a->off % a->size == 0);
		for (size_t j = i + 1; j < set->cnt; j++) {
			const struct ld_extern *b = &set->ext[j];

			if (b->is_kconfig)
				CHECK(a->off + a->size <= b->off ||
				      b->off + b->size <= a->off);
		}
	}
}

static void test_all(void)
{
	struct obj x;
	struct ld_extern_set set;
	const struct ld_extern *e;
	char log[256];
	int err;

	open_obj(&x, "ext_all");
	CHECK_EQ_U64(x.weak_cnt, 5);
	err = resolve(&x, KCONFIG, KV(6, 1, 2), &set, log, sizeof(log));
	if (err)
		fprintf(stderr, "%s\n", log);
	CHECK(err == 0);
	if (err)
		return core_obj_close(&x.o);
	CHECK_EQ_U64(set.cnt, 17);
	test_layout(&set);
	CHECK_EQ_U64(value(&set, "LINUX_KERNEL_VERSION"), KV(6, 1, 2));
	CHECK_EQ_U64(value(&set, "LINUX_HAS_SYSCALL_WRAPPER"), 1);
	CHECK_EQ_U64(value(&set, "LINUX_HAS_BPF_COOKIE"), 1);
	CHECK_EQ_U64(value(&set, "LINUX_NO_SUCH_THING"), 0);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_BOOL_Y"), 1);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_BOOL_N"), 0);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_TRI_M"), 2);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_TRI_Y"), 1);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_CHAR"), 'm');
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_U64"), 0xfedcba9876543210ull);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_NEG"), 0xfffb);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_HEX"), 0xff);
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_INT"), 123456); /* first wins */
	CHECK_EQ_U64(value(&set, "CONFIG_EXT_WEAK_MISSING"), 0);
	e = ld_extern_find(&set, "CONFIG_EXT_STR");
	CHECK(e && e->size == 16 && e->found);
	if (e)
		CHECK(memcmp((char *)set.image + e->off, "hello\0\0\0\0\0\0\0\0"
			     "\0\0", 16) == 0);
	e = ld_extern_find(&set, "CONFIG_EXT_BOOL_N");
	CHECK(e && e->found && !e->weak);
	e = ld_extern_find(&set, "CONFIG_EXT_WEAK_MISSING");
	CHECK(e && !e->found && e->weak && e->size == 1);
	e = ld_extern_find(&set, "LINUX_NO_SUCH_THING");
	CHECK(e && !e->found && e->weak);
	e = ld_extern_find(&set, "bpf_ext_ksym_x");
	CHECK(e && !e->is_kconfig && e->weak && !e->found && e->size == 4);
	e = ld_extern_find(&set, "bpf_ext_ksym_y");
	CHECK(e && !e->is_kconfig && e->weak && !e->found);
	CHECK(ld_extern_find(&set, "CONFIG_UNRELATED") == NULL);
	ld_extern_set_free(&set);
	CHECK(set.ext == NULL && set.image == NULL && set.cnt == 0);
	/* every extern strong (no weak names): the unknown LINUX_ one fails */
	err = ld_extern_resolve(x.o.btf, KCONFIG, KV(6, 1, 2), &set, log,
				sizeof(log));
	CHECK(err == -EINVAL);
	CHECK(strstr(log, "extern 'LINUX_NO_SUCH_THING': unknown") != NULL);
	CHECK(set.ext == NULL && set.image == NULL);
	/* no kernel version: the strong LINUX_KERNEL_VERSION has no value */
	err = resolve(&x, KCONFIG, 0, &set, log, sizeof(log));
	CHECK(err == -EINVAL);
	CHECK(strstr(log, "extern 'LINUX_KERNEL_VERSION': no value") != NULL);
	core_obj_close(&x.o);
}

/* One bad line after the good ones (which set everything else). */
static void expect_line(const char *line, int want, const char *why)
{
	struct obj x;
	struct ld_extern_set set;
	char log[256], *text = malloc(strlen(KCONFIG) + strlen(line) + 2);
	int err;

	/* the bad line first: first value wins, so it is the one used */
	sprintf(text, "%s\n%s", line, KCONFIG);
	open_obj(&x, "ext_all");
	err = resolve(&x, text, KV(6, 1, 2), &set, log, sizeof(log));
	if (err != want || !strstr(log, why))
		fprintf(stderr, "%s: %d \"%s\", want %d \"%s\"\n", line, err,
			log, want, why);
	CHECK(err == want);
	CHECK(strstr(log, why) != NULL);
	if (!err) /* the line changed nothing */
		CHECK_EQ_U64(value(&set, "CONFIG_EXT_INT"), 123456);
	CHECK(!err || set.ext == NULL);
	ld_extern_set_free(&set);
	free(text);
	core_obj_close(&x.o);
}

static void test_bad_values(void)
{
	expect_line("CONFIG_EXT_HEX=256", -ERANGE, "extern 'CONFIG_EXT_HEX': "
		    "value '256' (kconfig line 1) does not fit");
	expect_line("CONFIG_EXT_NEG=40000", -ERANGE, "value '40000'");
	expect_line("CONFIG_EXT_NEG=-32769", -ERANGE, "value '-32769'");
	/* char is signed on BPF (as clang's BTF says) */
	expect_line("CONFIG_EXT_CHAR=128", -ERANGE, "value '128'");
	expect_line("CONFIG_EXT_BOOL_Y=2", -ERANGE, "is not a bool");
	expect_line("CONFIG_EXT_BOOL_Y=m", -EINVAL, "not bool");
	expect_line("CONFIG_EXT_INT=y", -EINVAL, "needs a bool, tristate or "
		    "char");
	expect_line("CONFIG_EXT_INT=12abc", -EINVAL, "is not y, m, n, a "
		    "number or a quoted string");
	expect_line("CONFIG_EXT_STR=5", -EINVAL, "not an integer, char or "
		    "bool");
	expect_line("CONFIG_EXT_STR=\"abc", -EINVAL, "not a quoted string");
	expect_line("CONFIG_EXT_STR=\"0123456789abcdef\"", -ERANGE,
		    "does not fit the char array");
	expect_line("CONFIG_EXT_INT=\"x\"", -EINVAL, "is a string");
	expect_line("CONFIG_EXT_INT", -EINVAL, "kconfig line 1 "
		    "'CONFIG_EXT_INT': no '='");
	expect_line("CONFIG_EXT_INT=", -EINVAL, "kconfig line 1 "
		    "'CONFIG_EXT_INT': no value");
	/* "is not set" leaves an int without a value: the next line may
	 * still give one */
	expect_line("# CONFIG_EXT_INT is not set", 0, "");
	/* limits that do fit */
	{
		struct obj x;
		struct ld_extern_set set;
		char log[256];

		open_obj(&x, "ext_all");
		CHECK(resolve(&x, "CONFIG_EXT_NEG=-32768\nCONFIG_EXT_HEX=0\n"
			      "CONFIG_EXT_STR=\"0123456789abcde\"\n"
			      "CONFIG_EXT_CHAR=-128\n" "CONFIG_EXT_U64=-1\n"
			      "CONFIG_EXT_INT=-2147483648\n"
			      "CONFIG_EXT_BOOL_Y=y\nCONFIG_EXT_BOOL_N=n\n"
			      "CONFIG_EXT_TRI_M=n\nCONFIG_EXT_TRI_Y=y\n",
			      KV(5, 4, 3), &set, log, sizeof(log)) == 0);
		CHECK_EQ_U64(value(&set, "CONFIG_EXT_NEG"), 0x8000);
		CHECK_EQ_U64(value(&set, "CONFIG_EXT_U64"), ~0ull);
		CHECK_EQ_U64(value(&set, "CONFIG_EXT_INT"), 0x80000000);
		CHECK_EQ_U64(value(&set, "CONFIG_EXT_TRI_M"), 0);
		CHECK_EQ_U64(value(&set, "CONFIG_EXT_CHAR"), 0x80);
		ld_extern_set_free(&set);
		core_obj_close(&x.o);
	}
}

static void test_strong_and_types(void)
{
	struct obj x;
	struct ld_extern_set set;
	char log[256];

	open_obj(&x, "ext_strong");
	CHECK(x.weak_cnt == 0);
	CHECK(resolve(&x, "", 0, &set, log, sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "extern 'CONFIG_EXT_NEEDED': no value given"));
	/* "is not set" gives an int no value */
	CHECK(resolve(&x, "# CONFIG_EXT_NEEDED is not set\n", 0, &set, log,
		      sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "extern 'CONFIG_EXT_NEEDED': no value given"));
	CHECK(resolve(&x, NULL, 0, &set, log, sizeof(log)) == -EINVAL);
	CHECK(resolve(&x, "CONFIG_EXT_NEEDED=3", 0, &set, log,
		      sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "extern 'bpf_ext_ksym_strong': no kernel symbols"));
	core_obj_close(&x.o);
	open_obj(&x, "ext_badtype");
	CHECK(resolve(&x, "CONFIG_EXT_PAIR=1", 0, &set, log, sizeof(log)) ==
	      -EINVAL);
	CHECK(strstr(log, "extern 'CONFIG_EXT_PAIR': type of a __kconfig"));
	core_obj_close(&x.o);
	/* an object without externs: nothing, no image */
	open_obj(&x, "core_target_a");
	CHECK(resolve(&x, KCONFIG, 0, &set, log, sizeof(log)) == 0);
	CHECK(set.cnt == 0 && set.image == NULL && set.image_size == 0);
	ld_extern_set_free(&set);
	/* ... but malformed kconfig text is still an error */
	CHECK(resolve(&x, "CONFIG_X\n", 0, &set, log, sizeof(log)) == -EINVAL);
	core_obj_close(&x.o);
	/* a weak kfunc: an unresolved ksym of size 0 */
	open_obj(&x, "ext_kfunc");
	CHECK(resolve(&x, NULL, 0, &set, log, sizeof(log)) == 0);
	CHECK(set.cnt == 1 && set.image == NULL);
	CHECK(set.cnt == 1 && !set.ext[0].is_kconfig && set.ext[0].weak &&
	      !set.ext[0].found && set.ext[0].size == 0 &&
	      !strcmp(set.ext[0].name, "bpf_ext_kfunc"));
	ld_extern_set_free(&set);
	/* strong (no weak names given): refused */
	CHECK(ld_extern_resolve(x.o.btf, NULL, 0, &set, log, sizeof(log)) ==
	      -EINVAL);
	CHECK(strstr(log, "extern 'bpf_ext_kfunc': no kernel symbols"));
	core_obj_close(&x.o);
	CHECK(ld_extern_find(NULL, "x") == NULL);
	ld_extern_set_free(NULL);
}

int main(void)
{
	test_all();
	test_bad_values();
	test_strong_and_types();
	return check_report();
}
