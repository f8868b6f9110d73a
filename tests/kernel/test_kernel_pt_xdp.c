/* XDP against the kernel: the pt_xdp_* test objects loaded into the
 * kernel with libbpf and into bpfvm, each program run with
 * BPF_PROG_TEST_RUN in the kernel and bpfvm_prog_test_run on the same
 * input (interpreter, JIT, both checked): the error code, the
 * return value, data_out's size and bytes and ctx_out must agree. Input:
 * the standard packet set (pktgen.h) plus frames carrying the helpers'
 * arguments (adjust deltas, byte offsets, redirect targets and flags),
 * ctx_in variants (metadata lengths, ingress device and queue, fields
 * that must be zero), short data_out buffers and repeated runs. The
 * first mismatch of each program prints both sides. Multi-buffer
 * frames too: longer than a page minus head- and tailroom, or with
 * ctx_in's data_end short of data_in (ctx_out alone: 0). Not compared:
 * ctx_in devices other than lo's queue 0 (the kernel needs a real
 * device and queue, bpfvm takes any). Also what programs may do: every
 * ctx access of every size (load, sign-extending load, store) and every
 * helper id, the kernel's verifier against bpfvm's rules. SKIP (77)
 * without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfvm/bpfvm.h>

#include "pktgen.h"
#include "ptdiff.h"
#include "isa/isa.h"
#include "progtypes/progtype.h"

#define MAX_FRAME 3520u	/* 4096 - 256 headroom - 320 tailroom */
/* and 17 fragments of a page (MAX_SKB_FRAGS) */
#define MAX_BUF PTD_DATA_MAX

/* --- inputs --- */

static struct pkt_set std_set;

static void each_std(struct ptd_side *s, uint32_t repeat)
{
	for (size_t i = 0; i < std_set.cnt; i++) {
		struct ptd_input in = { std_set.data[i],
					(uint32_t)std_set.len[i], NULL, 0, 0,
					4096, repeat, std_set.name[i] };

		ptd_compare(s, &in);
	}
}

/* A frame of len bytes (a pattern) with args at byte 14. */
static uint32_t frame(uint8_t *buf, uint32_t len, const void *args,
		      size_t args_len)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memcpy(buf + 14, args, args_len);
	return len;
}

static void ctx_variants(struct ptd_side *s)
{
	static uint8_t buf[MAX_BUF];
	static const uint32_t metas[] = { 0, 4, 8, 32, 36, 64, 252, 256, 3 };
	uint32_t len = frame(buf, 100, "", 0);
	struct xdp_md md;
	struct ptd_input in = { buf, len, &md, sizeof(md), 1, 4096, 1, "" };
	char what[96];

	in.what = what;
	for (size_t i = 0; i < sizeof(metas) / sizeof(metas[0]); i++) {
		md = (struct xdp_md){ .data = metas[i], .data_end = len };
		snprintf(what, sizeof(what), "ctx_in data %u", metas[i]);
		ptd_compare(s, &in);
	}
	md = (struct xdp_md){ .data = 8, .data_end = len,
			      .ingress_ifindex = 1 };
	snprintf(what, sizeof(what), "ctx_in ingress 1 queue 0");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data_end = len, .rx_queue_index = 1 };
	snprintf(what, sizeof(what), "ctx_in queue without device");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data_end = len, .egress_ifindex = 1 };
	snprintf(what, sizeof(what), "ctx_in egress_ifindex 1");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data_end = len, .data_meta = 4 };
	snprintf(what, sizeof(what), "ctx_in data_meta 4");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data_end = len + 1 };
	snprintf(what, sizeof(what), "ctx_in data_end past data_in");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data_end = len - 1 };
	snprintf(what, sizeof(what), "ctx_in data_end short by 1");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data = 8, .data_end = 20 };
	snprintf(what, sizeof(what), "ctx_in linear 20 of 100");
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data = len + 4, .data_end = len };
	snprintf(what, sizeof(what), "ctx_in data past data_end");
	ptd_compare(s, &in);
	for (uint32_t n = 16; n <= 32; n++) {
		md = (struct xdp_md){ .data = 16, .data_end = n };
		in.len = n;
		snprintf(what, sizeof(what), "ctx_in 16 meta of %u bytes", n);
		ptd_compare(s, &in);
	}
	{
		/* a ctx_in longer than struct xdp_md: zero tail or not */
		uint8_t big[32] = { 0 };

		md = (struct xdp_md){ .data_end = len };
		memcpy(big, &md, sizeof(md));
		in = (struct ptd_input){ buf, len, big, sizeof(big), 1, 4096,
					 1, "ctx_in 32 bytes, zero tail" };
		ptd_compare(s, &in);
		big[30] = 1;
		in.what = "ctx_in 32 bytes, nonzero tail";
		ptd_compare(s, &in);
		in = (struct ptd_input){ buf, len, &md, 8, 1, 4096, 1,
					 "ctx_in 8 bytes" };
		md = (struct xdp_md){ .data = 4, .data_end = len };
		ptd_compare(s, &in);
	}
	in = (struct ptd_input){ buf, len, NULL, 0, 1, 4096, 1,
				 "ctx_out without ctx_in" };
	ptd_compare(s, &in);
	/* sizes: around the frame's limit, runts, multi-buffer frames up
	 * to and past 17 fragments */
	static const uint32_t sizes[] = { 0, 13, 14, 15, MAX_FRAME - 1,
					  MAX_FRAME, MAX_FRAME + 1, 4000, 9000,
					  MAX_FRAME + 17 * 4096,
					  MAX_FRAME + 17 * 4096 + 1 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		in = (struct ptd_input){ buf, frame(buf, sizes[i], "", 0),
					 NULL, 0, 0, MAX_BUF, 1, what };
		snprintf(what, sizeof(what), "%u-byte frame", sizes[i]);
		ptd_compare(s, &in);
	}
	in = (struct ptd_input){ buf, frame(buf, 200, "", 0), NULL, 0, 0, 50, 1,
				 "data_out of 50 bytes" };
	ptd_compare(s, &in);
	md = (struct xdp_md){ .data = 8, .data_end = 200 };
	in = (struct ptd_input){ buf, 200, &md, sizeof(md), 1, 50, 1,
				 "data_out of 50 bytes with ctx_out" };
	ptd_compare(s, &in);
	/* a cut data_out of a multi-buffer frame: fragments first */
	static const uint32_t caps[] = { 3800, 3520, 480, 479, 400, 4000 };
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		in = (struct ptd_input){ buf, frame(buf, 4000, "", 0), NULL,
					 0, 0, caps[i], 1, what };
		snprintf(what, sizeof(what), "data_out of %u bytes", caps[i]);
		ptd_compare(s, &in);
	}
}

static void adjust_inputs(struct ptd_side *s)
{
	static const int32_t metas[] = { 0, -4, -8, -32, -36, -3, 4, -216,
					 -220, -252, -256 };
	static const int32_t heads[] = { 0, -1, -14, -100, -216, -217, -256,
					 1, 14, 1000, -100000, 0x7fffffff };
	static const int32_t tails[] = { 0, 1, -1, 100, -100, 3000, 3520,
					 -1000, (int32_t)0x80000000 };
	static const uint32_t lens[] = { 26, 64, 200, 1500, 3400, 5000,
					 9000 };
	static uint8_t buf[MAX_BUF];
	char what[96];

	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (size_t m = 0; m < sizeof(metas) / sizeof(metas[0]); m++)
			for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]);
			     h++)
				for (size_t t = 0;
				     t < sizeof(tails) / sizeof(tails[0]);
				     t += (m + h) % 3 + 1) {
					int32_t a[3] = { metas[m], heads[h],
							 tails[t] };
					struct ptd_input in = {
						buf,
						frame(buf, lens[l], a,
						      sizeof(a)),
						NULL, 0, 0, MAX_BUF, 1, what
					};

					snprintf(what, sizeof(what),
						 "meta %d head %d tail %d",
						 a[0], a[1], a[2]);
					ptd_compare(s, &in);
				}
	/* multi-buffer tails: the last fragment's page, whole fragments,
	 * into the linear part, the 14 bytes kept in all */
	for (uint32_t len = 5000; len <= 9000; len += 4000) {
		int32_t last = (int32_t)((len - MAX_FRAME) % 4096);
		int32_t room = 4096 - last, total = (int32_t)len;
		const int32_t t[] = { room - 1, room, room + 1, -last,
				      -last - 1, -last + 1, -total + 14,
				      -total + 13, -total + 100, -4096 - last };

		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			int32_t a[3] = { -8, 0, t[i] };
			struct ptd_input in = { buf,
						frame(buf, len, a, sizeof(a)),
						NULL, 0, 0, MAX_BUF, 1, what };

			snprintf(what, sizeof(what), "%u bytes: tail %d", len,
				 t[i]);
			ptd_compare(s, &in);
			in.repeat = 3;
			ptd_compare(s, &in);
		}
	}
	/* repeated runs see the frame the previous run left */
	for (size_t h = 0; h < 6; h++) {
		int32_t a[3] = { -4, heads[h], h % 2 ? 10 : -10 };
		struct xdp_md md = { .data = 4, .data_end = 104 };
		struct ptd_input in = { buf, frame(buf, 100, a, sizeof(a)),
					NULL, 0, 0, 4096, 5, what };

		snprintf(what, sizeof(what), "repeat 5: head %d", a[1]);
		ptd_compare(s, &in);
		in.ctx_in = &md;
		in.ctx_size_in = sizeof(md);
		in.len = 104;
		frame(buf, 104, a, sizeof(a));
		memmove(buf + 4, buf, 100);
		in.ctx_out = 1;
		ptd_compare(s, &in);
	}
}

static void meta_head_inputs(struct ptd_side *s)
{
	static const int32_t heads[] = { 0, -8, 8, -200, -209, -208, 50 };
	static uint8_t buf[256];
	char what[64];

	for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		struct ptd_input in = { buf, frame(buf, 120, &heads[h], 4),
					NULL, 0, 0, 4096, 1, what };

		snprintf(what, sizeof(what), "head %d", heads[h]);
		ptd_compare(s, &in);
	}
}

static void bytes_inputs(struct ptd_side *s, uint32_t len)
{
	/* around the end of a 100-byte frame, of the linear part and of a
	 * 9000-byte one's first fragment */
	static const uint16_t offs[] = { 0, 1, 14, 50, 60, 95, 96, 99, 100,
					 136, 1000, 3456, 3500, 3516, 3519,
					 3520, 7560, 7616, 8936, 8990, 0xffff };
	static const uint32_t fars[] = { 0, 99, 100, 3519, 8999, 0xffff,
					 0x10000, 0xffffffff };
	static uint8_t buf[MAX_BUF];
	char what[96];

	for (size_t a = 0; a < sizeof(offs) / sizeof(offs[0]); a++)
		for (size_t b = 0; b < sizeof(offs) / sizeof(offs[0]); b += 2)
			for (size_t f = 0; f < sizeof(fars) / sizeof(fars[0]);
			     f += 1 + (a + b) % 3) {
				uint8_t arg[8] = { (uint8_t)(offs[a] >> 8),
						   (uint8_t)offs[a],
						   (uint8_t)(offs[b] >> 8),
						   (uint8_t)offs[b] };
				struct ptd_input in = { buf, 0, NULL, 0, 0,
							MAX_BUF, 1, what };

				memcpy(arg + 4, &fars[f], 4);
				in.len = frame(buf, len, arg, sizeof(arg));
				snprintf(what, sizeof(what),
					 "src %u dst %u far %u", offs[a],
					 offs[b], fars[f]);
				ptd_compare(s, &in);
			}
}

static void redirect_inputs(struct ptd_side *s, int map)
{
	static const uint32_t keys[] = { 0, 1, 2, 3, 5, 100 };
	static const uint64_t flags[] = { 0, 1, 2, 3, 4, BPF_F_BROADCAST,
					  BPF_F_BROADCAST |
						  BPF_F_EXCLUDE_INGRESS,
					  BPF_F_BROADCAST | 2, 0x20,
					  1ull << 40 };
	static uint8_t buf[64];
	char what[96];

	for (int which = 0; which < (map ? 4 : 1); which++)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]);
			     f++) {
				uint8_t arg[13] = { (uint8_t)which };
				struct ptd_input in = { buf, 0, NULL, 0, 0,
							4096, 1, what };

				if (map) {
					memcpy(arg + 1, &keys[k], 4);
					memcpy(arg + 5, &flags[f], 8);
				} else {
					memcpy(arg, &keys[k], 4);
					memcpy(arg + 4, &flags[f], 8);
				}
				in.len = frame(buf, 60, arg, sizeof(arg));
				snprintf(what, sizeof(what),
					 "map %d key %u flags 0x%llx", which,
					 keys[k], (unsigned long long)flags[f]);
				ptd_compare(s, &in);
			}
}

static void event_inputs(struct ptd_side *s)
{
	static const uint64_t flags[] = {
		0, 1, 2, BPF_F_CURRENT_CPU, (20ull << 32) | BPF_F_CURRENT_CPU,
		60ull << 32, 61ull << 32, 1ull << 52, 1ull << 63,
		0xfffffull << 32,
	};
	static uint8_t buf[64];
	char what[64];

	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		struct ptd_input in = { buf, frame(buf, 60, &flags[f], 8),
					NULL, 0, 0, 4096, 1, what };

		snprintf(what, sizeof(what), "flags 0x%llx",
			 (unsigned long long)flags[f]);
		ptd_compare(s, &in);
	}
}

/* --- what programs may do: ctx accesses and helpers --- */

#define INSN(c, d, s_, o, i)                                                \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s_),    \
			    .off = (o), .imm = (i) })

/* Does the kernel load the program? Its log in log. */
static int kernel_loads(const struct bpf_insn *insns, size_t cnt, char *log,
			size_t log_size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log,
		    .log_size = (uint32_t)log_size, .log_level = 1);
	int fd;

	log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, cnt, &o);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static int vm_loads(const struct bpf_insn *insns, size_t cnt, char *log,
		    size_t log_size)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o),
				     .prog_type = BPF_PROG_TYPE_XDP,
				     .log_buf = log, .log_size = log_size };
	struct bpfvm_prog *p = NULL;
	int err;

	log[0] = '\0';
	err = bpfvm_prog_create(insns, cnt, &o, &p);
	bpfvm_prog_free(p);
	return !err;
}

/* Every load, sign-extending load and store of 1, 2, 4 and 8 bytes at
 * offsets 0..27 of struct xdp_md: accepted or refused by both. */
static void access_rules(void)
{
	static const int sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	static char klog[65536], vlog[512];

	for (int off = 0; off < 28; off++)
		for (int sz = 0; sz < 4; sz++)
			for (int mode = 0; mode < 3; mode++) {
				struct bpf_insn insns[3] = {
					mode == 0 ? INSN(BPF_LDX | BPF_MEM |
							 sizes[sz], 0, 1, off, 0)
					: mode == 1 ? INSN(BPF_LDX | 0x80 |
							   sizes[sz], 0, 1, off,
							   0)
						    : INSN(BPF_ST | BPF_MEM |
							   sizes[sz], 1, 0, off,
							   0),
					INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0,
					     0, XDP_PASS),
					INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
				};
				int k, v;

				if (mode == 1 && sizes[sz] == BPF_DW)
					continue; /* no such instruction */
				k = kernel_loads(insns, 3, klog, sizeof(klog));
				v = vm_loads(insns, 3, vlog, sizeof(vlog));
				ptd_compared++;
				if (k != v) {
					ptd_failed++;
					fprintf(stderr, "FAIL access %s size %d "
						"off %d: kernel %s, bpfvm %s "
						"(%s)\n",
						mode == 0   ? "load"
						: mode == 1 ? "ldsx"
							    : "store",
						1 << (sizes[sz] >> 3), off,
						k ? "loads" : "refuses",
						v ? "loads" : "refuses", vlog);
				}
			}
}

/* Every helper id: the kernel says "cannot use helper" exactly when
 * the type's helper_ok refuses it. */
static void helper_rules(void)
{
	static char klog[65536];
	int mism = 0;

	for (uint32_t id = 1; id < __BPF_FUNC_MAX_ID; id++) {
		struct bpf_insn insns[] = {
			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)id),
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		int k, v = pt_xdp_ops.helper_ok(id);

		kernel_loads(insns, 3, klog, sizeof(klog));
		k = !strstr(klog, "cannot use helper") &&
		    !strstr(klog, "unknown func") &&
		    !strstr(klog, "invalid func");
		ptd_compared++;
		if (k != v) {
			ptd_failed++;
			fprintf(stderr, "%s helper %s#%u: the kernel %s it, "
				"bpfvm's xdp %s it\n", mism++ ? "    " : "FAIL",
				isa_linux_helper_name(id), id,
				k ? "allows" : "refuses",
				v ? "allows" : "refuses");
		}
	}
}

/* --- objects --- */

/* The same entries in the kernel's and bpfvm's redirect maps: DEVMAP
 * slots 0 and 1, DEVMAP_HASH key 5 -> lo (the kernel needs a real
 * device); CPUMAP slot 0 with a queue of 64; XSKMAP empty (its slots
 * take AF_XDP sockets). */
static int fill_maps(struct ptd_objs *o)
{
	static const struct {
		const char *map;
		uint32_t key, val;
	} e[] = { { "devs", 0, 1 }, { "devs", 1, 1 }, { "devs_hash", 5, 1 },
		  { "cpus", 0, 64 } };

	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		struct bpf_map *km = bpf_object__find_map_by_name(o->k,
								  e[i].map);
		struct bpfvm_obj_map *vm = bpfvm_object_find_map(o->v,
								 e[i].map);
		int err;

		if (!km || !vm)
			return -ENOENT;
		err = bpf_map_update_elem(bpf_map__fd(km), &e[i].key,
					  &e[i].val, 0);
		if (err) {
			fprintf(stderr, "kernel %s update: %s\n", e[i].map,
				strerror(errno));
			return err;
		}
		err = bpfvm_map_update(bpfvm_obj_map_map(vm), &e[i].key,
				       &e[i].val, 0);
		if (err) {
			fprintf(stderr, "bpfvm %s update: %s\n", e[i].map,
				strerror(-err));
			return err;
		}
	}
	return 0;
}

static int run_obj(const char *name, int (*body)(struct ptd_objs *))
{
	struct ptd_objs o = { 0 };
	int rc = ptd_open_both(BPFVM_OBJ_DIR, name, &o);

	if (!rc)
		rc = body(&o);
	ptd_close_both(&o);
	return rc;
}

static int ctx_body(struct ptd_objs *o)
{
	static const char *const progs[] = { "xdp_fields", "xdp_ifindex",
					     "xdp_parse" };
	struct ptd_side s;

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (ptd_side_find(o, progs[i], &s))
			continue;
		each_std(&s, 1);
		ctx_variants(&s);
	}
	if (!ptd_side_find(o, "xdp_parse", &s))
		each_std(&s, 3);
	if (!ptd_side_find(o, "xdp_devmap_prog", &s))
		each_std(&s, 1);
	if (!ptd_side_find(o, "xdp_event", &s))
		event_inputs(&s);
	return 0;
}

static int adjust_body(struct ptd_objs *o)
{
	struct ptd_side s;

	if (!ptd_side_find(o, "xdp_adjust", &s)) {
		adjust_inputs(&s);
		ctx_variants(&s);
		each_std(&s, 1);
	}
	if (!ptd_side_find(o, "xdp_meta_head", &s))
		meta_head_inputs(&s);
	if (!ptd_side_find(o, "xdp_bytes", &s)) {
		bytes_inputs(&s, 100);
		bytes_inputs(&s, 9000);
		each_std(&s, 1);
	}
	return 0;
}

static int redirect_body(struct ptd_objs *o)
{
	struct ptd_side s;

	if (fill_maps(o)) {
		fprintf(stderr, "FAIL: cannot fill the redirect maps\n");
		return 1;
	}
	if (!ptd_side_find(o, "xdp_redirect_dev", &s))
		redirect_inputs(&s, 0);
	if (!ptd_side_find(o, "xdp_redirect_map", &s))
		redirect_inputs(&s, 1);
	if (!ptd_side_find(o, "tc_redirect_dev", &s))
		redirect_inputs(&s, 0);
	return 0;
}

static int kernel_usable(void)
{
	struct bpf_insn ret[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	char log[256];

	return kernel_loads(ret, 2, log, sizeof(log));
}

int main(void)
{
	int rc;

	libbpf_set_print(NULL);
	ptd_init(sizeof(struct xdp_md), 4);
	if (!kernel_usable()) {
		printf("SKIP: the kernel does not load BPF here\n");
		return 77;
	}
	access_rules();
	helper_rules();
	if (pkt_set_standard(&std_set, 42, 300)) {
		fprintf(stderr, "FAIL: packet set\n");
		return 1;
	}
	rc = run_obj("pt_xdp_ctx", ctx_body);
	if (!rc)
		rc = run_obj("pt_xdp_adjust", adjust_body);
	if (!rc)
		rc = run_obj("pt_xdp_redirect", redirect_body);
	pkt_set_free(&std_set);
	if (rc == 77)
		return 77;
	printf("%d comparisons, %d failed\n", ptd_compared, ptd_failed);
	return rc || ptd_failed ? 1 : 0;
}
