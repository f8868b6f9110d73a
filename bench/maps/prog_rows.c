/* The map rows of the program-side table: which map, how it is filled,
 * which key each index gives, and the sum a run from index 0 must return
 * (computed here in C, not by either side). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prog_bench.h"

#define ARRAY_ENTRIES 1024u
#define HASH_ENTRIES 10000u
#define LRU_KEYS (4 * HASH_ENTRIES) /* 4x max_entries: every update evicts */
#define LPM_PREFIXES 10000u

/* Values are index + 1, so a run from index 0 over PB_OPS hits sums to
 * this. */
#define SUM_1_TO_OPS ((uint64_t)PB_OPS * (PB_OPS + 1) / 2)

static void key_array(struct prog_bench *pb)
{
	pb_key_u32_mask(pb, ARRAY_ENTRIES - 1);
}

static int setup_array_type(struct prog_bench *pb, enum bpf_map_type type)
{
	int m;

	pb_build(pb, PB_LOOKUP, key_array, 4, PB_OPS);
	m = pb_map_add(pb, type, 4, 8, ARRAY_ENTRIES, 0);
	for (uint32_t k = 0; m > 0 && k < ARRAY_ENTRIES && !pb->err; k++) {
		uint64_t v = k + 1;

		pb_map_set(pb, m, &k, &v);
	}
	pb->expect = SUM_1_TO_OPS;
	return pb->err;
}

static int setup_array(struct prog_bench *pb)
{
	return setup_array_type(pb, BPF_MAP_TYPE_ARRAY);
}

static int setup_percpu_array(struct prog_bench *pb)
{
	return setup_array_type(pb, BPF_MAP_TYPE_PERCPU_ARRAY);
}

/* The key the program makes of index i (pb_key_u64 / pb_key_64b). */
static void hash_key(uint64_t i, uint64_t *words, uint32_t key_size)
{
	for (uint32_t k = 0; k < key_size / 8; k++)
		words[k] = i * PB_KEY_MUL + k;
}

/* A hash map of `type` with the keys of indexes [from, to), value i + 1. */
static int hash_fill(struct prog_bench *pb, enum bpf_map_type type,
		     uint32_t key_size, uint32_t max_entries, uint64_t from,
		     uint64_t to)
{
	int m = pb_map_add(pb, type, key_size, 8, max_entries, 0);

	for (uint64_t i = from; m > 0 && i < to && !pb->err; i++) {
		uint64_t key[8], v = i + 1;

		hash_key(i, key, key_size);
		pb_map_set(pb, m, key, &v);
	}
	return pb->err;
}

static int setup_hash8(struct prog_bench *pb)
{
	pb_build(pb, PB_LOOKUP, pb_key_u64, 8, HASH_ENTRIES);
	pb->expect = SUM_1_TO_OPS;
	return hash_fill(pb, BPF_MAP_TYPE_HASH, 8, HASH_ENTRIES, 0,
			 HASH_ENTRIES);
}

static int setup_hash64(struct prog_bench *pb)
{
	pb_build(pb, PB_LOOKUP, pb_key_64b, 64, HASH_ENTRIES);
	pb->expect = SUM_1_TO_OPS;
	return hash_fill(pb, BPF_MAP_TYPE_HASH, 64, HASH_ENTRIES, 0,
			 HASH_ENTRIES);
}

/* Updates return 0: the sum of the returns is 0. */
static int setup_hash_update(struct prog_bench *pb)
{
	pb_build(pb, PB_UPDATE, pb_key_u64, 8, HASH_ENTRIES);
	pb->expect = 0;
	return hash_fill(pb, BPF_MAP_TYPE_HASH, 8, HASH_ENTRIES, 0,
			 HASH_ENTRIES);
}

/* Full from the start with the last quarter of the keys; the runs cycle
 * through four times as many keys as fit, so each update inserts a key
 * evicted long ago and evicts another. */
static int setup_lru_update(struct prog_bench *pb)
{
	pb_build(pb, PB_UPDATE, pb_key_u64, 8, LRU_KEYS);
	pb->expect = 0;
	return hash_fill(pb, BPF_MAP_TYPE_LRU_HASH, 8, HASH_ENTRIES,
			 LRU_KEYS - HASH_ENTRIES, LRU_KEYS);
}

/* ---- LPM_TRIE: 10k distinct random IPv4 prefixes /8../32 ---- */

struct lpm_prefix {
	uint32_t len;
	uint32_t bits;	/* the prefix, most significant bit first */
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t mask_of(uint32_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* n distinct prefixes (an open-addressing set of len:bits). */
static int lpm_prefixes(struct lpm_prefix *p, uint32_t n)
{
	enum { SET = 1 << 15 };
	uint64_t *set = calloc(SET, sizeof(*set)), s = 0x2545f4914f6cdd1dull;
	uint32_t got = 0;

	if (!set)
		return -ENOMEM;
	while (got < n) {
		uint32_t len = 8 + (uint32_t)(rnd(&s) % 25);
		uint32_t bits = (uint32_t)rnd(&s) & mask_of(len);
		uint64_t id = (uint64_t)len << 32 | bits, h = id * PB_KEY_MUL;
		size_t at = (size_t)(h >> 49) % SET;

		while (set[at] && set[at] != id + 1)
			at = (at + 1) % SET;
		if (set[at])
			continue;
		set[at] = id + 1;
		p[got++] = (struct lpm_prefix){ len, bits };
	}
	free(set);
	return 0;
}

/* The address the program looks up for index i, MSB first: its key's
 * data bytes are the little-endian bytes of (u32)(i * imm). */
static uint32_t lpm_addr(uint64_t i)
{
	return __builtin_bswap32((uint32_t)i * (uint32_t)PB_KEY_IMM);
}

/* Longest match by brute force: prefix j's value is j + 1, none 0. */
static uint64_t lpm_expect(const struct lpm_prefix *p, uint32_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < PB_OPS; i++) {
		uint32_t a = lpm_addr(i), best_len = 0;
		uint64_t best = 0;

		for (uint32_t j = 0; j < n; j++) {
			if (((a ^ p[j].bits) & mask_of(p[j].len)) == 0 &&
			    p[j].len >= best_len) {
				best_len = p[j].len;
				best = j + 1;
			}
		}
		sum += best;
	}
	return sum;
}

static int setup_lpm(struct prog_bench *pb)
{
	struct lpm_prefix *p = calloc(LPM_PREFIXES, sizeof(*p));
	int m, err;

	pb_build(pb, PB_LOOKUP, pb_key_lpm32, 8, LPM_PREFIXES);
	m = pb_map_add(pb, BPF_MAP_TYPE_LPM_TRIE, 8, 8, LPM_PREFIXES,
		       BPF_F_NO_PREALLOC);
	err = p ? lpm_prefixes(p, LPM_PREFIXES) : -ENOMEM;
	for (uint32_t j = 0; !err && m > 0 && j < LPM_PREFIXES && !pb->err;
	     j++) {
		uint32_t key[2] = { p[j].len, __builtin_bswap32(p[j].bits) };
		uint64_t v = j + 1;

		pb_map_set(pb, m, key, &v);
	}
	if (!err)
		pb->expect = lpm_expect(p, LPM_PREFIXES);
	free(p);
	return err ? err : pb->err;
}

const struct prog_row prog_rows[] = {
	{ "ARRAY lookup (1k keys of 1024)", "array", setup_array },
	{ "PERCPU_ARRAY lookup (1k of 1024)", NULL, setup_percpu_array },
	{ "HASH lookup, 8B keys (10k)", "hash8", setup_hash8 },
	{ "HASH lookup, 64B keys (10k)", NULL, setup_hash64 },
	{ "HASH update, 8B keys (10k, exist)", NULL, setup_hash_update },
	{ "LRU_HASH update, evicting (10k)", NULL, setup_lru_update },
	{ "LPM_TRIE lookup (10k /8../32)", NULL, setup_lpm },
	{ "RINGBUF output (64B records)", "ringbuf", pb_setup_ringbuf },
	{ NULL, NULL, NULL },
};
