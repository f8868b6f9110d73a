/* Reading a parsed BTF: the kind table, types and strings by id/offset,
 * lookup by name (a hash built by the first lookup), modifiers, sizes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf_priv.h"

/* the name without "BTF_KIND_" */
#define REC(kind, fixed, rec) [kind] = { &#kind[9], fixed, rec }
static const struct btf_kind_info kinds[NR_BTF_KINDS] = {
	REC(BTF_KIND_INT, 4, 0),
	REC(BTF_KIND_PTR, 0, 0),
	REC(BTF_KIND_ARRAY, sizeof(struct btf_array), 0),
	REC(BTF_KIND_STRUCT, 0, sizeof(struct btf_member)),
	REC(BTF_KIND_UNION, 0, sizeof(struct btf_member)),
	REC(BTF_KIND_ENUM, 0, sizeof(struct btf_enum)),
	REC(BTF_KIND_FWD, 0, 0),
	REC(BTF_KIND_TYPEDEF, 0, 0),
	REC(BTF_KIND_VOLATILE, 0, 0),
	REC(BTF_KIND_CONST, 0, 0),
	REC(BTF_KIND_RESTRICT, 0, 0),
	REC(BTF_KIND_FUNC, 0, 0),
	REC(BTF_KIND_FUNC_PROTO, 0, sizeof(struct btf_param)),
	REC(BTF_KIND_VAR, sizeof(struct btf_var), 0),
	REC(BTF_KIND_DATASEC, 0, sizeof(struct btf_var_secinfo)),
	REC(BTF_KIND_FLOAT, 0, 0),
	REC(BTF_KIND_DECL_TAG, sizeof(struct btf_decl_tag), 0),
	REC(BTF_KIND_TYPE_TAG, 0, 0),
	REC(BTF_KIND_ENUM64, 0, sizeof(struct btf_enum64)),
};

const struct btf_kind_info *btf_kind_info(int kind)
{
	return kind > 0 && kind < NR_BTF_KINDS ? &kinds[kind] : NULL;
}

const char *btf_kind_name(int kind)
{
	const struct btf_kind_info *ki = btf_kind_info(kind);

	return ki ? ki->name : "UNKN";
}

uint32_t bpfvm_btf_type_cnt(const struct bpfvm_btf *btf)
{
	return btf ? btf_total(btf) : 0;
}

const struct btf_type *bpfvm_btf_type(const struct bpfvm_btf *btf,
				      uint32_t id)
{
	if (!btf || !id || id >= btf_total(btf))
		return NULL;
	return btf_t(btf, id);
}

const char *bpfvm_btf_str(const struct bpfvm_btf *btf, uint32_t off)
{
	if (!btf)
		return NULL;
	while (off < btf->start_str && btf->base)
		btf = btf->base;
	if (off - btf->start_str >= btf->str_len)
		return off ? NULL : "";
	return btf->strs + (off - btf->start_str);
}

const char *bpfvm_btf_type_name(const struct bpfvm_btf *btf, uint32_t id)
{
	if (!btf || id >= btf_total(btf))
		return NULL;
	return id ? btf_s(btf, btf_t(btf, id)->name_off) : "";
}

/* FNV-1a: names are short; this is a few ms over vmlinux. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int hash_build(struct bpfvm_btf *b)
{
	uint32_t cap = 16;

	while (cap < b->nr * 2)
		cap <<= 1;
	b->hash_mask = cap - 1;
	b->hash_head = calloc(cap, sizeof(*b->hash_head));
	b->hash_next = calloc(b->nr ? b->nr : 1, sizeof(*b->hash_next));
	if (!b->hash_head || !b->hash_next) {
		free(b->hash_head);
		free(b->hash_next);
		b->hash_head = b->hash_next = NULL;
		return -ENOMEM;
	}
	/* last to first, so each chain runs in ascending id order */
	for (uint32_t i = b->nr; i-- > 0;) {
		const struct btf_type *t = btf_t(b, b->start_id + i);
		uint32_t h;

		if (!t->name_off)
			continue;
		h = name_hash(btf_s(b, t->name_off)) & b->hash_mask;
		b->hash_next[i] = b->hash_head[h];
		b->hash_head[h] = i + 1;
	}
	return 0;
}

/* The hash, built once under the lock; readers after that see it
 * through hash_ready (release/acquire). The BTF is const to callers: the
 * hash is a cache. */
static int hash_get(const struct bpfvm_btf *btf)
{
	struct bpfvm_btf *b = (struct bpfvm_btf *)btf;
	int err = 0;

	if (atomic_load_explicit(&b->hash_ready, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&b->hash_lock);
	if (!atomic_load_explicit(&b->hash_ready, memory_order_relaxed)) {
		err = hash_build(b);
		if (!err)
			atomic_store_explicit(&b->hash_ready, true,
					      memory_order_release);
	}
	pthread_mutex_unlock(&b->hash_lock);
	return err;
}

int bpfvm_btf_find(const struct bpfvm_btf *btf, const char *name, int kind)
{
	uint32_t h;
	int err;

	if (!btf || !name)
		return -EINVAL;
	if (btf->base) {
		int id = bpfvm_btf_find(btf->base, name, kind);

		if (id >= 0)
			return id;
	}
	if (!*name)
		return -ENOENT;
	err = hash_get(btf);
	if (err)
		return err;
	h = name_hash(name) & btf->hash_mask;
	for (uint32_t i = btf->hash_head[h]; i; i = btf->hash_next[i - 1]) {
		uint32_t id = btf->start_id + i - 1;
		const struct btf_type *t = btf_t(btf, id);

		if ((kind < 0 || btf_kind(t) == kind) &&
		    !strcmp(btf_s(btf, t->name_off), name))
			return (int)id;
	}
	return -ENOENT;
}

int bpfvm_btf_skip_mods(const struct bpfvm_btf *btf, uint32_t id)
{
	if (!btf || id >= btf_total(btf))
		return -ENOENT;
	return (int)btf_skip_mods(btf, id);
}

int64_t bpfvm_btf_type_size(const struct bpfvm_btf *btf, uint32_t id)
{
	uint32_t size;

	if (!btf || id >= btf_total(btf))
		return -ENOENT;
	size = btf_size_of(btf, id);
	return size == BTF_NO_SIZE ? -EINVAL : (int64_t)size;
}
