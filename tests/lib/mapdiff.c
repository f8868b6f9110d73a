/* The differential map driver: both maps from one spec, the random
 * operation mix, keys and values from indexes, and the totals. */
#include "mapdiff_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpfvm/map.h>

#include "kmap.h"

static struct {
	unsigned long cases, ops, failed, refused;
} totals;

static const char *const opnames[MAPDIFF_OP_COUNT] = {
	[MAPDIFF_LOOKUP] = "lookup",
	[MAPDIFF_UPDATE] = "update",
	[MAPDIFF_DELETE] = "delete",
	[MAPDIFF_NEXT_KEY] = "get_next_key",
	[MAPDIFF_LOOKUP_AND_DELETE] = "lookup_and_delete",
	[MAPDIFF_PUSH] = "push",
	[MAPDIFF_POP] = "pop",
	[MAPDIFF_PEEK] = "peek",
	[MAPDIFF_FREEZE] = "freeze",
	[MAPDIFF_LOOKUP_BATCH] = "lookup_batch",
	[MAPDIFF_LOOKUP_AND_DELETE_BATCH] = "lookup_and_delete_batch",
	[MAPDIFF_UPDATE_BATCH] = "update_batch",
	[MAPDIFF_DELETE_BATCH] = "delete_batch",
	[MAPDIFF_COMPARE_ALL] = "compare_all",
};

const char *md_opname(enum mapdiff_opkind k)
{
	return (unsigned)k < MAPDIFF_OP_COUNT ? opnames[k] : "?";
}

void md_count_op(void)
{
	totals.ops++;
}

void mapdiff_require_kernel(void)
{
	char why[128];

	if (!kmap_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		exit(MAPDIFF_SKIP);
	}
}

int mapdiff_report(void)
{
	printf("mapdiff: %lu cases (%lu refused alike by both), %lu ops, "
	       "%lu failed\n", totals.cases, totals.refused, totals.ops,
	       totals.failed);
	return totals.failed ? 1 : 0;
}

void md_fail(struct mapdiff *d, const struct mapdiff_op *op,
	     const char *fmt, ...)
{
	va_list ap;

	totals.failed++;
	fprintf(stderr, "MISMATCH %s (seed %llu) op #%llu", d->spec.name ?
		d->spec.name : "?", (unsigned long long)d->o.seed,
		(unsigned long long)d->opno);
	if (op)
		fprintf(stderr, " %s key=%lld value=%lld flags=%#llx count=%u",
			md_opname(op->kind), (long long)op->key,
			(long long)op->value, (unsigned long long)op->flags,
			op->count);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/* The first differing bytes, 16 of them from there on. */
void md_fail_bytes(const void *k, const void *v, size_t n)
{
	const uint8_t *a = k, *b = v;
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	fprintf(stderr, "  first difference at byte %zu of %zu\n  kernel:", i,
		n);
	for (size_t j = i; j < n && j < i + 16; j++)
		fprintf(stderr, " %02x", a[j]);
	fprintf(stderr, "\n  bpfvm: ");
	for (size_t j = i; j < n && j < i + 16; j++)
		fprintf(stderr, " %02x", b[j]);
	fprintf(stderr, "\n");
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t md_rand(struct mapdiff *d)
{
	d->rng += 0x9e3779b97f4a7c15ull;
	return mix64(d->rng);
}

static void default_key(uint32_t idx, void *key, uint32_t size, void *ctx)
{
	uint8_t *k = key;

	(void)ctx;
	for (uint32_t i = 0; i < size; i++)
		k[i] = i < 4 ? (uint8_t)(idx >> (8 * i))
			     : (uint8_t)((idx * 0x9e3779b9u) >> (8 * (i % 4)));
}

static void default_value(uint32_t idx, void *value, uint32_t size,
			  void *ctx)
{
	uint8_t *v = value;
	uint64_t w = 0;

	(void)ctx;
	for (uint32_t i = 0; i < size; i++) {
		if (i % 8 == 0)
			w = mix64(((uint64_t)idx << 20) + i);
		v[i] = (uint8_t)(w >> (8 * (i % 8)));
	}
}

void md_key(const struct mapdiff *d, int64_t idx, void *key)
{
	mapdiff_key_fn fn = d->spec.key_of ? d->spec.key_of : default_key;

	fn((uint32_t)idx, key, d->spec.key_size, d->spec.ctx);
}

/* Per-CPU: one value per CPU (idx + cpu), padding bytes too, since the
 * kernel stores and returns them. */
static void plain_value(const struct mapdiff *d, uint32_t idx, uint8_t *out)
{
	mapdiff_value_fn fn = d->spec.value_of ? d->spec.value_of
					       : default_value;
	size_t stride = (d->spec.value_size + 7) & ~7u;

	if (!d->percpu) {
		fn(idx, out, d->spec.value_size, d->spec.ctx);
		return;
	}
	for (size_t off = 0, c = 0; off < d->vsize; off += stride, c++) {
		default_value(idx ^ 0x55555555u, out + off, (uint32_t)stride,
			      NULL);
		fn(idx + (uint32_t)c, out + off, d->spec.value_size,
		   d->spec.ctx);
	}
}

void md_value(const struct mapdiff *d, int64_t idx, void *kval, void *vval)
{
	uint32_t slot, fd, id;

	if (!d->map_in_map) {
		plain_value(d, (uint32_t)idx, kval);
		memcpy(vval, kval, d->vsize);
		return;
	}
	slot = idx >= 0 ? (uint32_t)(idx % d->npool)
			: d->npool + (uint32_t)((-idx - 1) % MD_MISFITS);
	if (!d->pool_vm[slot])
		slot = 0;
	fd = (uint32_t)d->pool_kfd[slot];
	id = bpfvm_map_id(d->pool_vm[slot]);
	memcpy(kval, &fd, 4);
	memcpy(vval, &id, 4);
}

static uint32_t pool_index(const struct mapdiff *d, uint32_t id, bool kernel)
{
	for (uint32_t i = 0; i < d->npool + MD_MISFITS; i++) {
		if (!d->pool_vm[i])
			continue;
		if (kernel ? d->pool_kid[i] == id
			   : bpfvm_map_id(d->pool_vm[i]) == id)
			return i;
	}
	return MD_NO_ID;
}

void md_normalize(const struct mapdiff *d, void *kvals, void *vvals, size_t n)
{
	uint8_t *k = kvals, *v = vvals;

	if (!d->map_in_map)
		return;
	for (size_t i = 0; i < n; i++) {
		uint32_t id;

		memcpy(&id, k + 4 * i, 4);
		id = pool_index(d, id, true);
		memcpy(k + 4 * i, &id, 4);
		memcpy(&id, v + 4 * i, 4);
		id = pool_index(d, id, false);
		memcpy(v + 4 * i, &id, 4);
	}
}

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_map_in_map(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Kernel names are [A-Za-z0-9_.]{0,15}; others are not passed. */
static const char *map_name(const char *name)
{
	if (!name || strlen(name) >= BPF_OBJ_NAME_LEN)
		return NULL;
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || *p == '.' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return NULL;
	return name;
}

/* Create one map on both sides; 0, the common -errno, or 1 (printed). */
static int create_pair(struct mapdiff *d, const struct mapdiff_spec *s,
		       int inner_kfd, struct bpfvm_map *inner_vm, int *kfd,
		       struct bpfvm_map **vm)
{
	struct kmap_attr ka = {
		.type = s->type, .key_size = s->key_size,
		.value_size = s->value_size, .max_entries = s->max_entries,
		.map_flags = s->map_flags, .numa_node = s->numa_node,
		.map_extra = s->map_extra, .inner_map_fd = inner_kfd,
		.name = map_name(s->name),
	};
	struct bpfvm_map_opts vo = {
		.sz = sizeof(vo), .name = ka.name, .map_flags = s->map_flags,
		.numa_node = s->numa_node, .map_extra = s->map_extra,
		.inner_map = inner_vm,
		.has_spin_lock = s->spin_lock, .spin_lock_off = s->spin_lock_off,
	};
	int kr, vr, btf = -1;

	if (s->spin_lock) {
		btf = kmap_btf_spin_lock(s->key_size, s->value_size,
					 s->spin_lock_off, &ka.btf_key_type_id,
					 &ka.btf_value_type_id);
		ka.btf_fd = btf < 0 ? 0 : (uint32_t)btf;
	}
	kr = btf < 0 && s->spin_lock ? btf : kmap_create(&ka);
	if (btf >= 0)
		close(btf);
	vr = bpfvm_map_create(s->type, s->key_size, s->value_size,
			      s->max_entries, &vo, vm);
	*kfd = kr;
	if (kr >= 0 && vr == 0)
		return 0;
	if (kr < 0 && vr < 0 && kr == vr) {
		totals.refused++;
		if (getenv("MAPDIFF_VERBOSE"))
			printf("refused alike (%d): type %d key %u value %u "
			       "max %u flags %#x%s\n", kr, (int)s->type,
			       s->key_size, s->value_size, s->max_entries,
			       s->map_flags, s->spin_lock ? " lock" : "");
		return kr;
	}
	md_fail(d, NULL,
		"create type %d key %u value %u max %u flags %#x numa %u "
		"extra %llu%s: kernel %d, bpfvm %d", (int)s->type, s->key_size,
		s->value_size, s->max_entries, s->map_flags, s->numa_node,
		(unsigned long long)s->map_extra, s->spin_lock ? " lock" : "",
		kr < 0 ? kr : 0, vr);
	if (kr >= 0)
		close(kr);
	if (vr == 0)
		bpfvm_map_free(*vm);
	*vm = NULL;
	*kfd = -1;
	return 1;
}

/* The fitting inner maps, then misfits (absent where a side refuses). */
static int create_pool(struct mapdiff *d)
{
	struct mapdiff_spec mis[MD_MISFITS];
	uint32_t i;
	int err;

	d->npool = d->spec.inner_pool ? d->spec.inner_pool : 4;
	if (d->npool > MD_POOL_MAX)
		d->npool = MD_POOL_MAX;
	for (i = 0; i < d->npool; i++) {
		err = create_pair(d, &d->inner, 0, NULL, &d->pool_kfd[i],
				  &d->pool_vm[i]);
		if (err)
			return err;
		d->pool_kid[i] = (uint32_t)kmap_id(d->pool_kfd[i]);
	}
	for (i = 0; i < MD_MISFITS; i++)
		mis[i] = d->inner;
	mis[0].value_size += 8;
	mis[1].max_entries += 1;
	mis[2].type = d->inner.type == BPF_MAP_TYPE_ARRAY
			      ? BPF_MAP_TYPE_PERCPU_ARRAY
			      : BPF_MAP_TYPE_ARRAY;
	if (mis[2].type == BPF_MAP_TYPE_ARRAY) {
		mis[2].key_size = 4;
		mis[2].map_flags = 0;
	}
	for (i = 0; i < MD_MISFITS; i++) {
		uint32_t s = d->npool + i;

		if (create_pair(d, &mis[i], 0, NULL, &d->pool_kfd[s],
				&d->pool_vm[s]))
			d->pool_vm[s] = NULL; /* refused: not offered */
		else
			d->pool_kid[s] = (uint32_t)kmap_id(d->pool_kfd[s]);
	}
	return 0;
}

static void fill_defaults(struct mapdiff *d, const struct mapdiff_opts *o)
{
	const struct mapdiff_spec *s = &d->spec;

	if (o)
		memcpy(&d->o, o, o->sz < sizeof(d->o) ? o->sz : sizeof(d->o));
	d->o.sz = sizeof(d->o);
	if (!d->o.ops)
		d->o.ops = 1000;
	if (!d->o.key_space)
		d->o.key_space = s->max_entries / 2 * 3 + 2;
	if (!d->o.check_every)
		d->o.check_every = 256;
	d->rng = d->o.seed * 0x2545f4914f6cdd1dull;
}

static int alloc_buffers(struct mapdiff *d)
{
	size_t ks = d->spec.key_size > 8 ? d->spec.key_size : 8;

	d->batch_room = d->spec.max_entries + 16;
	if (d->batch_room > 65536 || d->batch_room < 16)
		d->batch_room = 65536;
	d->kkeys = calloc(d->batch_room, ks);
	d->vkeys = calloc(d->batch_room, ks);
	d->kvals = calloc(d->batch_room, d->vsize + 8);
	d->vvals = calloc(d->batch_room, d->vsize + 8);
	d->in = calloc(d->batch_room, ks + d->vsize + 8);
	return d->kkeys && d->vkeys && d->kvals && d->vvals && d->in ? 0
								    : -ENOMEM;
}

static int open_maps(struct mapdiff *d)
{
	int err;

	d->map_in_map = is_map_in_map(d->spec.type);
	d->percpu = is_percpu(d->spec.type);
	d->queue = d->spec.type == BPF_MAP_TYPE_QUEUE ||
		   d->spec.type == BPF_MAP_TYPE_STACK;
	d->bloom = d->spec.type == BPF_MAP_TYPE_BLOOM_FILTER;
	if (d->map_in_map && d->spec.inner) {
		d->inner = *d->spec.inner;
		err = create_pool(d);
		if (err)
			return err;
	}
	err = create_pair(d, &d->spec, d->npool ? d->pool_kfd[0] : 0,
			  d->npool ? d->pool_vm[0] : NULL, &d->kfd, &d->vm);
	if (err)
		return err;
	d->vsize = bpfvm_map_user_value_size(d->vm);
	if (d->vsize != (d->percpu ? ((d->spec.value_size + 7) & ~7u) *
					     kmap_possible_cpus()
				   : d->spec.value_size)) {
		md_fail(d, NULL, "user value size %zu", d->vsize);
		return 1;
	}
	return alloc_buffers(d);
}

int mapdiff_open(const struct mapdiff_spec *spec,
		 const struct mapdiff_opts *opts, struct mapdiff **out)
{
	struct mapdiff *d = calloc(1, sizeof(*d));
	int err;

	*out = NULL;
	if (!d)
		return -ENOMEM;
	d->spec = *spec;
	d->kfd = -1;
	fill_defaults(d, opts);
	for (int i = 0; i < MD_POOL_MAX + MD_MISFITS; i++)
		d->pool_kfd[i] = -1;
	err = open_maps(d);
	if (err) {
		mapdiff_close(d);
		return err;
	}
	*out = d;
	return 0;
}

void mapdiff_close(struct mapdiff *d)
{
	if (!d)
		return;
	if (d->kfd >= 0)
		close(d->kfd);
	bpfvm_map_free(d->vm);
	for (int i = 0; i < MD_POOL_MAX + MD_MISFITS; i++) {
		if (d->pool_kfd[i] >= 0)
			close(d->pool_kfd[i]);
		bpfvm_map_free(d->pool_vm[i]);
	}
	free(d->kkeys);
	free(d->vkeys);
	free(d->kvals);
	free(d->vvals);
	free(d->in);
	free(d->pushed);
	free(d);
}

int mapdiff_kernel_fd(const struct mapdiff *d)
{
	return d->kfd;
}

struct bpfvm_map *mapdiff_bpfvm(const struct mapdiff *d)
{
	return d->vm;
}

int mapdiff_create(const struct mapdiff_spec *spec)
{
	struct mapdiff *d;
	int err = mapdiff_open(spec, NULL, &d);

	totals.cases++;
	mapdiff_close(d);
	return err > 0;
}

/* Default mixes: weights per op kind. */
static const uint8_t mix_keyed[MAPDIFF_OP_COUNT] = {
	[MAPDIFF_LOOKUP] = 20, [MAPDIFF_UPDATE] = 25, [MAPDIFF_DELETE] = 12,
	[MAPDIFF_NEXT_KEY] = 10, [MAPDIFF_LOOKUP_AND_DELETE] = 5,
	[MAPDIFF_LOOKUP_BATCH] = 2, [MAPDIFF_LOOKUP_AND_DELETE_BATCH] = 1,
	[MAPDIFF_UPDATE_BATCH] = 2, [MAPDIFF_DELETE_BATCH] = 2,
	[MAPDIFF_COMPARE_ALL] = 1,
};
static const uint8_t mix_queue[MAPDIFF_OP_COUNT] = {
	[MAPDIFF_PUSH] = 40, [MAPDIFF_POP] = 25, [MAPDIFF_PEEK] = 20,
	[MAPDIFF_LOOKUP] = 2, [MAPDIFF_DELETE] = 2, [MAPDIFF_NEXT_KEY] = 2,
	[MAPDIFF_LOOKUP_AND_DELETE] = 2, [MAPDIFF_LOOKUP_BATCH] = 1,
	[MAPDIFF_UPDATE_BATCH] = 1, [MAPDIFF_COMPARE_ALL] = 1,
};
static const uint8_t mix_bloom[MAPDIFF_OP_COUNT] = {
	[MAPDIFF_PUSH] = 45, [MAPDIFF_PEEK] = 45, [MAPDIFF_DELETE] = 2,
	[MAPDIFF_NEXT_KEY] = 2, [MAPDIFF_POP] = 2, [MAPDIFF_LOOKUP_BATCH] = 1,
};

static enum mapdiff_opkind pick_kind(struct mapdiff *d)
{
	const uint8_t *w = d->queue ? mix_queue
				    : d->bloom ? mix_bloom : mix_keyed;
	uint32_t mask = d->o.op_mask, total = 0, r;
	int k;

	if (d->o.compare == MAPDIFF_CMP_LRU && !mask)
		mask = ~MAPDIFF_BIT(MAPDIFF_DELETE_BATCH);
	for (k = 0; k < MAPDIFF_OP_COUNT; k++)
		if (!mask || (mask & MAPDIFF_BIT(k)))
			total += w[k] ? w[k] : (d->o.op_mask ? 1 : 0);
	if (!total)
		return MAPDIFF_COMPARE_ALL;
	r = (uint32_t)(md_rand(d) % total);
	for (k = 0; k < MAPDIFF_OP_COUNT; k++) {
		uint32_t wk;

		if (mask && !(mask & MAPDIFF_BIT(k)))
			continue;
		wk = w[k] ? w[k] : (d->o.op_mask ? 1 : 0);
		if (r < wk)
			break;
		r -= wk;
	}
	return (enum mapdiff_opkind)k;
}

static uint64_t pick_update_flags(struct mapdiff *d)
{
	static const uint64_t odd[] = { 3, 8, 16, 1ull << 40 };
	uint64_t r = md_rand(d), f = r % 3;

	if (r % 64 == 0)
		return odd[(r >> 8) % 4];
	if ((d->spec.spin_lock && (r >> 8) % 4 == 0) || (r >> 8) % 64 == 1)
		f |= BPF_F_LOCK;
	return f;
}

static uint64_t pick_read_flags(struct mapdiff *d)
{
	uint64_t r = md_rand(d);

	if (r % 64 == 0)
		return (r >> 8) % 2 ? 1 : 8;
	if ((d->spec.spin_lock && (r >> 8) % 4 == 0) || (r >> 8) % 64 == 1)
		return BPF_F_LOCK;
	return 0;
}

static int64_t pick_key(struct mapdiff *d)
{
	uint64_t r = md_rand(d);

	if (r % 32 == 0)
		return (int64_t)(uint32_t)(r >> 32);
	return (int64_t)((r >> 8) % d->o.key_space);
}

static int64_t pick_value(struct mapdiff *d)
{
	uint64_t r = md_rand(d);

	if (d->map_in_map)
		return r % 8 == 0 ? -(int64_t)((r >> 8) % MD_MISFITS) - 1
				  : (int64_t)((r >> 8) % d->npool);
	if (d->o.value_space)
		return (int64_t)((r >> 8) % d->o.value_space);
	return (int64_t)(uint32_t)(r >> 16);
}

static struct mapdiff_op random_op(struct mapdiff *d)
{
	struct mapdiff_op op = { .kind = pick_kind(d) };

	op.key = pick_key(d);
	op.value = pick_value(d);
	op.count = 1 + (uint32_t)(md_rand(d) % 8);
	switch (op.kind) {
	case MAPDIFF_UPDATE:
	case MAPDIFF_PUSH:
	case MAPDIFF_UPDATE_BATCH:
		op.flags = pick_update_flags(d);
		break;
	case MAPDIFF_NEXT_KEY:
		if (md_rand(d) % 8 == 0)
			op.key = -1;
		break;
	case MAPDIFF_LOOKUP:
	case MAPDIFF_LOOKUP_AND_DELETE:
	case MAPDIFF_LOOKUP_BATCH:
	case MAPDIFF_LOOKUP_AND_DELETE_BATCH:
	case MAPDIFF_POP:
	case MAPDIFF_PEEK:
		op.flags = pick_read_flags(d);
		break;
	default:
		break;
	}
	return op;
}

static int run_ops(struct mapdiff *d, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mapdiff_op op = random_op(d);

		if (d->o.verbose)
			printf("#%llu %s key=%lld value=%lld flags=%#llx\n",
			       (unsigned long long)d->opno + 1,
			       md_opname(op.kind), (long long)op.key,
			       (long long)op.value,
			       (unsigned long long)op.flags);
		if (mapdiff_do(d, &op, NULL))
			return 1;
		if ((i + 1) % d->o.check_every == 0 && mapdiff_compare_all(d))
			return 1;
	}
	return mapdiff_compare_all(d);
}

int mapdiff_run(const struct mapdiff_spec *spec,
		const struct mapdiff_opts *opts)
{
	struct mapdiff *d;
	int err = mapdiff_open(spec, opts, &d);

	totals.cases++;
	if (err <= 0) {
		if (!err) {
			err = run_ops(d, d->o.ops);
			if (!err && d->o.freeze) {
				struct mapdiff_op f = { .kind = MAPDIFF_FREEZE };

				err = mapdiff_do(d, &f, NULL) ||
				      run_ops(d, d->o.ops / 8 + 1);
			}
		}
		mapdiff_close(d);
	}
	return err > 0;
}
