/* BPF_MAP_TYPE_XSKMAP: create attributes, updates with socket ids (the
 * kernel's flag rules against the slot: same socket always fine, NOEXIST
 * on a full slot -EEXIST, EXIST on an empty one -ENOENT), ids that no
 * socket can have, user-space lookups refused (-EOPNOTSUPP), delete,
 * get_next_key, a program's lookup and map_redirect_lookup. No kernel
 * needed. */
#include <errno.h>
#include <limits.h>

#include <bpfvm/map.h>
#include <bpfvm/prog.h>

#include "check.h"
#include "insn_build.h"
#include "maps/redirect_map.h"
#include "redirect_map_test.h"

static int create(uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags,
		  struct bpfvm_map **m)
{
	return rmt_create(BPF_MAP_TYPE_XSKMAP, ks, vs, n, flags, m);
}

static int upd(struct bpfvm_map *m, uint32_t k, uint32_t sock, uint64_t flags)
{
	return bpfvm_map_update(m, &k, &sock, flags);
}

static void test_create(void)
{
	struct bpfvm_map *m;

	CHECK_EQ_U64(create(4, 4, 0, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(8, 4, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 8, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, 4, BPF_F_RDONLY_PROG, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, 4, BPF_F_MMAPABLE, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, 4, BPF_F_RDONLY, &m), 0);
	CHECK_EQ_U64(upd(m, 0, 5, 0), -EPERM);
	bpfvm_map_free(m);
	CHECK_EQ_U64(create(4, 4, 4, BPF_F_WRONLY, &m), 0);
	CHECK_EQ_U64(bpfvm_map_flags(m), BPF_F_WRONLY);
	bpfvm_map_free(m);
}

static void test_update_delete(void)
{
	struct bpfvm_map *m;
	uint32_t k = 0, v = 0, next;

	CHECK_EQ_U64(create(4, 4, 3, 0, &m), 0);
	CHECK_EQ_U64(upd(m, 0, 5, 3), -EINVAL);
	CHECK_EQ_U64(upd(m, 0, 5, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(upd(m, 3, 5, 0), -E2BIG);
	CHECK_EQ_U64(upd(m, 3, 0, 0), -E2BIG); /* key before the socket */
	CHECK_EQ_U64(upd(m, 0, 0, 0), -EBADF);
	CHECK_EQ_U64(upd(m, 0, (uint32_t)INT_MAX + 1, 0), -EBADF);
	CHECK_EQ_U64(upd(m, 0, 5, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(upd(m, 0, 5, BPF_NOEXIST), 0);
	CHECK_EQ_U64(upd(m, 0, 5, BPF_NOEXIST), 0); /* the same socket */
	CHECK_EQ_U64(upd(m, 0, 6, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(upd(m, 0, 6, BPF_EXIST), 0);
	CHECK_EQ_U64(upd(m, 1, INT_MAX, BPF_ANY), 0);
	/* user space cannot read sockets back */
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -EOPNOTSUPP);
	k = 2;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -EOPNOTSUPP);
	k = 9;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -EOPNOTSUPP);
	k = 0;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0); /* empty: still 0 */
	CHECK_EQ_U64(upd(m, 0, 6, BPF_EXIST), -ENOENT);
	k = 3;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ_U64(next, 0);
	k = 1;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next, 2);
	k = 2;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), -ENOENT);
	bpfvm_map_free(m);
}

static void test_program_side(void)
{
	struct bpfvm_map *m;
	struct bpfvm_redirect r;

	CHECK_EQ_U64(create(4, 4, 4, 0, &m), 0);
	CHECK_EQ_U64(rmt_prog_run(m, 2, 0, false), 0xffff);
	CHECK_EQ_U64(map_redirect_lookup(m, 2, &r), -ENOENT);
	CHECK_EQ_U64(upd(m, 2, 77, 0), 0);
	CHECK_EQ_U64(rmt_prog_run(m, 2, 0, false), 77);
	CHECK_EQ_U64(rmt_prog_run(m, 4, 0, false), 0xffff);
	CHECK_EQ_U64(map_redirect_lookup(m, 2, &r), 0);
	CHECK_EQ_U64(r.kind, BPFVM_REDIRECT_XSK);
	CHECK_EQ_U64(r.index, 2);
	CHECK_EQ_U64(map_redirect_lookup(m, 3, &r), -ENOENT);
	CHECK_EQ_U64(map_redirect_lookup(m, 4, &r), -ENOENT);
	bpfvm_map_free(m);
}

int main(void)
{
	test_create();
	test_update_delete();
	test_program_side();
	return check_report();
}
