/* bpf_l3_csum_replace and bpf_l4_csum_replace: incremental updates of a
 * 16-bit Internet checksum in the packet, with the kernel's arithmetic
 * (include/net/checksum.h: csum_replace2 / csum_replace4 /
 * csum_replace_by_diff; net/core/utils.c: inet_proto_csum_replace*), so
 * the 0x0000 / 0xffff cases come out as the kernel's do. Values are the
 * register's low 16 or 32 bits as the program built them (network order
 * in memory on a little-endian host, as on x86-64).
 *
 * bpfvm's skbs are never CHECKSUM_PARTIAL or CHECKSUM_COMPLETE (test runs
 * start CHECKSUM_NONE; csum_level moves only between NONE and
 * UNNECESSARY), so the L4 form updates the field as the L3 form does and
 * BPF_F_PSEUDO_HDR / BPF_F_IPV6 change nothing, as in the kernel's test
 * run. */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>

#include "helpers/hlp_priv.h"
#include "helpers/skb_helpers.h"
#include "progtypes/skb_ctx.h"

#define ERR(e) ((uint64_t)(int64_t)(e))
#define CSUM_MANGLED_0 0xffff

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return hlp_csum_add(a, ~b);
}

static uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t r = (uint16_t)(csum + addend);

	return (uint16_t)(r + (r < addend));
}

static uint16_t csum_replace2(uint16_t sum, uint16_t from, uint16_t to)
{
	return (uint16_t)~csum16_add(csum16_add((uint16_t)~sum,
						(uint16_t)~from), to);
}

static uint16_t csum_replace4(uint16_t sum, uint32_t from, uint32_t to)
{
	return csum_fold(hlp_csum_add(csum_sub(~(uint32_t)sum, from), to));
}

static uint16_t csum_replace_by_diff(uint16_t sum, uint32_t diff)
{
	return csum_fold(hlp_csum_add(diff, ~(uint32_t)sum));
}

/* The field at offset (from skb->data): even, within 0xffff and the
 * packet; NULL otherwise (-EFAULT). */
static uint8_t *csum_field(struct skb_ctx *c, uint64_t offset)
{
	if (offset > 0xffff || (offset & 1) || offset + 2 > c->sk.len)
		return NULL;
	return skb_ctx_data(c) + offset;
}

/* Both forms: 0, -EINVAL (flags, or a nonzero `from` with field size 0)
 * or -EFAULT (offset). */
static int64_t csum_replace(uint64_t r1, uint64_t offset, uint64_t from,
			    uint64_t to, uint64_t flags, bool l4)
{
	struct skb_ctx *c = skb_ctx_get(r1);
	uint64_t ok = BPF_F_HDR_FIELD_MASK;
	bool mangled0 = l4 && (flags & BPF_F_MARK_MANGLED_0);
	uint16_t sum;
	uint8_t *p;

	if (l4)
		ok |= BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE |
		      BPF_F_PSEUDO_HDR | BPF_F_IPV6;
	if (!c || (flags & ~ok))
		return -EINVAL;
	p = csum_field(c, (uint32_t)offset);
	if (!p)
		return -EFAULT;
	memcpy(&sum, p, 2);
	if (mangled0 && !(flags & BPF_F_MARK_ENFORCE) && !sum)
		return 0;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return -EINVAL;
		sum = csum_replace_by_diff(sum, (uint32_t)to);
		break;
	case 2:
		sum = l4 ? csum_replace4(sum, (uint16_t)from, (uint16_t)to)
			 : csum_replace2(sum, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		sum = csum_replace4(sum, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return -EINVAL;
	}
	if (mangled0 && !sum)
		sum = CSUM_MANGLED_0;
	memcpy(p, &sum, 2);
	return 0;
}

uint64_t hlp_l3_csum_replace(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)run;
	return ERR(csum_replace(r1, r2, r3, r4, r5, false));
}

uint64_t hlp_l4_csum_replace(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	(void)run;
	return ERR(csum_replace(r1, r2, r3, r4, r5, true));
}
