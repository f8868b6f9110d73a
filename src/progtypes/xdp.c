/* BPF_PROG_TYPE_XDP: struct xdp_md over a frame with 256 bytes of
 * headroom (xdp_ctx.h), the kernel's xdp_is_valid_access and
 * xdp_func_proto, and BPF_PROG_TEST_RUN as bpf_prog_test_run_xdp
 * (Linux 6.18: multi-buffer frames past a page or past ctx_in's
 * data_end). */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "progtypes/progtype.h"
#include "progtypes/xdp_ctx.h"

#define MD_OFF(f) offsetof(struct xdp_md, f)

static const char *const field_names[] = {
	"data", "data_end", "data_meta", "ingress_ifindex", "rx_queue_index",
	"egress_ifindex",
};

/* Where a load of a packet pointer field goes in the real ctx; 0 for the
 * fields read in place. */
static uint32_t pointer_off(uint32_t md_off)
{
	switch (md_off) {
	case MD_OFF(data):
		return offsetof(struct xdp_ctx, data);
	case MD_OFF(data_end):
		return offsetof(struct xdp_ctx, data_end);
	case MD_OFF(data_meta):
		return offsetof(struct xdp_ctx, data_meta);
	}
	return 0;
}

/* xdp_is_valid_access: reads only (writes are for offloaded programs),
 * each field as one whole u32 (no narrow loads), egress_ifindex only for
 * programs run by a DEVMAP (which BPF_PROG_TEST_RUN refuses to run, and
 * whose attach type the access check does not see: refused here). */
static int xdp_ctx_access(const struct pt_ctx_access *a, struct bpf_insn *insn,
			  char *why, size_t why_size)
{
	uint32_t ptr_off;
	const char *name;

	if (a->off >= sizeof(struct xdp_md))
		return core_logf(why, why_size, -EACCES,
				 "offset %u is past struct xdp_md (%zu bytes)",
				 a->off, sizeof(struct xdp_md));
	name = field_names[a->off / 4];
	if (a->write)
		return core_logf(why, why_size, -EACCES,
				 "write to xdp_md->%s is not allowed: struct "
				 "xdp_md is read-only", name);
	if (a->size != 4 || a->off % 4)
		return core_logf(why, why_size, -EACCES,
				 "%u-byte load at xdp_md+%u: xdp_md->%s is read "
				 "as a whole u32 only", a->size, a->off, name);
	if (a->off == MD_OFF(egress_ifindex))
		return core_logf(why, why_size, -EACCES,
				 "xdp_md->egress_ifindex is readable only by "
				 "programs a DEVMAP runs");
	ptr_off = pointer_off(a->off);
	if (!ptr_off)
		return 0;
	if (a->sign_ext)
		return core_logf(why, why_size, -EACCES,
				 "sign-extending load of the packet pointer "
				 "xdp_md->%s", name);
	insn->code = BPF_LDX | BPF_MEM | BPF_DW;
	insn->off = (int16_t)(insn->off + (int32_t)(ptr_off - a->off));
	return 0;
}

/* xdp_func_proto, then bpf_sk_base_func_proto's additions to the base
 * helpers. Some of these bpfvm does not implement (fib_lookup,
 * check_mtu, socket lookups, syncookies, skc_to_*): the type allows them
 * as the kernel does, and a program calling one fails to load with
 * "unknown helper", as no environment registers it. */
static bool xdp_helper_ok(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_perf_event_output:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_csum_diff:
	case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta:
	case BPF_FUNC_redirect:
	case BPF_FUNC_redirect_map:
	case BPF_FUNC_xdp_adjust_tail:
	case BPF_FUNC_xdp_get_buff_len:
	case BPF_FUNC_xdp_load_bytes:
	case BPF_FUNC_xdp_store_bytes:
	case BPF_FUNC_fib_lookup:
	case BPF_FUNC_check_mtu:
	case BPF_FUNC_sk_lookup_udp:
	case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_release:
	case BPF_FUNC_skc_lookup_tcp:
	case BPF_FUNC_tcp_check_syncookie:
	case BPF_FUNC_tcp_gen_syncookie:
	case BPF_FUNC_tcp_raw_gen_syncookie_ipv4:
	case BPF_FUNC_tcp_raw_gen_syncookie_ipv6:
	case BPF_FUNC_tcp_raw_check_syncookie_ipv4:
	case BPF_FUNC_tcp_raw_check_syncookie_ipv6:
		return true;
	}
	return pt_sk_base_helper_ok(id);
}

/* --- BPF_PROG_TEST_RUN --- */

/* bpf_ctx_init's rule for ctx_in: bytes past struct xdp_md must be zero
 * (bpf_check_uarg_tail_zero, -E2BIG, as is more than a page); then
 * bpf_prog_test_run_xdp's: the metadata is the first md->data bytes of
 * data_in and the linear part its first data_end bytes (the rest makes
 * fragments), so data_meta must be 0, data_end within data_in and data
 * a valid metadata length within data_end; egress_ifindex 0; a queue
 * only with a device. ctx_out alone counts as a zeroed ctx_in (a linear
 * part of 0 bytes). Any ingress_ifindex is a device: bpfvm's devices
 * are virtual (the kernel wants a real one and queue: -ENODEV /
 * -EINVAL otherwise). */
static int md_from_user(struct bpfvm_test_run_opts *o, struct xdp_md *md)
{
	int err = pt_ctx_init(o, md, sizeof(*md), "xdp_md");

	if (err)
		return err;
	if (md->data_meta)
		return pt_fail(o, -EINVAL, "ctx_in: data_meta must be 0 "
			       "(the metadata starts data_in)");
	if (md->data_end > o->data_size_in)
		return pt_fail(o, -EINVAL, "ctx_in: data_end %u is past "
			       "data_in (%u bytes)", md->data_end,
			       o->data_size_in);
	if (md->data > md->data_end || xdp_ctx_metalen_invalid(md->data))
		return pt_fail(o, -EINVAL, "ctx_in: data %u is no metadata "
			       "length (a multiple of 4 up to %u, at most "
			       "data_end)", md->data, XDP_CTX_META_MAX);
	if (md->egress_ifindex)
		return pt_fail(o, -EINVAL, "ctx_in: egress_ifindex must be 0");
	if (!md->ingress_ifindex && md->rx_queue_index)
		return pt_fail(o, -EINVAL, "ctx_in: rx_queue_index %u "
			       "without an ingress_ifindex",
			       md->rx_queue_index);
	return 0;
}

/* The frame as bpf_prog_test_run_xdp lays it out: the linear part
 * (metadata first) from data_in at hard_start + 256 - metalen, data at
 * hard_start + 256; the kernel's buffer is zeroed, and the headroom is
 * what a program can reach of it before it writes (adjust_tail zeroes
 * what it grows). The rest of data_in goes into fragments of a page.
 * The device is the one ctx_in names, else the loopback device
 * (ifindex 1), as the kernel's. */
/* buf[0, XDP_CTX_HEADROOM) = 0 in 16-byte stores: gcc makes a memset
 * of it (or a loop it recognises as one) an inline rep stos, whose
 * start-up cost was half the type's own time per test run; the opaque
 * pointer keeps the stores as written. */
static void headroom_zero(uint8_t *buf)
{
	typedef uint8_t v16 __attribute__((vector_size(16)));
	const v16 zero = { 0 };

	for (unsigned i = 0; i < XDP_CTX_HEADROOM; i += 64) {
		uint8_t *p = buf + i;

		__asm__("" : "+r"(p));
		for (unsigned k = 0; k < 64; k += 16)
			__builtin_memcpy(p + k, &zero, 16);
	}
}

static int frame_init(struct xdp_ctx *x, uint8_t *buf,
		      struct bpfvm_test_run_opts *o, const struct xdp_md *md,
		      uint32_t linear)
{
	uint32_t meta = md->data;

	headroom_zero(buf);
	memcpy(buf + XDP_CTX_HEADROOM - meta, o->data_in, linear);
	memset(x, 0, sizeof(*x));
	x->md.ingress_ifindex = md->ingress_ifindex ? md->ingress_ifindex : 1;
	x->md.rx_queue_index = md->rx_queue_index;
	x->hard_start = buf;
	x->frame_sz = XDP_CTX_FRAME_SZ;
	x->data_meta = buf + XDP_CTX_HEADROOM - meta;
	x->data = buf + XDP_CTX_HEADROOM;
	x->data_end = x->data_meta + linear;
	if (linear == o->data_size_in)
		return 0;
	x->frags = xdp_frags_get();
	if (!x->frags)
		return pt_fail(o, -ENOMEM, "no memory for fragments");
	if (xdp_frags_fill(x->frags, (const uint8_t *)o->data_in + linear,
			   o->data_size_in - linear))
		return pt_fail(o, -ENOMEM, "data_in: %u bytes need more than "
			       "%u fragments", o->data_size_in,
			       XDP_CTX_MAX_FRAGS);
	return 0;
}

static int xdp_check_input(struct bpfvm_prog *prog,
			   struct bpfvm_test_run_opts *o)
{
	enum bpf_attach_type at = bpfvm_prog_attach_type(prog);

	if (at == BPF_XDP_DEVMAP || at == BPF_XDP_CPUMAP)
		return pt_fail(o, -EINVAL, "a program for a %s runs on "
			       "redirected frames, not in BPF_PROG_TEST_RUN",
			       at == BPF_XDP_DEVMAP ? "DEVMAP" : "CPUMAP");
	if (o->flags)
		return pt_fail(o, -EINVAL, "flags 0x%x: none is for xdp",
			       o->flags);
	return 0;
}

/* bpf_test_finish with the fragments: when data_out is cut, the linear
 * bytes copied are the cut size less the fragments' (so a cut before
 * the fragments copies nothing: -ENOSPC with no sizes or return value
 * reported), then the fragments up to the cut. */
static int data_out(struct bpfvm_test_run_opts *o, const struct xdp_ctx *x)
{
	uint32_t lin = (uint32_t)(x->data_end - x->data_meta);
	uint32_t fsz = xdp_ctx_has_frags(x) ? x->frags->size : 0;
	uint32_t size = lin + fsz, copy = size, off;
	int err = 0;

	/* No buffer and no size: the caller only asks for the size (the
	 * kernel's data_size_out 0 means "no limit"; bpfvm copies nothing
	 * into a buffer of unknown size: pt_copy_out's rule). */
	if ((o->data_out || o->data_size_out) && copy > o->data_size_out) {
		copy = o->data_size_out;
		err = -ENOSPC;
	}
	if (o->data_out && copy < fsz) {
		o->retval = 0;
		o->duration = 0;
		return -ENOSPC;
	}
	if (o->data_out) {
		memcpy(o->data_out, x->data_meta, copy - fsz);
		off = copy - fsz;
		for (uint32_t i = 0; fsz && i < x->frags->nr; i++) {
			uint32_t n = x->frags->f[i].size;

			if (off >= copy)
				break;
			n = copy - off < n ? copy - off : n;
			memcpy((uint8_t *)o->data_out + off,
			       x->frags->f[i].addr, n);
			off += n;
		}
	}
	o->data_size_out = size;
	return err;
}

static int xdp_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *o)
{
	_Alignas(64) uint8_t buf[XDP_CTX_FRAME_SZ];
	struct bpfvm_region region = { buf, sizeof(buf), 1 };
	struct xdp_md md;
	struct xdp_ctx x;
	struct pt_run run = { &x, sizeof(x), NULL, 0, &region, 1 };
	uint64_t retval;
	uint32_t max, linear;
	int err;

	err = xdp_check_input(prog, o);
	if (!err && (o->ctx_in || o->ctx_out))
		err = md_from_user(o, &md);
	else
		memset(&md, 0, sizeof(md));
	if (err)
		return err;
	linear = o->ctx_in || o->ctx_out ? md.data_end : o->data_size_in;
	max = XDP_CTX_FRAME_SZ - (XDP_CTX_HEADROOM - md.data) -
	      XDP_CTX_TAILROOM;
	if (linear > max)
		linear = max;
	if (o->data_size_in < md.data + XDP_CTX_MIN_LEN)
		return pt_fail(o, -EINVAL, "data_in: %u bytes%s, shorter than "
			       "an Ethernet header", o->data_size_in - md.data,
			       md.data ? " after the metadata" : "");
	err = frame_init(&x, buf, o, &md, linear);
	if (err)
		return err;
	err = pt_run_repeat(prog, &run, o, &retval);
	if (err)
		return err;
	o->retval = (uint32_t)retval;
	err = data_out(o, &x);
	if (err || !o->ctx_out)
		return err;
	md.data = (uint32_t)(x.data - x.data_meta);
	md.data_end = (uint32_t)(x.data_end - x.data_meta);
	return pt_copy_out(o->ctx_out, &o->ctx_size_out, &md, sizeof(md));
}

const struct pt_ops pt_xdp_ops = {
	.type = BPF_PROG_TYPE_XDP,
	.name = "xdp",
	.ctx_name = "struct xdp_md",
	.ctx_access = xdp_ctx_access,
	.helper_ok = xdp_helper_ok,
	.test_run = xdp_test_run,
};
