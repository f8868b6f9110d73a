/* Hand-built BTF blobs for the BTF library's tests (test_btf_*.c):
 * append strings and types word by word, then lay out header + types +
 * strings. */
#ifndef BPFVM_TESTS_BTF_BLOB_H
#define BPFVM_TESTS_BTF_BLOB_H

#include <stdint.h>
#include <string.h>
#include <linux/btf.h>

struct blob {
	uint32_t w[4096];	/* the type section, in words */
	size_t nw;
	char s[4096];		/* the string section */
	size_t ns;
	uint32_t ntypes;	/* ids given so far (the next is ntypes + 1) */
	uint32_t str_base;	/* split BTF: offsets continue the base's */
	uint8_t out[4096 * 4 + 4096 + 64];
};

static inline void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->ns = 1; /* "" at offset 0 */
}

/* A split BTF's builder: ids after base_cnt - 1, strings after base's. */
static inline void blob_init_split(struct blob *b, uint32_t base_cnt,
				   uint32_t base_str_len)
{
	memset(b, 0, sizeof(*b));
	b->ntypes = base_cnt - 1;
	b->str_base = base_str_len;
}

static inline uint32_t blob_str(struct blob *b, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)b->ns;

	if (!*s && !b->str_base)
		return 0;
	memcpy(b->s + b->ns, s, n);
	b->ns += n;
	return off + b->str_base;
}

static inline void blob_w(struct blob *b, uint32_t w)
{
	b->w[b->nw++] = w;
}

/* A btf_type: returns its id. name NULL or "" for none. */
static inline uint32_t blob_type(struct blob *b, const char *name, int kind,
				 int kflag, uint32_t vlen, uint32_t size_type)
{
	blob_w(b, name && *name ? blob_str(b, name) : 0);
	blob_w(b, (uint32_t)kflag << 31 | (uint32_t)kind << 24 | vlen);
	blob_w(b, size_type);
	return ++b->ntypes;
}

static inline uint32_t blob_int(struct blob *b, const char *name,
				uint32_t size, uint32_t enc)
{
	uint32_t id = blob_type(b, name, BTF_KIND_INT, 0, 0, size);

	blob_w(b, enc << 24 | size * 8);
	return id;
}

static inline void blob_member(struct blob *b, const char *name,
			       uint32_t type, uint32_t off)
{
	blob_w(b, name && *name ? blob_str(b, name) : 0);
	blob_w(b, type);
	blob_w(b, off);
}

/* Lay out the blob; returns its size. */
static inline size_t blob_finish(struct blob *b)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof(h), .type_off = 0,
		.type_len = (uint32_t)(b->nw * 4),
		.str_off = (uint32_t)(b->nw * 4), .str_len = (uint32_t)b->ns,
	};

	memcpy(b->out, &h, sizeof(h));
	memcpy(b->out + sizeof(h), b->w, b->nw * 4);
	memcpy(b->out + sizeof(h) + b->nw * 4, b->s, b->ns);
	return sizeof(h) + b->nw * 4 + b->ns;
}

#endif
