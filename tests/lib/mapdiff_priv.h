/* The differential map driver's internals, shared by mapdiff.c (setup,
 * random runs, totals), mapdiff_op.c (one operation on both maps) and
 * mapdiff_walk.c (whole-map comparisons and batch walks). */
#ifndef BPFVM_TESTS_MAPDIFF_PRIV_H
#define BPFVM_TESTS_MAPDIFF_PRIV_H

#include "mapdiff.h"

#define MD_POOL_MAX 16
#define MD_MISFITS 3	/* value_size, max_entries, type */
#define MD_NO_ID UINT32_MAX

struct mapdiff {
	struct mapdiff_spec spec;
	struct mapdiff_spec inner;	/* *spec.inner, when map-in-map */
	struct mapdiff_opts o;		/* defaults filled in */
	int kfd;
	struct bpfvm_map *vm;
	int btf_fd;
	/* map-in-map: npool fitting inner maps, then the misfits */
	uint32_t npool;
	int pool_kfd[MD_POOL_MAX + MD_MISFITS];
	struct bpfvm_map *pool_vm[MD_POOL_MAX + MD_MISFITS];
	uint32_t pool_kid[MD_POOL_MAX + MD_MISFITS];
	size_t vsize;			/* bytes of a user-space value */
	uint32_t batch_room;		/* elements the scratch buffers hold */
	uint8_t *kkeys, *vkeys, *kvals, *vvals, *in;
	uint64_t rng;
	uint64_t opno;
	bool map_in_map, percpu, queue, bloom;
	/* bloom: values pushed so far (a miss on those is a real error) */
	uint32_t *pushed;
	size_t npushed, pushed_cap;
};

/* One side's result of an operation, for comparing and printing. */
struct md_result {
	int rc;
	uint32_t count;		/* batch ops */
};

uint64_t md_rand(struct mapdiff *d);
void md_key(const struct mapdiff *d, int64_t idx, void *key);
/* The value bytes each side gets for value index idx (map-in-map: the
 * pool entry's fd / id); false when idx names no value. */
void md_value(const struct mapdiff *d, int64_t idx, void *kval, void *vval);
/* Map-in-map ids read back -> pool indexes (MD_NO_ID when unknown), in
 * place, for n values of each side. */
void md_normalize(const struct mapdiff *d, void *kvals, void *vvals,
		  size_t n);

/* Print a mismatch header: case, seed, op number, what was done. */
void md_fail(struct mapdiff *d, const struct mapdiff_op *op,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void md_fail_bytes(const void *k, const void *v, size_t n);
const char *md_opname(enum mapdiff_opkind k);
void md_count_op(void);

int md_walk_compare(struct mapdiff *d, const struct mapdiff_op *op);
int md_batch_read(struct mapdiff *d, const struct mapdiff_op *op, int *rc);

#endif
