/* Small BTF accessors the loader's standalone pieces (ld_core*.c,
 * ld_btf_maps.c, ld_extern.c) share: the records after a btf_type, as
 * <linux/btf.h> lays them out, over the public bpfvm_btf API. */
#ifndef BPFVM_LOADER_LD_BTF_UTIL_H
#define BPFVM_LOADER_LD_BTF_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <bpfvm/btf.h>

static inline uint32_t ldbtf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline uint32_t ldbtf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline bool ldbtf_kflag(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}

static inline bool ldbtf_is_composite(const struct btf_type *t)
{
	return ldbtf_kind(t) == BTF_KIND_STRUCT ||
	       ldbtf_kind(t) == BTF_KIND_UNION;
}

static inline bool ldbtf_is_any_enum(const struct btf_type *t)
{
	return ldbtf_kind(t) == BTF_KIND_ENUM ||
	       ldbtf_kind(t) == BTF_KIND_ENUM64;
}

static inline const struct btf_member *ldbtf_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}

static inline const struct btf_array *ldbtf_array(const struct btf_type *t)
{
	return (const struct btf_array *)(t + 1);
}

static inline const struct btf_param *ldbtf_params(const struct btf_type *t)
{
	return (const struct btf_param *)(t + 1);
}

static inline const struct btf_var *ldbtf_var(const struct btf_type *t)
{
	return (const struct btf_var *)(t + 1);
}

static inline const struct btf_var_secinfo *
ldbtf_secinfos(const struct btf_type *t)
{
	return (const struct btf_var_secinfo *)(t + 1);
}

static inline uint32_t ldbtf_int_enc(const struct btf_type *t)
{
	return BTF_INT_ENCODING(*(const uint32_t *)(t + 1));
}

static inline uint32_t ldbtf_int_off(const struct btf_type *t)
{
	return BTF_INT_OFFSET(*(const uint32_t *)(t + 1));
}

static inline uint32_t ldbtf_member_bit_off(const struct btf_type *t,
					    uint32_t i)
{
	uint32_t off = ldbtf_members(t)[i].offset;

	return ldbtf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}

static inline uint32_t ldbtf_member_bitfield(const struct btf_type *t,
					     uint32_t i)
{
	uint32_t off = ldbtf_members(t)[i].offset;

	return ldbtf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(off) : 0;
}

/* Enumerator i's name offset and value (sign-extended for a 32-bit
 * enum, as libbpf reads it). */
static inline uint32_t ldbtf_enum_name(const struct btf_type *t, uint32_t i)
{
	if (ldbtf_kind(t) == BTF_KIND_ENUM)
		return ((const struct btf_enum *)(t + 1))[i].name_off;
	return ((const struct btf_enum64 *)(t + 1))[i].name_off;
}

static inline uint64_t ldbtf_enum_val(const struct btf_type *t, uint32_t i)
{
	const struct btf_enum64 *e;

	if (ldbtf_kind(t) == BTF_KIND_ENUM)
		return (uint64_t)(int64_t)((const struct btf_enum *)(t + 1))[i].val;
	e = (const struct btf_enum64 *)(t + 1) + i;
	return (uint64_t)e->val_hi32 << 32 | e->val_lo32;
}

/* Skip typedefs and modifiers from id: the type underneath (NULL for
 * void or a bad id) and, in *out_id when given, its id (0 for void). */
static inline const struct btf_type *
ldbtf_skip(const struct bpfvm_btf *btf, uint32_t id, uint32_t *out_id)
{
	int r = bpfvm_btf_skip_mods(btf, id);

	if (out_id)
		*out_id = r > 0 ? (uint32_t)r : 0;
	return r > 0 ? bpfvm_btf_type(btf, (uint32_t)r) : NULL;
}

static inline const char *ldbtf_name(const struct bpfvm_btf *btf,
				     uint32_t name_off)
{
	const char *s = bpfvm_btf_str(btf, name_off);

	return s ? s : "";
}

#endif
