/* Differential map tests: the same operations on a kernel map (bpf(2),
 * tests/lib/kmap.h) and a bpfvm map built from one spec, comparing every
 * return code and every byte user space gets back.
 *
 * A test for one map family is a few lines per case:
 *
 *	int main(void)
 *	{
 *		mapdiff_require_kernel();	// SKIP + exit 77 without bpf()
 *		struct mapdiff_spec s = { .type = BPF_MAP_TYPE_HASH,
 *			.key_size = 8, .value_size = 16, .max_entries = 64 };
 *		mapdiff_run(&s, &(struct mapdiff_opts){
 *			.sz = sizeof(struct mapdiff_opts), .seed = 1,
 *			.ops = 5000, .compare = MAPDIFF_CMP_UNORDERED });
 *		mapdiff_create(&(struct mapdiff_spec){ ...bad attrs... });
 *		return mapdiff_report();
 *	}
 *
 * Keys and values are named by small indexes (so random operations hit,
 * miss and fill the map); spec->key_of / value_of turn an index into
 * bytes. Map-in-map values are indexes into a pool of inner maps the
 * driver creates on both sides from spec->inner (kernel fds and bpfvm ids
 * stand for the same pool entry; lookups map ids back to pool indexes).
 *
 * Every mismatch is printed (case, seed, op number, op, key, both results
 * and differing bytes) and counted; mapdiff_report() prints the totals and
 * gives main's exit status. MAPDIFF_VERBOSE=1 in the environment also
 * lists the creates both sides refused alike.
 *
 * Bloom filters are always compared loosely: a peek may differ by a false
 * positive on either side, but a value pushed earlier must be found by
 * both. */
#ifndef BPFVM_TESTS_MAPDIFF_H
#define BPFVM_TESTS_MAPDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct bpfvm_map;

#define MAPDIFF_SKIP 77

/* Key index -> key bytes (key_size of them). idx may be any u32; the
 * default writes idx little-endian into the first min(4, key_size) bytes
 * and idx * 0x9e3779b9 patterns into the rest, so distinct indexes give
 * distinct keys for every key_size >= 4. */
typedef void (*mapdiff_key_fn)(uint32_t idx, void *key, uint32_t key_size,
			       void *ctx);
/* Value index -> value bytes (value_size of them; for per-CPU maps the
 * driver calls it once per CPU with idx + cpu). The default fills bytes
 * from a hash of idx. Never called for map-in-map (pool indexes). */
typedef void (*mapdiff_value_fn)(uint32_t idx, void *value,
				 uint32_t value_size, void *ctx);

struct mapdiff_spec {
	const char *name;		/* case name in messages (and the map
					 * name, if valid as one) */
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	/* A struct bpf_spin_lock at spin_lock_off in the value (the kernel
	 * map gets a BTF describing it; BPF_F_LOCK becomes usable). */
	bool spin_lock;
	uint32_t spin_lock_off;
	/* ARRAY_OF_MAPS / HASH_OF_MAPS: the inner map template; the pool
	 * holds inner_pool maps like it (default 4) plus misfits (other
	 * type / value size / max_entries) whose updates must fail alike. */
	const struct mapdiff_spec *inner;
	uint32_t inner_pool;
	mapdiff_key_fn key_of;		/* NULL: the default above */
	mapdiff_value_fn value_of;	/* NULL: the default above */
	void *ctx;			/* for key_of / value_of */
};

/* What the random driver issues; also the op of a scripted step. */
enum mapdiff_opkind {
	MAPDIFF_LOOKUP,			/* flags: 0 or BPF_F_LOCK */
	MAPDIFF_UPDATE,			/* flags: ANY/NOEXIST/EXIST |F_LOCK */
	MAPDIFF_DELETE,
	MAPDIFF_NEXT_KEY,		/* key -1: NULL */
	MAPDIFF_LOOKUP_AND_DELETE,
	MAPDIFF_PUSH,			/* update with a NULL key */
	MAPDIFF_POP,			/* lookup_and_delete, NULL key */
	MAPDIFF_PEEK,			/* lookup, NULL key */
	MAPDIFF_FREEZE,
	MAPDIFF_LOOKUP_BATCH,		/* batch: count per call; the whole
					 * map is walked call by call */
	MAPDIFF_LOOKUP_AND_DELETE_BATCH,
	MAPDIFF_UPDATE_BATCH,		/* batch consecutive keys from key */
	MAPDIFF_DELETE_BATCH,
	MAPDIFF_COMPARE_ALL,		/* full iteration + lookup of both */
	MAPDIFF_OP_COUNT
};
#define MAPDIFF_BIT(op) (1u << (op))

/* How results are compared (opts->compare). */
enum mapdiff_compare {
	/* Same next key at every step (arrays, LPM, anything with a
	 * defined order). */
	MAPDIFF_CMP_EXACT = 0,
	/* Iteration order differs (hash types): NEXT_KEY compares only the
	 * return code from a NULL or absent key (from a present key, each
	 * side must return another key of its own map or -ENOENT), and
	 * COMPARE_ALL / batch reads compare key sets (with values) after a
	 * full walk; batch reads ask for the whole map per call. */
	MAPDIFF_CMP_UNORDERED,
	/* LRU: each side may evict different keys. A key present on one
	 * side only counts as evicted (deleted from both to resync);
	 * present on both, the values must match; element counts are
	 * checked against max_entries; iteration as UNORDERED. */
	MAPDIFF_CMP_LRU,
};

struct mapdiff_opts {
	size_t sz;			/* sizeof(struct mapdiff_opts) */
	uint64_t seed;			/* 0 is a seed too */
	uint32_t ops;			/* random operations (0: 1000) */
	/* Keys drawn from [0, key_space); 0: max_entries * 3 / 2 + 2, so
	 * misses, absent keys and fullness (E2BIG) all happen. A random
	 * u32 key is drawn 1 time in 32 either way. */
	uint32_t key_space;
	uint32_t value_space;		/* values from [0, value_space);
					 * 0: any u32 */
	/* Ops to issue (MAPDIFF_BIT()s); 0: those that apply to the type
	 * (queue/stack: push/pop/peek; bloom: push/peek; else the rest). */
	uint32_t op_mask;
	enum mapdiff_compare compare;
	/* Freeze both maps after `ops` and run ops / 8 more (writes must
	 * fail alike). */
	bool freeze;
	/* COMPARE_ALL every this many ops (0: 256) and at the end. */
	uint32_t check_every;
	bool verbose;			/* print every op */
};

/* Exits 77 after "SKIP: <reason>" when bpf() cannot create maps. */
void mapdiff_require_kernel(void);

/* Random differential run: create both maps (a create mismatch is a
 * failure; both refusing alike ends the case as a pass), issue opts->ops
 * operations, compare after each. Returns 0 when all matched, 1 on a
 * mismatch (printed; the run stops at the first one). */
int mapdiff_run(const struct mapdiff_spec *spec,
		const struct mapdiff_opts *opts);

/* Only the create: both must succeed, or both fail with the same errno.
 * 0 when they agree, 1 (printed) when not. For attribute error paths. */
int mapdiff_create(const struct mapdiff_spec *spec);

/* Scripted cases. */
struct mapdiff;

/* Both maps from one spec: 0 with *out set; the (same) -errno when both
 * refused; 1 (printed) when they disagree. */
int mapdiff_open(const struct mapdiff_spec *spec,
		 const struct mapdiff_opts *opts, struct mapdiff **out);
void mapdiff_close(struct mapdiff *d);

struct mapdiff_op {
	enum mapdiff_opkind kind;
	int64_t key;		/* key index; -1: NULL key */
	int64_t value;		/* value index (map-in-map: pool index;
				 * -1 .. -3: the misfit inner maps) */
	uint64_t flags;		/* elem flags */
	uint32_t count;		/* batch size (0: 4) */
	const void *raw_key;	/* if set: these key_size bytes instead */
};

/* One operation on both maps; 0 when the results match, 1 (printed) when
 * not. The return code both gave is in *rc if rc is not NULL. */
int mapdiff_do(struct mapdiff *d, const struct mapdiff_op *op, int *rc);
/* COMPARE_ALL: 0 same contents, 1 (printed) not. */
int mapdiff_compare_all(struct mapdiff *d);

/* The two maps, for checks beyond the driver's. */
int mapdiff_kernel_fd(const struct mapdiff *d);
struct bpfvm_map *mapdiff_bpfvm(const struct mapdiff *d);

/* Prints "mapdiff: N cases, N ops, N failed" and returns main's exit
 * status: 0 when nothing failed, 1 otherwise. */
int mapdiff_report(void);

#endif
