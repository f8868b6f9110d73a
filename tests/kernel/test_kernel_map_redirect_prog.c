/* The redirect maps from XDP programs, against the kernel: the same
 * instructions loaded into the kernel (kprog.h, BPF_PROG_TEST_RUN) and
 * into bpfvm (bpfvm_prog_test_run), each over its own map filled the
 * same way. Each run looks a key up (DEVMAP / DEVMAP_HASH: the ifindex
 * read from the value; XSKMAP: found or not; CPUMAP: programs may not
 * look up) and calls bpf_redirect_map with a key and flags (empty-slot
 * verdicts 0-3, BPF_F_BROADCAST, BPF_F_EXCLUDE_INGRESS, bits no type
 * takes); the 32-bit return values must match, for every key up to past
 * the end, before and after slots are deleted. SKIP (77) without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpfvm/map.h>
#include <bpfvm/prog.h>
#include <bpfvm/test_run.h>

#include "kmap.h"
#include "kprog.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

#define INSN(c, d, s, o, i) ((struct bpf_insn){ c, d, s, o, i })
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LSH_IMM(d, i) INSN(BPF_ALU64 | BPF_LSH | BPF_K, d, 0, 0, i)
#define OR_REG(d, s) INSN(BPF_ALU64 | BPF_OR | BPF_X, d, s, 0, 0)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* lddw r1 = maps[0] (fd_array in the kernel, opts.maps in bpfvm) */
static size_t ld_map0(struct bpf_insn *p, size_t n)
{
	p[n] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_IDX, 0, 0);
	p[n + 1] = INSN(0, 0, 0, 0, 0);
	return n + 2;
}

static int failed, compared;

enum look { LOOK_NONE, LOOK_VALUE, LOOK_FOUND };

/* r0 = (redirect_map(map, rkey, flags) << 16) | looked-up part, where
 * the looked-up part is the value's ifindex (LOOK_VALUE), 1 / 0 (found,
 * LOOK_FOUND), 0xffff when the lookup found nothing, 0 (LOOK_NONE). */
static size_t build(struct bpf_insn *p, enum look look, uint32_t lkey,
		    uint32_t rkey, uint64_t flags)
{
	size_t n = 0;

	p[n++] = MOV_IMM(6, 0);
	if (look != LOOK_NONE) {
		p[n++] = ST_W(10, -4, (int32_t)lkey);
		n = ld_map0(p, n);
		p[n++] = MOV_REG(2, 10);
		p[n++] = ADD_IMM(2, -4);
		p[n++] = CALL(BPF_FUNC_map_lookup_elem);
		p[n++] = MOV_IMM(6, 0xffff);
		p[n++] = JEQ_IMM(0, 0, 1);
		p[n++] = look == LOOK_VALUE ? LDX_W(6, 0, 0) : MOV_IMM(6, 1);
	}
	n = ld_map0(p, n);
	p[n++] = MOV_IMM(2, (int32_t)rkey);
	p[n++] = MOV_IMM(3, (int32_t)flags);
	p[n++] = CALL(BPF_FUNC_redirect_map);
	p[n++] = LSH_IMM(0, 16);
	p[n++] = OR_REG(0, 6);
	p[n++] = EXIT();
	return n;
}

struct pair {
	const char *name;
	enum bpf_map_type type;
	int kfd;
	struct bpfvm_map *vm;
	enum look look;
};

static int vm_run(struct pair *m, const struct bpf_insn *p, size_t n,
		  uint32_t *ret)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o),
				     .prog_type = BPF_PROG_TYPE_XDP,
				     .maps = &m->vm, .map_cnt = 1 };
	uint8_t pkt[64] = { 0 }, out[256];
	struct bpfvm_test_run_opts t = { .sz = sizeof(t), .data_in = pkt,
					 .data_size_in = sizeof(pkt),
					 .data_out = out,
					 .data_size_out = sizeof(out) };
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_create(p, n, &o, &prog);

	if (!err)
		err = bpfvm_prog_test_run(prog, &t);
	bpfvm_prog_free(prog);
	*ret = t.retval;
	return err;
}

static int k_run(struct pair *m, const struct bpf_insn *p, size_t n,
		 uint32_t *ret)
{
	static char log[1 << 16];
	uint8_t pkt[64] = { 0 };
	int fd = kprog_load_xdp(p, n, &m->kfd, log, sizeof(log)), err;

	if (fd < 0) {
		fprintf(stderr, "kernel load: %d\n%s\n", fd, log);
		return fd;
	}
	err = kprog_test_run(fd, pkt, sizeof(pkt), ret);
	close(fd);
	return err;
}

static void compare(struct pair *m, uint32_t lkey, uint32_t rkey,
		    uint64_t flags)
{
	struct bpf_insn p[32];
	size_t n = build(p, m->look, lkey, rkey, flags);
	uint32_t kr = 0, vr = 0;
	int ke = k_run(m, p, n, &kr), ve = vm_run(m, p, n, &vr);

	compared++;
	if (ke == ve && kr == vr)
		return;
	failed++;
	fprintf(stderr, "%s lookup %u redirect %u flags 0x%llx: kernel %d "
		"ret 0x%x, bpfvm %d ret 0x%x\n", m->name, lkey, rkey,
		(unsigned long long)flags, ke, kr, ve, vr);
}

static void compare_all(struct pair *m, uint32_t max)
{
	static const uint64_t flags[] = {
		0, XDP_DROP, XDP_PASS, XDP_TX, 4, 0x10, 1ull << 31,
		BPF_F_BROADCAST, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS,
		BPF_F_EXCLUDE_INGRESS | XDP_PASS,
	};

	for (uint32_t k = 0; k <= max + 1; k++)
		for (unsigned f = 0; f < sizeof(flags) / sizeof(*flags); f++)
			compare(m, k, k, flags[f]);
	compare(m, 0, UINT32_MAX, XDP_PASS);
	compare(m, UINT32_MAX, 1u << 31, 0);
}

static bool open_pair(struct pair *m, uint32_t vs, uint32_t max)
{
	struct kmap_attr a = { .type = m->type, .key_size = 4,
			       .value_size = vs, .max_entries = max };

	m->kfd = kmap_create(&a);
	if (m->kfd < 0 ||
	    bpfvm_map_create(m->type, 4, vs, max, NULL, &m->vm)) {
		fprintf(stderr, "%s: cannot create (%d)\n", m->name, m->kfd);
		failed++;
		return false;
	}
	return true;
}

static void fill(struct pair *m, uint32_t key, const void *val)
{
	int ke = kmap_update(m->kfd, &key, val, 0);
	int ve = bpfvm_map_update(m->vm, &key, val, 0);

	if (ke || ve) {
		fprintf(stderr, "%s: update %u: kernel %d, bpfvm %d\n",
			m->name, key, ke, ve);
		failed++;
	}
}

static void drop(struct pair *m, uint32_t key)
{
	kmap_delete(m->kfd, &key);
	bpfvm_map_delete(m->vm, &key);
}

static void close_pair(struct pair *m)
{
	close(m->kfd);
	bpfvm_map_free(m->vm);
}

/* DEVMAP / DEVMAP_HASH: lo (ifindex 1) in some slots. */
static void dev_case(enum bpf_map_type t, uint32_t vs)
{
	struct pair m = { t == BPF_MAP_TYPE_DEVMAP ? "devmap" : "devmap_hash",
			  t, -1, NULL, LOOK_VALUE };
	uint32_t lo[2] = { 1, 0 };

	if (!open_pair(&m, vs, 4))
		return;
	compare_all(&m, 4);
	fill(&m, 0, lo);
	fill(&m, 2, lo);
	if (t == BPF_MAP_TYPE_DEVMAP_HASH)
		fill(&m, 1000, lo);
	compare_all(&m, 4);
	compare(&m, 1000, 1000, XDP_DROP);
	drop(&m, 0);
	compare_all(&m, 4);
	close_pair(&m);
}

static void cpu_case(void)
{
	struct pair m = { "cpumap", BPF_MAP_TYPE_CPUMAP, -1, NULL, LOOK_NONE };
	uint32_t q = 64;

	if (!open_pair(&m, 4, 4))
		return;
	compare_all(&m, 4);
	fill(&m, 1, &q);
	compare_all(&m, 4);
	drop(&m, 1);
	compare_all(&m, 4);
	close_pair(&m);
}

/* XSKMAP: an AF_XDP socket (its fd, the same number as a bpfvm socket
 * id); programs see whether a slot holds one. */
static void xsk_case(void)
{
	struct pair m = { "xskmap", BPF_MAP_TYPE_XSKMAP, -1, NULL, LOOK_FOUND };
	int sock = socket(AF_XDP, SOCK_RAW, 0);
	uint32_t v = (uint32_t)sock;

	if (sock < 0) {
		printf("NOTE: no AF_XDP socket: XSKMAP not compared\n");
		return;
	}
	if (open_pair(&m, 4, 4)) {
		compare_all(&m, 4);
		fill(&m, 3, &v);
		compare_all(&m, 4);
		drop(&m, 3);
		compare_all(&m, 4);
		close_pair(&m);
	}
	close(sock);
}

int main(void)
{
	char why[256];

	if (!kmap_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	dev_case(BPF_MAP_TYPE_DEVMAP, 4);
	dev_case(BPF_MAP_TYPE_DEVMAP, 8);
	dev_case(BPF_MAP_TYPE_DEVMAP_HASH, 4);
	dev_case(BPF_MAP_TYPE_DEVMAP_HASH, 8);
	cpu_case();
	xsk_case();
	printf("redirect programs: %d runs compared, %d differ\n", compared,
	       failed);
	return failed ? 1 : 0;
}
