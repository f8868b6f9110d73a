/* func_info / line_info of a linked program. .BTF.ext keeps them per ELF
 * section with insn_off in bytes from the section's start; a program
 * wants them in instructions from its own start, for every function it
 * was linked from, in order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld_link.h"

/* clang writes each section's records sorted; a section that is not is
 * left without records rather than trusted. */
static bool sorted(const void *recs, uint32_t cnt, size_t size)
{
	const uint8_t *b = recs;

	for (uint32_t i = 1; i < cnt; i++) {
		uint32_t prev, cur;	/* insn_off leads both record types */

		memcpy(&prev, b + (i - 1) * size, sizeof(prev));
		memcpy(&cur, b + i * size, sizeof(cur));
		if (cur < prev)
			return false;
	}
	return true;
}

int ld_link_info_init(struct ld_link *lk)
{
	const struct bpfvm_object *obj = lk->obj;

	lk->ext = calloc(obj->code_cnt ? obj->code_cnt : 1, sizeof(*lk->ext));
	if (!lk->ext)
		return -ENOMEM;
	for (size_t c = 0; obj->btf_ext && c < obj->code_cnt; c++) {
		const struct bpfvm_btf_ext_sec *s =
			bpfvm_btf_ext_find_sec(obj->btf_ext,
					       obj->code[c].sec->name);

		if (s && sorted(s->func_info, s->func_info_cnt,
				sizeof(*s->func_info)) &&
		    sorted(s->line_info, s->line_info_cnt,
			   sizeof(*s->line_info)))
			lk->ext[c] = s;
	}
	return 0;
}

/* Records [*lo, *hi) of a sorted array whose insn_off (bytes) lies in
 * the function's instructions. */
static void rec_range(const void *recs, uint32_t cnt, size_t size,
		      const struct ld_func *fn, size_t *lo, size_t *hi)
{
	const uint8_t *b = recs;
	uint64_t from = (uint64_t)fn->start * 8, to = from + (uint64_t)fn->cnt * 8;
	size_t l = 0, h = cnt;
	uint32_t off;

	while (l < h) {
		size_t mid = (l + h) / 2;

		memcpy(&off, b + mid * size, sizeof(off));
		if (off < from)
			l = mid + 1;
		else
			h = mid;
	}
	*lo = l;
	while (l < cnt && (memcpy(&off, b + l * size, sizeof(off)), off < to))
		l++;
	*hi = l;
}

/* The records of placed function k (kind: func_info or line_info), each
 * insn_off made the program's instruction index, appended to dst (or
 * only counted when dst is NULL). Records off an instruction boundary
 * or repeating the previous record's instruction are skipped. */
static size_t move_recs(const struct ld_link *lk, size_t k, bool func,
			uint8_t *dst, size_t n)
{
	size_t size = func ? sizeof(struct bpf_func_info)
			   : sizeof(struct bpf_line_info);
	const struct ld_func *fn = &lk->obj->funcs[lk->placed[k].func];
	const struct bpfvm_btf_ext_sec *s = lk->ext[fn->code];
	const uint8_t *recs;
	size_t lo, hi;
	uint32_t off, prev = 0;

	if (!s)
		return n;
	recs = func ? (const void *)s->func_info : (const void *)s->line_info;
	rec_range(recs, func ? s->func_info_cnt : s->line_info_cnt, size, fn,
		  &lo, &hi);
	if (dst && n)
		memcpy(&prev, dst + (n - 1) * size, sizeof(prev));
	for (size_t i = lo; i < hi; i++) {
		memcpy(&off, recs + i * size, sizeof(off));
		if (off % 8)
			continue;
		off = lk->placed[k].off + off / 8 - fn->start;
		if (dst && n && off == prev)
			continue;
		if (dst) {
			memcpy(dst + n * size, recs + i * size, size);
			memcpy(dst + n * size, &off, sizeof(off));
		}
		prev = off;
		n++;
	}
	return n;
}

static int gather(const struct ld_link *lk, bool func, void **out,
		  size_t *cnt)
{
	size_t size = func ? sizeof(struct bpf_func_info)
			   : sizeof(struct bpf_line_info);
	size_t n = 0;

	for (size_t k = 0; k < lk->placed_cnt; k++)
		n = move_recs(lk, k, func, NULL, n);
	*out = NULL;
	*cnt = 0;
	if (!n)
		return 0;
	*out = malloc(n * size);
	if (!*out)
		return -ENOMEM;
	for (size_t k = 0; k < lk->placed_cnt; k++)
		*cnt = move_recs(lk, k, func, *out, *cnt);
	return 0;
}

/* Does every placed function start with a record (the first record of
 * its range at its first instruction)? func_info: exactly one each. */
static bool covers(const struct ld_link *lk, const void *recs, size_t cnt,
		   size_t size, bool exactly_one)
{
	const uint8_t *b = recs;
	size_t i = 0;

	if (exactly_one && cnt != lk->placed_cnt)
		return false;
	for (size_t k = 0; k < lk->placed_cnt; k++) {
		uint32_t off = 0;

		if (i < cnt)
			memcpy(&off, b + i * size, sizeof(off));
		if (i >= cnt || off != lk->placed[k].off)
			return false;
		while (k + 1 < lk->placed_cnt && i < cnt &&
		       (memcpy(&off, b + i * size, sizeof(off)),
			off < lk->placed[k + 1].off))
			i++;
	}
	return true;
}

static void drop(void **recs, size_t *cnt)
{
	free(*recs);
	*recs = NULL;
	*cnt = 0;
}

int ld_link_info(struct ld_link *lk, struct bpfvm_obj_prog *p)
{
	int err = gather(lk, true, (void **)&p->func_info, &p->func_info_cnt);

	if (!err)
		err = gather(lk, false, (void **)&p->line_info,
			     &p->line_info_cnt);
	if (err)
		return err;
	/* A call into the middle of a function starts a function the
	 * records do not know: the program goes without them. */
	if (lk->odd_target ||
	    !covers(lk, p->func_info, p->func_info_cnt,
		    sizeof(*p->func_info), true))
		drop((void **)&p->func_info, &p->func_info_cnt);
	if (lk->odd_target ||
	    !covers(lk, p->line_info, p->line_info_cnt,
		    sizeof(*p->line_info), false))
		drop((void **)&p->line_info, &p->line_info_cnt);
	return 0;
}
