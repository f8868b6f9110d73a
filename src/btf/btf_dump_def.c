/* Struct, union and enum bodies. BTF gives every member's bit offset;
 * C gives offsets by alignment. Where BTF puts a member later than C
 * would, unnamed bitfields pad the gap (as bpftool: long: 64; int: 32;
 * ...); where earlier, the struct is packed. The struct's size is
 * reached the same way. */
#include <errno.h>

#include "btf/btf_dump_priv.h"

static uint32_t align_of(struct btf_dumper *d, uint32_t id);

/* Bitfield width of member m (0 for a plain member): kind_flag's, or an
 * INT member narrower than its size (the older encoding). */
static uint32_t member_bits(const struct btf_dumper *d,
			    const struct btf_type *t, const struct btf_member *m)
{
	uint32_t u, v;
	const struct btf_type *ut;

	if (btf_kflag(t))
		return btf_member_bitfield(t, m);
	u = btf_skip_mods(d->btf, m->type);
	ut = u ? btf_t(d->btf, u) : NULL;
	if (!ut || btf_kind(ut) != BTF_KIND_INT)
		return 0;
	v = *(const uint32_t *)btf_extra(ut);
	return BTF_INT_BITS(v) != ut->size * 8 ? BTF_INT_BITS(v) : 0;
}

/* The alignment C gives a struct, and whether BTF's offsets need it
 * packed (a member off its alignment, or a size not a multiple). */
static uint32_t struct_align(struct btf_dumper *d, const struct btf_type *t,
			     bool *packed)
{
	const struct btf_member *m = btf_extra(t);
	uint32_t max = 1;

	*packed = false;
	for (uint32_t i = 0; i < btf_vlen(t) && !d->err; i++) {
		uint32_t a = align_of(d, m[i].type);

		if (!member_bits(d, t, &m[i]) &&
		    btf_member_bit_off(t, &m[i]) % (a * 8))
			*packed = true;
		max = a > max ? a : max;
	}
	if (t->size % max)
		*packed = true;
	return *packed ? 1 : max;
}

static uint32_t align_uncached(struct btf_dumper *d, uint32_t id)
{
	const struct btf_type *t = btf_t(d->btf, id);
	bool packed;

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return t->size;
	case BTF_KIND_FLOAT:
		return t->size == 12 ? 4 : t->size;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_ARRAY:
		return align_of(d, ((const struct btf_array *)btf_extra(t))->type);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return struct_align(d, t, &packed);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return align_of(d, t->type);
	}
	return 1;
}

static uint32_t align_of(struct btf_dumper *d, uint32_t id)
{
	uint32_t a;

	if (!id)
		return 1;
	if (d->align && d->align[id])
		return d->align[id];
	if (!dump_step(d))
		return 1;
	if (++d->depth > DUMP_MAX_DEPTH) {
		d->err = -E2BIG;
		d->depth--;
		return 1;
	}
	a = align_uncached(d, id);
	d->depth--;
	a = a ? a : 1;
	if (d->align)
		d->align[id] = (uint8_t)(a > 128 ? 128 : a);
	return a;
}

/* Unnamed bitfields from bit `from` to bit `to`, each inside its own
 * type's alignment unit so the compiler places them back to back. */
static void pad(struct sbuf *out, uint64_t from, uint64_t to, int indent)
{
	static const struct {
		uint32_t bits;
		const char *type;
	} units[] = { { 64, "long" }, { 32, "int" }, { 16, "short" },
		      { 8, "char" } };

	while (from < to && !out->err) {
		uint64_t n = 0, rem = to - from;
		const char *type = "char";

		if (from % 8 || rem < 8) {
			n = 8 - from % 8 < rem ? 8 - from % 8 : rem;
		} else {
			for (size_t i = 0; !n; i++)
				if (!(from % units[i].bits) && rem >= units[i].bits) {
					n = units[i].bits;
					type = units[i].type;
				}
		}
		sb_indent(out, indent);
		sb_printf(out, "%s: %u;\n", type, (unsigned)n);
		from += n;
	}
}

static void members(struct btf_dumper *d, struct sbuf *out,
		    const struct btf_type *t, bool packed, int indent)
{
	const struct btf_member *m = btf_extra(t);
	bool is_struct = btf_kind(t) == BTF_KIND_STRUCT;
	uint64_t cur = 0, end;

	for (uint32_t i = 0; i < btf_vlen(t) && dump_step(d); i++) {
		uint64_t off = btf_member_bit_off(t, &m[i]);
		uint32_t bits = member_bits(d, t, &m[i]);
		uint64_t a = packed || bits ? 1 : align_of(d, m[i].type);

		if (is_struct && off > (cur + a * 8 - 1) / (a * 8) * (a * 8))
			pad(out, cur, off, indent + 1);
		sb_indent(out, indent + 1);
		dump_decl(d, out, m[i].type, btf_s(d->btf, m[i].name_off),
			  indent + 1);
		if (bits)
			sb_printf(out, ": %u", bits);
		sb_puts(out, ";\n");
		end = off + (bits ? bits : (uint64_t)btf_size_of(d->btf, m[i].type) * 8);
		if (is_struct || end > cur)
			cur = end;
	}
	if (!is_struct)
		return;
	end = packed ? (cur + 7) / 8 * 8 : cur;
	if ((uint64_t)t->size * 8 > end)
		pad(out, cur, (uint64_t)t->size * 8, indent + 1);
}

static void enumerators(struct btf_dumper *d, struct sbuf *out,
			const struct btf_type *t, int indent)
{
	bool is64 = btf_kind(t) == BTF_KIND_ENUM64, sign = btf_kflag(t);
	const struct btf_enum64 *e64 = btf_extra(t);
	const struct btf_enum *e = btf_extra(t);
	char buf[256];

	for (uint32_t i = 0; i < btf_vlen(t) && !out->err; i++) {
		uint32_t name_off = is64 ? e64[i].name_off : e[i].name_off;
		const char *name = btf_s(d->btf, name_off);
		uint64_t v = is64 ? (uint64_t)e64[i].val_hi32 << 32 | e64[i].val_lo32
				  : (uint32_t)e[i].val;

		if (d->names)
			name = dump_enumerator(d, name, buf, sizeof(buf));
		sb_indent(out, indent + 1);
		if (!is64 && sign)
			sb_printf(out, "%s = %d,\n", name, (int32_t)v);
		else if (!is64)
			sb_printf(out, "%s = %u,\n", name, (uint32_t)v);
		else if (sign && v == 1ull << 63)
			sb_printf(out, "%s = (-9223372036854775807LL - 1),\n", name);
		else if (sign)
			sb_printf(out, "%s = %lldLL,\n", name, (long long)v);
		else
			sb_printf(out, "%s = %lluULL,\n", name,
				  (unsigned long long)v);
	}
}

void dump_body(struct btf_dumper *d, struct sbuf *out, uint32_t id,
	       int indent)
{
	const struct btf_type *t = btf_t(d->btf, id);
	int kind = btf_kind(t);
	bool packed = false;

	if (++d->depth > DUMP_MAX_DEPTH) {
		d->err = -E2BIG;
		d->depth--;
		return;
	}
	sb_puts(out, kind == BTF_KIND_STRUCT ? "struct "
		     : kind == BTF_KIND_UNION ? "union "
					      : "enum ");
	if (t->name_off) {
		sb_puts(out, dump_name(d, id));
		sb_puts(out, " ");
	}
	sb_puts(out, "{\n");
	if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) {
		struct_align(d, t, &packed);
		members(d, out, t, packed, indent);
	} else {
		enumerators(d, out, t, indent);
		packed = t->size < 4; /* as __attribute__((packed)) enums */
	}
	sb_indent(out, indent);
	sb_puts(out, packed ? "} __attribute__((packed))" : "}");
	d->depth--;
}
