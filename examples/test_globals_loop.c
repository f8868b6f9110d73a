/* examples/globals_loop.bpf.c through bpfvm, on both engines: the hash
 * the bpf_loop callback computes over the first max_bytes of each frame
 * (recomputed here) lands in the .bss variables with the packet and byte
 * counts and the bucket histogram; hash_seed (.data) written by user
 * space after load changes the next hash; max_bytes and drop_bucket
 * (.rodata) set before load change how much is hashed and which frames
 * are dropped. */
#include <linux/bpf.h>

#include "check.h"
#include "ex_util.h"

#define N_BUCKETS 16

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void *global(struct bpfvm_object *obj, const char *name, size_t want)
{
	size_t sz = 0;
	void *p = bpfvm_object_global(obj, name, &sz);

	CHECK(p && sz == want);
	return p && sz == want ? p : NULL;
}

struct frames {
	uint8_t data[8][EX_FRAME_MAX];
	size_t len[8];
};

static void make_frames(struct frames *f)
{
	static const size_t payload[8] = { 0, 5, 40, 100, 200, 222, 700, 1400 };

	for (int i = 0; i < 8; i++) {
		struct pkt_spec s = ex_spec(4, i & 1 ? 17 : 6,
					    (uint16_t)(1000 + i), 80);

		pkt_ip4(s.src_ip, 10, 0, 0, (uint8_t)(i + 1));
		pkt_ip4(s.dst_ip, 10, 0, 0, 99);
		s.payload_len = payload[i];
		f->len[i] = ex_frame(&s, f->data[i]);
	}
}

/* Default configuration: counters, hash, buckets, then a new seed. */
static void defaults(int eng, const struct frames *f)
{
	struct bpfvm_object *obj = ex_open_load("globals_loop");
	uint64_t *packets, *bytes, want_bytes = 0;
	uint32_t *last, *buckets, *seed, want_buckets[N_BUCKETS] = { 0 };
	struct bpfvm_prog *p = obj ? ex_prog(obj, "xdp_hash") : NULL;
	uint8_t out[EX_FRAME_MAX];

	CHECK(p != NULL);
	if (!p) {
		bpfvm_object_close(obj);
		return;
	}
	packets = global(obj, "packets", 8);
	bytes = global(obj, "bytes_hashed", 8);
	last = global(obj, "last_hash", 4);
	buckets = global(obj, "buckets", 4 * N_BUCKETS);
	seed = global(obj, "hash_seed", 4);
	if (!packets || !bytes || !last || !buckets || !seed) {
		bpfvm_object_close(obj);
		return;
	}
	CHECK_EQ_U64(*seed, 2166136261u);
	for (int i = 0; i < 8; i++) {
		size_t n = f->len[i] < 256 ? f->len[i] : 256;
		uint32_t h = fnv(*seed, f->data[i], n);

		CHECK_EQ_U64(ex_run(p, ex_engines[eng], f->data[i], f->len[i],
				    out, NULL, NULL, 0),
			     XDP_PASS);
		CHECK_EQ_U64(*last, h);
		want_bytes += n;
		want_buckets[h % N_BUCKETS]++;
	}
	CHECK_EQ_U64(*packets, 8);
	CHECK_EQ_U64(*bytes, want_bytes);
	CHECK(memcmp(buckets, want_buckets, sizeof(want_buckets)) == 0);
	*seed = 12345;		/* .data is the programs' live memory */
	ex_run(p, ex_engines[eng], f->data[0], f->len[0], out, NULL, NULL, 0);
	CHECK_EQ_U64(*last, fnv(12345, f->data[0], f->len[0]));
	bpfvm_object_close(obj);
}

/* max_bytes = 16 and drop_bucket = the first frame's bucket. */
static void configured(int eng, const struct frames *f)
{
	struct bpfvm_object *obj = ex_open("globals_loop");
	uint32_t *max_bytes = obj ? global(obj, "max_bytes", 4) : NULL;
	uint32_t *drop = obj ? global(obj, "drop_bucket", 4) : NULL;
	uint32_t bucket = fnv(2166136261u, f->data[0], 16) % N_BUCKETS;
	uint8_t out[EX_FRAME_MAX];
	struct bpfvm_prog *p;
	uint64_t *bytes;

	if (!max_bytes || !drop) {
		bpfvm_object_close(obj);
		return;
	}
	*max_bytes = 16;
	*drop = bucket;
	CHECK(ex_load(obj, NULL) == 0);
	p = ex_prog(obj, "xdp_hash");
	for (int i = 0; p && i < 8; i++) {
		uint32_t h = fnv(2166136261u, f->data[i], 16);

		CHECK_EQ_U64(ex_run(p, ex_engines[eng], f->data[i], f->len[i],
				    out, NULL, NULL, 0),
			     h % N_BUCKETS == bucket ? XDP_DROP : XDP_PASS);
	}
	bytes = p ? global(obj, "bytes_hashed", 8) : NULL;
	if (bytes)
		CHECK_EQ_U64(*bytes, 8 * 16);
	bpfvm_object_close(obj);
}

int main(void)
{
	static struct frames f;

	make_frames(&f);
	for (int eng = 0; eng < 2; eng++) {
		defaults(eng, &f);
		configured(eng, &f);
	}
	return check_report();
}
