/* Shared by the pt_skb_* test objects: narrow ctx loads the compiler
 * keeps as written, a hash to fold many values into a return value, and
 * the arguments a test frame carries (at byte 14 of the frame: skb offset
 * 14 for tc, 0 for a socket filter). */
#ifndef PT_SKB_H
#define PT_SKB_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SKB(f) offsetof(struct __sk_buff, f)
#define LD8(ctx, off) (*(volatile __u8 *)((void *)(ctx) + (off)))
#define LD16(ctx, off) (*(volatile __u16 *)((void *)(ctx) + (off)))
#define LD32(ctx, off) (*(volatile __u32 *)((void *)(ctx) + (off)))

/* LD_ABS / LD_IND (clang's intrinsics, as the kernel's samples use). */
unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off)
	asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off)
	asm("llvm.bpf.load.word");

struct pt_args {
	__u32 a, b, c, d;
};

static __always_inline __u32 mix(__u32 h, __u32 v)
{
	return (h ^ v) * 0x01000193u;
}

/* Every byte and both halves of a u32 field, then the whole. */
#define MIX_NARROW(h, ctx, f)                                               \
	do {                                                                 \
		h = mix(h, LD8(ctx, SKB(f)));                                \
		h = mix(h, LD8(ctx, SKB(f) + 1));                            \
		h = mix(h, LD8(ctx, SKB(f) + 2));                            \
		h = mix(h, LD8(ctx, SKB(f) + 3));                            \
		h = mix(h, LD16(ctx, SKB(f)));                               \
		h = mix(h, LD16(ctx, SKB(f) + 2));                           \
		h = mix(h, LD32(ctx, SKB(f)));                               \
	} while (0)

/* The fields socket filters and tc both read. */
#define MIX_COMMON(h, s)                                                    \
	do {                                                                 \
		h = mix(h, s->len);                                          \
		h = mix(h, s->pkt_type);                                     \
		h = mix(h, s->mark);                                         \
		h = mix(h, s->queue_mapping);                                \
		h = mix(h, s->protocol);                                     \
		h = mix(h, s->vlan_present);                                 \
		h = mix(h, s->vlan_tci);                                     \
		h = mix(h, s->vlan_proto);                                   \
		h = mix(h, s->priority);                                     \
		h = mix(h, s->ingress_ifindex);                              \
		h = mix(h, s->ifindex);                                      \
		h = mix(h, s->tc_index);                                     \
		h = mix(h, s->cb[0]);                                        \
		h = mix(h, s->cb[1]);                                        \
		h = mix(h, s->cb[2]);                                        \
		h = mix(h, s->cb[3]);                                        \
		h = mix(h, s->cb[4]);                                        \
		h = mix(h, s->hash);                                         \
		h = mix(h, s->napi_id);                                      \
		h = mix(h, s->gso_segs);                                     \
		h = mix(h, s->gso_size);                                     \
	} while (0)

#endif
