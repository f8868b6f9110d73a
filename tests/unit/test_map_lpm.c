/* BPF_MAP_TYPE_LPM_TRIE: attribute and flag errors, longest-prefix match
 * against a brute-force reference (IPv4, IPv6 and odd data sizes, with
 * inserts, replaces and deletes of leaf and inner nodes), get_next_key's
 * post-order, pointer validity after delete, lock-free readers next to a
 * writer. `test_map_lpm --bench` prints ns per lookup instead. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "maps/map_priv.h"

#define DATA_MAX 256

struct key {
	uint32_t plen;
	uint8_t data[DATA_MAX];
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct bpfvm_map *lpm_create(uint32_t data_size, uint32_t value_size,
				    uint32_t max_entries)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o),
				    .map_flags = BPF_F_NO_PREALLOC };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(BPF_MAP_TYPE_LPM_TRIE, 4 + data_size,
				   value_size, max_entries, &o, &m);

	CHECK(err == 0);
	return err ? NULL : m;
}

static int create_err(uint32_t key_size, uint32_t value_size,
		      uint32_t max_entries, uint32_t flags, uint64_t extra,
		      int32_t lock_off)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags,
				    .map_extra = extra,
				    .has_spin_lock = lock_off >= 0,
				    .spin_lock_off =
					    lock_off >= 0 ? (uint32_t)lock_off : 0 };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(BPF_MAP_TYPE_LPM_TRIE, key_size,
				   value_size, max_entries, &o, &m);

	bpfvm_map_free(m);
	return err;
}

static void test_create(void)
{
	const uint32_t np = BPF_F_NO_PREALLOC;

	CHECK_EQ_U64(create_err(8, 4, 1, np, 0, -1), 0);
	CHECK_EQ_U64(create_err(8, 4, 1, 0, 0, -1), -EINVAL);
	CHECK_EQ_U64(create_err(4, 4, 1, np, 0, -1), -EINVAL);
	CHECK_EQ_U64(create_err(5, 4, 1, np, 0, -1), 0);
	CHECK_EQ_U64(create_err(260, 4, 1, np, 0, -1), 0);
	CHECK_EQ_U64(create_err(261, 4, 1, np, 0, -1), -EINVAL);
	CHECK_EQ_U64(create_err(8, 0, 1, np, 0, -1), -EINVAL);
	CHECK_EQ_U64(create_err(8, 4194024, 1, np, 0, -1), 0);
	CHECK_EQ_U64(create_err(8, 4194025, 1, np, 0, -1), -EINVAL);
	CHECK_EQ_U64(create_err(8, 4, 0, np, 0, -1), -EINVAL);
	CHECK_EQ_U64(create_err(8, 4, 1, np | BPF_F_ZERO_SEED, 0, -1),
		     -EINVAL);
	CHECK_EQ_U64(create_err(8, 4, 1, np | BPF_F_RDONLY_PROG, 0, -1), 0);
	CHECK_EQ_U64(create_err(8, 4, 1, np, 1, -1), -EINVAL);
	CHECK_EQ_U64(create_err(8, 8, 1, np, 0, 0), -EOPNOTSUPP);
}

static void k4(struct key *k, uint32_t plen, uint8_t a, uint8_t b, uint8_t c,
	       uint8_t d)
{
	memset(k, 0, sizeof(*k));
	k->plen = plen;
	k->data[0] = a;
	k->data[1] = b;
	k->data[2] = c;
	k->data[3] = d;
}

static int put4(struct bpfvm_map *m, uint32_t plen, uint8_t a, uint8_t b,
		uint8_t c, uint8_t d, uint32_t v, uint64_t flags)
{
	struct key k;

	k4(&k, plen, a, b, c, d);
	return bpfvm_map_update(m, &k, &v, flags);
}

/* The value found for a /32 address, or -errno. */
static int64_t get4(struct bpfvm_map *m, uint8_t a, uint8_t b, uint8_t c,
		    uint8_t d)
{
	struct key k;
	uint32_t v = 0;
	int err;

	k4(&k, 32, a, b, c, d);
	err = bpfvm_map_lookup(m, &k, &v, 0);
	return err ? err : (int64_t)v;
}

static void test_flags(void)
{
	struct bpfvm_map *m = lpm_create(4, 4, 3);
	struct key k;
	uint32_t v = 7;

	if (!m)
		return;
	CHECK_EQ_U64(put4(m, 16, 10, 1, 0, 0, 1, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(put4(m, 16, 10, 1, 0, 0, 1, BPF_NOEXIST), 0);
	CHECK_EQ_U64(put4(m, 16, 10, 1, 0, 0, 2, BPF_NOEXIST), -EEXIST);
	CHECK_EQ_U64(get4(m, 10, 1, 2, 3), 1);
	CHECK_EQ_U64(put4(m, 16, 10, 1, 0, 0, 2, BPF_EXIST), 0);
	CHECK_EQ_U64(get4(m, 10, 1, 2, 3), 2);
	CHECK_EQ_U64(put4(m, 16, 10, 1, 0, 0, 2, 3), -EINVAL);
	CHECK_EQ_U64(put4(m, 16, 10, 1, 0, 0, 2, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(put4(m, 33, 10, 1, 0, 0, 2, 0), -EINVAL);
	/* two /24s under the /16 split at an intermediate /23 */
	CHECK_EQ_U64(put4(m, 24, 10, 1, 0, 0, 3, 0), 0);
	CHECK_EQ_U64(put4(m, 24, 10, 1, 1, 0, 4, 0), 0);
	CHECK_EQ_U64(put4(m, 8, 10, 0, 0, 0, 5, 0), -ENOSPC);
	CHECK_EQ_U64(put4(m, 8, 10, 0, 0, 0, 5, BPF_EXIST), -ENOENT);
	/* the intermediate /23 is no element */
	CHECK_EQ_U64(put4(m, 23, 10, 1, 0, 0, 5, BPF_EXIST), -ENOENT);
	CHECK_EQ_U64(put4(m, 23, 10, 1, 0, 0, 5, 0), -ENOSPC);
	k4(&k, 23, 10, 1, 0, 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	CHECK_EQ_U64(put4(m, 24, 10, 1, 1, 0, 9, 0), 0); /* replace, full */
	CHECK_EQ_U64(get4(m, 10, 1, 1, 200), 9);
	CHECK_EQ_U64(get4(m, 10, 1, 2, 3), 2);
	CHECK_EQ_U64(get4(m, 10, 2, 2, 3), -ENOENT);
	/* a lookup key shorter than a stored prefix does not reach it */
	k4(&k, 20, 10, 1, 0, 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), 0);
	CHECK_EQ_U64(v, 2);
	k4(&k, 33, 10, 1, 0, 0);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, 0), -ENOENT);
	CHECK(m->ops->lookup(m, &k) == NULL);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup(m, &k, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ_U64(bpfvm_map_lookup_and_delete(m, &k, &v, 0), -524);
	k4(&k, 16, 10, 1, 0, 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), -ENOENT);
	CHECK_EQ_U64(get4(m, 10, 1, 2, 3), -ENOENT);
	CHECK_EQ_U64(get4(m, 10, 1, 0, 3), 3);
	bpfvm_map_free(m);
}

/* ---- the brute-force reference ---- */

struct ref_elem {
	struct key k;		/* as last written (bits past plen kept) */
	uint32_t value;
};

struct ref {
	uint32_t ds;		/* data bytes */
	size_t n;
	struct ref_elem e[8192];
};

static unsigned bit_at(const uint8_t *d, uint32_t i)
{
	return d[i / 8] >> (7 - i % 8) & 1;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	for (uint32_t i = 0; i < bits; i++)
		if (bit_at(a, i) != bit_at(b, i))
			return false;
	return true;
}

static struct ref_elem *ref_exact(struct ref *r, const struct key *k)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->e[i].k.plen == k->plen &&
		    prefix_eq(r->e[i].k.data, k->data, k->plen))
			return &r->e[i];
	return NULL;
}

static struct ref_elem *ref_longest(struct ref *r, const struct key *k)
{
	struct ref_elem *best = NULL;

	for (size_t i = 0; i < r->n; i++) {
		struct ref_elem *e = &r->e[i];

		if (e->k.plen <= k->plen &&
		    prefix_eq(e->k.data, k->data, e->k.plen) &&
		    (!best || e->k.plen > best->k.plen))
			best = e;
	}
	return best;
}

/* Post-order of the binary trie of all bit strings: at the first
 * differing bit 0 goes first; a prefix of another comes after it. */
static int post_order_cmp(const void *pa, const void *pb)
{
	const struct key *a = &((const struct ref_elem *)pa)->k;
	const struct key *b = &((const struct ref_elem *)pb)->k;
	uint32_t n = a->plen < b->plen ? a->plen : b->plen;

	for (uint32_t i = 0; i < n; i++)
		if (bit_at(a->data, i) != bit_at(b->data, i))
			return bit_at(a->data, i) ? 1 : -1;
	return a->plen == b->plen ? 0 : a->plen > b->plen ? -1 : 1;
}

/* A random prefix: often an extension of a stored one, so the trie gets
 * deep, with inner nodes and splits. */
static void random_key(struct ref *r, struct key *k, bool garbage_tail)
{
	uint32_t max = r->ds * 8;

	memset(k, 0, sizeof(*k));
	for (uint32_t i = 0; i < r->ds; i++)
		k->data[i] = (uint8_t)rnd();
	k->plen = (uint32_t)(rnd() % (max + 1));
	if (r->n && rnd() % 4) {
		const struct key *base = &r->e[rnd() % r->n].k;

		memcpy(k->data, base->data, (base->plen + 7) / 8);
		if (k->plen < base->plen && rnd() % 2)
			k->plen = base->plen + (uint32_t)(rnd() %
						   (max - base->plen + 1));
	}
	if (!garbage_tail)
		for (uint32_t i = k->plen; i < max; i++)
			k->data[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static void ref_update(struct ref *r, struct bpfvm_map *m, const struct key *k,
		       uint32_t v, uint64_t flags)
{
	struct ref_elem *e = ref_exact(r, k);
	int want = 0;

	if (e && flags == BPF_NOEXIST)
		want = -EEXIST;
	else if (!e && flags == BPF_EXIST)
		want = -ENOENT;
	else if (!e && r->n == bpfvm_map_max_entries(m))
		want = -ENOSPC;
	CHECK_EQ_U64(bpfvm_map_update(m, k, &v, flags), want);
	if (want)
		return;
	if (!e)
		e = &r->e[r->n++];
	e->k = *k;
	e->value = v;
}

static void ref_delete(struct ref *r, struct bpfvm_map *m, const struct key *k)
{
	struct ref_elem *e = ref_exact(r, k);

	CHECK_EQ_U64(bpfvm_map_delete(m, k), e ? 0 : -ENOENT);
	if (e)
		*e = r->e[--r->n];
}

static int check_lookups(struct ref *r, struct bpfvm_map *m, int count)
{
	int bad = 0;

	for (int i = 0; i < count; i++) {
		struct key k;
		struct ref_elem *e;
		uint32_t v = 0;
		void *p;

		random_key(r, &k, true);
		if (rnd() % 4)
			k.plen = r->ds * 8;
		e = ref_longest(r, &k);
		p = m->ops->lookup(m, &k);
		if (!e != !p || (p && memcmp(p, &e->value, 4)))
			bad++;
		if (bpfvm_map_lookup(m, &k, &v, 0) != (e ? 0 : -ENOENT) ||
		    (e && v != e->value))
			bad++;
	}
	return bad;
}

/* get_next_key from NULL to -ENOENT gives the reference's post-order,
 * with each key's bytes as last written. */
static int check_order(struct ref *r, struct bpfvm_map *m)
{
	static struct ref_elem sorted[8192];
	struct key cur, next;
	size_t n = 0;
	int bad = 0, err;

	memcpy(sorted, r->e, r->n * sizeof(*sorted));
	qsort(sorted, r->n, sizeof(*sorted), post_order_cmp);
	memset(&next, 0, sizeof(next));
	for (err = bpfvm_map_get_next_key(m, NULL, &next); !err;
	     err = bpfvm_map_get_next_key(m, &cur, &next)) {
		if (n >= r->n || next.plen != sorted[n].k.plen ||
		    memcmp(next.data, sorted[n].k.data, r->ds))
			bad++;
		n++;
		cur = next;
		if (n > r->n + 1)
			break;
	}
	CHECK_EQ_U64(err, -ENOENT);
	CHECK_EQ_U64(n, r->n);
	return bad;
}

static void random_run(uint32_t ds, size_t max, int ops, bool garbage)
{
	static struct ref r;
	struct bpfvm_map *m = lpm_create(ds, 4, (uint32_t)max);

	if (!m)
		return;
	r.ds = ds;
	r.n = 0;
	for (int i = 0; i < ops; i++) {
		struct key k;
		uint64_t c = rnd() % 16;

		random_key(&r, &k, garbage);
		if (c < 9)
			ref_update(&r, m, &k, (uint32_t)rnd(),
				   c == 0 ? BPF_EXIST : c == 1 ? BPF_NOEXIST : 0);
		else if (c < 14 && r.n)
			ref_delete(&r, m, &r.e[rnd() % r.n].k); /* present */
		else
			ref_delete(&r, m, &k); /* mostly absent */
		if (i % (ops / 4) == 0) {
			CHECK_EQ_U64(check_lookups(&r, m, 200), 0);
			CHECK_EQ_U64(check_order(&r, m), 0);
		}
	}
	CHECK_EQ_U64(check_lookups(&r, m, 3000), 0);
	CHECK_EQ_U64(check_order(&r, m), 0);
	/* drain in random order: every delete kind, then empty */
	while (r.n)
		ref_delete(&r, m, &r.e[rnd() % r.n].k);
	CHECK_EQ_U64(check_order(&r, m), 0);
	bpfvm_map_free(m);
}

static void test_random(void)
{
	random_run(4, 2000, 6000, false);	/* IPv4 */
	random_run(16, 2000, 6000, false);	/* IPv6 */
	random_run(4, 300, 3000, true);		/* bits past plen kept */
	random_run(1, 100, 800, false);		/* 8-bit keys: dense, full */
	random_run(1, 400, 3000, false);	/* with the lookup table */
	random_run(3, 500, 2000, true);		/* odd sizes */
	random_run(9, 500, 2000, true);
	random_run(256, 300, 1500, false);	/* longest keys */
}

/* The kernel's own example: more specific first, then the /16. */
static void test_order_example(void)
{
	struct bpfvm_map *m = lpm_create(4, 4, 16);
	static const uint8_t want[][2] = { { 24, 0 }, { 24, 1 }, { 24, 128 },
					   { 16, 0 } };
	struct key k, next;
	int n = 0;

	if (!m)
		return;
	put4(m, 16, 192, 168, 0, 0, 1, 0);
	put4(m, 24, 192, 168, 0, 0, 2, 0);
	put4(m, 24, 192, 168, 128, 0, 3, 0);
	put4(m, 24, 192, 168, 1, 0, 4, 0);
	for (int err = bpfvm_map_get_next_key(m, NULL, &next); !err && n < 5;
	     err = bpfvm_map_get_next_key(m, &k, &next), n++) {
		CHECK_EQ_U64(next.plen, want[n][0]);
		CHECK_EQ_U64(next.data[2], want[n][1]);
		k = next;
	}
	CHECK_EQ_U64(n, 4);
	/* an absent key (or one too long) starts over */
	k4(&k, 23, 192, 168, 0, 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next.plen, 24);
	CHECK_EQ_U64(next.data[2], 0);
	k4(&k, 40, 192, 168, 0, 0);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next.data[2], 0);
	/* a key with bits past its length names the same element */
	k4(&k, 24, 192, 168, 1, 77);
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ_U64(next.data[2], 128);
	bpfvm_map_free(m);
	m = lpm_create(4, 4, 16);
	if (!m)
		return;
	CHECK_EQ_U64(bpfvm_map_get_next_key(m, NULL, &next), -ENOENT);
	bpfvm_map_free(m);
}

/* A value pointer stays readable map memory after delete and reuse. */
static void test_pointer_after_delete(void)
{
	struct bpfvm_map *m = lpm_create(4, 64, 4);
	uint8_t val[64];
	struct key k;
	void *p;

	if (!m)
		return;
	memset(val, 0xab, sizeof(val));
	k4(&k, 32, 1, 2, 3, 4);
	CHECK_EQ_U64(bpfvm_map_update(m, &k, val, 0), 0);
	p = m->ops->lookup(m, &k);
	CHECK(p != NULL);
	CHECK_EQ_U64(bpfvm_map_delete(m, &k), 0);
	for (int i = 0; i < 1000; i++) {
		k4(&k, 32, 1, 2, (uint8_t)(i >> 8), (uint8_t)i);
		bpfvm_map_update(m, &k, val, 0);
		bpfvm_map_delete(m, &k);
	}
	/* every value written was val; ASan: no read of free()d memory */
	if (p)
		CHECK(memcmp(p, val, sizeof(val)) == 0);
	bpfvm_map_free(m);
}

/* ---- readers next to a writer ---- */

#define STABLE 512

static struct bpfvm_map *conc_map;
static atomic_bool conc_stop;

/* Stable prefixes: 10.x.y.0/24 (x, y from i) with value i. The writer
 * churns /32s with an odd last byte inside them and /1../10 prefixes
 * above them, and replaces the stable ones with the same value; readers
 * look up even addresses. */
static void stable_key(struct key *k, uint32_t i, uint32_t plen, uint8_t d)
{
	k4(k, plen, 10, (uint8_t)(i * 37 % 251), (uint8_t)i, d);
}

static void *conc_writer(void *arg)
{
	uint64_t s = 12345;

	(void)arg;
	while (!atomic_load(&conc_stop)) {
		struct key k;
		uint32_t i, v;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		i = (uint32_t)(s >> 33) % STABLE;
		stable_key(&k, i, 32, (uint8_t)(s >> 20) | 1);
		v = 0xdead;
		if (s >> 62)
			bpfvm_map_update(conc_map, &k, &v, 0);
		else
			bpfvm_map_delete(conc_map, &k);
		stable_key(&k, i, 24, 0);
		v = i;
		bpfvm_map_update(conc_map, &k, &v, BPF_EXIST);
		/* short prefixes over all of them: the lookup table's top */
		k4(&k, 1 + (uint32_t)(s >> 40) % 10, 10, 0, 0, 0);
		if (s >> 39 & 1)
			bpfvm_map_update(conc_map, &k, &v, 0);
		else
			bpfvm_map_delete(conc_map, &k);
	}
	return NULL;
}

static void *conc_reader(void *arg)
{
	long *bad = arg;
	uint64_t s = (uintptr_t)arg;

	while (!atomic_load(&conc_stop)) {
		struct key k;
		uint32_t i, v, *p;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		i = (uint32_t)(s >> 33) % STABLE;
		stable_key(&k, i, 32, (uint8_t)(s >> 20) & 0xfe);
		/* the element is always there; a copy is always its value
		 * (*p may be another element's, once its node is reused) */
		p = conc_map->ops->lookup(conc_map, &k);
		if (!p || bpfvm_map_lookup(conc_map, &k, &v, 0) || v != i)
			(*bad)++;
	}
	return NULL;
}

static void test_concurrent(void)
{
	pthread_t w, rd[2];
	long bad[2] = { 0, 0 };
	struct timespec ts = { 0, 300 * 1000 * 1000 };

	conc_map = lpm_create(4, 4, 4 * STABLE);
	if (!conc_map)
		return;
	for (uint32_t i = 0; i < STABLE; i++) {
		struct key k;

		stable_key(&k, i, 24, 0);
		CHECK_EQ_U64(bpfvm_map_update(conc_map, &k, &i, 0), 0);
	}
	atomic_store(&conc_stop, false);
	pthread_create(&w, NULL, conc_writer, NULL);
	for (int i = 0; i < 2; i++)
		pthread_create(&rd[i], NULL, conc_reader, &bad[i]);
	nanosleep(&ts, NULL);
	atomic_store(&conc_stop, true);
	pthread_join(w, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(rd[i], NULL);
	CHECK_EQ_U64(bad[0] + bad[1], 0);
	bpfvm_map_free(conc_map);
}

/* ---- benchmark ---- */

/* CPU time of this thread: other load on the machine does not count. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void bench(void)
{
	enum { PREFIXES = 10000, ADDRS = 1 << 16, ROUNDS = 30 };
	struct bpfvm_map *m = lpm_create(4, 8, PREFIXES);
	static struct key addrs[ADDRS];
	uintptr_t sink = 0;
	double best = 0;

	if (!m)
		return;
	for (int i = 0; i < PREFIXES; i++) {
		struct key k;
		uint64_t v = (uint64_t)i;
		uint32_t a = (uint32_t)rnd();

		k4(&k, 8 + (uint32_t)(rnd() % 25), (uint8_t)(a >> 24),
		   (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a);
		bpfvm_map_update(m, &k, &v, 0);
	}
	for (int i = 0; i < ADDRS; i++) {
		uint32_t a = (uint32_t)rnd();

		k4(&addrs[i], 32, (uint8_t)(a >> 24), (uint8_t)(a >> 16),
		   (uint8_t)(a >> 8), (uint8_t)a);
	}
	for (int rep = 0; rep < 5; rep++) { /* the best of 5 */
		double t0 = now_ns(), t1;

		for (int r = 0; r < ROUNDS; r++)
			for (int i = 0; i < ADDRS; i++)
				sink += (uintptr_t)m->ops->lookup(m, &addrs[i]);
		t1 = now_ns();
		if (!rep || t1 - t0 < best)
			best = t1 - t0;
	}
	printf("lpm lookup: %d prefixes /8../32, random IPv4 addresses: "
	       "%.1f ns/lookup (sink %lu)\n",
	       PREFIXES, best / ((double)ROUNDS * ADDRS),
	       (unsigned long)(sink & 1));
	bpfvm_map_free(m);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		bench();
		return 0;
	}
	test_create();
	test_flags();
	test_order_example();
	test_random();
	test_pointer_after_delete();
	test_concurrent();
	return check_report();
}
