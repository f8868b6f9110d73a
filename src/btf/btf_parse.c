/* Raw BTF: header, section bounds, byte order, the type offset table;
 * then the checks (btf_check.c, btf_resolve.c) and the name hash. Also
 * the object's lifetime (references). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_priv.h"
#include "core/opts.h"

void btf_bswap32(uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w[i] = __builtin_bswap32(w[i]);
}

static void swap_header(struct btf_header *h)
{
	h->magic = __builtin_bswap16(h->magic);
	btf_bswap32(&h->hdr_len, 5);
}

/* Header fields and the two sections' bounds. */
static int check_header(const struct btf_ctx *c, struct btf_header *h)
{
	struct bpfvm_btf *b = c->btf;
	uint64_t body = b->size - h->hdr_len;
	uint64_t t_end = (uint64_t)h->type_off + h->type_len;
	uint64_t s_end = (uint64_t)h->str_off + h->str_len;

	if (h->version != BTF_VERSION)
		return btf_err(c, -EINVAL, 0, "version %u, not %u", h->version,
			       BTF_VERSION);
	if (h->flags)
		return btf_err(c, -EINVAL, 0, "header flags 0x%x, not 0",
			       h->flags);
	for (size_t i = sizeof(*h); i < h->hdr_len; i++)
		if (b->data[i])
			return btf_err(c, -E2BIG, 0,
				       "unknown header field at byte offset "
				       "%zu is not zero", i);
	if (t_end > body || s_end > body)
		return btf_err(c, -EINVAL, 0,
			       "%s section [%u, +%u) ends past the data (%llu "
			       "bytes after the %u-byte header)",
			       t_end > body ? "type" : "string",
			       t_end > body ? h->type_off : h->str_off,
			       t_end > body ? h->type_len : h->str_len,
			       (unsigned long long)body, h->hdr_len);
	if (h->type_len && h->str_len && h->type_off < s_end &&
	    h->str_off < t_end)
		return btf_err(c, -EINVAL, 0,
			       "type section [%u, +%u) and string section "
			       "[%u, +%u) overlap", h->type_off, h->type_len,
			       h->str_off, h->str_len);
	if ((h->hdr_len + h->type_off) % 4 || h->type_len % 4)
		return btf_err(c, -EINVAL, 0,
			       "type section at byte offset %u, length %u: "
			       "not 4-byte aligned", h->hdr_len + h->type_off,
			       h->type_len);
	return 0;
}

/* The string section: NUL first (unless split) and last. */
static int check_strings(const struct btf_ctx *c, const struct btf_header *h)
{
	struct bpfvm_btf *b = c->btf;
	size_t at = h->hdr_len + h->str_off;

	b->strs = (const char *)b->data + at;
	b->str_len = h->str_len;
	if (!h->str_len && !b->base)
		return btf_err(c, -EINVAL, 0, "empty string section");
	if (h->str_len && b->strs[h->str_len - 1])
		return btf_err(c, -EINVAL, 0,
			       "string section does not end with NUL "
			       "(byte offset %zu)", at + h->str_len - 1);
	if (h->str_len && !b->base && b->strs[0])
		return btf_err(c, -EINVAL, 0,
			       "string section does not start with an empty "
			       "string (byte offset %zu)", at);
	if ((uint64_t)b->start_str + h->str_len > BTF_MAX_NAME_OFFSET + 1ull)
		return btf_err(c, -E2BIG, 0,
			       "string section of %u bytes: offsets past "
			       "%u", h->str_len, BTF_MAX_NAME_OFFSET);
	return 0;
}

/* Walk the type section once: kinds, record lengths, swap, offsets. */
static int index_types(const struct btf_ctx *c, const struct btf_header *h)
{
	struct bpfvm_btf *b = c->btf;
	size_t base_at = h->hdr_len + h->type_off, cap = h->type_len / 12 + 1;
	uint32_t off = 0;

	b->types = b->data + base_at;
	b->offs = malloc(cap * sizeof(*b->offs));
	if (!b->offs)
		return -ENOMEM;
	while (off < h->type_len) {
		struct btf_type *t = (struct btf_type *)(b->data + base_at +
							 off);
		const struct btf_kind_info *ki;
		uint64_t len;

		if (h->type_len - off < sizeof(*t))
			return btf_err(c, -EINVAL, 0,
				       "type [%u] at byte offset %zu: truncated "
				       "(%u bytes left, a type needs 12)",
				       btf_total(b), base_at + off,
				       h->type_len - off);
		if (b->swapped)
			btf_bswap32((uint32_t *)t, 3);
		ki = btf_kind_info(btf_kind(t));
		if (!ki)
			return btf_err(c, -EINVAL, 0,
				       "type [%u] at byte offset %zu: unknown "
				       "kind %d", btf_total(b), base_at + off,
				       btf_kind(t));
		len = sizeof(*t) + ki->fixed + (uint64_t)ki->rec * btf_vlen(t);
		if (len > h->type_len - off)
			return btf_err(c, -EINVAL, 0,
				       "type [%u] %s at byte offset %zu: needs "
				       "%llu bytes (vlen %u), %u left",
				       btf_total(b), ki->name, base_at + off,
				       (unsigned long long)len, btf_vlen(t),
				       h->type_len - off);
		if (btf_total(b) > BTF_MAX_TYPE)
			return btf_err(c, -E2BIG, 0,
				       "more than %u types", BTF_MAX_TYPE);
		if (b->swapped)
			btf_bswap32((uint32_t *)(t + 1), (len - sizeof(*t)) / 4);
		b->offs[b->nr++] = off;
		off += (uint32_t)len;
	}
	return 0;
}

static int parse_header(const struct btf_ctx *c, struct btf_header *h)
{
	struct bpfvm_btf *b = c->btf;

	if (b->size < offsetof(struct btf_header, type_off))
		return btf_err(c, -EINVAL, 0, "%zu bytes: too short for a "
			       "header", b->size);
	memcpy(h, b->data, sizeof(uint64_t));
	if (h->magic == __builtin_bswap16(BTF_MAGIC))
		b->swapped = true;
	else if (h->magic != BTF_MAGIC)
		return btf_err(c, -EINVAL, 0, "bad magic 0x%04x (want 0x%04x)",
			       h->magic, BTF_MAGIC);
	if (b->swapped)
		h->hdr_len = __builtin_bswap32(h->hdr_len);
	if (h->hdr_len < sizeof(*h) || h->hdr_len > b->size)
		return btf_err(c, -EINVAL, 0,
			       "header length %u: not within [%zu, %zu]",
			       h->hdr_len, sizeof(*h), b->size);
	memcpy(h, b->data, sizeof(*h));
	if (b->swapped) {
		swap_header(h);
		memcpy(b->data, h, sizeof(*h)); /* raw bytes in host order */
	}
	return check_header(c, h);
}

static int btf_build(const struct btf_ctx *c)
{
	struct btf_header h;
	int err;

	err = parse_header(c, &h);
	if (!err)
		err = check_strings(c, &h);
	if (!err)
		err = index_types(c, &h);
	if (!err)
		err = btf_check_types(c);
	if (!err)
		err = btf_resolve(c);
	return err;
}

static void btf_destroy(struct bpfvm_btf *b)
{
	free(b->offs);
	free(b->sizes);
	free(b->under);
	free(b->hash_head);
	free(b->hash_next);
	free(b->data);
	pthread_mutex_destroy(&b->hash_lock);
	bpfvm_btf_free(b->base);
	free(b);
}

int bpfvm_btf_parse(const void *data, size_t size,
		    const struct bpfvm_btf_opts *opts, struct bpfvm_btf **out)
{
	const struct bpfvm_btf *base = OPTS_GET(opts, base, NULL);
	struct btf_ctx c = { .log = OPTS_GET(opts, log_buf, NULL),
			     .log_size = OPTS_GET(opts, log_size, 0) };
	struct bpfvm_btf *b;
	int err;

	if (!out || (!data && size))
		return -EINVAL;
	*out = NULL;
	if (c.log && c.log_size)
		c.log[0] = '\0';
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	c.btf = b;
	atomic_init(&b->refcnt, 1);
	atomic_init(&b->hash_ready, false);
	pthread_mutex_init(&b->hash_lock, NULL);
	b->start_id = 1;
	if (base) {
		b->base = bpfvm_btf_get((struct bpfvm_btf *)base);
		b->start_id = btf_total(base);
		b->start_str = base->start_str + base->str_len;
	}
	if (size > BTF_MAX_BYTES) {
		err = btf_err(&c, -E2BIG, 0, "%zu bytes: larger than %u", size,
			      BTF_MAX_BYTES);
		goto fail;
	}
	b->size = size;
	b->data = malloc(size ? size : 1);
	if (!b->data) {
		err = -ENOMEM;
		goto fail;
	}
	memcpy(b->data, data, size);
	err = btf_build(&c);
	if (err)
		goto fail;
	*out = b;
	return 0;
fail:
	if (err == -ENOMEM)
		btf_err(&c, err, 0, "out of memory");
	btf_destroy(b);
	return err;
}

struct bpfvm_btf *bpfvm_btf_get(struct bpfvm_btf *btf)
{
	if (btf)
		atomic_fetch_add_explicit(&btf->refcnt, 1,
					  memory_order_relaxed);
	return btf;
}

void bpfvm_btf_free(struct bpfvm_btf *btf)
{
	if (btf && atomic_fetch_sub_explicit(&btf->refcnt, 1,
					     memory_order_acq_rel) == 1)
		btf_destroy(btf);
}

const void *bpfvm_btf_raw(const struct bpfvm_btf *btf, size_t *size)
{
	if (size)
		*size = btf ? btf->size : 0;
	return btf ? btf->data : NULL;
}
