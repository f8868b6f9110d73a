/* Whole-map comparisons: a walk with get_next_key + lookup on each side,
 * and batch reads, compared step by step (EXACT) or as key sets
 * (UNORDERED; LRU: on the keys both still have). */
#include "mapdiff_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/map.h>

#include "kmap.h"

#define EMPTY_SLOT 0xee /* value bytes of a key whose lookup says ENOENT */

static size_t key_room(const struct mapdiff *d)
{
	return d->spec.key_size > 8 ? d->spec.key_size : 8;
}

static int side_next(struct mapdiff *d, bool kernel, const void *key,
		     void *next)
{
	return kernel ? kmap_get_next_key(d->kfd, key, next)
		      : bpfvm_map_get_next_key(d->vm, key, next);
}

static int side_lookup(struct mapdiff *d, bool kernel, const void *key,
		       void *value)
{
	return kernel ? kmap_lookup(d->kfd, key, value, 0)
		      : bpfvm_map_lookup(d->vm, key, value, 0);
}

/* Every key from NULL on, with its value; stops at batch_room keys. */
static int walk(struct mapdiff *d, bool kernel, uint8_t *keys, uint8_t *vals,
		uint32_t *n)
{
	size_t ks = d->spec.key_size;
	const void *prev = NULL;
	int rc;

	for (*n = 0; *n < d->batch_room; (*n)++) {
		uint8_t *k = keys + *n * ks, *v = vals + *n * d->vsize;

		rc = side_next(d, kernel, prev, k);
		if (rc == -ENOENT)
			return 0;
		if (rc)
			return rc;
		rc = side_lookup(d, kernel, k, v);
		if (rc == -ENOENT)
			memset(v, EMPTY_SLOT, d->vsize);
		else if (rc)
			return rc;
		prev = k;
	}
	return 0;
}

struct sort_ctx {
	const uint8_t *keys;
	size_t ks;
};

static int cmp_idx(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;

	return memcmp(c->keys + *(const uint32_t *)a * c->ks,
		      c->keys + *(const uint32_t *)b * c->ks, c->ks);
}

static uint32_t *sorted(const uint8_t *keys, size_t ks, uint32_t n)
{
	uint32_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	struct sort_ctx c = { keys, ks };

	if (!idx)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_idx, &c);
	return idx;
}

/* The sets of (key, value) in d->kkeys/kvals (kn) and d->vkeys/vvals
 * (vn). LRU: keys on one side only are deleted from it (evictions). */
static int compare_sets(struct mapdiff *d, const struct mapdiff_op *op,
			uint32_t kn, uint32_t vn)
{
	size_t ks = d->spec.key_size, vs = d->vsize;
	bool lru = d->o.compare == MAPDIFF_CMP_LRU;
	uint32_t *ki = sorted(d->kkeys, ks, kn), *vi = sorted(d->vkeys, ks, vn);
	uint32_t i = 0, j = 0;
	int bad = !ki || !vi;

	if (!lru && kn != vn) {
		md_fail(d, op, "element count: kernel %u, bpfvm %u", kn, vn);
		bad = 1;
	}
	while (!bad && (i < kn || j < vn)) {
		const uint8_t *kk = i < kn ? d->kkeys + ki[i] * ks : NULL;
		const uint8_t *vk = j < vn ? d->vkeys + vi[j] * ks : NULL;
		int c = !kk ? 1 : !vk ? -1 : memcmp(kk, vk, ks);

		if (c && !lru) {
			md_fail(d, op, "key sets differ");
			md_fail_bytes(kk ? kk : vk, vk ? vk : kk, ks);
			bad = 1;
		} else if (c < 0) {
			kmap_delete(d->kfd, kk), i++;
		} else if (c > 0) {
			bpfvm_map_delete(d->vm, vk), j++;
		} else {
			uint8_t *a = d->kvals + ki[i++] * vs;
			uint8_t *b = d->vvals + vi[j++] * vs;

			md_normalize(d, a, b, 1);
			if (memcmp(a, b, vs)) {
				md_fail(d, op, "values of a key differ");
				md_fail_bytes(a, b, vs);
				bad = 1;
			}
		}
	}
	free(ki);
	free(vi);
	return bad;
}

static int compare_seq(struct mapdiff *d, const struct mapdiff_op *op,
		       uint32_t kn, uint32_t vn, const char *what)
{
	if (kn != vn) {
		md_fail(d, op, "%s count: kernel %u, bpfvm %u", what, kn, vn);
		return 1;
	}
	if (memcmp(d->kkeys, d->vkeys, (size_t)kn * d->spec.key_size)) {
		md_fail(d, op, "%s keys differ", what);
		md_fail_bytes(d->kkeys, d->vkeys, (size_t)kn * d->spec.key_size);
		return 1;
	}
	md_normalize(d, d->kvals, d->vvals, kn);
	if (memcmp(d->kvals, d->vvals, (size_t)kn * d->vsize)) {
		md_fail(d, op, "%s values differ", what);
		md_fail_bytes(d->kvals, d->vvals, (size_t)kn * d->vsize);
		return 1;
	}
	return 0;
}

static int same_rc(struct mapdiff *d, const struct mapdiff_op *op, int kr,
		   int vr, const char *what)
{
	if (kr == vr)
		return 0;
	md_fail(d, op, "%s: kernel %d, bpfvm %d", what, kr, vr);
	return 1;
}

int md_walk_compare(struct mapdiff *d, const struct mapdiff_op *op)
{
	uint32_t kn, vn;
	int kr, vr;

	if (d->bloom)
		return 0; /* nothing to iterate */
	if (d->queue) {
		struct mapdiff_op peek = { .kind = MAPDIFF_PEEK };

		return mapdiff_do(d, &peek, NULL);
	}
	kr = walk(d, true, d->kkeys, d->kvals, &kn);
	vr = walk(d, false, d->vkeys, d->vvals, &vn);
	if (same_rc(d, op, kr, vr, "walk"))
		return 1;
	if (kr)
		return 0;
	if (d->o.compare == MAPDIFF_CMP_EXACT)
		return compare_seq(d, op, kn, vn, "walk");
	return compare_sets(d, op, kn, vn);
}

static int side_batch(struct mapdiff *d, bool kernel, bool del,
		      const void *in, void *out, void *keys, void *vals,
		      uint32_t *count, uint64_t flags)
{
	struct bpfvm_map_batch_opts bo = { .sz = sizeof(bo),
					   .elem_flags = flags };

	if (kernel)
		return del ? kmap_lookup_and_delete_batch(d->kfd, in, out, keys,
							  vals, count, flags)
			   : kmap_lookup_batch(d->kfd, in, out, keys, vals,
					       count, flags);
	return del ? bpfvm_map_lookup_and_delete_batch(d->vm, in, out, keys,
						       vals, count, &bo)
		   : bpfvm_map_lookup_batch(d->vm, in, out, keys, vals, count,
					    &bo);
}

/* EXACT: both walk in steps of op->count, each step compared. */
static int batch_steps(struct mapdiff *d, const struct mapdiff_op *op,
		       bool del, int *rc)
{
	size_t kr_ = key_room(d);
	uint8_t *in = d->in, *kout = in + kr_, *vout = kout + kr_;
	uint32_t n = op->count ? op->count : 4, steps = 0;
	bool first = true;
	int kr, vr;

	if (n > d->batch_room)
		n = d->batch_room;
	do {
		uint32_t kc = n, vc = n;

		memset(kout, 0xa5, kr_);
		memset(vout, 0xa5, kr_);
		kr = side_batch(d, true, del, first ? NULL : in, kout, d->kkeys,
				d->kvals, &kc, op->flags);
		vr = side_batch(d, false, del, first ? NULL : in, vout,
				d->vkeys, d->vvals, &vc, op->flags);
		*rc = kr;
		if (same_rc(d, op, kr, vr, "batch step"))
			return 1;
		if (kr && kr != -ENOENT) /* only the count means something */
			return kc == vc ? 0 : compare_seq(d, op, kc, vc, "batch");
		if (compare_seq(d, op, kc, vc, "batch"))
			return 1;
		if (kc && memcmp(kout, vout, d->spec.key_size)) {
			md_fail(d, op, "out_batch differs");
			return 1;
		}
		memcpy(in, kout, kr_);
		first = false;
		if (++steps > d->spec.max_entries + 2) {
			md_fail(d, op, "batch walk does not end");
			return 1;
		}
	} while (!kr);
	return 0;
}

/* UNORDERED / LRU: each side reads the whole map, room for all of it
 * per call (so hash types never need a bigger count), then the sets are
 * compared. */
static int batch_all(struct mapdiff *d, bool kernel, bool del,
		     uint8_t *keys, uint8_t *vals, uint32_t *total,
		     uint64_t flags)
{
	size_t kr_ = key_room(d);
	uint8_t *in = d->in + (kernel ? 0 : 2 * kr_), *out = in + kr_;
	int rc;

	for (*total = 0;;) {
		uint32_t c = d->batch_room - *total, before = *total;

		if (!c)
			return 0;
		rc = side_batch(d, kernel, del, *total ? in : NULL, out,
				keys + *total * d->spec.key_size,
				vals + *total * d->vsize, &c, flags);
		*total += c;
		if (rc)
			return rc;
		if (*total == before)
			return -EAGAIN; /* no progress and no end: a bug */
		memcpy(in, out, kr_);
	}
}

int md_batch_read(struct mapdiff *d, const struct mapdiff_op *op, int *rc)
{
	bool del = op->kind == MAPDIFF_LOOKUP_AND_DELETE_BATCH;
	uint32_t kn, vn;
	int kr, vr;

	if (d->o.compare == MAPDIFF_CMP_EXACT)
		return batch_steps(d, op, del, rc);
	kr = batch_all(d, true, del, d->kkeys, d->kvals, &kn, op->flags);
	vr = batch_all(d, false, del, d->vkeys, d->vvals, &vn, op->flags);
	*rc = kr;
	if (same_rc(d, op, kr, vr, "batch"))
		return 1;
	if (kr && kr != -ENOENT)
		return kn == vn ? 0 : compare_seq(d, op, kn, vn, "batch");
	return compare_sets(d, op, kn, vn);
}
