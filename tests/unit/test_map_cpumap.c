/* BPF_MAP_TYPE_CPUMAP: create attributes (max_entries up to the kernel's
 * NR_CPUS), update checks in the kernel's order (flags, key, NOEXIST,
 * qsize > 16384, CPUs that are not possible, qsize 0 deleting), values of
 * 4 and 8 bytes (a program for BPF_XDP_CPUMAP), delete, get_next_key,
 * no lookups by programs, map_redirect_lookup. No kernel needed. */
#include <errno.h>
#include <string.h>

#include <bpfvm/map.h>
#include <bpfvm/prog.h>

#include "check.h"
#include "insn_build.h"
#include "maps/redirect_map.h"
#include "nr_cpus.h"
#include "redirect_map_test.h"

struct cpuval {
	uint32_t qsize;
	uint32_t prog;
};

static int create(uint32_t vs, uint32_t n, uint32_t flags,
		  struct bpfvm_map **m)
{
	return rmt_create(BPF_MAP_TYPE_CPUMAP, 4, vs, n, flags, m);
}

static int upd(struct bpfvm_map *m, uint32_t k, uint32_t qsize, int32_t fd,
	       uint64_t flags)
{
	struct cpuval v = { qsize, (uint32_t)fd };

	return bpfvm_map_update(m, &k, &v, flags);
}

static void test_create(void)
{
	struct bpfvm_map *m;
	unsigned nr = test_nr_cpus();

	if (!nr)
		nr = 8192;
	CHECK_EQ_U64(create(4, 0, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(12, 4, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, BPF_F_RDONLY, &m), -EINVAL);
	CHECK_EQ_U64(create(4, 4, BPF_F_RDONLY_PROG, &m), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_create(BPF_MAP_TYPE_CPUMAP, 8, 4, 4, NULL, &m),
		     -EINVAL);
	CHECK_EQ_U64(create(4, nr + 1, 0, &m), -E2BIG);
	CHECK_EQ_U64(create(4, UINT32_MAX, 0, &m), -E2BIG);
	/* the attribute checks come first */
	CHECK_EQ_U64(create(12, nr + 1, 0, &m), -EINVAL);
	CHECK_EQ_U64(create(4, nr, BPF_F_NUMA_NODE, &m), 0);
	CHECK_EQ_U64(bpfvm_map_flags(m), BPF_F_NUMA_NODE);
	bpfvm_map_free(m);
}

static void test_update(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	struct bpfvm_map *m;
	struct cpuval v;
	uint32_t k;

	CHECK_EQ_U64(create(8, ncpu + 2, 0, &m), 0);
	CHECK_EQ_U64(upd(m, 0, 64, 0, 3), -EINVAL);
	CHECK_EQ_U64(upd(m, 0, 64, 0, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(upd(m, ncpu + 2, 64, 0, 0), -E2BIG);
	CHECK_EQ_U64(upd(m, 0, 64, 0, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(upd(m, ncpu + 2, 64, 0, BPF_NOEXIST), -E2BIG);
	CHECK_EQ_U64(upd(m, 0, 16385, 0, 0), -EOVERFLOW);
	CHECK_EQ_U64(upd(m, ncpu, 16384, 0, 0), -ENODEV);
	CHECK_EQ_U64(upd(m, ncpu + 1, 0, 0, 0), -ENODEV);
	/* qsize is checked before the CPU */
	CHECK_EQ_U64(upd(m, ncpu, 16385, 0, 0), -EOVERFLOW);
	k = 0;
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(upd(m, 0, 16384, 0, BPF_EXIST), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.qsize, 16384);
	CHECK_EQ_U64(v.prog, 0);
	/* qsize 0 deletes (a program with it is ignored) */
	CHECK_EQ_U64(upd(m, 0, 0, 12345, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	/* a bad program: the kernel's whole entry allocation fails */
	CHECK_EQ_U64(upd(m, 0, 8, 0x7ffffff0, 0), -ENOMEM);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ_U64(upd(m, 0, 8, -3, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.qsize, 8);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -524);
	bpfvm_map_free(m);
}

static void test_prog_values(void)
{
	struct bpfvm_prog *cpu = rmt_xdp_prog(BPF_XDP_CPUMAP);
	struct bpfvm_prog *dev = rmt_xdp_prog(BPF_XDP_DEVMAP);
	struct bpfvm_map *m;
	struct cpuval v;
	uint32_t k = 0, id;

	CHECK_EQ_U64(create(8, 1, 0, &m), 0);
	if (!cpu || !dev)
		return;
	id = bpfvm_prog_id(cpu);
	CHECK_EQ_U64(upd(m, 0, 8, (int32_t)bpfvm_prog_id(dev), 0), -ENOMEM);
	CHECK_EQ_U64(upd(m, 0, 8, (int32_t)id, 0), 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v.prog, id);
	bpfvm_prog_free(cpu);
	cpu = bpfvm_prog_get_by_id(id);
	CHECK(cpu != NULL); /* held by the slot */
	bpfvm_prog_free(cpu);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK(bpfvm_prog_get_by_id(id) == NULL);
	bpfvm_prog_free(dev);
	bpfvm_map_free(m);
}

static void test_delete_next_redirect(void)
{
	struct bpfvm_map *m;
	struct bpfvm_redirect r;
	uint32_t k;

	CHECK_EQ_U64(create(4, 2, 0, &m), 0);
	k = 0;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	k = 2;
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EINVAL);
	rmt_check_array_order(m, 2);
	CHECK_EQ_U64(map_redirect_lookup(m, 0, &r), -ENOENT);
	k = 0;
	CHECK_EQ_U64(bpfvm_map_update(m, &k, &(uint32_t){ 128 }, 0), 0);
	CHECK_EQ_U64(map_redirect_lookup(m, 0, &r), 0);
	CHECK_EQ_U64(r.kind, BPFVM_REDIRECT_CPU);
	CHECK_EQ_U64(r.index, 0);
	CHECK_EQ_U64(map_redirect_lookup(m, 1, &r), -ENOENT);
	CHECK_EQ_U64(map_redirect_lookup(m, 5, &r), -ENOENT);
	/* programs cannot look CPUMAP entries up (the kernel's verifier
	 * refuses the call): NULL here */
	CHECK_EQ_U64(rmt_prog_run(m, 0, 0, false), 0xffff);
	bpfvm_map_free(m);
}

int main(void)
{
	test_create();
	test_update();
	test_prog_values();
	test_delete_next_redirect();
	return check_report();
}
