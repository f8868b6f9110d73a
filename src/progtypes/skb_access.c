/* Which __sk_buff fields socket filters and tc programs may read and
 * write (the kernel's bpf_skb_is_valid_access under
 * sk_filter_is_valid_access / tc_cls_act_is_valid_access), and the rewrite
 * of each access into struct skb_ctx (bpf_convert_ctx_access with the
 * verifier's narrow-load handling).
 *
 * The kernel keeps many fields narrower than their u32 slot (protocol is a
 * u16, pkt_type 3 bits): a narrow load of size >= the kernel's field size
 * returns the whole field wherever in the slot it points (a 2-byte load
 * of protocol + 2 gives the protocol), a smaller one the bytes at its
 * offset. skb_ctx stores each field zero-extended in its slot, so the
 * first case is rewritten to load at the slot's start and the second
 * reads in place; stores keep the kernel's width. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "progtypes/skb_ctx.h"

#define SKB_OFF(f) offsetof(struct __sk_buff, f)

enum {
	F_SF = 1 << 0,		/* socket filters may read it */
	F_TC = 1 << 1,		/* tc may read it */
	F_TC_W = 1 << 2,	/* tc may write it */
	F_SF_W = 1 << 3,	/* socket filters may write it */
	F_PTR = 1 << 4,		/* data, data_end, data_meta */
	F_U64 = 1 << 5,		/* read (and written) as 8 bytes only */
	F_CB = 1 << 6,		/* cb[]: any size inside it */
	F_BYTE = 1 << 7,	/* tstamp_type: one byte */
};

struct skb_field {
	const char *name;
	uint16_t off, len;
	uint8_t ksize;		/* the kernel's field size (narrow loads) */
	uint8_t flags;
	const char *no;		/* why bpfvm refuses it; NULL: supported */
};

#define RW (F_SF | F_TC)
static const struct skb_field fields[] = {
	{ "len", SKB_OFF(len), 4, 4, RW, NULL },
	{ "pkt_type", SKB_OFF(pkt_type), 4, 1, RW, NULL },
	{ "mark", SKB_OFF(mark), 4, 4, RW | F_TC_W, NULL },
	{ "queue_mapping", SKB_OFF(queue_mapping), 4, 2, RW | F_TC_W, NULL },
	{ "protocol", SKB_OFF(protocol), 4, 2, RW, NULL },
	{ "vlan_present", SKB_OFF(vlan_present), 4, 4, RW, NULL },
	{ "vlan_tci", SKB_OFF(vlan_tci), 4, 2, RW, NULL },
	{ "vlan_proto", SKB_OFF(vlan_proto), 4, 2, RW, NULL },
	{ "priority", SKB_OFF(priority), 4, 4, RW | F_TC_W, NULL },
	{ "ingress_ifindex", SKB_OFF(ingress_ifindex), 4, 4, RW, NULL },
	{ "ifindex", SKB_OFF(ifindex), 4, 4, RW, NULL },
	{ "tc_index", SKB_OFF(tc_index), 4, 2, RW | F_TC_W, NULL },
	{ "cb", SKB_OFF(cb), 20, 0, RW | F_TC_W | F_SF_W | F_CB, NULL },
	{ "hash", SKB_OFF(hash), 4, 4, RW, NULL },
	{ "tc_classid", SKB_OFF(tc_classid), 4, 2, F_TC | F_TC_W, NULL },
	{ "data", SKB_OFF(data), 4, 4, F_TC | F_PTR, NULL },
	{ "data_end", SKB_OFF(data_end), 4, 4, F_TC | F_PTR, NULL },
	{ "napi_id", SKB_OFF(napi_id), 4, 4, RW, NULL },
	{ "family..local_port (the socket's)", SKB_OFF(family),
	  SKB_OFF(data_meta) - SKB_OFF(family), 4, 0, NULL },
	{ "data_meta", SKB_OFF(data_meta), 4, 4, F_TC | F_PTR, NULL },
	{ "flow_keys", SKB_OFF(flow_keys), 8, 8, 0, NULL },
	{ "tstamp", SKB_OFF(tstamp), 8, 8, F_TC | F_TC_W | F_U64, NULL },
	{ "wire_len", SKB_OFF(wire_len), 4, 4, F_TC, NULL },
	{ "gso_segs", SKB_OFF(gso_segs), 4, 2, RW, NULL },
	{ "sk", SKB_OFF(sk), 8, 8, RW | F_U64,
	  "bpfvm has no sockets (the kernel's test run has a dummy one)" },
	{ "gso_size", SKB_OFF(gso_size), 4, 2, RW, NULL },
	{ "tstamp_type", SKB_OFF(tstamp_type), 1, 1, F_TC | F_BYTE, NULL },
	{ "padding", SKB_OFF(tstamp_type) + 1, 3, 0, 0, NULL },
	{ "hwtstamp", SKB_OFF(hwtstamp), 8, 8, F_TC | F_U64, NULL },
};

static int deny(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int deny(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		vsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return -EACCES;
}

static const struct skb_field *field_at(uint32_t off)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (off >= fields[i].off && off < fields[i].off + fields[i].len)
			return &fields[i];
	return NULL;
}

/* Where a packet pointer is in skb_ctx. */
static uint32_t pointer_off(uint32_t off)
{
	if (off == SKB_OFF(data))
		return offsetof(struct skb_ctx, data);
	if (off == SKB_OFF(data_end))
		return offsetof(struct skb_ctx, data_end);
	return offsetof(struct skb_ctx, data_meta);
}

static void set_size(struct bpf_insn *insn, uint32_t size)
{
	static const uint8_t codes[9] = { [1] = BPF_B, [2] = BPF_H,
					  [4] = BPF_W, [8] = BPF_DW };

	insn->code = (uint8_t)((insn->code & ~0x18) | codes[size]);
}

/* Writes: whole u32 fields (cb[] any size), stored at the kernel's
 * width. */
static int skb_write(const struct skb_field *f, const struct pt_ctx_access *a,
		     struct bpf_insn *insn, char *why, size_t why_size)
{
	if (f->flags & F_CB)
		return 0;
	if (f->flags & F_U64)
		return a->size == 8 ? 0 : deny(why, why_size, "%u-byte "
			"store to __sk_buff->%s: it is written as 8 bytes",
			a->size, f->name);
	if (a->size != 4)
		return deny(why, why_size, "%u-byte store to __sk_buff->%s: "
			    "fields are written as whole u32s", a->size,
			    f->name);
	if (f->ksize < 4)
		set_size(insn, f->ksize);
	return 0;
}

static int skb_read(const struct skb_field *f, const struct pt_ctx_access *a,
		    struct bpf_insn *insn, char *why, size_t why_size)
{
	if (f->flags & F_CB)
		return 0;
	if (f->flags & (F_U64 | F_BYTE)) {
		uint32_t want = f->flags & F_BYTE ? 1 : 8;

		return a->size == want ? 0 : deny(why, why_size, "%u-byte "
			"load of __sk_buff->%s: it is read as %u byte%s",
			a->size, f->name, want, want > 1 ? "s" : "");
	}
	if (f->flags & F_PTR) {
		if (a->size != 4)
			return deny(why, why_size, "%u-byte load of the packet "
				    "pointer __sk_buff->%s: read it as a u32",
				    a->size, f->name);
		if (a->sign_ext)
			return deny(why, why_size, "sign-extending load of the "
				    "packet pointer __sk_buff->%s", f->name);
		insn->code = BPF_LDX | BPF_MEM | BPF_DW;
		insn->off = (int16_t)(insn->off + (int32_t)(pointer_off(a->off) -
							    a->off));
		return 0;
	}
	if (a->size > 4)
		return deny(why, why_size, "%u-byte load of the u32 "
			    "__sk_buff->%s", a->size, f->name);
	/* at least the kernel's field: the whole field */
	if (a->size >= f->ksize && a->off != f->off)
		insn->off = (int16_t)(insn->off - (int32_t)(a->off - f->off));
	return 0;
}

int skb_ctx_access(bool tc, const struct pt_ctx_access *a,
		   struct bpf_insn *insn, char *why, size_t why_size)
{
	const char *who = tc ? "tc programs" : "socket filters";
	const struct skb_field *f = field_at(a->off);

	if (!f)
		return deny(why, why_size, "offset %u is past struct "
			    "__sk_buff (%zu bytes)", a->off,
			    sizeof(struct __sk_buff));
	if (!(f->flags & (tc ? F_TC : F_SF)))
		return deny(why, why_size, "__sk_buff->%s is not accessible "
			    "to %s", f->name, who);
	if (a->write && !(f->flags & (tc ? F_TC_W : F_SF_W)))
		return deny(why, why_size, "write to __sk_buff->%s is not "
			    "allowed for %s", f->name, who);
	if (a->off % a->size)
		return deny(why, why_size, "misaligned %u-byte access at "
			    "__sk_buff+%u", a->size, a->off);
	if ((f->flags & F_CB) && a->off + a->size > f->off + f->len)
		return deny(why, why_size, "%u-byte access at __sk_buff+%u "
			    "runs past cb[4]", a->size, a->off);
	if (f->no)
		return deny(why, why_size, "__sk_buff->%s: %s", f->name, f->no);
	/* queue_mapping stores of 0xffff or more are dropped by the
	 * kernel: a conditional store a rewrite in place cannot express */
	if (a->write && a->off == SKB_OFF(queue_mapping))
		return deny(why, why_size, "write to __sk_buff->queue_mapping: "
			    "not supported by bpfvm");
	return a->write ? skb_write(f, a, insn, why, why_size)
			: skb_read(f, a, insn, why, why_size);
}
