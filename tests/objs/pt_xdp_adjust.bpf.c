/* XDP test objects: bpf_xdp_adjust_head / tail / meta, get_buff_len and
 * xdp_load_bytes / xdp_store_bytes with arguments taken from the packet
 * (so one program covers success and every failure path, packet by
 * packet), results written back into the frame. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ARG(T, off) (*(T *)(data + (off)))

/* Bytes 14..25: s32 deltas for adjust_meta, adjust_head, adjust_tail.
 * After the calls, data[0..2] = their results (low byte), data[4..7] =
 * get_buff_len, and a metadata word names the metadata's length. */
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *meta;
	int dm, dh, dt;
	long rm, rh, rt;
	__u8 *out;

	if (data + 26 > data_end)
		return XDP_PASS;
	dm = ARG(int, 14);
	dh = ARG(int, 18);
	dt = ARG(int, 22);
	rm = bpf_xdp_adjust_meta(ctx, dm);
	rh = bpf_xdp_adjust_head(ctx, dh);
	rt = bpf_xdp_adjust_tail(ctx, dt);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	meta = (void *)(long)ctx->data_meta;
	out = data;
	if (data + 14 > data_end)
		return XDP_ABORTED;
	out[0] = (__u8)rm;
	out[1] = (__u8)rh;
	out[2] = (__u8)rt;
	*(__u32 *)(out + 4) = (__u32)bpf_xdp_get_buff_len(ctx);
	if (meta + 4 <= data)
		*(__u32 *)meta = 0xabcd0000 | (__u32)(data - meta);
	return XDP_TX;
}

/* Metadata moves with data: 8 bytes of metadata written, the head moved
 * by the s32 at byte 14, the metadata read back after. */
SEC("xdp")
int xdp_meta_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *meta;
	int dh;
	long r;

	if (data + 18 > data_end)
		return XDP_PASS;
	dh = ARG(int, 14);
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if (meta + 8 > data)
		return XDP_ABORTED;
	*(__u64 *)meta = 0x1122334455667788ull;
	r = bpf_xdp_adjust_head(ctx, dh);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	meta = (void *)(long)ctx->data_meta;
	if (meta + 8 > data || data + 14 > data_end)
		return XDP_DROP;
	*(__u8 *)data = (__u8)r;
	*(__u8 *)(data + 1) = *(__u8 *)(meta + 3);
	return XDP_TX;
}

/* Bytes 14..15 / 16..17: big-endian u16 source and destination offsets;
 * bytes 18..21 an u32 offset for the limits (past 0xffff: -EFAULT).
 * Results (low bytes) at data[0..5]. */
SEC("xdp")
int xdp_bytes(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 b4[4] = {}, b64[64] = {};
	__u32 src, dst, far;
	long r[6];
	__u8 *out;

	if (data + 22 > data_end)
		return XDP_PASS;
	src = __builtin_bswap16(ARG(__u16, 14));
	dst = __builtin_bswap16(ARG(__u16, 16));
	far = ARG(__u32, 18);
	r[0] = bpf_xdp_load_bytes(ctx, src, b4, sizeof(b4));
	r[1] = bpf_xdp_load_bytes(ctx, src, b64, sizeof(b64));
	r[2] = bpf_xdp_store_bytes(ctx, dst, b4, sizeof(b4));
	r[3] = bpf_xdp_store_bytes(ctx, dst + 8, b64, sizeof(b64));
	r[4] = bpf_xdp_load_bytes(ctx, far, b4, 1);
	r[5] = bpf_xdp_store_bytes(ctx, far, b64, 2);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	out = data;
	if (data + 14 > data_end)
		return XDP_ABORTED;
	for (int i = 0; i < 6; i++)
		out[i] = (__u8)r[i];
	out[6] = b4[0] ^ b64[63];
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
