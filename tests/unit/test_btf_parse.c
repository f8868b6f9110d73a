/* BTF parsing: a hand-built blob with every kind 1..19 read back through
 * every accessor; lookup by name, modifiers, sizes; the same blob in the
 * other byte order; split BTF on top of it; references; the builtin BTF
 * and (where present) vmlinux. */
#include <asm/ptrace.h>
#include <bpfvm/btf.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <linux/bpf_perf_event.h>
#include <stdlib.h>

#include "btf_blob.h"
#include "check.h"

/* Ids of the blob every_kind() builds. */
enum {
	T_INT = 1, T_PTR, T_ARR, T_STRUCT, T_UNION, T_ENUM, T_FLOAT, T_FWD,
	T_TYPEDEF, T_VOLATILE, T_CONST, T_RESTRICT, T_PROTO, T_FUNC, T_VAR,
	T_DATASEC, T_DECL_TAG, T_TYPE_TAG, T_ENUM64, T_PTR_TAG, T_CNT
};

static size_t every_kind(struct blob *b)
{
	blob_init(b);
	blob_int(b, "int", 4, BTF_INT_SIGNED);			/* 1 */
	blob_type(b, NULL, BTF_KIND_PTR, 0, 0, T_INT);		/* 2 */
	blob_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);		/* 3 */
	blob_w(b, T_INT), blob_w(b, T_INT), blob_w(b, 4);
	blob_type(b, "s", BTF_KIND_STRUCT, 0, 3, 32);		/* 4 */
	blob_member(b, "a", T_INT, 0);
	blob_member(b, "p", T_PTR, 64);
	blob_member(b, "arr", T_ARR, 128);
	blob_type(b, "u", BTF_KIND_UNION, 0, 2, 4);		/* 5 */
	blob_member(b, "i", T_INT, 0);
	blob_member(b, "f", T_FLOAT, 0);
	blob_type(b, "e", BTF_KIND_ENUM, 1, 2, 4);		/* 6 */
	blob_w(b, blob_str(b, "A")), blob_w(b, 0);
	blob_w(b, blob_str(b, "B")), blob_w(b, (uint32_t)-1);
	blob_type(b, "float", BTF_KIND_FLOAT, 0, 0, 4);		/* 7 */
	blob_type(b, "fwd_s", BTF_KIND_FWD, 0, 0, 0);		/* 8 */
	blob_type(b, "tint", BTF_KIND_TYPEDEF, 0, 0, T_INT);	/* 9 */
	blob_type(b, NULL, BTF_KIND_VOLATILE, 0, 0, T_TYPEDEF);	/* 10 */
	blob_type(b, NULL, BTF_KIND_CONST, 0, 0, T_VOLATILE);	/* 11 */
	blob_type(b, NULL, BTF_KIND_RESTRICT, 0, 0, T_PTR);	/* 12 */
	blob_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, 2, T_INT);	/* 13 */
	blob_w(b, blob_str(b, "x")), blob_w(b, T_INT);
	blob_w(b, blob_str(b, "y")), blob_w(b, T_PTR);
	blob_type(b, "f", BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL, T_PROTO); /* 14 */
	blob_type(b, "v", BTF_KIND_VAR, 0, 0, T_INT);		/* 15 */
	blob_w(b, BTF_VAR_GLOBAL_ALLOCATED);
	blob_type(b, ".data", BTF_KIND_DATASEC, 0, 1, 4);		/* 16 */
	blob_w(b, T_VAR), blob_w(b, 0), blob_w(b, 4);
	blob_type(b, "tag", BTF_KIND_DECL_TAG, 0, 0, T_STRUCT);	/* 17 */
	blob_w(b, 1);
	blob_type(b, "user", BTF_KIND_TYPE_TAG, 0, 0, T_INT);	/* 18 */
	blob_type(b, "e64", BTF_KIND_ENUM64, 0, 1, 8);		/* 19 */
	blob_w(b, blob_str(b, "BIG")), blob_w(b, 1), blob_w(b, 1);
	blob_type(b, NULL, BTF_KIND_PTR, 0, 0, T_TYPE_TAG);	/* 20 */
	return blob_finish(b);
}

static struct bpfvm_btf *parse(const void *data, size_t size,
			       const struct bpfvm_btf *base)
{
	char log[256] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
				    .log_size = sizeof(log), .base = base };
	struct bpfvm_btf *btf = NULL;
	int err = bpfvm_btf_parse(data, size, &o, &btf);

	if (err)
		fprintf(stderr, "parse: %d %s\n", err, log);
	CHECK(err == 0);
	return btf;
}

static void test_every_kind(void)
{
	static const int kinds[T_CNT] = {
		0, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_ARRAY, BTF_KIND_STRUCT,
		BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_FLOAT, BTF_KIND_FWD,
		BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE, BTF_KIND_CONST,
		BTF_KIND_RESTRICT, BTF_KIND_FUNC_PROTO, BTF_KIND_FUNC,
		BTF_KIND_VAR, BTF_KIND_DATASEC, BTF_KIND_DECL_TAG,
		BTF_KIND_TYPE_TAG, BTF_KIND_ENUM64, BTF_KIND_PTR,
	};
	static const int64_t sizes[T_CNT] = {
		-EINVAL, 4, 8, 16, 32, 4, 4, 4, -EINVAL, 4, 4, 4, 8, -EINVAL,
		-EINVAL, 4, 4, 32, 4, 8, 8,
	};
	static struct blob b;
	size_t n = every_kind(&b), raw_size;
	struct bpfvm_btf *btf = parse(b.out, n, NULL);
	const struct btf_member *m;

	if (!btf)
		return;
	CHECK_EQ_U64(bpfvm_btf_type_cnt(btf), T_CNT);
	CHECK(bpfvm_btf_type(btf, 0) == NULL);
	CHECK(bpfvm_btf_type(btf, T_CNT) == NULL);
	for (uint32_t id = 1; id < T_CNT; id++) {
		CHECK_EQ_U64(BTF_INFO_KIND(bpfvm_btf_type(btf, id)->info),
			     kinds[id]);
		CHECK_EQ_U64(bpfvm_btf_type_size(btf, id), sizes[id]);
	}
	CHECK_EQ_U64(bpfvm_btf_type_size(btf, 0), -EINVAL);
	CHECK_EQ_U64(bpfvm_btf_type_size(btf, T_CNT), -ENOENT);
	CHECK_STREQ(bpfvm_btf_type_name(btf, T_STRUCT), "s");
	CHECK_STREQ(bpfvm_btf_type_name(btf, T_PTR), "");
	CHECK_STREQ(bpfvm_btf_type_name(btf, T_DATASEC), ".data");
	CHECK(bpfvm_btf_type_name(btf, T_CNT) == NULL);
	CHECK_STREQ(bpfvm_btf_str(btf, 0), "");
	CHECK(bpfvm_btf_str(btf, 100000) == NULL);
	m = (const struct btf_member *)(bpfvm_btf_type(btf, T_STRUCT) + 1);
	CHECK_STREQ(bpfvm_btf_str(btf, m[2].name_off), "arr");
	CHECK_EQ_U64(m[2].offset, 128);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "s", BTF_KIND_STRUCT), T_STRUCT);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "s", -1), T_STRUCT);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "s", BTF_KIND_UNION), -ENOENT);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "f", -1), T_FUNC);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "e64", BTF_KIND_ENUM64), T_ENUM64);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "nope", -1), -ENOENT);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "", -1), -ENOENT);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, T_CONST), T_INT);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, T_RESTRICT), T_PTR);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, T_TYPE_TAG), T_INT);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, T_PTR_TAG), T_PTR_TAG);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, 0), 0);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(btf, T_CNT), -ENOENT);
	CHECK(bpfvm_btf_raw(btf, &raw_size) != NULL);
	CHECK_EQ_U64(raw_size, n);
	CHECK(!memcmp(bpfvm_btf_raw(btf, NULL), b.out, n));
	/* a reference outlives the parser's */
	CHECK(bpfvm_btf_get(btf) == btf);
	bpfvm_btf_free(btf);
	CHECK_EQ_U64(bpfvm_btf_find(btf, "u", BTF_KIND_UNION), T_UNION);
	bpfvm_btf_free(btf);
	bpfvm_btf_free(NULL);
}

/* Every u32 of header and types swapped (magic as u16); strings stay. */
static void swap_blob(uint8_t *p, size_t n)
{
	const struct btf_header *h = (const struct btf_header *)p;
	size_t types_end = sizeof(*h) + h->type_len;
	uint16_t magic;

	for (size_t i = 4; i < types_end && i + 4 <= n; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		w = __builtin_bswap32(w);
		memcpy(p + i, &w, 4);
	}
	memcpy(&magic, p, 2);
	magic = __builtin_bswap16(magic);
	memcpy(p, &magic, 2);
}

static void test_byte_order(void)
{
	static struct blob b;
	size_t n = every_kind(&b), sw_size;
	uint8_t *sw = malloc(n);
	struct bpfvm_btf *host = parse(b.out, n, NULL), *other;

	memcpy(sw, b.out, n);
	swap_blob(sw, n);
	CHECK(memcmp(sw, b.out, n) != 0);
	other = parse(sw, n, NULL);
	if (host && other) {
		const void *raw = bpfvm_btf_raw(other, &sw_size);

		/* kept in host order: the same bytes as the host blob */
		CHECK_EQ_U64(sw_size, n);
		CHECK(!memcmp(raw, b.out, n));
		CHECK_EQ_U64(bpfvm_btf_type_cnt(other), T_CNT);
		CHECK_EQ_U64(bpfvm_btf_find(other, "e64", -1), T_ENUM64);
		CHECK_EQ_U64(bpfvm_btf_type_size(other, T_ARR), 16);
	}
	bpfvm_btf_free(host);
	bpfvm_btf_free(other);
	free(sw);
}

static void test_split(void)
{
	static struct blob b, s;
	size_t n = every_kind(&b), sn;
	struct bpfvm_btf *base = parse(b.out, n, NULL), *split;
	uint32_t base_str = (uint32_t)b.ns, ps, st;
	const struct btf_member *m;

	if (!base)
		return;
	blob_init_split(&s, T_CNT, base_str);
	ps = blob_type(&s, NULL, BTF_KIND_PTR, 0, 0, T_STRUCT);
	st = blob_type(&s, "split_s", BTF_KIND_STRUCT, 0, 2, 16);
	blob_member(&s, "x", T_INT, 0);
	blob_member(&s, "self", ps, 64);
	sn = blob_finish(&s);
	split = parse(s.out, sn, base);
	/* the split holds its own reference on base */
	bpfvm_btf_free(base);
	if (!split)
		return;
	CHECK_EQ_U64(ps, T_CNT);
	CHECK_EQ_U64(bpfvm_btf_type_cnt(split), T_CNT + 2);
	CHECK_EQ_U64(bpfvm_btf_find(split, "split_s", BTF_KIND_STRUCT), st);
	CHECK_EQ_U64(bpfvm_btf_find(split, "s", BTF_KIND_STRUCT), T_STRUCT);
	CHECK_STREQ(bpfvm_btf_type_name(split, T_ENUM), "e");
	CHECK_STREQ(bpfvm_btf_type_name(split, st), "split_s");
	m = (const struct btf_member *)(bpfvm_btf_type(split, st) + 1);
	CHECK_STREQ(bpfvm_btf_str(split, m[1].name_off), "self");
	CHECK(m[1].name_off >= base_str);
	CHECK_EQ_U64(bpfvm_btf_type_size(split, st), 16);
	CHECK_EQ_U64(bpfvm_btf_type_size(split, ps), 8);
	CHECK_EQ_U64(bpfvm_btf_skip_mods(split, T_CONST), T_INT);
	bpfvm_btf_free(split);
}

/* Split BTF must not reach into ids past its own or strings past the
 * base's end. */
static void test_split_bad(void)
{
	static struct blob b, s;
	size_t n = every_kind(&b), sn;
	struct bpfvm_btf *base = parse(b.out, n, NULL), *split = NULL;
	char log[256] = "";
	struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
				    .log_size = sizeof(log), .base = base };

	blob_init_split(&s, T_CNT, (uint32_t)b.ns);
	blob_type(&s, NULL, BTF_KIND_PTR, 0, 0, T_CNT + 5);
	sn = blob_finish(&s);
	CHECK_EQ_U64(bpfvm_btf_parse(s.out, sn, &o, &split), -EINVAL);
	CHECK(strstr(log, "does not exist") != NULL);
	CHECK(split == NULL);
	bpfvm_btf_free(base);
}

static void *find_thread(void *arg)
{
	const struct bpfvm_btf *btf = arg;
	intptr_t ok = 1;

	for (int i = 0; i < 1000; i++)
		ok &= bpfvm_btf_find(btf, "u", BTF_KIND_UNION) == T_UNION &&
		      bpfvm_btf_find(btf, "e64", -1) == T_ENUM64;
	return (void *)ok;
}

/* The name hash is built by the first lookup: four threads race to it. */
static void test_find_threads(void)
{
	static struct blob b;
	struct bpfvm_btf *btf = parse(b.out, every_kind(&b), NULL);
	pthread_t th[4];

	if (!btf)
		return;
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, find_thread, btf) == 0);
	for (int i = 0; i < 4; i++) {
		void *ok = NULL;

		pthread_join(th[i], &ok);
		CHECK(ok == (void *)1);
	}
	bpfvm_btf_free(btf);
}

static void test_builtin(void)
{
	const struct bpfvm_btf *btf = bpfvm_btf_builtin();
	static const struct {
		const char *name;
		int64_t size;
	} want[] = {
		/* the host compiler's layout of the same headers */
		{ "xdp_md", sizeof(struct xdp_md) },
		{ "__sk_buff", sizeof(struct __sk_buff) },
		{ "pt_regs", sizeof(struct pt_regs) },
		{ "trace_entry", 8 },
		{ "bpf_perf_event_data", sizeof(struct bpf_perf_event_data) },
		{ "bpf_sock", sizeof(struct bpf_sock) },
		{ "sk_msg_md", sizeof(struct sk_msg_md) },
		{ "bpf_sock_ops", sizeof(struct bpf_sock_ops) },
		{ "bpf_sock_addr", sizeof(struct bpf_sock_addr) },
	};

	CHECK(btf != NULL);
	CHECK(btf == bpfvm_btf_builtin());
	if (!btf)
		return;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int id = bpfvm_btf_find(btf, want[i].name, BTF_KIND_STRUCT);

		CHECK(id > 0);
		CHECK_EQ_U64(bpfvm_btf_type_size(btf, (uint32_t)id),
			     want[i].size);
	}
	CHECK(bpfvm_btf_find(btf, "bpf_func_id", BTF_KIND_ENUM) > 0);
}

static void test_vmlinux(void)
{
	struct bpfvm_btf *btf = NULL;
	int err = bpfvm_btf_vmlinux(&btf), id;

	if (err == -ENOENT) {
		printf("SKIP vmlinux: /sys/kernel/btf/vmlinux absent\n");
		return;
	}
	CHECK_EQ_U64(err, 0);
	if (!btf)
		return;
	CHECK(bpfvm_btf_type_cnt(btf) > 10000);
	id = bpfvm_btf_find(btf, "task_struct", BTF_KIND_STRUCT);
	CHECK(id > 0);
	CHECK(bpfvm_btf_type_size(btf, (uint32_t)id) > 1000);
	id = bpfvm_btf_find(btf, "sk_buff", BTF_KIND_STRUCT);
	CHECK(id > 0);
	bpfvm_btf_free(btf);
}

int main(void)
{
	test_every_kind();
	test_byte_order();
	test_split();
	test_split_bad();
	test_find_threads();
	test_builtin();
	test_vmlinux();
	return check_report();
}
