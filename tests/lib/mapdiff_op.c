/* One operation on both maps and the comparison of what came back. */
#include "mapdiff_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpfvm/map.h>

#include "kmap.h"

static const char *errname(int rc)
{
	const char *n;

	if (rc >= 0)
		return "ok";
	if (rc == -524)
		return "ENOTSUPP";
	n = strerrorname_np(-rc);
	return n ? n : "?";
}

static int same_rc(struct mapdiff *d, const struct mapdiff_op *op, int kr,
		   int vr)
{
	if (kr == vr)
		return 0;
	md_fail(d, op, "kernel %d (%s), bpfvm %d (%s)", kr, errname(kr), vr,
		errname(vr));
	return 1;
}

static int same_bytes(struct mapdiff *d, const struct mapdiff_op *op,
		      const void *k, const void *v, size_t n, const char *what)
{
	if (!memcmp(k, v, n))
		return 0;
	md_fail(d, op, "both returned 0, different %s", what);
	md_fail_bytes(k, v, n);
	return 1;
}

static bool lru(const struct mapdiff *d)
{
	return d->o.compare == MAPDIFF_CMP_LRU;
}

/* rc pair {a, b} in either order */
static bool rc_pair(int kr, int vr, int a, int b)
{
	return (kr == a && vr == b) || (kr == b && vr == a);
}

static void *op_key(struct mapdiff *d, const struct mapdiff_op *op)
{
	if (op->raw_key)
		return (void *)op->raw_key;
	if (op->key < 0)
		return NULL;
	md_key(d, op->key, d->in);
	return d->in;
}

/* Input values live after the key in d->in. */
static uint8_t *in_value(struct mapdiff *d, bool kernel)
{
	size_t off = ((d->spec.key_size + 7) & ~7u) + (kernel ? 0 : d->vsize + 8);

	return d->in + off;
}

/* LRU: a key one side evicted; delete it from both to carry on. */
static void lru_resync(struct mapdiff *d, const void *key)
{
	kmap_delete(d->kfd, key);
	bpfvm_map_delete(d->vm, key);
}

static bool was_pushed(const struct mapdiff *d, int64_t value)
{
	for (size_t i = 0; i < d->npushed; i++)
		if (d->pushed[i] == (uint32_t)value)
			return true;
	return false;
}

static void note_pushed(struct mapdiff *d, int64_t value)
{
	if (d->npushed == d->pushed_cap) {
		size_t cap = d->pushed_cap ? d->pushed_cap * 2 : 64;
		uint32_t *p = realloc(d->pushed, cap * sizeof(*p));

		if (!p)
			return;
		d->pushed = p;
		d->pushed_cap = cap;
	}
	d->pushed[d->npushed++] = (uint32_t)value;
}

/* Results that differ where the comparison is loose: an LRU eviction, a
 * bloom false positive. Anything else is a mismatch. */
static int loose_rc(struct mapdiff *d, const struct mapdiff_op *op,
		    const void *key, int kr, int vr)
{
	if (lru(d) && key &&
	    (rc_pair(kr, vr, 0, -ENOENT) || rc_pair(kr, vr, 0, -EEXIST))) {
		lru_resync(d, key);
		return 0;
	}
	if (d->bloom && rc_pair(kr, vr, 0, -ENOENT) &&
	    !(vr == -ENOENT && was_pushed(d, op->value)))
		return 0;
	return same_rc(d, op, kr, vr);
}

static int op_read(struct mapdiff *d, const struct mapdiff_op *op, int *rc)
{
	bool del = op->kind == MAPDIFF_POP ||
		   op->kind == MAPDIFF_LOOKUP_AND_DELETE;
	bool keyless = op->kind == MAPDIFF_POP || op->kind == MAPDIFF_PEEK;
	void *key = keyless ? NULL : op_key(d, op);
	int kr, vr;

	if (d->bloom) {
		md_value(d, op->value, d->kvals, d->vvals);
	} else {
		memset(d->kvals, 0xa5, d->vsize);
		memset(d->vvals, 0xa5, d->vsize);
	}
	kr = del ? kmap_lookup_and_delete(d->kfd, key, d->kvals, op->flags)
		 : kmap_lookup(d->kfd, key, d->kvals, op->flags);
	vr = del ? bpfvm_map_lookup_and_delete(d->vm, key, d->vvals, op->flags)
		 : bpfvm_map_lookup(d->vm, key, d->vvals, op->flags);
	*rc = kr;
	if (kr != vr)
		return loose_rc(d, op, key, kr, vr);
	if (kr) /* bpf(2) copies out only on success: both untouched */
		return d->bloom ? 0 : same_bytes(d, op, d->kvals, d->vvals,
						 d->vsize, "value after an error");
	md_normalize(d, d->kvals, d->vvals, 1);
	return same_bytes(d, op, d->kvals, d->vvals, d->vsize, "value");
}

static int op_write(struct mapdiff *d, const struct mapdiff_op *op, int *rc)
{
	void *key = op->kind == MAPDIFF_PUSH ? NULL : op_key(d, op);
	uint8_t *kin = in_value(d, true), *vin = in_value(d, false);
	int kr, vr;

	md_value(d, op->value, kin, vin);
	kr = kmap_update(d->kfd, key, kin, op->flags);
	vr = bpfvm_map_update(d->vm, key, vin, op->flags);
	*rc = kr;
	if (d->bloom && !kr)
		note_pushed(d, op->value);
	return kr == vr ? 0 : loose_rc(d, op, key, kr, vr);
}

static int op_delete(struct mapdiff *d, const struct mapdiff_op *op, int *rc)
{
	void *key = op_key(d, op);
	int kr = kmap_delete(d->kfd, key), vr = bpfvm_map_delete(d->vm, key);

	*rc = kr;
	return kr == vr ? 0 : loose_rc(d, op, key, kr, vr);
}

/* Is `key` in each map? -1 where lookups fail otherwise (WRONLY ...). */
static void presence(struct mapdiff *d, const void *key, int *kin, int *vin)
{
	int kr = kmap_lookup(d->kfd, key, d->kvals, 0);
	int vr = bpfvm_map_lookup(d->vm, key, d->vvals, 0);

	*kin = kr == 0 ? 1 : kr == -ENOENT ? 0 : -1;
	*vin = vr == 0 ? 1 : vr == -ENOENT ? 0 : -1;
}

/* Unordered iteration: from NULL or an absent key both must say whether
 * there is a first key; from a present key only that what each returns
 * (if anything) is another key of its own map. */
static int next_key_unordered(struct mapdiff *d, const struct mapdiff_op *op,
			      const void *key, int kr, int vr)
{
	int kin = 0, vin = 0, a, b;

	if (key)
		presence(d, key, &kin, &vin);
	if (kin < 0 || vin < 0 || (!kin && !vin))
		return same_rc(d, op, kr, vr);
	if ((kr && kr != -ENOENT) || (vr && vr != -ENOENT))
		return same_rc(d, op, kr, vr);
	if (!kr) {
		presence(d, d->kkeys, &a, &b);
		if (a != 1 || !memcmp(d->kkeys, key, d->spec.key_size)) {
			md_fail(d, op, "kernel's next key is not another key");
			return 1;
		}
	}
	if (!vr) {
		presence(d, d->vkeys, &a, &b);
		if (b != 1 || !memcmp(d->vkeys, key, d->spec.key_size)) {
			md_fail(d, op, "bpfvm's next key is not another key");
			return 1;
		}
	}
	return 0;
}

static int op_next_key(struct mapdiff *d, const struct mapdiff_op *op,
		       int *rc)
{
	void *key = op_key(d, op);
	size_t ks = d->spec.key_size;
	int kr, vr;

	memset(d->kkeys, 0xa5, ks);
	memset(d->vkeys, 0xa5, ks);
	kr = kmap_get_next_key(d->kfd, key, d->kkeys);
	vr = bpfvm_map_get_next_key(d->vm, key, d->vkeys);
	*rc = kr;
	if (d->o.compare != MAPDIFF_CMP_EXACT && !d->queue && !d->bloom)
		return next_key_unordered(d, op, key, kr, vr);
	if (same_rc(d, op, kr, vr))
		return 1;
	return kr ? 0 : same_bytes(d, op, d->kkeys, d->vkeys, ks, "next key");
}

static int op_freeze(struct mapdiff *d, const struct mapdiff_op *op, int *rc)
{
	int kr = kmap_freeze(d->kfd), vr = bpfvm_map_freeze(d->vm);

	*rc = kr;
	return same_rc(d, op, kr, vr);
}

static uint32_t batch_count(const struct mapdiff *d,
			    const struct mapdiff_op *op)
{
	uint32_t n = op->count ? op->count : 4;

	return n < d->batch_room ? n : d->batch_room;
}

static int op_batch_write(struct mapdiff *d, const struct mapdiff_op *op,
			  int *rc)
{
	bool upd = op->kind == MAPDIFF_UPDATE_BATCH;
	struct bpfvm_map_batch_opts bo = { .sz = sizeof(bo),
					   .elem_flags = op->flags };
	uint32_t n = batch_count(d, op), kc = n, vc = n;
	size_t ks = d->spec.key_size;
	int kr, vr;

	for (uint32_t i = 0; i < n; i++) {
		md_key(d, (uint32_t)op->key + i, d->kkeys + i * ks);
		if (upd)
			md_value(d, op->value + i, d->kvals + i * d->vsize,
				 d->vvals + i * d->vsize);
	}
	if (upd) {
		kr = kmap_update_batch(d->kfd, d->kkeys, d->kvals, &kc,
				       op->flags);
		vr = bpfvm_map_update_batch(d->vm, d->kkeys, d->vvals, &vc, &bo);
	} else {
		kr = kmap_delete_batch(d->kfd, d->kkeys, &kc, op->flags);
		vr = bpfvm_map_delete_batch(d->vm, d->kkeys, &vc, &bo);
	}
	*rc = kr;
	if (!upd && lru(d) && (kr != vr || kc != vc)) {
		for (uint32_t i = 0; i < n; i++)
			lru_resync(d, d->kkeys + i * ks);
		return 0;
	}
	if (same_rc(d, op, kr, vr))
		return 1;
	if (kc == vc)
		return 0;
	md_fail(d, op, "count: kernel %u, bpfvm %u", kc, vc);
	return 1;
}

int mapdiff_do(struct mapdiff *d, const struct mapdiff_op *op, int *rc)
{
	int r = 0;

	d->opno++;
	md_count_op();
	switch (op->kind) {
	case MAPDIFF_LOOKUP:
	case MAPDIFF_LOOKUP_AND_DELETE:
	case MAPDIFF_POP:
	case MAPDIFF_PEEK:
		return op_read(d, op, rc ? rc : &r);
	case MAPDIFF_UPDATE:
	case MAPDIFF_PUSH:
		return op_write(d, op, rc ? rc : &r);
	case MAPDIFF_DELETE:
		return op_delete(d, op, rc ? rc : &r);
	case MAPDIFF_NEXT_KEY:
		return op_next_key(d, op, rc ? rc : &r);
	case MAPDIFF_FREEZE:
		return op_freeze(d, op, rc ? rc : &r);
	case MAPDIFF_LOOKUP_BATCH:
	case MAPDIFF_LOOKUP_AND_DELETE_BATCH:
		return md_batch_read(d, op, rc ? rc : &r);
	case MAPDIFF_UPDATE_BATCH:
	case MAPDIFF_DELETE_BATCH:
		return op_batch_write(d, op, rc ? rc : &r);
	case MAPDIFF_COMPARE_ALL:
		if (rc)
			*rc = 0;
		return md_walk_compare(d, op);
	default:
		md_fail(d, op, "unknown op kind %d", (int)op->kind);
		return 1;
	}
}

int mapdiff_compare_all(struct mapdiff *d)
{
	struct mapdiff_op op = { .kind = MAPDIFF_COMPARE_ALL };

	return mapdiff_do(d, &op, NULL);
}
