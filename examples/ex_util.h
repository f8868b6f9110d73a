/* Shared by the examples' tests (examples/test_*.c): open and load an
 * example object, run a program of it once on a frame (test_run), read
 * per-CPU counters, and check checksums independently of bpfvm. */
#ifndef EXAMPLES_EX_UTIL_H
#define EXAMPLES_EX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/bpfvm.h>

#include "pktgen.h"

#define EX_FRAME_MAX 2048

extern const enum bpfvm_engine ex_engines[2];
extern const char *const ex_engine_names[2];

/* Open BPFVM_EXAMPLES_DIR/<name>.o; NULL (message printed) on failure. */
struct bpfvm_object *ex_open(const char *name);
/* Load it (env may be NULL); 0 or -errno, message printed. */
int ex_load(struct bpfvm_object *obj, struct bpfvm_env *env);
/* Both at once. */
struct bpfvm_object *ex_open_load(const char *name);

struct bpfvm_prog *ex_prog(struct bpfvm_object *obj, const char *name);
struct bpfvm_map *ex_map(struct bpfvm_object *obj, const char *name);

/* One run of the frame: the output frame in out (EX_FRAME_MAX bytes),
 * its length in *out_len. ctx_out may be NULL. Returns the retval, or
 * -1 when the run failed (message printed). */
int64_t ex_run(struct bpfvm_prog *prog, enum bpfvm_engine engine,
	       const void *frame, size_t len, uint8_t *out, size_t *out_len,
	       void *ctx_out, uint32_t ctx_size);

/* Where the last ex_run's program redirected (XDP_REDIRECT). */
extern struct bpfvm_redirect ex_last_redirect;

/* A frame from a spec, into buf (EX_FRAME_MAX); its length. */
size_t ex_frame(const struct pkt_spec *s, uint8_t *buf);
/* 02:00:00:00:00:01 -> :02, the addresses given by the caller after. */
struct pkt_spec ex_spec(int ip_version, uint8_t proto, uint16_t sport,
			uint16_t dport);

/* Sum of a per-CPU array slot's u64 at byte `off` over every CPU. */
uint64_t ex_percpu_u64(struct bpfvm_map *map, uint32_t key, size_t off);

/* The Internet checksum of len bytes plus `sum` (the folded,
 * complemented result: 0 over a region holding a valid checksum). */
uint16_t ex_csum(const void *p, size_t len, uint32_t sum);
/* Does the IPv4 header at ip verify? */
int ex_ip4_csum_ok(const uint8_t *ip);
/* Does the TCP / UDP segment after the IPv4 header verify with the
 * pseudo header? (l4_len from the IP total length.) */
int ex_l4_csum_ok(const uint8_t *ip);

void ex_hexdump(const char *what, const uint8_t *p, size_t len);

#endif
