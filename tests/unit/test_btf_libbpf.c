/* bpfvm's BTF against libbpf's (Debian's libbpf): for vmlinux, the test
 * objects and the builtin BTF, the same type count and, for every type,
 * the same kind, name, vlen, kind_flag, record bytes and resolved size;
 * lookups by name agree on a sample. */
#include <bpf/btf.h>
#include <bpfvm/btf.h>
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "check.h"

/* Bytes of a type's record (header and what follows). */
static size_t rec_len(const struct btf_type *t)
{
	static const uint8_t fixed[NR_BTF_KINDS] = {
		[BTF_KIND_INT] = 4, [BTF_KIND_ARRAY] = 12, [BTF_KIND_VAR] = 4,
		[BTF_KIND_DECL_TAG] = 4,
	};
	static const uint8_t rec[NR_BTF_KINDS] = {
		[BTF_KIND_STRUCT] = 12, [BTF_KIND_UNION] = 12,
		[BTF_KIND_ENUM] = 8, [BTF_KIND_FUNC_PROTO] = 8,
		[BTF_KIND_DATASEC] = 12, [BTF_KIND_ENUM64] = 12,
	};
	unsigned kind = BTF_INFO_KIND(t->info);

	return sizeof(*t) + fixed[kind] + (size_t)rec[kind] * BTF_INFO_VLEN(t->info);
}

static void compare(const char *what, const struct bpfvm_btf *mine,
		    const struct btf *theirs)
{
	uint32_t n = bpfvm_btf_type_cnt(mine), bad = 0, finds = 0;

	CHECK_EQ_U64(n, btf__type_cnt(theirs));
	if (n != btf__type_cnt(theirs))
		return;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *a = bpfvm_btf_type(mine, id);
		const struct btf_type *b = btf__type_by_id(theirs, id);
		const char *na = bpfvm_btf_type_name(mine, id);
		const char *nb = btf__name_by_offset(theirs, b->name_off);
		int64_t sa = bpfvm_btf_type_size(mine, id);
		int64_t sb = btf__resolve_size(theirs, id);
		bool same = a && BTF_INFO_KIND(a->info) == BTF_INFO_KIND(b->info) &&
			    BTF_INFO_VLEN(a->info) == BTF_INFO_VLEN(b->info) &&
			    BTF_INFO_KFLAG(a->info) == BTF_INFO_KFLAG(b->info) &&
			    a->size == b->size && na && nb && !strcmp(na, nb) &&
			    !memcmp(a, b, rec_len(b)) &&
			    (sb >= 0 ? sa == sb : sa < 0);

		if (!same && bad++ < 5)
			fprintf(stderr,
				"%s: type [%u] differs: kind %u/%u '%s'/'%s' "
				"size %lld/%lld\n", what, id,
				a ? BTF_INFO_KIND(a->info) : 99,
				BTF_INFO_KIND(b->info), na ? na : "(null)",
				nb ? nb : "(null)", (long long)sa, (long long)sb);
		/* libbpf's lookup is linear: a sample */
		if (b->name_off && (id % 997 == 1 || n < 5000)) {
			int kind = (int)BTF_INFO_KIND(b->info);

			CHECK_EQ_U64(bpfvm_btf_find(mine, nb, kind),
				     btf__find_by_name_kind(theirs, nb, kind));
			finds++;
		}
	}
	CHECK_EQ_U64(bad, 0);
	printf("%s: %u types compared, %u lookups\n", what, n, finds);
}

static void compare_file(const char *path, bool must_exist)
{
	struct bpfvm_btf *mine = NULL;
	struct btf *theirs;

	if (!must_exist && access(path, R_OK)) {
		printf("SKIP %s: absent\n", path);
		return;
	}
	CHECK_EQ_U64(bpfvm_btf_parse_file(path, NULL, &mine), 0);
	theirs = btf__parse(path, NULL);
	CHECK(theirs != NULL);
	if (mine && theirs)
		compare(path, mine, theirs);
	btf__free(theirs);
	bpfvm_btf_free(mine);
}

static void compare_obj(const char *name, bool must_exist)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", BPFVM_OBJ_DIR, name);
	compare_file(path, must_exist);
}

static void compare_builtin(void)
{
	const struct bpfvm_btf *mine = bpfvm_btf_builtin();
	size_t size;
	const void *raw = bpfvm_btf_raw(mine, &size);
	struct btf *theirs = btf__new(raw, (uint32_t)size);

	CHECK(theirs != NULL);
	if (theirs)
		compare("builtin", mine, theirs);
	btf__free(theirs);
}

int main(void)
{
	compare_file("/sys/kernel/btf/vmlinux", false);
	compare_obj("btf_kinds_v3.o", true);
	compare_obj("btf_kinds_v1.o", true);
	compare_obj("btf_kinds_v4.o", false);
	compare_obj("smoke_hash.o", true);
	compare_builtin();
	return check_report();
}
