/* .BTF.ext: func_info, line_info and CO-RE relocation records, each
 * subsection a record size then blocks {sec_name_off, num_info, records}
 * per ELF section. Records are copied into arrays of the kernel's record
 * size (a larger size from a newer compiler keeps its known prefix),
 * in host order, grouped by section name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_priv.h"
#include "core/log.h"
#include "core/opts.h"

/* The header up to line_info; core_relo_off/len follow when hdr_len
 * covers them. */
#define EXT_HDR_MIN offsetof(struct btf_ext_hdr, sub[EXT_CORE])

struct bpfvm_btf_ext {
	struct bpfvm_btf_ext_sec *secs;
	size_t cnt;
};

enum ext_kind { EXT_FUNC, EXT_LINE, EXT_CORE, EXT_KINDS };

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t sub[EXT_KINDS][2];	/* {off, len} of each subsection */
};

static const struct {
	const char *name;
	uint32_t rec;
} ext_kinds[EXT_KINDS] = {
	[EXT_FUNC] = { "func_info", sizeof(struct bpf_func_info) },
	[EXT_LINE] = { "line_info", sizeof(struct bpf_line_info) },
	[EXT_CORE] = { "core_relo", sizeof(struct bpf_core_relo) },
};

struct ext_ctx {
	const uint8_t *data;
	size_t size;
	bool swapped;
	const struct bpfvm_btf *btf;
	struct bpfvm_btf_ext *ext;
	char *log;
	size_t log_size;
	/* Sections by name (open addressing, index + 1), and the room in
	 * each array: crafted input can have a block per record. */
	uint32_t *slots;
	size_t nslots, sec_cap;
	uint32_t (*cap)[EXT_KINDS];
};

static uint32_t rd32(const struct ext_ctx *c, size_t at)
{
	uint32_t v;

	memcpy(&v, c->data + at, sizeof(v));
	return c->swapped ? __builtin_bswap32(v) : v;
}

static size_t slot_of(const struct ext_ctx *c, const char *name)
{
	size_t h = 5381;

	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (h &= c->nslots - 1; c->slots[h]; h = (h + 1) & (c->nslots - 1))
		if (!strcmp(c->ext->secs[c->slots[h] - 1].sec_name, name))
			break;
	return h;
}

static bool grow_slots(struct ext_ctx *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 64;
	uint32_t *old = c->slots;

	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		return false;
	}
	c->nslots = n;
	for (size_t i = 0; i < c->ext->cnt; i++)
		c->slots[slot_of(c, c->ext->secs[i].sec_name)] = (uint32_t)i + 1;
	free(old);
	return true;
}

/* The section of this name, added if new; its index, or -ENOMEM. */
static int64_t sec_get(struct ext_ctx *c, const char *name)
{
	struct bpfvm_btf_ext *e = c->ext;
	size_t h;

	if ((e->cnt + 1) * 2 > c->nslots && !grow_slots(c))
		return -ENOMEM;
	h = slot_of(c, name);
	if (c->slots[h])
		return c->slots[h] - 1;
	if (e->cnt == c->sec_cap) {
		size_t cap = c->sec_cap ? c->sec_cap * 2 : 4;
		void *secs = realloc(e->secs, cap * sizeof(*e->secs));
		void *caps = secs ? realloc(c->cap, cap * sizeof(*c->cap)) : NULL;

		if (secs)
			e->secs = secs;
		if (!caps)
			return -ENOMEM;
		c->cap = caps;
		c->sec_cap = cap;
	}
	memset(&e->secs[e->cnt], 0, sizeof(e->secs[0]));
	memset(c->cap[e->cnt], 0, sizeof(c->cap[0]));
	e->secs[e->cnt].sec_name = name;
	c->slots[h] = (uint32_t)e->cnt + 1;
	return (int64_t)e->cnt++;
}

/* The section's array and count for this kind. */
static void **sec_array(struct bpfvm_btf_ext_sec *s, enum ext_kind k,
			uint32_t **cnt)
{
	switch (k) {
	case EXT_FUNC:
		*cnt = &s->func_info_cnt;
		return (void **)&s->func_info;
	case EXT_LINE:
		*cnt = &s->line_info_cnt;
		return (void **)&s->line_info;
	default:
		*cnt = &s->core_relo_cnt;
		return (void **)&s->core_relo;
	}
}

static int rec_err(const struct ext_ctx *c, enum ext_kind k, const char *sec,
		   uint32_t i, size_t at, const char *what, uint32_t v)
{
	return core_logf(c->log, c->log_size, -EINVAL,
			 "BTF.ext: %s of section '%.64s' record %u at byte "
			 "offset %zu: %s %u", ext_kinds[k].name, sec, i, at,
			 what, v);
}

/* One record in host order: the ids and strings it names must exist. */
static int check_rec(const struct ext_ctx *c, enum ext_kind k,
		     const uint32_t *w, const char *sec, uint32_t i, size_t at)
{
	const struct btf_type *t;

	if (w[0] % sizeof(struct bpf_insn))
		return rec_err(c, k, sec, i, at,
			       "instruction byte offset not a multiple of 8:",
			       w[0]);
	switch (k) {
	case EXT_FUNC:
		t = bpfvm_btf_type(c->btf, w[1]);
		if (!t || btf_kind(t) != BTF_KIND_FUNC)
			return rec_err(c, k, sec, i, at,
				       "not a FUNC type id:", w[1]);
		return 0;
	case EXT_LINE:
		if (!bpfvm_btf_str(c->btf, w[1]))
			return rec_err(c, k, sec, i, at,
				       "file name outside the strings:", w[1]);
		if (!bpfvm_btf_str(c->btf, w[2]))
			return rec_err(c, k, sec, i, at,
				       "line text outside the strings:", w[2]);
		return 0;
	default:
		if (w[1] >= bpfvm_btf_type_cnt(c->btf))
			return rec_err(c, k, sec, i, at,
				       "type id does not exist:", w[1]);
		if (!bpfvm_btf_str(c->btf, w[2]) || !*bpfvm_btf_str(c->btf, w[2]))
			return rec_err(c, k, sec, i, at,
				       "access string outside the strings:",
				       w[2]);
		return 0;
	}
}

/* One block {sec_name_off, num_info, records} at `at`; returns its
 * length, or -errno. */
static int64_t parse_block(struct ext_ctx *c, enum ext_kind k, size_t at,
			   size_t end, uint32_t rec_size)
{
	uint32_t name_off = rd32(c, at), n = rd32(c, at + 4), *cnt, kr;
	const char *name = bpfvm_btf_str(c->btf, name_off);
	struct bpfvm_btf_ext_sec *s;
	int64_t si;
	uint8_t *arr;
	void **slot;

	if (!name || !*name)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: %s block at byte offset %zu: section "
				 "name offset %u is not a name in the strings",
				 ext_kinds[k].name, at, name_off);
	if (!n || (uint64_t)n * rec_size > end - at - 8)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: %s of section '%.64s' at byte offset "
				 "%zu: %u records of %u bytes do not fit in %zu",
				 ext_kinds[k].name, name, at, n, rec_size,
				 end - at - 8);
	si = sec_get(c, name);
	if (si < 0)
		return -ENOMEM;
	s = &c->ext->secs[si];
	slot = sec_array(s, k, &cnt);
	kr = ext_kinds[k].rec;
	if ((size_t)*cnt + n > c->cap[si][k]) {
		size_t room = (size_t)*cnt + n;

		room = room < 2 * (size_t)c->cap[si][k] ? 2 * (size_t)c->cap[si][k]
							 : room;
		arr = realloc(*slot, room * kr);
		if (!arr)
			return -ENOMEM;
		*slot = arr;
		c->cap[si][k] = (uint32_t)room;
	}
	arr = *slot;
	for (uint32_t i = 0; i < n; i++) {
		size_t from = at + 8 + (size_t)i * rec_size;
		uint32_t *w = (uint32_t *)(arr + (size_t)(*cnt + i) * kr);
		int err;

		for (uint32_t j = 0; j < kr / 4; j++)
			w[j] = rd32(c, from + j * 4);
		err = check_rec(c, k, w, name, i, from);
		if (err)
			return err;
	}
	*cnt += n;
	return 8 + (int64_t)n * rec_size;
}

/* One subsection: the record size, then blocks to its end. */
static int parse_info(struct ext_ctx *c, enum ext_kind k, size_t at,
		      uint32_t len)
{
	size_t end = at + len;
	uint32_t rec_size;

	if (!len)
		return 0;
	if (len < 4)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: %s at byte offset %zu: %u bytes, no "
				 "room for the record size", ext_kinds[k].name,
				 at, len);
	rec_size = rd32(c, at);
	if (rec_size < ext_kinds[k].rec || rec_size % 4 || rec_size > 1024)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: %s at byte offset %zu: record size "
				 "%u (the kernel's is %u)", ext_kinds[k].name,
				 at, rec_size, ext_kinds[k].rec);
	for (at += 4; at < end;) {
		int64_t n;

		if (end - at < 8)
			return core_logf(c->log, c->log_size, -EINVAL,
					 "BTF.ext: %s at byte offset %zu: "
					 "truncated block header (%zu bytes)",
					 ext_kinds[k].name, at, end - at);
		n = parse_block(c, k, at, end, rec_size);
		if (n < 0)
			return (int)n;
		at += (size_t)n;
	}
	return 0;
}

static int parse_header(struct ext_ctx *c, struct btf_ext_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (c->size < EXT_HDR_MIN)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: %zu bytes: too short for a header",
				 c->size);
	memcpy(h, c->data, 4);
	c->swapped = h->magic == __builtin_bswap16(BTF_MAGIC);
	if (h->magic != BTF_MAGIC && !c->swapped)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: bad magic 0x%04x", h->magic);
	if (h->version != BTF_VERSION || h->flags)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: version %u flags 0x%x (want 1, 0)",
				 h->version, h->flags);
	h->hdr_len = rd32(c, 4);
	if (h->hdr_len < EXT_HDR_MIN || h->hdr_len > c->size)
		return core_logf(c->log, c->log_size, -EINVAL,
				 "BTF.ext: header length %u: not within [%zu, "
				 "%zu]", h->hdr_len, EXT_HDR_MIN, c->size);
	for (size_t k = 0; k < EXT_KINDS; k++)
		for (size_t j = 0; j < 2; j++) {
			size_t at = offsetof(struct btf_ext_hdr, sub[k][j]);

			if (at + 4 <= h->hdr_len)
				h->sub[k][j] = rd32(c, at);
		}
	return 0;
}

int bpfvm_btf_ext_parse(const void *data, size_t size,
			const struct bpfvm_btf *btf,
			const struct bpfvm_btf_opts *opts,
			struct bpfvm_btf_ext **out)
{
	struct ext_ctx c = { .data = data, .size = size, .btf = btf,
			     .log = OPTS_GET(opts, log_buf, NULL),
			     .log_size = OPTS_GET(opts, log_size, 0) };
	struct btf_ext_hdr h;
	int err;

	if (!out || !btf || (!data && size))
		return -EINVAL;
	*out = NULL;
	if (c.log && c.log_size)
		c.log[0] = '\0';
	err = parse_header(&c, &h);
	if (err)
		return err;
	c.ext = calloc(1, sizeof(*c.ext));
	if (!c.ext)
		return -ENOMEM;
	for (int k = 0; !err && k < EXT_KINDS; k++) {
		uint64_t body = size - h.hdr_len;
		uint32_t off = h.sub[k][0], len = h.sub[k][1];

		if ((uint64_t)off + len > body)
			err = core_logf(c.log, c.log_size, -EINVAL,
					"BTF.ext: %s [%u, +%u) ends past the "
					"data (%llu bytes after the header)",
					ext_kinds[k].name, off, len,
					(unsigned long long)body);
		else
			err = parse_info(&c, k, h.hdr_len + off, len);
	}
	free(c.slots);
	free(c.cap);
	if (err) {
		bpfvm_btf_ext_free(c.ext);
		return err;
	}
	*out = c.ext;
	return 0;
}

void bpfvm_btf_ext_free(struct bpfvm_btf_ext *ext)
{
	if (!ext)
		return;
	for (size_t i = 0; i < ext->cnt; i++) {
		free((void *)ext->secs[i].func_info);
		free((void *)ext->secs[i].line_info);
		free((void *)ext->secs[i].core_relo);
	}
	free(ext->secs);
	free(ext);
}

size_t bpfvm_btf_ext_sec_cnt(const struct bpfvm_btf_ext *ext)
{
	return ext ? ext->cnt : 0;
}

const struct bpfvm_btf_ext_sec *
bpfvm_btf_ext_sec(const struct bpfvm_btf_ext *ext, size_t i)
{
	return ext && i < ext->cnt ? &ext->secs[i] : NULL;
}

const struct bpfvm_btf_ext_sec *
bpfvm_btf_ext_find_sec(const struct bpfvm_btf_ext *ext, const char *name)
{
	for (size_t i = 0; ext && name && i < ext->cnt; i++)
		if (!strcmp(ext->secs[i].sec_name, name))
			return &ext->secs[i];
	return NULL;
}
