// SPDX-License-Identifier: GPL-2.0
/* Global variables, subprograms and bpf_loop: an XDP program hashing
 * (FNV-1a) up to max_bytes of each frame in a bpf_loop callback, and
 * keeping statistics in global variables user space reads:
 *   .rodata  max_bytes, drop_bucket (load-time configuration)
 *   .data    hash_seed (an initialised variable)
 *   .bss     packets, bytes_hashed, last_hash, buckets[] (zeroed)
 * fnv_step is a static subprogram (called from the callback), account a
 * global one (verified on its own by the kernel). Frames whose hash
 * falls into drop_bucket are dropped (none by default). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define N_BUCKETS 16
#define MAX_FRAME 1514

const volatile __u32 max_bytes = 256;
const volatile __u32 drop_bucket = N_BUCKETS;	/* none */

__u32 hash_seed = 2166136261u;	/* FNV offset basis */

__u64 packets;
__u64 bytes_hashed;
__u32 last_hash;
__u32 buckets[N_BUCKETS];

struct hash_state {
	void *data;
	void *data_end;
	__u32 hash;
};

static __noinline __u32 fnv_step(__u32 h, __u32 byte)
{
	return (h ^ (byte & 0xff)) * 16777619u;
}

/* bpf_loop callback: one byte; 1 stops the loop. */
static long hash_byte(__u32 i, void *arg)
{
	struct hash_state *st = arg;
	__u8 *p = st->data;

	if (i >= MAX_FRAME)
		return 1;
	p += i;
	if ((void *)(p + 1) > st->data_end)
		return 1;
	st->hash = fnv_step(st->hash, *p);
	return 0;
}

/* Record one packet; returns its bucket. */
__noinline int account(__u32 len, __u32 hash)
{
	__u32 b = hash % N_BUCKETS;

	packets++;
	bytes_hashed += len;
	last_hash = hash;
	if (b < N_BUCKETS)
		buckets[b]++;
	return b;
}

SEC("xdp")
int xdp_hash(struct xdp_md *ctx)
{
	struct hash_state st = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
		.hash = hash_seed,
	};
	__u32 len = st.data_end - st.data;

	if (len > max_bytes)
		len = max_bytes;
	bpf_loop(len, hash_byte, &st, 0);
	if ((__u32)account(len, st.hash) == drop_bucket)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
