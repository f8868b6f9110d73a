/* The C printer. bpfvm_btf_type_str: exact declarators (pointers to
 * arrays and functions, qualifiers, varargs, abstract, truncation).
 * bpfvm_btf_dump_c: the output must compile (cc -fsyntax-only, and clang
 * when installed) with a _Static_assert per struct/union that its size
 * (and chosen member offsets) are BTF's: for hand-built tricky BTF (name
 * clashes, forward declarations, typedef cycles through pointers, enum64,
 * packed and padded structs, bitfields), the test objects, the builtin
 * BTF and /sys/kernel/btf/vmlinux where present. */
#include <bpfvm/btf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "btf_blob.h"
#include "check.h"

static struct bpfvm_btf *parse_blob(struct blob *b)
{
	char log[256] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
				    .log_size = sizeof(log) };
	struct bpfvm_btf *btf = NULL;
	int err = bpfvm_btf_parse(b->out, blob_finish(b), &o, &btf);

	if (err)
		fprintf(stderr, "parse: %d %s\n", err, log);
	CHECK_EQ_U64(err, 0);
	return btf;
}

static void want_str(const struct bpfvm_btf *btf, uint32_t id,
		     const char *var, const char *want)
{
	char buf[256];
	int n = bpfvm_btf_type_str(btf, id, var, buf, sizeof(buf));

	CHECK_EQ_U64(n, strlen(want));
	CHECK_STREQ(buf, want);
}

static void test_type_str(void)
{
	static struct blob b;
	struct bpfvm_btf *btf;
	char small[5];

	blob_init(&b);
	blob_int(&b, "int", 4, BTF_INT_SIGNED);			/* 1 */
	blob_int(&b, "char", 1, BTF_INT_CHAR);			/* 2 */
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 1);		/* 3 */
	blob_type(&b, NULL, BTF_KIND_ARRAY, 0, 0, 0);		/* 4 */
	blob_w(&b, 3), blob_w(&b, 1), blob_w(&b, 4);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 6);		/* 5 */
	blob_type(&b, NULL, BTF_KIND_ARRAY, 0, 0, 0);		/* 6 */
	blob_w(&b, 1), blob_w(&b, 1), blob_w(&b, 4);
	blob_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 2, 1);	/* 7 */
	blob_w(&b, blob_str(&b, "x")), blob_w(&b, 1);
	blob_w(&b, 0), blob_w(&b, 9);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 7);		/* 8 */
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 2);		/* 9 */
	blob_type(&b, NULL, BTF_KIND_CONST, 0, 0, 2);		/* 10 */
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 10);		/* 11 */
	blob_type(&b, NULL, BTF_KIND_CONST, 0, 0, 11);		/* 12 */
	blob_type(&b, "s", BTF_KIND_STRUCT, 0, 1, 8);		/* 13 */
	blob_member(&b, "p", 3, 0);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 13);		/* 14 */
	blob_type(&b, NULL, BTF_KIND_STRUCT, 0, 1, 4);		/* 15 */
	blob_member(&b, "a", 1, 0);
	blob_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 2, 0);	/* 16 */
	blob_w(&b, 0), blob_w(&b, 1);
	blob_w(&b, 0), blob_w(&b, 0);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 16);		/* 17 */
	blob_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 0);	/* 18 */
	blob_type(&b, "fn", BTF_KIND_FUNC, 0, 1, 7);		/* 19 */
	blob_type(&b, "tp", BTF_KIND_TYPEDEF, 0, 0, 8);		/* 20 */
	blob_type(&b, NULL, BTF_KIND_VOLATILE, 0, 0, 20);	/* 21 */
	blob_type(&b, NULL, BTF_KIND_RESTRICT, 0, 0, 9);	/* 22 */
	blob_type(&b, NULL, BTF_KIND_ARRAY, 0, 0, 0);		/* 23 */
	blob_w(&b, 4), blob_w(&b, 1), blob_w(&b, 2);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 23);		/* 24 */
	blob_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 9);	/* 25 */
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 25);		/* 26 */
	blob_type(&b, ".data", BTF_KIND_DATASEC, 0, 0, 0);	/* 27 */
	btf = parse_blob(&b);
	if (!btf)
		return;
	want_str(btf, 3, "v", "int *v");
	want_str(btf, 4, "v", "int *v[4]");
	want_str(btf, 5, "v", "int (*v)[4]");
	want_str(btf, 6, "v", "int v[4]");
	want_str(btf, 7, "v", "int v(int, char *)");
	want_str(btf, 8, "v", "int (*v)(int, char *)");
	want_str(btf, 10, "v", "const char v");
	want_str(btf, 11, "v", "const char *v");
	want_str(btf, 12, "v", "const char *const v");
	want_str(btf, 13, "v", "struct s v");
	want_str(btf, 14, "v", "struct s *v");
	want_str(btf, 15, "v", "struct {...} v");
	want_str(btf, 16, "v", "void v(int, ...)");
	want_str(btf, 17, "v", "void (*v)(int, ...)");
	want_str(btf, 18, "v", "void v(void)");
	want_str(btf, 19, NULL, "int fn(int, char *)");
	want_str(btf, 20, "v", "tp v");
	want_str(btf, 21, "v", "tp volatile v");
	want_str(btf, 22, "v", "char *restrict v");
	want_str(btf, 23, "v", "int *v[2][4]");
	want_str(btf, 24, "v", "int *(*v)[2][4]");
	want_str(btf, 26, "v", "char *(*v)(void)");
	want_str(btf, 0, "v", "void v");
	want_str(btf, 3, NULL, "int *");
	want_str(btf, 8, "", "int (*)(int, char *)");
	/* too small: what it needed, truncated and terminated */
	CHECK_EQ_U64(bpfvm_btf_type_str(btf, 8, "v", small, sizeof(small)),
		     strlen("int (*v)(int, char *)"));
	CHECK_STREQ(small, "int ");
	CHECK_EQ_U64(bpfvm_btf_type_str(btf, 27, "v", small, sizeof(small)),
		     -EINVAL);
	CHECK_EQ_U64(bpfvm_btf_type_str(btf, 99, "v", small, sizeof(small)),
		     -EINVAL);
	bpfvm_btf_free(btf);
}

static bool have_clang(void)
{
	return system("command -v clang >/dev/null 2>&1") == 0;
}

/* Asserts that every struct/union whose name is unique among tags has
 * BTF's size in the printed C. */
static void size_asserts(const struct bpfvm_btf *btf, FILE *f)
{
	static const int tags[] = { BTF_KIND_STRUCT, BTF_KIND_UNION,
				    BTF_KIND_ENUM, BTF_KIND_ENUM64 };

	for (uint32_t id = 1; id < bpfvm_btf_type_cnt(btf); id++) {
		const struct btf_type *t = bpfvm_btf_type(btf, id);
		int kind = BTF_INFO_KIND(t->info);
		const char *name = bpfvm_btf_str(btf, t->name_off);
		bool unique = true;

		if ((kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION) ||
		    !*name)
			continue;
		for (size_t k = 0; k < 4; k++) {
			int other = bpfvm_btf_find(btf, name, tags[k]);

			if (other >= 0 && (uint32_t)other != id)
				unique = false;
		}
		if (unique)
			fprintf(f, "_Static_assert(sizeof(%s %s) == %u, \"%s\");\n",
				kind == BTF_KIND_STRUCT ? "struct" : "union",
				name, t->size, name);
	}
}

/* Dump, add asserts (and `extra`), compile with cc (and clang). */
static void check_compiles(const struct bpfvm_btf *btf, const char *what,
			   const char *extra)
{
	char path[] = "/tmp/bpfvm_btf_dumpXXXXXX", cmd[512];
	int fd = mkstemp(path), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_U64(bpfvm_btf_dump_c(btf, f), 0);
	size_asserts(btf, f);
	if (extra)
		fputs(extra, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -fsyntax-only -w -x c %s", path);
	rc = system(cmd);
	if (rc)
		fprintf(stderr, "%s: the C dump does not compile (%s)\n", what,
			path);
	CHECK_EQ_U64(rc, 0);
	if (have_clang()) {
		snprintf(cmd, sizeof(cmd),
			 "clang -fsyntax-only -Wno-everything -x c %s", path);
		rc = system(cmd);
		CHECK_EQ_U64(rc, 0);
	}
	if (!check_failed)
		unlink(path);
}

/* Names that clash, forward declarations, typedef cycles, enum64,
 * packed/padded structs, bitfields, enums of size 1. */
static void test_tricky(void)
{
	static struct blob b;
	struct bpfvm_btf *btf;

	blob_init(&b);
	blob_int(&b, "int", 4, BTF_INT_SIGNED);			/* 1 */
	blob_int(&b, "char", 1, BTF_INT_CHAR);			/* 2 */
	blob_type(&b, "dup", BTF_KIND_STRUCT, 0, 1, 4);		/* 3 */
	blob_member(&b, "a", 1, 0);
	blob_type(&b, "dup", BTF_KIND_STRUCT, 0, 2, 8);		/* 4 */
	blob_member(&b, "a", 1, 0);
	blob_member(&b, "b", 1, 32);
	blob_type(&b, "dup", BTF_KIND_TYPEDEF, 0, 0, 4);	/* 5 */
	blob_type(&b, "e", BTF_KIND_ENUM, 0, 1, 4);		/* 6 */
	blob_w(&b, blob_str(&b, "dup")), blob_w(&b, 3);
	blob_type(&b, "fw", BTF_KIND_FWD, 0, 0, 0);		/* 7 */
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 7);		/* 8 */
	blob_type(&b, "user", BTF_KIND_STRUCT, 0, 3, 24);	/* 9 */
	blob_member(&b, "f", 8, 0);
	blob_member(&b, "d", 5, 64);
	blob_member(&b, "e", 6, 128);
	blob_type(&b, "fw", BTF_KIND_STRUCT, 0, 1, 4);		/* 10 */
	blob_member(&b, "x", 1, 0);
	blob_type(&b, "T", BTF_KIND_TYPEDEF, 0, 0, 12);		/* 11 */
	blob_type(&b, "node", BTF_KIND_STRUCT, 0, 2, 16);	/* 12 */
	blob_member(&b, "next", 13, 0);
	blob_member(&b, "v", 1, 64);
	blob_type(&b, NULL, BTF_KIND_PTR, 0, 0, 11);		/* 13 */
	blob_type(&b, "e64", BTF_KIND_ENUM64, 1, 2, 8);		/* 14 */
	blob_w(&b, blob_str(&b, "E_MIN")), blob_w(&b, 0), blob_w(&b, 0x80000000);
	blob_w(&b, blob_str(&b, "E_M1")), blob_w(&b, ~0u), blob_w(&b, ~0u);
	blob_type(&b, "pk", BTF_KIND_STRUCT, 0, 2, 5);		/* 15 */
	blob_member(&b, "c", 2, 0);
	blob_member(&b, "i", 1, 8);
	blob_type(&b, "pad", BTF_KIND_STRUCT, 0, 2, 32);	/* 16 */
	blob_member(&b, "a", 1, 0);
	blob_member(&b, "b", 1, 96);
	blob_type(&b, "bf", BTF_KIND_STRUCT, 1, 4, 12);		/* 17 */
	blob_member(&b, "a", 1, 3u << 24 | 0);
	blob_member(&b, "b", 1, 5u << 24 | 3);
	blob_member(&b, "c", 1, 32);
	blob_member(&b, NULL, 18, 64); /* anonymous union at 8 */
	blob_type(&b, NULL, BTF_KIND_UNION, 0, 2, 4);		/* 18 */
	blob_member(&b, "u1", 1, 0);
	blob_member(&b, "u2", 2, 0);
	blob_type(&b, "small", BTF_KIND_ENUM, 0, 1, 1);		/* 19 */
	blob_w(&b, blob_str(&b, "SMALL_A")), blob_w(&b, 1);
	blob_type(&b, "hold", BTF_KIND_STRUCT, 0, 2, 2);	/* 20 */
	blob_member(&b, "s", 19, 0);
	blob_member(&b, "c", 2, 8);
	btf = parse_blob(&b);
	if (!btf)
		return;
	check_compiles(btf, "tricky",
		       "_Static_assert(sizeof(struct dup___2) == 8, \"d2\");\n"
		       "_Static_assert(sizeof(dup) == 8, \"typedef\");\n"
		       "_Static_assert(dup___2 == 3, \"enumerator\");\n"
		       "_Static_assert(sizeof(struct fw) == 4, \"fw\");\n"
		       "_Static_assert(sizeof(T) == 16, \"T\");\n"
		       "_Static_assert(__builtin_offsetof(struct pk, i) == 1, \"pk\");\n"
		       "_Static_assert(__builtin_offsetof(struct pad, b) == 12, \"pad\");\n"
		       "_Static_assert(__builtin_offsetof(struct bf, c) == 4, \"bf\");\n"
		       "_Static_assert(sizeof(enum small) == 1, \"small\");\n"
		       "_Static_assert(E_MIN < 0 && E_M1 == -1, \"e64\");\n");
	bpfvm_btf_free(btf);
}

static void test_file(const char *obj, bool must_exist)
{
	char path[512];
	struct bpfvm_btf *btf = NULL;
	int err;

	snprintf(path, sizeof(path), "%s/%s", BPFVM_OBJ_DIR, obj);
	if (!must_exist && access(path, R_OK))
		return;
	err = bpfvm_btf_parse_file(path, NULL, &btf);
	CHECK_EQ_U64(err, 0);
	if (btf)
		check_compiles(btf, obj, NULL);
	bpfvm_btf_free(btf);
}

static void test_vmlinux(void)
{
	struct bpfvm_btf *btf = NULL;
	int err = bpfvm_btf_vmlinux(&btf);

	if (err == -ENOENT) {
		printf("SKIP vmlinux: /sys/kernel/btf/vmlinux absent\n");
		return;
	}
	CHECK_EQ_U64(err, 0);
	if (btf)
		check_compiles(btf, "vmlinux",
			       "_Static_assert(sizeof(struct task_struct) > 1000, \"t\");\n");
	bpfvm_btf_free(btf);
}

int main(void)
{
	test_type_str();
	test_tricky();
	check_compiles(bpfvm_btf_builtin(), "builtin",
		       "_Static_assert(sizeof(struct pt_regs) == 168, \"regs\");\n");
	test_file("btf_kinds_v3.o", true);
	test_file("btf_kinds_v4.o", false);
	test_file("smoke_hash.o", true);
	test_vmlinux();
	return check_report();
}
