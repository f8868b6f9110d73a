/* See ex_util.h. */
#include "ex_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const enum bpfvm_engine ex_engines[2] = { BPFVM_ENGINE_INTERP,
					  BPFVM_ENGINE_JIT };
const char *const ex_engine_names[2] = { "interp", "jit" };
struct bpfvm_redirect ex_last_redirect;

struct bpfvm_object *ex_open(const char *name)
{
	char path[512], log[1024] = "";
	struct bpfvm_object_open_opts oo = { .sz = sizeof(oo),
					     .log_buf = log,
					     .log_size = sizeof(log) };
	struct bpfvm_object *obj = NULL;
	int err;

	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_EXAMPLES_DIR, name);
	err = bpfvm_object_open_file(path, &oo, &obj);
	if (err) {
		fprintf(stderr, "open %s: %s: %s\n", path, strerror(-err), log);
		return NULL;
	}
	return obj;
}

int ex_load(struct bpfvm_object *obj, struct bpfvm_env *env)
{
	static char log[65536];
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo), .env = env,
					     .log_buf = log,
					     .log_size = sizeof(log) };
	int err;

	log[0] = '\0';
	err = bpfvm_object_load(obj, &lo);
	if (err)
		fprintf(stderr, "load %s: %s: %s\n", bpfvm_object_name(obj),
			strerror(-err), log);
	return err;
}

struct bpfvm_object *ex_open_load(const char *name)
{
	struct bpfvm_object *obj = ex_open(name);

	if (obj && ex_load(obj, NULL)) {
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}

struct bpfvm_prog *ex_prog(struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, name);

	return p ? bpfvm_obj_prog_prog(p) : NULL;
}

struct bpfvm_map *ex_map(struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_obj_map *m = bpfvm_object_find_map(obj, name);

	return m ? bpfvm_obj_map_map(m) : NULL;
}

int64_t ex_run(struct bpfvm_prog *prog, enum bpfvm_engine engine,
	       const void *frame, size_t len, uint8_t *out, size_t *out_len,
	       void *ctx_out, uint32_t ctx_size)
{
	char err_buf[256] = "";
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = frame,
		.data_size_in = (uint32_t)len, .data_out = out,
		.data_size_out = EX_FRAME_MAX, .ctx_out = ctx_out,
		.ctx_size_out = ctx_out ? ctx_size : 0, .engine = engine,
		.err_buf = err_buf,
		.err_size = sizeof(err_buf),
	};
	int err = bpfvm_prog_test_run(prog, &o);

	if (err) {
		fprintf(stderr, "test_run (%s): %s: %s\n",
			engine == BPFVM_ENGINE_JIT ? "jit" : "interp",
			strerror(-err), err_buf);
		return -1;
	}
	ex_last_redirect = o.redirect;
	if (out_len)
		*out_len = o.data_size_out;
	return o.retval;
}

size_t ex_frame(const struct pkt_spec *s, uint8_t *buf)
{
	size_t len = pkt_build(s, buf, EX_FRAME_MAX);

	return len > EX_FRAME_MAX ? 0 : len;
}

struct pkt_spec ex_spec(int ip_version, uint8_t proto, uint16_t sport,
			uint16_t dport)
{
	struct pkt_spec s = { .ip_version = ip_version, .proto = proto,
			      .sport = sport, .dport = dport,
			      .tcp_flags = 0x10, .payload_len = 32 };

	memcpy(s.src_mac, "\x02\0\0\0\0\x01", 6);
	memcpy(s.dst_mac, "\x02\0\0\0\0\x02", 6);
	return s;
}

uint64_t ex_percpu_u64(struct bpfvm_map *map, uint32_t key, size_t off)
{
	size_t vs = bpfvm_map_value_size(map), stride = (vs + 7) & ~(size_t)7;
	size_t total = bpfvm_map_user_value_size(map);
	uint8_t *v = calloc(1, total);
	uint64_t sum = 0, x;

	if (!v || bpfvm_map_lookup(map, &key, v, 0)) {
		free(v);
		return UINT64_MAX;
	}
	for (size_t at = 0; at + stride <= total; at += stride) {
		memcpy(&x, v + at + off, sizeof(x));
		sum += x;
	}
	free(v);
	return sum;
}

uint16_t ex_csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int ex_ip4_csum_ok(const uint8_t *ip)
{
	return ex_csum(ip, (ip[0] & 0xf) * 4u, 0) == 0;
}

int ex_l4_csum_ok(const uint8_t *ip)
{
	size_t ihl = (ip[0] & 0xf) * 4u;
	size_t l4_len = ((size_t)ip[2] << 8 | ip[3]) - ihl;
	uint32_t pseudo = 0;

	for (int i = 12; i < 20; i += 2)	/* source, destination */
		pseudo += (uint32_t)ip[i] << 8 | ip[i + 1];
	pseudo += ip[9] + (uint32_t)l4_len;
	return ex_csum(ip + ihl, l4_len, pseudo) == 0;
}

void ex_hexdump(const char *what, const uint8_t *p, size_t len)
{
	fprintf(stderr, "%s (%zu bytes):", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}
