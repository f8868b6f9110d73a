/* Every packet example of examples/ (firewall, load balancer, socket
 * filter, tc rewrite, globals + bpf_loop) loaded into the kernel with
 * libbpf and into bpfvm (both engines, an object each), the same map
 * contents written on every side, then run packet by packet on
 * tests/lib's standard set plus frames that reach each example's
 * interesting paths: BPF_PROG_TEST_RUN against bpfvm_prog_test_run must
 * agree on the error or the return value, the output frame (size and
 * bytes) and, for tc, the __sk_buff fields the program writes. Afterwards
 * the counter maps (per-CPU values summed over CPUs) and global data
 * must be identical, and the firewall's ring buffer must have delivered
 * the same events in the same order. Each example runs with its default
 * .rodata configuration and again with one set before load (the same
 * bytes on every side). The first mismatch of each run is printed with
 * the packet's name and a hex dump. The tracepoint hello world, which
 * has no test run, must load on both sides. SKIP (77) without bpf(). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfvm/bpfvm.h>

#include "kmap.h"
#include "pktgen.h"
#include "ptdiff.h"

#define FRAME_MAX 4096
#define N_RANDOM 300
#define MAX_EVENTS 4096

struct sides {
	struct bpf_object *k;
	struct bpfvm_object *v[2];	/* interpreter, JIT */
};

struct example {
	const char *obj, *prog;
	const char *variant;	/* "" or what config changes */
	int (*config)(struct sides *s);	/* .rodata, before load */
	int (*fill)(struct sides *s);	/* maps, after load */
	const char *maps[3];	/* compared after the run */
	const char *ring;	/* events compared, or NULL */
	bool skb_ctx;		/* compare __sk_buff out */
};

static const enum bpfvm_engine engines[2] = { BPFVM_ENGINE_INTERP,
					      BPFVM_ENGINE_JIT };
static const char *const engine_names[2] = { "interp", "jit" };
static int failures, compared;

/* ---- maps on every side ---- */

/* libbpf calls global data maps "<obj>.bss"; match ".bss" as a suffix
 * (bpfvm's names may differ the same way). */
static bool map_name_is(const char *have, const char *want)
{
	size_t h = strlen(have), w = strlen(want);

	if (want[0] == '.')
		return h >= w && strcmp(have + h - w, want) == 0;
	return strcmp(have, want) == 0;
}

static struct bpf_map *kmap_of(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		if (map_name_is(bpf_map__name(m), name))
			return m;
	return NULL;
}

static struct bpfvm_map *vmap_of(struct bpfvm_object *obj, const char *name)
{
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++) {
		struct bpfvm_obj_map *m = bpfvm_object_map(obj, i);

		if (map_name_is(bpfvm_obj_map_name(m), name))
			return bpfvm_obj_map_map(m);
	}
	return NULL;
}

/* The same update everywhere; the number of sides that failed. */
static int update_all(struct sides *s, const char *map, const void *key,
		      const void *value)
{
	struct bpf_map *km = kmap_of(s->k, map);
	int bad = 0;

	if (!km || bpf_map_update_elem(bpf_map__fd(km), key, value, 0)) {
		fprintf(stderr, "kernel: update of %s failed: %s\n", map,
			strerror(errno));
		bad++;
	}
	for (int e = 0; e < 2; e++) {
		struct bpfvm_map *vm = vmap_of(s->v[e], map);
		int err = vm ? bpfvm_map_update(vm, key, value, 0) : -ENOENT;

		if (err) {
			fprintf(stderr, "bpfvm: update of %s failed: %s\n",
				map, strerror(-err));
			bad++;
		}
	}
	return bad;
}

/* Write `size` bytes of .rodata variable `var` on every side before load:
 * bpfvm finds it by name; the kernel's .rodata image is the same bytes
 * (the same ELF section), so the variable sits at the same offset. */
static int set_rodata(struct sides *s, const char *var, const void *val,
		      size_t size)
{
	struct bpf_map *km = kmap_of(s->k, ".rodata");
	size_t ksz = 0, off = SIZE_MAX;
	uint8_t *img;
	int bad = 0;

	for (int e = 0; e < 2; e++) {
		size_t sz = 0, rsz = 0;
		uint8_t *p = bpfvm_object_global(s->v[e], var, &sz);

		for (size_t i = 0; p && i < bpfvm_object_map_cnt(s->v[e]); i++) {
			struct bpfvm_obj_map *m = bpfvm_object_map(s->v[e], i);
			uint8_t *base = bpfvm_obj_map_initial_value(m, &rsz);

			if (bpfvm_obj_map_kind(m) == BPFVM_OBJ_MAP_RODATA &&
			    base && p >= base && p + size <= base + rsz)
				off = (size_t)(p - base);
		}
		if (!p || sz != size || off == SIZE_MAX) {
			fprintf(stderr, "bpfvm: no .rodata variable %s\n", var);
			return 1;
		}
		memcpy(p, val, size);
	}
	img = km ? malloc(bpf_map__value_size(km)) : NULL;
	if (img)
		memcpy(img, bpf_map__initial_value(km, &ksz),
		       bpf_map__value_size(km));
	if (!img || off + size > ksz) {
		fprintf(stderr, "kernel: no .rodata room for %s\n", var);
		bad++;
	} else {
		memcpy(img + off, val, size);
		bad += bpf_map__set_initial_value(km, img, ksz) != 0;
	}
	free(img);
	return bad;
}

/* Malformed frames passed instead of dropped. */
static int config_firewall(struct sides *s)
{
	uint8_t off = 0;

	return set_rodata(s, "drop_malformed", &off, 1);
}

/* Only 10.0.0.100 port 80 balanced, over 5 backends. */
static int config_lb(struct sides *s)
{
	static const uint8_t vip[4] = { 10, 0, 0, 100 };
	uint16_t port = 80;
	uint32_t n = 5;

	return set_rodata(s, "vip", vip, 4) +
	       set_rodata(s, "vip_port", &port, 2) +
	       set_rodata(s, "n_backends", &n, 4);
}

/* NAT 80 -> 8080 (most TCP frames of the set go to port 80); DSCP AF41
 * (34). */
static int config_tc(struct sides *s)
{
	uint16_t from = 80, to = 8080;
	uint8_t dscp = 34;

	return set_rodata(s, "nat_from", &from, 2) +
	       set_rodata(s, "nat_to", &to, 2) +
	       set_rodata(s, "udp_dscp", &dscp, 1);
}

/* Hash 40 bytes, drop bucket 3. */
static int config_globals(struct sides *s)
{
	uint32_t max = 40, bucket = 3;

	return set_rodata(s, "max_bytes", &max, 4) +
	       set_rodata(s, "drop_bucket", &bucket, 4);
}

static int fill_firewall(struct sides *s)
{
	struct { uint32_t plen; uint8_t a[4]; } k4[] = {
		{ 9, { 10, 128, 0, 0 } },	/* half the random sources */
		{ 16, { 10, 9, 0, 0 } },
		{ 32, { 10, 0, 0, 77 } },
	};
	struct { uint32_t plen; uint8_t a[16]; } k6 = { .plen = 97 };
	uint32_t rule;
	int bad = 0;

	for (uint32_t i = 0; i < sizeof(k4) / sizeof(k4[0]); i++) {
		rule = 100 + i;
		bad += update_all(s, "blocklist_v4", &k4[i], &rule);
	}
	pkt_ip6(k6.a, 0x80000000u);	/* 2001:db8::8000:0/97 */
	rule = 200;
	return bad + update_all(s, "blocklist_v6", &k6, &rule);
}

static int fill_lb(struct sides *s)
{
	uint32_t slot = 1, ifindex = 1;	/* backend 1 leaves through lo */

	return update_all(s, "tx_ports", &slot, &ifindex);
}

static const struct example examples[] = {
	{ "xdp_firewall", "xdp_firewall", "", NULL, fill_firewall,
	  { "fw_stats" }, "fw_events", false },
	{ "xdp_firewall", "xdp_firewall", " (malformed passed)",
	  config_firewall, fill_firewall, { "fw_stats" }, "fw_events", false },
	{ "xdp_lb", "xdp_lb", "", NULL, fill_lb, { "lb_stats" }, NULL, false },
	{ "xdp_lb", "xdp_lb", " (vip 10.0.0.100:80, 5 backends)", config_lb,
	  fill_lb, { "lb_stats" }, NULL, false },
	{ "socket_filter", "web_dns_filter", "", NULL, NULL, { NULL }, NULL,
	  false },
	{ "tc_rewrite", "tc_rewrite", "", NULL, NULL, { NULL }, NULL, true },
	{ "tc_rewrite", "tc_rewrite", " (nat 80 -> 8080, dscp 34)",
	  config_tc, NULL, { NULL }, NULL, true },
	{ "globals_loop", "xdp_hash", "", NULL, NULL, { ".bss", ".data" },
	  NULL, false },
	{ "globals_loop", "xdp_hash", " (40 bytes, drop bucket 3)",
	  config_globals, NULL, { ".bss", ".data" }, NULL, false },
};

/* ---- packets ---- */

static struct pkt_spec spec4(uint8_t proto, const uint8_t src[4],
			     uint16_t dport)
{
	struct pkt_spec s = { .ip_version = 4, .proto = proto,
			      .sport = 33000, .dport = dport,
			      .tcp_flags = 0x18, .payload_len = 48 };

	memcpy(s.src_mac, "\x02\0\0\0\0\x0a", 6);
	memcpy(s.dst_mac, "\x02\0\0\0\0\x0b", 6);
	pkt_ip4(s.src_ip, src[0], src[1], src[2], src[3]);
	pkt_ip4(s.dst_ip, 10, 0, 0, 100);
	return s;
}

static int add_spec(struct pkt_set *set, const struct pkt_spec *s,
		    const char *name, int dns_flags)
{
	uint8_t buf[FRAME_MAX];
	size_t len = pkt_build(s, buf, sizeof(buf));
	size_t dns = 14 + (s->vlan ? 4 : 0) + 20 + 8;

	if (len > sizeof(buf))
		return -E2BIG;
	if (dns_flags >= 0 && len >= dns + 4) {
		buf[dns + 2] = (uint8_t)dns_flags; /* checksum not fixed: */
		buf[dns + 3] = 0;	/* no example reads it */
	}
	return pkt_set_add(set, buf, len, name);
}

/* Frames for the examples' own paths, appended to the standard set. */
static int add_extra(struct pkt_set *set)
{
	static const uint8_t blocked_rule[4] = { 198, 51, 100, 9 },
			     blocked_rule2[4] = { 203, 0, 113, 200 },
			     blocked_map[4] = { 10, 9, 1, 1 },
			     host[4] = { 10, 0, 0, 77 },
			     ok[4] = { 10, 1, 2, 3 };
	struct pkt_spec s;
	int err = 0;

	s = spec4(6, blocked_rule, 8080);
	err |= add_spec(set, &s, "tcp to 8080 from 198.51.100.9", -1);
	s = spec4(17, blocked_rule2, 53);
	err |= add_spec(set, &s, "dns query from 203.0.113.200", 0x01);
	s = spec4(17, ok, 53);
	err |= add_spec(set, &s, "dns response to port 53", 0x81);
	s = spec4(17, ok, 53);
	s.payload_len = 2;
	err |= add_spec(set, &s, "udp to 53, 2 bytes (no dns header)", -1);
	s = spec4(6, blocked_map, 443);
	err |= add_spec(set, &s, "tcp 443 from 10.9.1.1", -1);
	s = spec4(6, host, 80);
	err |= add_spec(set, &s, "tcp 80 from 10.0.0.77", -1);
	s = spec4(6, ok, 8080);
	s.ihl = 6;
	err |= add_spec(set, &s, "tcp to 8080 with ip options", -1);
	s = spec4(6, ok, 8080);
	s.vlan = 7;
	err |= add_spec(set, &s, "vlan 7 tcp to 8080", -1);
	s = spec4(17, ok, 5060);
	s.payload_len = 300;
	err |= add_spec(set, &s, "udp 5060, 300 bytes", -1);
	for (uint8_t i = 0; i < 24; i++) {	/* flows over the backends */
		uint8_t src[4] = { 172, 16, i, (uint8_t)(i * 7 + 1) };

		s = spec4(i & 1 ? 17 : 6, src, 80);
		s.sport = (uint16_t)(20000 + i * 13);
		err |= add_spec(set, &s, "flow to the vip", -1);
	}
	return err;
}

/* ---- one packet everywhere ---- */

/* The packet as a test-run input: FRAME_MAX bytes of data_out, and
 * __sk_buff out for tc. */
static struct ptd_input input_of(const uint8_t *pkt, size_t len, bool skb_ctx,
				 const char *name)
{
	return (struct ptd_input){ pkt, (uint32_t)len, NULL, 0, skb_ctx,
				   FRAME_MAX, 1, name };
}

/* The difference between two outcomes, or NULL. */
static const char *differs(const struct ptd_result *k,
			   const struct ptd_result *v, bool skb_ctx)
{
	if (k->err != v->err)
		return "error";
	if (k->err)
		return NULL;
	if (k->retval != v->retval)
		return "return value";
	if (k->size != v->size)
		return "output size";
	if (memcmp(k->data, v->data, k->size < FRAME_MAX ? k->size : FRAME_MAX))
		return "output bytes";
	if (skb_ctx && (k->ctx.skb.mark != v->ctx.skb.mark ||
			k->ctx.skb.len != v->ctx.skb.len ||
			k->ctx.skb.protocol != v->ctx.skb.protocol ||
			k->ctx.skb.priority != v->ctx.skb.priority))
		return "__sk_buff out (mark, len, protocol, priority)";
	return NULL;
}

static void report(const struct example *ex, int e, const char *what,
		   const char *pkt_name, const uint8_t *pkt, size_t len,
		   const struct ptd_result *k, const struct ptd_result *v)
{
	fprintf(stderr,
		"FAIL %s%s (%s): packet '%s': %s differs: kernel err %d "
		"retval %u size %u mark %u, bpfvm err %d retval %u size %u "
		"mark %u\n",
		ex->obj, ex->variant, engine_names[e], pkt_name, what, k->err,
		k->retval, k->size, k->ctx.skb.mark, v->err, v->retval, v->size,
		v->ctx.skb.mark);
	ptd_hexdump("input", pkt, (uint32_t)len);
	if (!k->err)
		ptd_hexdump("kernel output", k->data,
			    k->size < FRAME_MAX ? k->size : FRAME_MAX);
	if (!v->err)
		ptd_hexdump("bpfvm output", v->data,
			    v->size < FRAME_MAX ? v->size : FRAME_MAX);
}

/* ---- maps and events afterwards ---- */

/* out += each CPU's value (as u64 words): per-CPU counters summed. */
static void sum_cpus(uint8_t *out, const uint8_t *buf, size_t cpus,
		     size_t stride)
{
	for (size_t c = 0; c < cpus; c++)
		for (size_t w = 0; w < stride; w += 8) {
			uint64_t a, b;

			memcpy(&a, out + w, 8);
			memcpy(&b, buf + c * stride + w, 8);
			a += b;
			memcpy(out + w, &a, 8);
		}
}

/* The value of every key of an array map, per-CPU ones summed over
 * CPUs, one after another (stride: value size rounded up to 8) into
 * out. Returns the bytes written or -1. */
static long kernel_values(struct bpf_map *m, uint8_t *out, size_t cap)
{
	uint32_t vs = bpf_map__value_size(m), n = bpf_map__max_entries(m);
	bool percpu = bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_ARRAY;
	size_t cpus = percpu ? (size_t)libbpf_num_possible_cpus() : 1;
	size_t stride = (vs + 7) & ~7u;
	uint8_t *buf = calloc(cpus, stride);
	long at = 0;

	for (uint32_t key = 0; buf && (size_t)at + stride <= cap && key < n;
	     key++, at += stride) {
		memset(out + at, 0, stride);
		if (bpf_map_lookup_elem(bpf_map__fd(m), &key, buf))
			break;
		if (percpu)
			sum_cpus(out + at, buf, cpus, stride);
		else
			memcpy(out + at, buf, vs);
	}
	free(buf);
	return at == (long)(n * stride) ? at : -1;
}

static long bpfvm_values(struct bpfvm_map *m, uint8_t *out, size_t cap)
{
	uint32_t vs = bpfvm_map_value_size(m), n = bpfvm_map_max_entries(m);
	bool percpu = bpfvm_map_type(m) == BPF_MAP_TYPE_PERCPU_ARRAY;
	size_t stride = (vs + 7) & ~7u, total = bpfvm_map_user_value_size(m);
	uint8_t *buf = calloc(1, total);
	long at = 0;

	for (uint32_t key = 0; buf && (size_t)at + stride <= cap && key < n;
	     key++, at += stride) {
		memset(out + at, 0, stride);
		if (bpfvm_map_lookup(m, &key, buf, 0))
			break;
		if (percpu)
			sum_cpus(out + at, buf, total / stride, stride);
		else
			memcpy(out + at, buf, vs);
	}
	free(buf);
	return at == (long)(n * stride) ? at : -1;
}

static void compare_map(const struct example *ex, struct sides *s,
			const char *name)
{
	static uint8_t kv[1 << 16], vv[1 << 16];
	struct bpf_map *km = kmap_of(s->k, name);
	long kn = km ? kernel_values(km, kv, sizeof(kv)) : -1;

	for (int e = 0; e < 2; e++) {
		struct bpfvm_map *vm = vmap_of(s->v[e], name);
		long vn = vm ? bpfvm_values(vm, vv, sizeof(vv)) : -1;

		compared++;
		if (kn < 0 || vn != kn || memcmp(kv, vv, (size_t)kn)) {
			fprintf(stderr, "FAIL %s%s (%s): map %s differs\n",
				ex->obj, ex->variant, engine_names[e], name);
			if (kn >= 0)
				ptd_hexdump("kernel", kv, (uint32_t)kn);
			if (vn >= 0)
				ptd_hexdump("bpfvm", vv, (uint32_t)vn);
			failures++;
		}
	}
}

struct events {
	size_t n, bytes;
	uint8_t data[MAX_EVENTS * 64];
};

static int k_event(void *ctx, void *data, size_t size)
{
	struct events *ev = ctx;

	if (ev->bytes + size + 4 <= sizeof(ev->data)) {
		memcpy(ev->data + ev->bytes, &size, 4);
		memcpy(ev->data + ev->bytes + 4, data, size);
		ev->bytes += size + 4;
	}
	ev->n++;
	return 0;
}

static int v_event(void *ctx, void *data, size_t size)
{
	return k_event(ctx, data, size);
}

static void compare_events(const struct example *ex, struct sides *s)
{
	static struct events kev, vev;
	struct ring_buffer *krb;
	struct bpf_map *km = kmap_of(s->k, ex->ring);

	memset(&kev, 0, sizeof(kev));
	krb = km ? ring_buffer__new(bpf_map__fd(km), k_event, &kev, NULL)
		 : NULL;
	if (krb) {
		ring_buffer__consume(krb);
		ring_buffer__free(krb);
	}
	for (int e = 0; e < 2; e++) {
		struct bpfvm_ringbuf *vrb = NULL;
		struct bpfvm_map *vm = vmap_of(s->v[e], ex->ring);

		memset(&vev, 0, sizeof(vev));
		if (vm && !bpfvm_ringbuf_new(vm, v_event, &vev, NULL, &vrb)) {
			bpfvm_ringbuf_consume(vrb);
			bpfvm_ringbuf_free(vrb);
		}
		compared++;
		if (!krb || !vrb || kev.n != vev.n || kev.bytes != vev.bytes ||
		    memcmp(kev.data, vev.data, kev.bytes)) {
			fprintf(stderr,
				"FAIL %s%s (%s): ring %s: kernel %zu events, "
				"bpfvm %zu, or their bytes differ\n",
				ex->obj, ex->variant, engine_names[e], ex->ring,
				kev.n,
				vev.n);
			failures++;
		} else {
			printf("  %s%s (%s): %zu ring buffer events "
			       "identical\n", ex->obj, ex->variant,
			       engine_names[e], kev.n);
		}
	}
}

/* ---- one example ---- */

static int open_all(const struct example *ex, struct sides *s)
{
	static char log[1 << 16];
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo), .log_buf = log,
					     .log_size = sizeof(log) };
	struct bpfvm_object_open_opts oo = { .sz = sizeof(oo), .log_buf = log,
					     .log_size = sizeof(log) };
	char path[512];
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_EXAMPLES_DIR, ex->obj);
	s->k = bpf_object__open_file(path, NULL);
	for (int e = 0; !err && e < 2; e++)
		err = bpfvm_object_open_file(path, &oo, &s->v[e]);
	if (!s->k || err) {
		fprintf(stderr, "FAIL %s: cannot open: %s\n", path, log);
		return -1;
	}
	if (ex->config && ex->config(s))
		return -1;
	if (bpf_object__load(s->k)) {
		fprintf(stderr, "FAIL %s: the kernel does not load it\n", path);
		return -1;
	}
	for (int e = 0; e < 2; e++) {
		log[0] = '\0';
		err = bpfvm_object_load(s->v[e], &lo);
		if (err) {
			fprintf(stderr, "FAIL %s: bpfvm: %s: %s\n", path,
				strerror(-err), log);
			return -1;
		}
	}
	return ex->fill ? ex->fill(s) : 0;
}

static void close_all(struct sides *s)
{
	bpf_object__close(s->k);
	for (int e = 0; e < 2; e++)
		bpfvm_object_close(s->v[e]);
}

static void run_example(const struct example *ex, const struct pkt_set *set)
{
	static struct ptd_result k, v;
	char msg[256];
	struct sides s = { 0 };
	struct bpf_program *kp;
	struct bpfvm_prog *vp[2] = { NULL, NULL };
	int bad = 0, before = failures;
	size_t verdicts[5] = { 0 }, errors = 0, changed = 0; /* kernel's */

	if (open_all(ex, &s) ||
	    !(kp = bpf_object__find_program_by_name(s.k, ex->prog))) {
		failures++;
		close_all(&s);
		return;
	}
	for (int e = 0; e < 2; e++) {
		struct bpfvm_obj_prog *p =
			bpfvm_object_find_prog(s.v[e], ex->prog);

		vp[e] = p ? bpfvm_obj_prog_prog(p) : NULL;
	}
	for (size_t i = 0; vp[0] && vp[1] && i < set->cnt; i++) {
		struct ptd_input in = input_of(set->data[i], set->len[i],
					       ex->skb_ctx, set->name[i]);

		ptd_kernel_run(bpf_program__fd(kp), &in, &k);
		if (k.err)
			errors++;
		else
			verdicts[k.retval < 4 ? k.retval : 4]++;
		if (!k.err && (k.size != set->len[i] ||
			       memcmp(k.data, set->data[i], k.size)))
			changed++;
		for (int e = 0; e < 2; e++) {
			const char *what;

			ptd_vm_run(vp[e], &in, engines[e], 0, &v, msg,
				   sizeof(msg));
			compared++;
			what = differs(&k, &v, ex->skb_ctx);
			if (!what)
				continue;
			if (!bad++)
				report(ex, e, what, set->name[i], set->data[i],
				       set->len[i], &k, &v);
		}
	}
	if (!vp[0] || !vp[1])
		bad++;
	failures += bad;
	for (int m = 0; m < 3 && ex->maps[m]; m++)
		compare_map(ex, &s, ex->maps[m]);
	if (ex->ring)
		compare_events(ex, &s);
	printf("%s%s: %zu packets x 2 engines: %d mismatches%s (kernel: "
	       "%zu refused, retval 0/1/2/3/other: %zu/%zu/%zu/%zu/%zu, "
	       "%zu rewritten)\n",
	       ex->obj, ex->variant, set->cnt, bad,
	       failures == before ? ", maps identical" : "", errors,
	       verdicts[0], verdicts[1], verdicts[2], verdicts[3], verdicts[4],
	       changed);
	close_all(&s);
}

/* Tracepoints have no BPF_PROG_TEST_RUN: the hello world only has to
 * load on both sides (its run is examples/tp_hello's test). */
static void load_only(const char *name)
{
	char path[512];
	struct bpf_object *k;
	struct bpfvm_object *v = NULL;
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo) };
	int kerr, verr;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_EXAMPLES_DIR, name);
	k = bpf_object__open_file(path, NULL);
	kerr = k ? bpf_object__load(k) : -ENOENT;
	verr = bpfvm_object_open_file(path, NULL, &v);
	if (!verr)
		verr = bpfvm_object_load(v, &lo);
	compared++;
	if (kerr || verr) {
		fprintf(stderr, "FAIL %s: loads: kernel %d, bpfvm %d\n", name,
			kerr, verr);
		failures++;
	} else {
		printf("%s: loads in the kernel and in bpfvm\n", name);
	}
	bpf_object__close(k);
	bpfvm_object_close(v);
}

int main(void)
{
	struct pkt_set set = { 0 };
	char why[256];

	ptd_init(sizeof(struct __sk_buff), 0);
	if (!kmap_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	if (pkt_set_standard(&set, 6, N_RANDOM) || add_extra(&set)) {
		fprintf(stderr, "cannot build the packets\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		run_example(&examples[i], &set);
	load_only("tp_hello");
	pkt_set_free(&set);
	printf("%d comparisons, %d failures\n", compared, failures);
	return failures ? 1 : 0;
}
