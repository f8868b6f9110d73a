/* DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP against the kernel (mapdiff.h):
 * every create flag and attribute error path, random operations on
 * values the kernel accepts here (ifindex 1 = lo, or 0; queue sizes
 * around the limits; AF_XDP sockets whose fds double as bpfvm socket
 * ids), get_next_key compared in order (DEVMAP_HASH too), scripted edge
 * cases, and the map flags the kernel reports (BPF_F_RDONLY_PROG on
 * device maps).
 *
 * Not comparable, by design (bpfvm has no devices, sockets or programs
 * by fd): an ifindex with no device (kernel -EINVAL, bpfvm accepts it),
 * a file descriptor that is not an AF_XDP socket (kernel -ENOTSOCK /
 * -EOPNOTSUPP, bpfvm a socket id), bpf_prog.fd (a kernel fd vs a bpfvm
 * program id). Those are checked on each side for what it documents.
 * SKIP (77) without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpfvm/map.h>

#include "kmap.h"
#include "mapdiff.h"
#include "../unit/nr_cpus.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

#define OPTS(...) (&(struct mapdiff_opts){ .sz = sizeof(struct mapdiff_opts), \
					   __VA_ARGS__ })
#define DO(d, ...) mapdiff_do(d, &(struct mapdiff_op){ __VA_ARGS__ }, NULL)

#define IFINDEX_LO 1
#define IFINDEX_NONE 999999

static int failed;

#define EXPECT(cond)                                                        \
	do {                                                                \
		if (!(cond)) {                                              \
			failed++;                                           \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                     \
		}                                                           \
	} while (0)

static const enum bpf_map_type types[] = {
	BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP,
	BPF_MAP_TYPE_XSKMAP,
};

static struct mapdiff_spec base(enum bpf_map_type t, uint32_t value_size,
				uint32_t max_entries)
{
	struct mapdiff_spec s = { .name = "redirect", .type = t,
				  .key_size = 4, .value_size = value_size,
				  .max_entries = max_entries };
	return s;
}

/* Each create flag alone, NUMA nodes, key / value sizes, max_entries. */
static void create_paths(void)
{
	uint32_t ncpu = test_nr_cpus();

	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct mapdiff_spec b = base(types[t], 4, 4), s = b;

		for (int bit = 0; bit < 32; bit++) {
			s.map_flags = 1u << bit;
			mapdiff_create(&s);
		}
		s.map_flags = BPF_F_RDONLY | BPF_F_WRONLY;
		mapdiff_create(&s);
		s.map_flags = BPF_F_NUMA_NODE;
		s.numa_node = 0;
		mapdiff_create(&s);
		s.numa_node = 1000;
		mapdiff_create(&s);
		s.numa_node = UINT32_MAX;
		mapdiff_create(&s);
		s = b;
		s.map_extra = 1;
		mapdiff_create(&s);
		s = b;
		s.spin_lock = true;
		s.spin_lock_off = 0;
		mapdiff_create(&s);
		for (uint32_t k = 0; k < 10; k++) {
			s = b;
			s.key_size = k;
			mapdiff_create(&s);
		}
		for (uint32_t v = 0; v < 17; v++) {
			s = b;
			s.value_size = v;
			mapdiff_create(&s);
		}
		s = b;
		s.max_entries = 0;
		mapdiff_create(&s);
		s.max_entries = 1;
		mapdiff_create(&s);
		s.max_entries = 4096;
		mapdiff_create(&s);
	}
	/* DEVMAP_HASH: up to 2^31 buckets; CPUMAP: up to NR_CPUS */
	{
		struct mapdiff_spec s = base(BPF_MAP_TYPE_DEVMAP_HASH, 4, 0);

		s.max_entries = (1u << 31) + 1;
		mapdiff_create(&s);
		s.max_entries = UINT32_MAX;
		mapdiff_create(&s);
		s.value_size = 3; /* the size check comes first */
		mapdiff_create(&s);
	}
	/* the rule behind the device maps' spin-lock refusal (they are
	 * BPF_F_RDONLY_PROG): a lock in a map programs may only read or
	 * only write is -EACCES, for arrays too */
	for (int wr = 0; wr < 2; wr++) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_ARRAY, 8, 4);

		s.spin_lock = true;
		s.map_flags = wr ? BPF_F_WRONLY_PROG : BPF_F_RDONLY_PROG;
		mapdiff_create(&s);
	}
	if (ncpu) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_CPUMAP, 8, ncpu);

		mapdiff_create(&s);
		s.max_entries++;
		mapdiff_create(&s);
		s.max_entries = UINT32_MAX;
		mapdiff_create(&s);
		s.value_size = 12;
		mapdiff_create(&s);
	}
}

/* DEVMAP values: ifindex lo three times in four, else 0 (empties a
 * DEVMAP slot, refused by DEVMAP_HASH); bpf_prog.fd 0 or negative (no
 * program on either side). */
static void dev_value(uint32_t idx, void *value, uint32_t value_size,
		      void *ctx)
{
	uint32_t v[2] = { idx % 4 ? IFINDEX_LO : 0, -(idx % 3) };

	(void)ctx;
	memcpy(value, v, value_size);
}

/* CPUMAP values: queue sizes at and around the limits (0 deletes);
 * bpf_prog.fd 0 or negative. */
static void cpu_value(uint32_t idx, void *value, uint32_t value_size,
		      void *ctx)
{
	static const uint32_t qs[] = { 0, 1, 64, 16384, 16385, UINT32_MAX };
	uint32_t v[2] = { qs[idx % 6], -(idx % 2) };

	(void)ctx;
	memcpy(value, v, value_size);
}

/* XSKMAP values: one of the AF_XDP sockets (fd in the kernel, the same
 * number as a socket id in bpfvm). */
struct xsks {
	int fd[3];
};

static void xsk_value(uint32_t idx, void *value, uint32_t value_size,
		      void *ctx)
{
	const struct xsks *x = ctx;
	uint32_t v = (uint32_t)x->fd[idx % 3];

	memcpy(value, &v, value_size);
	(void)value_size;
}

static void random_runs(const struct xsks *x)
{
	for (uint32_t vs = 4; vs <= 8; vs += 4) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_DEVMAP, vs, 8);

		s.value_of = dev_value;
		mapdiff_run(&s, OPTS(.seed = vs, .ops = 3000, .freeze = true));
		s.type = BPF_MAP_TYPE_DEVMAP_HASH;
		mapdiff_run(&s, OPTS(.seed = vs + 1, .ops = 3000,
				     .freeze = true));
		s.max_entries = 3; /* 4 buckets, full often */
		mapdiff_run(&s, OPTS(.seed = vs + 2, .ops = 3000));
		s.max_entries = 64;
		mapdiff_run(&s, OPTS(.seed = vs + 3, .ops = 3000,
				     .key_space = 200));
		s = base(BPF_MAP_TYPE_CPUMAP, vs, 4);
		s.value_of = cpu_value;
		/* each entry starts a kthread in the kernel: fewer ops */
		mapdiff_run(&s, OPTS(.seed = vs + 4, .ops = 600,
				     .freeze = true));
	}
	if (x) {
		struct mapdiff_spec s = base(BPF_MAP_TYPE_XSKMAP, 4, 6);

		s.value_of = xsk_value;
		s.ctx = (void *)x;
		mapdiff_run(&s, OPTS(.seed = 9, .ops = 3000, .freeze = true));
	}
}

/* Redirect maps as inner maps of ARRAY_OF_MAPS / HASH_OF_MAPS (the
 * kernel takes them; XSKMAP inner maps must keep the template's
 * max_entries): the pool's misfits (value size, max_entries, type) must
 * be refused alike. */
static void inner_runs(void)
{
	static const enum bpf_map_type outer[] = {
		BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS,
	};
	const uint32_t inner_ops =
		MAPDIFF_BIT(MAPDIFF_LOOKUP) | MAPDIFF_BIT(MAPDIFF_UPDATE) |
		MAPDIFF_BIT(MAPDIFF_DELETE) | MAPDIFF_BIT(MAPDIFF_NEXT_KEY) |
		MAPDIFF_BIT(MAPDIFF_LOOKUP_AND_DELETE) |
		MAPDIFF_BIT(MAPDIFF_LOOKUP_BATCH) |
		MAPDIFF_BIT(MAPDIFF_UPDATE_BATCH) |
		MAPDIFF_BIT(MAPDIFF_DELETE_BATCH) |
		MAPDIFF_BIT(MAPDIFF_COMPARE_ALL);

	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (unsigned o = 0; o < 2; o++) {
			struct mapdiff_spec in = base(types[t], 4, 4);
			struct mapdiff_spec s = base(outer[o], 4, 4);

			s.name = "redirect_inner";
			s.inner = &in;
			/* not LOOKUP_AND_DELETE_BATCH: bpfvm's HASH_OF_MAPS
			 * lacks it (-ENOTSUPP, the kernel has it), which is
			 * no redirect map's business */
			mapdiff_run(&s, OPTS(.seed = t * 2 + o, .ops = 500,
					     .op_mask = inner_ops,
					     .compare = o ? MAPDIFF_CMP_UNORDERED
						      : MAPDIFF_CMP_EXACT));
		}
}

/* ---- scripted cases */

static void devmap_script(void)
{
	struct mapdiff_spec s = base(BPF_MAP_TYPE_DEVMAP, 8, 4);
	struct mapdiff *d;
	uint32_t k, v[2];
	int kfd;

	s.value_of = dev_value;
	if (mapdiff_open(&s, NULL, &d))
		return;
	/* value 1: lo; value 0: ifindex 0 (empties); 4: lo, fd -1 */
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 1, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 1, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 4, .value = 1, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 4, .value = 1, .flags = 3);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 2, .value = 1, .flags = BPF_F_LOCK);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 1);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 1, .flags = BPF_F_LOCK);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 0);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 1);
	DO(d, .kind = MAPDIFF_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_DELETE, .key = 4);
	DO(d, .kind = MAPDIFF_DELETE, .key = -1);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .count = 4);
	DO(d, .kind = MAPDIFF_UPDATE_BATCH, .key = 0, .value = 1, .count = 2);
	DO(d, .kind = MAPDIFF_DELETE_BATCH, .key = 0, .count = 2);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = -1);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 3);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 9);
	mapdiff_compare_all(d);
	/* ifindex 0 with a program fd: refused alike (-EINVAL) */
	kfd = mapdiff_kernel_fd(d);
	k = 2;
	v[0] = 0;
	v[1] = 5;
	EXPECT(kmap_update(kfd, &k, v, 0) == -EINVAL);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, v, 0) == -EINVAL);
	/* a device that does not exist: the kernel refuses it; bpfvm has
	 * no devices and takes any ifindex up to INT_MAX */
	v[0] = IFINDEX_NONE;
	v[1] = 0;
	EXPECT(kmap_update(kfd, &k, v, 0) == -EINVAL);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, v, 0) == 0);
	v[0] = 0x80000000u; /* no device either side */
	EXPECT(kmap_update(kfd, &k, v, 0) == -EINVAL);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, v, 0) == -EINVAL);
	/* a program fd that is no XDP devmap program: -EINVAL both (here
	 * fd 0x7ffffff0 is no fd, and no bpfvm program has that id) */
	v[0] = IFINDEX_LO;
	v[1] = 0x7ffffff0;
	EXPECT(kmap_update(kfd, &k, v, 0) == -EINVAL);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, v, 0) == -EINVAL);
	mapdiff_close(d);
}

static void devmap_hash_script(void)
{
	struct mapdiff_spec s = base(BPF_MAP_TYPE_DEVMAP_HASH, 8, 3);
	struct mapdiff *d;
	uint32_t k, v[2] = { IFINDEX_NONE, 0 };

	s.value_of = dev_value;
	if (mapdiff_open(&s, NULL, &d))
		return;
	DO(d, .kind = MAPDIFF_UPDATE, .key = 6, .value = 1, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 6, .value = 2, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 0);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 1, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 2, .value = 1, .flags = 3);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 2, .value = 1);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 10, .value = 1);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 6, .value = 3);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = -1);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 1);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 2);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 6);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 7);
	DO(d, .kind = MAPDIFF_DELETE, .key = 6);
	DO(d, .kind = MAPDIFF_DELETE, .key = 6);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 10, .value = 1);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 2);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .count = 4);
	mapdiff_compare_all(d);
	k = 1;
	EXPECT(kmap_update(mapdiff_kernel_fd(d), &k, v, 0) == -EINVAL);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, v, 0) == 0);
	mapdiff_close(d);
}

static void cpumap_script(void)
{
	struct mapdiff_spec s = base(BPF_MAP_TYPE_CPUMAP, 8, 4);
	struct mapdiff *d;

	s.value_of = cpu_value;
	if (mapdiff_open(&s, NULL, &d))
		return;
	/* values: 0 qsize 0, 1 qsize 1, 3 16384, 4 16385, 5 UINT32_MAX */
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 3, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 3, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 4);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 3, .value = 4);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 3, .value = 1);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 3, .value = 0);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 4, .value = 1, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 5, .flags = 3);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 0);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 0);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 0);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 1);
	DO(d, .kind = MAPDIFF_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_DELETE, .key = 4);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 3);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .key = 0);
	mapdiff_compare_all(d);
	mapdiff_close(d);
}

static void xskmap_script(const struct xsks *x)
{
	struct mapdiff_spec s = base(BPF_MAP_TYPE_XSKMAP, 4, 4);
	struct mapdiff *d;
	uint32_t k = 0, v;
	int sock;

	s.value_of = xsk_value;
	s.ctx = (void *)x;
	if (mapdiff_open(&s, NULL, &d))
		return;
	/* value i: socket i % 3 */
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 0);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 0, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 0, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 0, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 1, .flags = BPF_NOEXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 1, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 1, .value = 1, .flags = BPF_ANY);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 4, .value = 1);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 2, .value = 1, .flags = 3);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 0);
	DO(d, .kind = MAPDIFF_LOOKUP, .key = 9);
	DO(d, .kind = MAPDIFF_DELETE, .key = 0);
	DO(d, .kind = MAPDIFF_DELETE, .key = 0);
	DO(d, .kind = MAPDIFF_DELETE, .key = 4);
	DO(d, .kind = MAPDIFF_UPDATE, .key = 0, .value = 2, .flags = BPF_EXIST);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = -1);
	DO(d, .kind = MAPDIFF_NEXT_KEY, .key = 3);
	DO(d, .kind = MAPDIFF_LOOKUP_AND_DELETE, .key = 1);
	DO(d, .kind = MAPDIFF_LOOKUP_BATCH, .count = 4);
	/* not a socket: the kernel refuses, bpfvm takes a socket id */
	v = (uint32_t)mapdiff_kernel_fd(d);
	EXPECT(kmap_update(mapdiff_kernel_fd(d), &k, &v, 0) == -ENOTSOCK);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, &v, 0) == 0);
	/* another kind of socket */
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock >= 0) {
		v = (uint32_t)sock;
		EXPECT(kmap_update(mapdiff_kernel_fd(d), &k, &v, 0) ==
		       -EOPNOTSUPP);
		close(sock);
	}
	/* no fd at all: -EBADF on both sides */
	v = 0x7ffffff0;
	EXPECT(kmap_update(mapdiff_kernel_fd(d), &k, &v, 0) == -EBADF);
	v = 0x80000000u;
	EXPECT(kmap_update(mapdiff_kernel_fd(d), &k, &v, 0) == -EBADF);
	EXPECT(bpfvm_map_update(mapdiff_bpfvm(d), &k, &v, 0) == -EBADF);
	mapdiff_close(d);
}

/* The flags the kernel reports for the map (BPF_OBJ_GET_INFO_BY_FD).
 * BPF_F_RDONLY / BPF_F_WRONLY are properties of the kernel's fd, not of
 * the map (the kernel drops them from map_flags); bpfvm has no fds and
 * keeps them in the map's flags, so they are left out of the
 * comparison. */
static int kmap_flags(int fd, uint32_t *flags)
{
	struct bpf_map_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
		return -errno;
	*flags = info.map_flags;
	return 0;
}

static void reported_flags(void)
{
	static const uint32_t flags[] = { 0, BPF_F_RDONLY, BPF_F_WRONLY,
					  BPF_F_NUMA_NODE };

	for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (unsigned f = 0; f < 4; f++) {
			struct mapdiff_spec s = base(types[t], 4, 2);
			struct mapdiff *d;
			uint32_t kf = 0, vf;

			s.map_flags = flags[f];
			if (mapdiff_open(&s, NULL, &d))
				continue;
			EXPECT(kmap_flags(mapdiff_kernel_fd(d), &kf) == 0);
			vf = bpfvm_map_flags(mapdiff_bpfvm(d)) &
			     ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY);
			if (kf != vf) {
				failed++;
				fprintf(stderr, "type %d flags 0x%x: kernel "
					"reports 0x%x, bpfvm 0x%x\n", types[t],
					flags[f], kf, vf);
			}
			mapdiff_close(d);
		}
}

/* Three AF_XDP sockets (unbound: the kernel's XSKMAP takes any). */
static bool open_xsks(struct xsks *x)
{
	for (int i = 0; i < 3; i++) {
		x->fd[i] = socket(AF_XDP, SOCK_RAW, 0);
		if (x->fd[i] < 0) {
			printf("NOTE: no AF_XDP socket (%s): XSKMAP values "
			       "not compared\n", strerror(errno));
			while (i--)
				close(x->fd[i]);
			return false;
		}
	}
	return true;
}

int main(void)
{
	struct xsks x;
	bool have_xsk;

	mapdiff_require_kernel();
	have_xsk = open_xsks(&x);
	create_paths();
	reported_flags();
	devmap_script();
	devmap_hash_script();
	cpumap_script();
	if (have_xsk)
		xskmap_script(&x);
	random_runs(have_xsk ? &x : NULL);
	inner_runs();
	if (have_xsk)
		for (int i = 0; i < 3; i++)
			close(x.fd[i]);
	if (failed)
		printf("redirect: %d direct checks failed\n", failed);
	return mapdiff_report() || failed;
}
