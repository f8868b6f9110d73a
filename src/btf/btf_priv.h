/* BTF internals shared by the src/btf files: the parsed object, per-kind
 * layout, type access without checks (ids validated at parse). */
#ifndef BPFVM_BTF_PRIV_H
#define BPFVM_BTF_PRIV_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <bpfvm/btf.h>

/* A type with no size (void, function, forward declaration). */
#define BTF_NO_SIZE UINT32_MAX
/* The largest blob accepted (vmlinux is ~6 MB; the kernel takes 16). */
#define BTF_MAX_BYTES (256u << 20)

struct bpfvm_btf {
	atomic_int refcnt;
	struct bpfvm_btf *base;		/* split BTF: a reference on base */
	uint32_t start_id;		/* first own id: 1, or base's count */
	uint32_t start_str;		/* first own string offset */
	uint32_t nr;			/* own types */
	uint8_t *data;			/* the blob, copied, in host order */
	size_t size;
	const char *strs;		/* own string section */
	uint32_t str_len;
	const uint8_t *types;		/* own type section */
	uint32_t *offs;			/* own type i: offset in types */
	uint32_t *sizes;		/* own type i: sizeof, or BTF_NO_SIZE */
	uint32_t *under;		/* own type i without modifiers */
	/* Name hash, built by the first lookup (a cache: parse stays lean) */
	pthread_mutex_t hash_lock;
	atomic_bool hash_ready;
	uint32_t *hash_head;		/* first own index + 1 */
	uint32_t *hash_next;		/* next own index + 1, same bucket */
	uint32_t hash_mask;
	bool swapped;			/* the input was the other byte order */
};

/* Parse-time state: the object being built and where messages go. */
struct btf_ctx {
	struct bpfvm_btf *btf;
	char *log;
	size_t log_size;
};

/* Which BTF (base or split) holds id; id must be below type_cnt. */
static inline const struct bpfvm_btf *btf_owner(const struct bpfvm_btf *b,
						uint32_t id)
{
	while (id < b->start_id && b->base)
		b = b->base;
	return b;
}

/* The type record of a valid, nonzero id. */
static inline const struct btf_type *btf_t(const struct bpfvm_btf *b,
					   uint32_t id)
{
	b = btf_owner(b, id);
	return (const struct btf_type *)(b->types +
					 b->offs[id - b->start_id]);
}

static inline uint32_t btf_size_of(const struct bpfvm_btf *b, uint32_t id)
{
	if (!id)
		return BTF_NO_SIZE;
	b = btf_owner(b, id);
	return b->sizes[id - b->start_id];
}

static inline int btf_kind(const struct btf_type *t)
{
	return (int)BTF_INFO_KIND(t->info);
}

/* Skip typedef/const/volatile/restrict/type_tag from a valid id: O(1),
 * resolved at parse (a crafted chain can be 100k long). */
static inline uint32_t btf_skip_mods(const struct bpfvm_btf *b, uint32_t id)
{
	if (!id)
		return 0;
	b = btf_owner(b, id);
	return b->under[id - b->start_id];
}

static inline uint32_t btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline bool btf_kflag(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}

/* The records after the btf_type header. */
static inline const void *btf_extra(const struct btf_type *t)
{
	return t + 1;
}

static inline uint32_t btf_total(const struct bpfvm_btf *b)
{
	return b->start_id + b->nr;
}

/* A string offset known to be valid (checked at parse). */
static inline const char *btf_s(const struct bpfvm_btf *b, uint32_t off)
{
	while (off < b->start_str && b->base)
		b = b->base;
	return b->strs + (off - b->start_str);
}

/* Bit size and offset of member m of a struct/union (kind_flag aware);
 * bitfield size is 0 for a plain member. */
static inline uint32_t btf_member_bit_off(const struct btf_type *t,
					  const struct btf_member *m)
{
	return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}

static inline uint32_t btf_member_bitfield(const struct btf_type *t,
					   const struct btf_member *m)
{
	return btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
}

/* Per-kind layout (btf_types.c): the kind's name as bpftool prints it
 * ("STRUCT"), bytes of fixed data after btf_type, bytes per vlen item. */
struct btf_kind_info {
	const char *name;
	uint8_t fixed;
	uint8_t rec;
};
const struct btf_kind_info *btf_kind_info(int kind); /* NULL if unknown */
const char *btf_kind_name(int kind);		     /* "UNKN" if unknown */

/* Message "BTF: type [id] KIND 'name' at byte offset N: ..." (id 0: no
 * type part) into the context's log; returns err. btf_log.c */
int btf_err(const struct btf_ctx *c, int err, uint32_t id, const char *fmt,
	    ...) __attribute__((format(printf, 4, 5)));

/* Parse steps. */
int btf_check_types(const struct btf_ctx *c);	/* btf_check.c */
int btf_resolve(const struct btf_ctx *c);	/* btf_resolve.c */
/* Byte-swap n u32 words in place (btf_parse.c; .BTF.ext uses it). */
void btf_bswap32(uint32_t *w, size_t n);

#endif
