/* Hand-built BTF for tests of malformed input clang will not write
 * (issue 5): append types word by word, strings, then parse. */
#ifndef BPFVM_TESTS_BTF_BUILD_H
#define BPFVM_TESTS_BTF_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/btf.h>

/* <linux/btf.h> has the decoders only */
#define BB_INFO(kind, kflag, vlen)                                          \
	((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | (uint32_t)(vlen))
#define BB_INT(enc, off, bits) ((uint32_t)(enc) << 24 | (off) << 16 | (bits))

struct btf_build {
	uint32_t w[512];	/* type section, in words */
	size_t nw;
	char s[1024];		/* string section; s[0] = "" */
	size_t ns;
	uint32_t next_id;
};

static inline void bb_init(struct btf_build *b)
{
	memset(b, 0, sizeof(*b));
	b->ns = 1;
	b->next_id = 1;
}

static inline uint32_t bb_str(struct btf_build *b, const char *str)
{
	uint32_t off = (uint32_t)b->ns;

	if (!*str)
		return 0;
	memcpy(b->s + b->ns, str, strlen(str) + 1);
	b->ns += strlen(str) + 1;
	return off;
}

static inline void bb_w(struct btf_build *b, uint32_t w)
{
	b->w[b->nw++] = w;
}

/* A btf_type header; the caller appends the kind's extra words. */
static inline uint32_t bb_type(struct btf_build *b, const char *name,
			       uint32_t kind, uint32_t vlen, bool kflag,
			       uint32_t size_or_type)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, BB_INFO(kind, kflag, vlen));
	bb_w(b, size_or_type);
	return b->next_id++;
}

static inline uint32_t bb_int(struct btf_build *b, const char *name,
			      uint32_t size, uint32_t enc)
{
	uint32_t id = bb_type(b, name, BTF_KIND_INT, 0, false, size);

	bb_w(b, BB_INT(enc, 0, size * 8));
	return id;
}

static inline uint32_t bb_array(struct btf_build *b, uint32_t elem,
				uint32_t index, uint32_t n)
{
	uint32_t id = bb_type(b, "", BTF_KIND_ARRAY, 0, false, 0);

	bb_w(b, elem);
	bb_w(b, index);
	bb_w(b, n);
	return id;
}

/* Member / enumerator / var_secinfo: three words each. */
static inline void bb_3(struct btf_build *b, uint32_t a, uint32_t c,
			uint32_t d)
{
	bb_w(b, a);
	bb_w(b, c);
	bb_w(b, d);
}

static inline int bb_parse(struct btf_build *b, struct bpfvm_btf **out)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof(h), .type_off = 0,
		.type_len = (uint32_t)(b->nw * 4),
		.str_off = (uint32_t)(b->nw * 4), .str_len = (uint32_t)b->ns,
	};
	size_t size = sizeof(h) + b->nw * 4 + b->ns;
	char *buf = malloc(size);
	int err;

	if (!buf)
		return -1;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), b->w, b->nw * 4);
	memcpy(buf + sizeof(h) + b->nw * 4, b->s, b->ns);
	{
		char log[256] = "";
		struct bpfvm_btf_opts o = { .sz = sizeof(o), .log_buf = log,
					    .log_size = sizeof(log) };

		err = bpfvm_btf_parse(buf, size, &o, out);
		if (err)
			fprintf(stderr, "bb_parse: %s\n", log);
	}
	free(buf);
	return err;
}

#endif
