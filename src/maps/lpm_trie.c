/* BPF_MAP_TYPE_LPM_TRIE: longest-prefix match over keys { u32 prefixlen;
 * u8 data[]; } (data big-endian, 1..256 bytes), in the kernel's binary
 * path-compressed trie: every node holds a prefix, children extend it by
 * at least one bit, the child taken is the key's bit just past the node's
 * prefix, and "intermediate" nodes (no value) exist only where two
 * branches split. The shape depends only on the set of prefixes, so
 * get_next_key's post-order (more specific prefixes first) is the
 * kernel's.
 *
 * Concurrency: writers (update, delete, get_next_key) take a spin lock.
 * Lookups take none: writers publish fully built nodes with release
 * stores and never change a live node's prefix, so a reader sees an old
 * or a new trie, as under the kernel's RCU. Unlinked nodes go to a FIFO
 * free list inside the map (the memory rule of map_priv.h: a value
 * pointer stays map memory); reusing one bumps reuse_seq first, and a
 * reader that saw the counter move retries, since it may have walked
 * through a node rewritten under it (after a few tries it takes the
 * lock). Node memory: lpm_pool.c. Big tries get a lookup table over
 * their first 12 bits (lpm_table.c), so lookups skip the dense top. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/lpm_trie.h"

#define LPM_FLAGS                                                           \
	(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | \
	 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
/* The kernel's limit: KMALLOC_MAX_SIZE (4 MiB on x86-64) less the data
 * and its 24-byte node header. */
#define LPM_VALUE_MAX ((4u << 20) - LPM_DATA_MAX - 24u)
#define LPM_READ_TRIES 4
#define LPM_STRIDE 12		/* lookup table: the first 12 bits */
#define LPM_TABLE_MIN 128	/* elements before it pays for its 64 KiB */

static struct lpm_trie *lpm_of(struct bpfvm_map *map)
{
	return (struct lpm_trie *)map;
}

/* ---- keys ---- */

/* The data's whole words load as one big-endian 8-byte word each (the
 * 16-byte IPv6 key: two), a 4-byte IPv4 key as one 4-byte load; the
 * tail of another size that is no multiple of 8 goes byte by byte. */
static inline __attribute__((always_inline)) int
lpm_key_read(const struct lpm_trie *t, const void *key, struct lpm_key *k)
{
	const uint8_t *data = (const uint8_t *)key + 4;
	uint32_t whole, tail;
	uint64_t w;

	if (!key)
		return -EFAULT;
	memcpy(&k->plen, key, 4);
	if (k->plen > t->max_plen)
		return -EINVAL;
	if (t->data_size == 4) {
		uint32_t v;

		memcpy(&v, data, 4);
		k->w[0] = (uint64_t)be32toh(v) << 32;
		return 0;
	}
	whole = t->data_size / 8;
	for (uint32_t i = 0; i < whole; i++) {
		memcpy(&w, data + i * 8, 8);
		k->w[i] = be64toh(w);
	}
	tail = t->data_size % 8;
	if (tail) {
		w = 0;
		for (uint32_t b = 0; b < tail; b++)
			w |= (uint64_t)data[whole * 8 + b] << (56 - 8 * b);
		k->w[whole] = w;
	}
	return 0;
}

static unsigned node_bit(struct lpm_node *n, uint32_t i)
{
	return word_bit(node_word(n, i / 64), i);
}

/* ---- attributes, alloc, free ---- */

static int lpm_check(struct map_attr *a)
{
	if (!a->max_entries || !(a->map_flags & BPF_F_NO_PREALLOC) ||
	    (a->map_flags & ~(uint32_t)LPM_FLAGS) || a->key_size < 4 + 1 ||
	    a->key_size > 4 + LPM_DATA_MAX || !a->value_size ||
	    a->value_size > LPM_VALUE_MAX)
		return -EINVAL;
	return 0;
}

static int lpm_alloc(const struct map_attr *a, struct bpfvm_map **out)
{
	struct lpm_trie *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->data_size = a->key_size - 4;
	t->max_plen = t->data_size * 8;
	t->nwords = (t->data_size + 7) / 8;
	t->stride = t->max_plen < LPM_STRIDE ? t->max_plen : LPM_STRIDE;
	t->node_size = map_round8(sizeof(struct lpm_node) + t->nwords * 8 +
				  a->value_size);
	t->path = calloc(t->max_plen + 2, sizeof(*t->path));
	if (!t->path) {
		free(t);
		return -ENOMEM;
	}
	*out = &t->map;
	return 0;
}

static void lpm_free(struct bpfvm_map *map)
{
	struct lpm_trie *t = lpm_of(map);

	lpm_pool_free(t);
	free(atomic_load(&t->table));
	free(t->path);
	free(t);
}

/* ---- lookup (no lock) ---- */

/* The longest stored prefix of at most k->plen bits that the key
 * starts with. Bounded even on a torn walk: a valid path has at most
 * max_plen + 1 nodes. Inlined: lookups are a few nodes, and the calls
 * cost a lookup in a small trie as much as its walk. */
static inline __attribute__((always_inline)) struct lpm_node *
lpm_find(struct lpm_trie *t, const struct lpm_key *k)
{
	struct lpm_node *n, *found;

	lpm_table_start(t, k, &n, &found);
	for (uint32_t steps = 0; n && steps <= t->max_plen; steps++) {
		uint32_t plen = node_plen(n);

		if (plen > k->plen || lpm_match(n, k, plen) < plen)
			break;
		if (!node_im(n))
			found = n;
		if (plen == k->plen)
			break; /* children are longer than the key */
		n = ld(&n->child[key_bit(k, plen)]);
	}
	return found;
}

/* One walk with the reuse check: true if reuse_seq did not move, so *out
 * (and the value copied to `copy`, if not NULL, while the node was known
 * to hold it) is an answer the trie gave at some moment of the walk. */
static inline __attribute__((always_inline)) bool
lpm_find_try(struct lpm_trie *t, const struct lpm_key *k, void *copy,
	     struct lpm_node **out)
{
	uint32_t seq = atomic_load_explicit(&t->reuse_seq,
					    memory_order_acquire);
	struct lpm_node *n = lpm_find(t, k);

	if (n && copy)
		memcpy(copy, node_value(t, n), t->map.value_size);
	atomic_thread_fence(memory_order_acquire);
	*out = n;
	return atomic_load_explicit(&t->reuse_seq, memory_order_relaxed) ==
	       seq;
}

/* A writer reused memory during the first try: a few more, then under
 * the lock. */
static __attribute__((noinline)) struct lpm_node *
lpm_find_retry(struct lpm_trie *t, const struct lpm_key *k, void *copy)
{
	struct lpm_node *n;

	for (int i = 1; i < LPM_READ_TRIES; i++) {
		if (lpm_find_try(t, k, copy, &n))
			return n;
	}
	map_spin_lock(&t->lock);
	n = lpm_find(t, k);
	if (n && copy)
		memcpy(copy, node_value(t, n), t->map.value_size);
	map_spin_unlock(&t->lock);
	return n;
}

/* lpm_find with the reuse check; copies the value to `copy` (if not
 * NULL) while the node is known to hold it. */
static inline __attribute__((always_inline)) struct lpm_node *
lpm_find_stable(struct lpm_trie *t, const struct lpm_key *k, void *copy)
{
	struct lpm_node *n;

	if (__builtin_expect(lpm_find_try(t, k, copy, &n), 1))
		return n;
	return lpm_find_retry(t, k, copy);
}

static void *lpm_lookup(struct bpfvm_map *map, const void *key)
{
	struct lpm_trie *t = lpm_of(map);
	struct lpm_key k;
	struct lpm_node *n;

	/* An empty trie (the moment root is read) has no match whatever the
	 * key, and a bad key answers NULL too: skip reading it. */
	if (!atomic_load_explicit(&t->root, memory_order_relaxed))
		return NULL;
	if (lpm_key_read(t, key, &k))
		return NULL;
	n = lpm_find_stable(t, &k, NULL);
	return n ? node_value(t, n) : NULL;
}

/* User space gets a copy taken inside the reader's check. */
static int lpm_sys_lookup(struct bpfvm_map *map, const void *key,
			  void *value, uint64_t flags)
{
	struct lpm_trie *t = lpm_of(map);
	struct lpm_key k;
	int err = lpm_key_read(t, key, &k);

	(void)flags; /* map_sys.c refused all but BPF_F_LOCK, and that too */
	if (err)
		return err == -EINVAL ? -ENOENT : err;
	return lpm_find_stable(t, &k, value) ? 0 : -ENOENT;
}

/* ---- writers (lock held) ---- */

/* The kernel's descent for update, delete and get_next_key: follow the
 * key while it extends each node, stop at a node it does not extend or
 * that has its exact length. t->path[0..depth] are the slots taken (the
 * last holds that node, or NULL); *matchlen is the shared prefix with
 * the last node. */
static uint32_t lpm_descend(struct lpm_trie *t, const struct lpm_key *k,
			    uint32_t *matchlen)
{
	lpm_slot *slot = &t->root;
	struct lpm_node *n;
	uint32_t depth = 0;

	t->path[0] = slot;
	while ((n = ld(slot))) {
		uint32_t plen = node_plen(n);

		*matchlen = lpm_match(n, k, plen < k->plen ? plen : k->plen);
		if (*matchlen != plen || plen == k->plen)
			break;
		slot = &n->child[key_bit(k, plen)];
		t->path[++depth] = slot;
	}
	return depth;
}

/* One more element: BPF_EXIST wants an existing one; max_entries. */
static long lpm_add_one(struct lpm_trie *t, uint64_t flags)
{
	if (flags == BPF_EXIST)
		return -ENOENT;
	if (t->n_entries >= t->map.max_entries)
		return -ENOSPC;
	t->n_entries++;
	return 0;
}

/* Link the new node nn into slot, which holds n (or NULL) sharing
 * matchlen bits with the key: in place of n when n has the key's prefix
 * (keeping n's subtrees), above n when the key is a prefix of n, else
 * under a new intermediate node where the two part. */
static long lpm_place(struct lpm_trie *t, lpm_slot *slot, struct lpm_node *n,
		      struct lpm_node *nn, const struct lpm_key *k,
		      uint32_t matchlen)
{
	uint64_t bits[LPM_WORDS_MAX];
	struct lpm_node *im, *old = NULL;
	unsigned b;

	if (n && node_plen(n) == matchlen) {
		for (int c = 0; c < 2; c++)
			atomic_store_explicit(&nn->child[c], ld(&n->child[c]),
					      memory_order_relaxed);
		old = n;
	} else if (n && matchlen == k->plen) {
		atomic_store_explicit(&nn->child[node_bit(n, matchlen)], n,
				      memory_order_relaxed);
	} else if (n) {
		im = lpm_node_get(t);
		if (!im)
			return -ENOMEM;
		for (uint32_t i = 0; i < t->nwords; i++)
			bits[i] = node_word(n, i);
		lpm_node_init(t, im, bits, matchlen, NULL);
		b = key_bit(k, matchlen);
		atomic_store_explicit(&im->child[b], nn, memory_order_relaxed);
		atomic_store_explicit(&im->child[!b], n, memory_order_relaxed);
		nn = im;
	}
	publish(slot, nn);
	lpm_node_put(t, old);
	return 0;
}

static long lpm_insert(struct lpm_trie *t, const struct lpm_key *k,
		       const void *value, uint64_t flags)
{
	uint32_t matchlen = 0;
	uint32_t depth = lpm_descend(t, k, &matchlen);
	struct lpm_node *n = ld(t->path[depth]), *nn;
	bool same = n && node_plen(n) == matchlen;
	bool counted = !same || node_im(n); /* a new element */
	long err;

	if (counted)
		err = lpm_add_one(t, flags);
	else
		err = flags == BPF_NOEXIST ? -EEXIST : 0;
	if (err)
		return err;
	nn = lpm_node_get(t);
	err = -ENOMEM;
	if (nn) {
		lpm_node_init(t, nn, k->w, k->plen, value);
		err = lpm_place(t, t->path[depth], n, nn, k, matchlen);
	}
	if (!err) {
		lpm_table_refresh(t, depth, k);
		if (t->n_entries >= LPM_TABLE_MIN)
			lpm_table_create(t);
		return 0;
	}
	lpm_node_put(t, nn);
	if (counted)
		t->n_entries--;
	return err;
}

static long lpm_update(struct bpfvm_map *map, const void *key,
		       const void *value, uint64_t flags)
{
	struct lpm_trie *t = lpm_of(map);
	struct lpm_key k;
	long err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	err = lpm_key_read(t, key, &k);
	if (err)
		return err;
	map_spin_lock(&t->lock);
	err = lpm_insert(t, &k, value, flags);
	map_spin_unlock(&t->lock);
	return err;
}

/* Unlink the node in t->path[depth]; the kernel's three cases keep every
 * intermediate node with exactly two children. Returns the depth of the
 * slot that changed. */
static uint32_t lpm_unlink(struct lpm_trie *t, uint32_t depth)
{
	lpm_slot *slot = t->path[depth];
	struct lpm_node *n = ld(slot), *parent;
	struct lpm_node *c0 = ld(&n->child[0]), *c1 = ld(&n->child[1]);

	if (c0 && c1) {
		atomic_fetch_or_explicit(&n->flags, LPM_IM,
					 memory_order_release);
		return depth;
	}
	parent = depth ? ld(t->path[depth - 1]) : NULL;
	if (parent && node_im(parent) && !c0 && !c1) {
		struct lpm_node *sib = ld(&parent->child[0]) == n
					       ? ld(&parent->child[1])
					       : ld(&parent->child[0]);

		publish(t->path[--depth], sib);
		lpm_node_put(t, parent);
	} else {
		publish(slot, c0 ? c0 : c1);
	}
	lpm_node_put(t, n);
	return depth;
}

static long lpm_delete(struct bpfvm_map *map, const void *key)
{
	struct lpm_trie *t = lpm_of(map);
	struct lpm_key k;
	uint32_t matchlen = 0, depth;
	struct lpm_node *n;
	long err = lpm_key_read(t, key, &k);

	if (err)
		return err;
	map_spin_lock(&t->lock);
	depth = lpm_descend(t, &k, &matchlen);
	n = ld(t->path[depth]);
	if (!n || node_plen(n) != k.plen || matchlen != k.plen ||
	    node_im(n)) {
		err = -ENOENT;
	} else {
		t->n_entries--;
		lpm_table_refresh(t, lpm_unlink(t, depth), &k);
	}
	map_spin_unlock(&t->lock);
	return err;
}

/* ---- get_next_key: post-order ---- */

/* The first node of n's subtree in post-order: the leftmost leaf. */
static struct lpm_node *lpm_leftmost(struct lpm_node *n)
{
	struct lpm_node *last = NULL;

	while (n) {
		struct lpm_node *c = ld(&n->child[0]);

		if (!node_im(n)) {
			last = n;
			if (!c)
				c = ld(&n->child[1]);
		}
		n = c;
	}
	return last;
}

/* The node after the one in t->path[depth] in post-order, or NULL. */
static struct lpm_node *lpm_post_next(struct lpm_trie *t, uint32_t depth)
{
	for (; depth > 0; depth--) {
		struct lpm_node *n = ld(t->path[depth]);
		struct lpm_node *parent = ld(t->path[depth - 1]);
		struct lpm_node *right = ld(&parent->child[1]);

		if (ld(&parent->child[0]) == n && right)
			return lpm_leftmost(right);
		if (!node_im(parent))
			return parent;
	}
	return NULL;
}

static void lpm_key_write(const struct lpm_trie *t, struct lpm_node *n,
			  void *out)
{
	uint32_t plen = node_plen(n);
	uint8_t *data = (uint8_t *)out + 4;

	memcpy(out, &plen, 4);
	for (uint32_t b = 0; b < t->data_size; b++) {
		uint64_t w = atomic_load_explicit(&n->bits[b / 8],
						  memory_order_relaxed);

		data[b] = (uint8_t)(w >> (56 - 8 * (b % 8)));
	}
}

/* A key not in the trie (or NULL, or too long) restarts from the first
 * element, as in the kernel. */
static struct lpm_node *lpm_next(struct lpm_trie *t, const void *key)
{
	struct lpm_node *root = ld(&t->root), *n;
	uint32_t matchlen = 0, depth;
	struct lpm_key k;

	if (!root)
		return NULL;
	if (!key || lpm_key_read(t, key, &k))
		return lpm_leftmost(root);
	depth = lpm_descend(t, &k, &matchlen);
	n = ld(t->path[depth]);
	if (!n || node_plen(n) != matchlen || node_im(n))
		return lpm_leftmost(root);
	return lpm_post_next(t, depth);
}

static int lpm_get_next_key(struct bpfvm_map *map, const void *key,
			    void *next_key)
{
	struct lpm_trie *t = lpm_of(map);
	struct lpm_node *n;

	if (!next_key)
		return -EFAULT;
	map_spin_lock(&t->lock);
	n = lpm_next(t, key);
	if (n)
		lpm_key_write(t, n, next_key);
	map_spin_unlock(&t->lock);
	return n ? 0 : -ENOENT;
}

const struct map_ops map_lpm_trie_ops = {
	.check = lpm_check,
	.alloc = lpm_alloc,
	.free = lpm_free,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.sys_lookup = lpm_sys_lookup,
	.get_next_key = lpm_get_next_key,
	.value_access = lpm_value_access,
};
