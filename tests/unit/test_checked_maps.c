/* Checked runs and map memory (map_ops.value_access): a program may read
 * and write the value a lookup gave it -- of every type whose lookups
 * hand out pointers, inner maps' values through their outer map, and a
 * reserved ring buffer record -- and nothing around it: a byte past the
 * value (the element's padding included), the element's key or header, a
 * write to a BPF_F_RDONLY_PROG map, a ring record once submitted or
 * discarded, or the ring's free space. Every case on the interpreter's
 * and the JIT's checked variants. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <bpfvm/bpfvm.h>
#include <bpfvm/test_run.h>

#include "check.h"
#include "insn_build.h"

#ifndef BPF_PSEUDO_MAP_IDX
#define BPF_PSEUDO_MAP_IDX 5
#endif
#define MAP(d, idx) LD_IMM64_RAW(d, BPF_PSEUDO_MAP_IDX, idx, 0)

#define VALUE_SIZE 12u	/* not a multiple of 8: elements carry padding */
#define FAIL_R0 0xbad
#define MAX_INSNS 32

static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP,
					     BPFVM_ENGINE_JIT };
static const char *const engine_names[] = { "interp", "jit" };

/* One access to the looked-up value. */
struct acc {
	int16_t off;
	uint8_t size;		/* 1, 2, 4 or 8 */
	bool write;		/* store 0x5a, r0 = 1; else r0 = the load */
};

/* How the program reaches the value: lookup of mem's key in map 0;
 * two_level: that gives an inner map, looked up with the key at mem + 8;
 * cpu >= 0: bpf_map_lookup_percpu_elem on that CPU. */
struct path {
	bool two_level;
	int cpu;
};

static uint8_t size_bits(uint8_t size)
{
	return size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W
								 : BPF_DW;
}

/* Appends r0 = lookup(r1 map, r2 key); r0 = FAIL_R0 and exit on NULL. */
static size_t emit_lookup(struct bpf_insn *p, size_t n, int key_off, int cpu)
{
	p[n++] = MOV64_REG(2, 6);
	p[n++] = ALU64_IMM(BPF_ADD, 2, key_off);
	if (cpu >= 0) {
		p[n++] = MOV64_IMM(3, cpu);
		p[n++] = CALL_HELPER(BPF_FUNC_map_lookup_percpu_elem);
	} else {
		p[n++] = CALL_HELPER(BPF_FUNC_map_lookup_elem);
	}
	p[n++] = JMP_IMM(BPF_JNE, 0, 0, 2);
	p[n++] = MOV64_IMM(0, FAIL_R0);
	p[n++] = EXIT();
	return n;
}

static size_t build(struct bpf_insn *p, const struct path *path,
		    const struct acc *a)
{
	struct bpf_insn ld[2] = { MAP(1, 0) };
	size_t n = 0;

	p[n++] = MOV64_REG(6, 1);
	p[n++] = ld[0];
	p[n++] = ld[1];
	n = emit_lookup(p, n, 0, path->two_level ? -1 : path->cpu);
	if (path->two_level) {
		p[n++] = MOV64_REG(1, 0);
		n = emit_lookup(p, n, 8, path->cpu);
	}
	if (a->write) {
		p[n++] = ST_IMM(size_bits(a->size), 0, a->off, 0x5a);
		p[n++] = MOV64_IMM(0, 1);
	} else {
		p[n++] = LDX(size_bits(a->size), 0, 0, a->off);
	}
	p[n++] = EXIT();
	return n;
}

/* Runs insns (map 0 = map) checked on engine e over a copy of 32 bytes
 * of mem; returns the run's result, r0 and the message. */
static int run_checked(struct bpfvm_map *map, const struct bpf_insn *insns,
		       size_t cnt, size_t e, const void *mem, uint64_t *r0,
		       char *msg, size_t msg_size)
{
	struct bpfvm_map *maps[1] = { map };
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .maps = maps,
				      .map_cnt = 1 };
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = engines[e],
				     .flags = BPFVM_RUN_F_CHECKED,
				     .err_buf = msg, .err_size = msg_size };
	uint8_t buf[32];
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_create(insns, cnt, &po, &prog);

	CHECK_EQ_U64(err, 0);
	if (err)
		return err;
	memcpy(buf, mem, sizeof(buf));
	msg[0] = '\0';
	*r0 = 0;
	err = bpfvm_prog_run(prog, buf, sizeof(buf), r0, &ro);
	bpfvm_prog_free(prog);
	return err;
}

static int run_acc(struct bpfvm_map *map, const struct path *path,
		   const struct acc *a, size_t e, const void *mem,
		   uint64_t *r0, char *msg, size_t msg_size)
{
	struct bpf_insn insns[MAX_INSNS];

	return run_checked(map, insns, build(insns, path, a), e, mem, r0, msg,
			   msg_size);
}

/* Allowed: returns r0 (checked) after asserting the run succeeded. */
static uint64_t allowed(const char *what, struct bpfvm_map *map,
			const struct path *path, struct acc a, size_t e,
			const void *mem)
{
	char msg[256];
	uint64_t r0;
	int err = run_acc(map, path, &a, e, mem, &r0, msg, sizeof(msg));

	if (err)
		fprintf(stderr, "%s/%s: %s %u at %d: %d %s\n", what,
			engine_names[e], a.write ? "store" : "load", a.size,
			a.off, err, msg);
	CHECK_EQ_U64(err, 0);
	CHECK(r0 != FAIL_R0);
	return r0;
}

/* Refused: -EFAULT with a message naming the reason. */
static void refused(const char *what, struct bpfvm_map *map,
		    const struct path *path, struct acc a, size_t e,
		    const void *mem, const char *reason)
{
	char msg[256];
	uint64_t r0;
	int err = run_acc(map, path, &a, e, mem, &r0, msg, sizeof(msg));

	if (err != -EFAULT || !strstr(msg, reason))
		fprintf(stderr, "%s/%s: %s %u at %d: want -EFAULT (%s), "
			"got %d r0 %#llx \"%s\"\n", what, engine_names[e],
			a.write ? "store" : "load", a.size, a.off, reason, err,
			(unsigned long long)r0, msg);
	CHECK_EQ_U64(err, -EFAULT);
	CHECK(strstr(msg, reason) != NULL);
}

/* The value every test starts from: byte i = 0x10 + i, on every CPU. */
static void fill_value(uint8_t *v, size_t copies)
{
	memset(v, 0, copies * 16);
	for (size_t c = 0; c < copies; c++)
		for (unsigned i = 0; i < VALUE_SIZE; i++)
			v[c * 16 + i] = (uint8_t)(0x10 + i);
}

/* Every access rule on the value mem's key leads to. */
static void check_value(const char *what, struct bpfvm_map *map,
			const struct path *path, const void *mem, bool rdonly)
{
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		/* first and last bytes, a word inside */
		CHECK_EQ_U64(allowed(what, map, path,
				     (struct acc){ 0, 1, false }, e, mem),
			     0x10);
		CHECK_EQ_U64(allowed(what, map, path,
				     (struct acc){ VALUE_SIZE - 1, 1, false },
				     e, mem),
			     0x10 + VALUE_SIZE - 1);
		CHECK_EQ_U64(allowed(what, map, path,
				     (struct acc){ 0, 8, false }, e, mem),
			     0x1716151413121110ull);
		/* one byte past the value (the element's padding), a word
		 * across its end, the 8 bytes before it (key, header or
		 * another element) */
		refused(what, map, path, (struct acc){ VALUE_SIZE, 1, false },
			e, mem, "outside");
		refused(what, map, path, (struct acc){ 8, 8, false }, e, mem,
			"outside");
		refused(what, map, path, (struct acc){ -8, 8, true }, e, mem,
			"outside");
		if (rdonly) {
			refused(what, map, path, (struct acc){ 0, 4, true }, e,
				mem, "read-only");
			continue;
		}
		CHECK_EQ_U64(allowed(what, map, path,
				     (struct acc){ 8, 2, true }, e, mem),
			     1);
		CHECK_EQ_U64(allowed(what, map, path,
				     (struct acc){ 8, 2, false }, e, mem),
			     0x5a);
	}
}

static struct bpfvm_map *new_map(enum bpf_map_type type, uint32_t key_size,
				 uint32_t value_size, uint32_t max,
				 uint32_t flags, struct bpfvm_map *inner)
{
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags,
				    .inner_map = inner };
	struct bpfvm_map *m = NULL;
	int err = bpfvm_map_create(type, key_size, value_size, max, &o, &m);

	CHECK_EQ_U64(err, 0);
	return m;
}

static void put(struct bpfvm_map *m, const void *key, const void *value)
{
	CHECK_EQ_U64(bpfvm_map_update(m, key, value, BPF_ANY), 0);
}

struct kind {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t flags;
	bool percpu;
};

static const struct kind kinds[] = {
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 0, false },
	{ "array_mmapable", BPF_MAP_TYPE_ARRAY, 4, BPF_F_MMAPABLE, false },
	{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 0, true },
	{ "hash", BPF_MAP_TYPE_HASH, 8, 0, false },
	{ "hash_noprealloc", BPF_MAP_TYPE_HASH, 8, BPF_F_NO_PREALLOC, false },
	{ "hash_key12", BPF_MAP_TYPE_HASH, 12, 0, false },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 8, 0, true },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH, 8, 0, false },
	{ "lru_hash_percpu_lists", BPF_MAP_TYPE_LRU_HASH, 8,
	  BPF_F_NO_COMMON_LRU, false },
	{ "lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH, 8, 0, true },
	{ "lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, BPF_F_NO_PREALLOC, false },
};

#define N_ELEMS 40u	/* several chunks / slabs for the growing pools */

/* Key number i of kind k into key[] (LPM: a /32 prefix). */
static void make_key(const struct kind *k, uint32_t i, uint8_t *key)
{
	memset(key, 0, 16);
	if (k->type == BPF_MAP_TYPE_LPM_TRIE) {
		uint32_t plen = 32, addr = 0x0a000000u + i * 256;

		memcpy(key, &plen, 4);
		memcpy(key + 4, &addr, 4);
	} else {
		memcpy(key, &i, 4);
		key[k->key_size - 1] ^= 0x80 * (k->key_size > 4);
	}
}

static struct bpfvm_map *filled_map(const struct kind *k, uint32_t extra)
{
	unsigned ncpu = bpfvm_num_possible_cpus();
	uint8_t *value = malloc((size_t)ncpu * 16);
	bool lru = k->type == BPF_MAP_TYPE_LRU_HASH ||
		   k->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	/* LRU lists per CPU share max_entries: room for every key in ours */
	struct bpfvm_map *m = new_map(k->type, k->key_size, VALUE_SIZE,
				      N_ELEMS * 2 * (lru ? ncpu : 1),
				      k->flags | extra, NULL);
	uint8_t key[16];

	fill_value(value, k->percpu ? ncpu : 1);
	for (uint32_t i = 0; m && i < N_ELEMS; i++) {
		make_key(k, i, key);
		put(m, key, value);
	}
	free(value);
	return m;
}

static void test_kinds(void)
{
	unsigned ncpu = bpfvm_num_possible_cpus();

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		const struct kind *k = &kinds[i];
		struct bpfvm_map *m = filled_map(k, 0);
		struct bpfvm_map *ro = filled_map(k, BPF_F_RDONLY_PROG);
		uint8_t mem[32] = { 0 };
		struct path own = { false, -1 };
		struct path last = { false, (int)ncpu - 1 };

		if (!m || !ro)
			continue;
		/* the first and the last element stored */
		make_key(k, 0, mem);
		check_value(k->name, m, &own, mem, false);
		check_value(k->name, ro, &own, mem, true);
		make_key(k, N_ELEMS - 1, mem);
		check_value(k->name, m, &own, mem, false);
		if (k->percpu)
			check_value(k->name, m, &last, mem, false);
		bpfvm_map_free(m);
		bpfvm_map_free(ro);
	}
}

/* A value of an inner map, reached through ARRAY_OF_MAPS and
 * HASH_OF_MAPS outer maps; the inner map in the outer map's second slot
 * of three. */
static void test_map_in_map(void)
{
	static const enum bpf_map_type outers[] = {
		BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS
	};

	for (size_t o = 0; o < ARRAY_LEN(outers); o++) {
		for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
			const struct kind *k = &kinds[i];
			struct bpfvm_map *inner = filled_map(k, 0);
			struct bpfvm_map *other = filled_map(k, 0);
			struct bpfvm_map *outer;
			struct path two = { true, -1 };
			uint8_t mem[32] = { 0 };
			uint32_t key, id;
			char what[64];

			if (k->flags & BPF_F_MMAPABLE) {
				bpfvm_map_free(inner);
				bpfvm_map_free(other);
				continue; /* not an inner map type here */
			}
			outer = new_map(outers[o], 4, 4, 3, 0, inner);
			if (!inner || !other || !outer)
				continue;
			key = 0, id = bpfvm_map_id(other);
			put(outer, &key, &id);
			key = 1, id = bpfvm_map_id(inner);
			put(outer, &key, &id);
			mem[0] = 1;
			make_key(k, 3, mem + 8);
			snprintf(what, sizeof(what), "%s/%s",
				 o ? "hash_of_maps" : "array_of_maps", k->name);
			check_value(what, outer, &two, mem, false);
			bpfvm_map_free(outer);
			bpfvm_map_free(inner);
			bpfvm_map_free(other);
		}
	}
}

/* A struct bpf_spin_lock at offset 4 of the value: the program reaches
 * it through the helpers only, as the kernel's verifier insists; the
 * fields around it are its. */
static void test_spin_lock(void)
{
	static const enum bpf_map_type types[] = { BPF_MAP_TYPE_ARRAY,
						   BPF_MAP_TYPE_HASH };
	static const struct acc ok[] = { { 0, 4, true }, { 8, 4, true },
					 { 0, 4, false }, { 11, 1, false } };
	static const struct acc bad[] = { { 4, 4, false }, { 4, 4, true },
					  { 0, 8, false }, { 7, 1, true },
					  { 6, 4, false } };

	for (size_t t = 0; t < ARRAY_LEN(types); t++) {
		struct bpfvm_map_opts o = { .sz = sizeof(o),
					    .has_spin_lock = true,
					    .spin_lock_off = 4 };
		struct bpfvm_map *m = NULL;
		struct path own = { false, -1 };
		uint8_t mem[32] = { 0 }, value[VALUE_SIZE] = { 0 };
		uint64_t r0;
		char msg[256];

		CHECK_EQ_U64(bpfvm_map_create(types[t], 4, VALUE_SIZE, 4, &o,
					      &m), 0);
		if (!m)
			continue;
		put(m, mem, value);
		for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
			for (size_t i = 0; i < ARRAY_LEN(ok); i++)
				allowed("spin_lock", m, &own, ok[i], e, mem);
			for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
				CHECK_EQ_U64(run_acc(m, &own, &bad[i], e, mem,
						     &r0, msg, sizeof(msg)),
					     -EFAULT);
				CHECK(strstr(msg, "outside") != NULL);
			}
		}
		bpfvm_map_free(m);
	}
}

/* Pools growing under checked readers: a thread adds elements to a
 * BPF_F_NO_PREALLOC hash and to an LPM trie (new chunks and slabs
 * published while the readers walk them) while this one reads element
 * 0's value, checked, on both engines: every read succeeds. */
struct grower {
	struct bpfvm_map *map;
	const struct kind *kind;
	atomic_bool stop;
};

static void *grow(void *arg)
{
	struct grower *g = arg;
	uint8_t key[16], value[16] = { 0 };

	fill_value(value, 1);
	for (uint32_t i = N_ELEMS; i < 4000 && !atomic_load(&g->stop); i++) {
		make_key(g->kind, i, key);
		bpfvm_map_update(g->map, key, value, BPF_ANY);
	}
	return NULL;
}

static void test_growing(void)
{
	static const struct kind grown[] = {
		{ "hash_noprealloc", BPF_MAP_TYPE_HASH, 8, BPF_F_NO_PREALLOC,
		  false },
		{ "lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, BPF_F_NO_PREALLOC,
		  false },
	};

	for (size_t k = 0; k < ARRAY_LEN(grown); k++) {
		struct bpfvm_map_opts o = { .sz = sizeof(o),
					    .map_flags = grown[k].flags };
		struct grower g = { NULL, &grown[k], false };
		struct path own = { false, -1 };
		uint8_t mem[32] = { 0 }, value[16];
		unsigned bad = 0;
		pthread_t t;

		CHECK_EQ_U64(bpfvm_map_create(grown[k].type, 8, VALUE_SIZE,
					      4096, &o, &g.map), 0);
		if (!g.map)
			continue;
		fill_value(value, 1);
		make_key(&grown[k], 0, mem);
		put(g.map, mem, value);
		if (pthread_create(&t, NULL, grow, &g)) {
			bpfvm_map_free(g.map);
			continue;
		}
		for (int i = 0; i < 3000; i++) {
			const struct acc a = { 0, 8, false };
			uint64_t r0;
			char msg[256];

			bad += run_acc(g.map, &own, &a, (size_t)i & 1, mem, &r0,
				       msg, sizeof(msg)) != 0 ||
			       r0 != 0x1716151413121110ull;
		}
		atomic_store(&g.stop, true);
		pthread_join(t, NULL);
		CHECK_EQ_U64(bad, 0);
		bpfvm_map_free(g.map);
	}
}

/* DEVMAP / DEVMAP_HASH (BPF_F_RDONLY_PROG forced, as the kernel's) and
 * XSKMAP (a read-only socket): a lookup's value may be read, not
 * written, nor read past. */
static void test_redirect_maps(void)
{
	static const struct {
		enum bpf_map_type type;
		uint32_t value_size;
	} rm[] = { { BPF_MAP_TYPE_DEVMAP, 8 }, { BPF_MAP_TYPE_DEVMAP, 4 },
		   { BPF_MAP_TYPE_DEVMAP_HASH, 8 },
		   { BPF_MAP_TYPE_DEVMAP_HASH, 4 },
		   { BPF_MAP_TYPE_XSKMAP, 4 } };

	for (size_t t = 0; t < ARRAY_LEN(rm); t++) {
		struct bpfvm_map *m = new_map(rm[t].type, 4, rm[t].value_size,
					      80, 0, NULL);
		struct path own = { false, -1 };
		uint32_t value[2] = { 0x1234, 0 };
		uint8_t mem[32] = { 0 };
		uint32_t last = rm[t].value_size - 1;
		uint64_t r0;
		char msg[256];

		if (!m)
			continue;
		for (uint32_t k = 0; k < 80; k++) {	/* two DMH chunks */
			memcpy(mem, &k, 4);
			put(m, mem, value);
		}
		for (uint32_t k = 0; k < 80; k += 79) {
			/* 8-byte DEVMAP values lie back to back: past one
			 * is the next slot's value, which the program
			 * could look up too (a limit of checking by
			 * address); past the last slot is outside */
			bool next = rm[t].type == BPF_MAP_TYPE_DEVMAP &&
				    rm[t].value_size == 8 && k < 79;

			memcpy(mem, &k, 4);
			for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
				const struct acc rd = { 0, 4, false },
						 end = { (int16_t)last, 1, false },
						 past = { (int16_t)(last + 1), 1,
							  false },
						 wr = { 0, 4, true };

				CHECK_EQ_U64(allowed("redirect", m, &own, rd, e,
						     mem), 0x1234);
				allowed("redirect", m, &own, end, e, mem);
				CHECK_EQ_U64(run_acc(m, &own, &past, e, mem,
						     &r0, msg, sizeof(msg)),
					     next ? 0 : -EFAULT);
				CHECK(next || strstr(msg, "outside") != NULL);
				CHECK_EQ_U64(run_acc(m, &own, &wr, e, mem, &r0,
						     msg, sizeof(msg)),
					     -EFAULT);
				CHECK(strstr(msg, "read-only") != NULL);
			}
		}
		bpfvm_map_free(m);
	}
}

/* ---- ring buffer records */

enum rb_case {
	RB_OK,		/* write, read back, submit: r0 = 0x22 */
	RB_PAST,	/* a byte past the record's 16 */
	RB_HEADER,	/* the record's header */
	RB_FREE,	/* the ring's free space further on */
	RB_SUBMITTED,	/* a write after submit */
	RB_DISCARDED,	/* a read after discard */
};

/* reserve 16 bytes (in map 0, or in the inner ring at slot 0 of it:
 * inner), store 0x11 and 0x22, then the case. */
static size_t rb_build(struct bpf_insn *p, enum rb_case c, bool inner)
{
	struct bpf_insn ld[2] = { MAP(1, 0) };
	size_t n = 0;

	p[n++] = MOV64_REG(6, 1);
	p[n++] = ld[0];
	p[n++] = ld[1];
	if (inner) {
		p[n++] = ST_IMM(BPF_W, 10, -4, 0);
		p[n++] = MOV64_REG(2, 10);
		p[n++] = ALU64_IMM(BPF_ADD, 2, -4);
		p[n++] = CALL_HELPER(BPF_FUNC_map_lookup_elem);
		p[n++] = MOV64_REG(1, 0);
	}
	p[n++] = MOV64_IMM(2, 16);
	p[n++] = MOV64_IMM(3, 0);
	p[n++] = CALL_HELPER(BPF_FUNC_ringbuf_reserve);
	p[n++] = JMP_IMM(BPF_JNE, 0, 0, 2);
	p[n++] = MOV64_IMM(0, FAIL_R0);
	p[n++] = EXIT();
	p[n++] = MOV64_REG(7, 0);
	p[n++] = ST_IMM(BPF_DW, 7, 0, 0x11);
	p[n++] = ST_IMM(BPF_DW, 7, 8, 0x22);
	p[n++] = LDX(BPF_DW, 8, 7, 8);
	switch (c) {
	case RB_PAST:
		p[n++] = LDX(BPF_B, 8, 7, 16);
		break;
	case RB_HEADER:
		p[n++] = LDX(BPF_W, 8, 7, -8);
		break;
	case RB_FREE:
		p[n++] = ST_IMM(BPF_B, 7, 256, 1);
		break;
	default:
		break;
	}
	p[n++] = MOV64_REG(1, 7);
	p[n++] = MOV64_IMM(2, 0);
	p[n++] = CALL_HELPER(c == RB_DISCARDED ? BPF_FUNC_ringbuf_discard
					       : BPF_FUNC_ringbuf_submit);
	if (c == RB_SUBMITTED)
		p[n++] = ST_IMM(BPF_B, 7, 0, 1);
	if (c == RB_DISCARDED)
		p[n++] = LDX(BPF_B, 8, 7, 0);
	p[n++] = MOV64_REG(0, 8);
	p[n++] = EXIT();
	return n;
}

struct rb_got {
	unsigned n, bad;
};

static int rb_sample(void *ctx, void *data, size_t size)
{
	struct rb_got *g = ctx;
	uint64_t w[2];

	memcpy(w, data, sizeof(w));
	g->n++;
	g->bad += size != 16 || w[0] != 0x11 || w[1] != 0x22;
	return 0;
}

/* A ring (page-sized) alone, or in slot 0 of an ARRAY_OF_MAPS. */
static struct bpfvm_map *rb_ring(bool inner, struct bpfvm_map **ring)
{
	struct bpfvm_map *outer;
	uint32_t key = 0, id;

	*ring = new_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, NULL);
	if (!inner || !*ring)
		return *ring;
	outer = new_map(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, *ring);
	id = bpfvm_map_id(*ring);
	if (outer)
		put(outer, &key, &id);
	return outer;
}

static void rb_free(struct bpfvm_map *map, struct bpfvm_map *ring)
{
	if (map != ring)
		bpfvm_map_free(map);
	bpfvm_map_free(ring);
}

/* 200 records of 24 bytes each consumed at once: the ring (4096 bytes)
 * wraps, and record 171's data runs past the end into the second
 * mapping -- still one record. */
static void rb_ok(size_t e, bool inner)
{
	struct bpf_insn insns[MAX_INSNS];
	struct bpfvm_map *ring, *map = rb_ring(inner, &ring);
	struct bpfvm_ringbuf *cons = NULL;
	struct rb_got got = { 0, 0 };
	size_t cnt = rb_build(insns, RB_OK, inner);
	uint8_t mem[32] = { 0 };
	unsigned fails = 0;
	char msg[256];
	uint64_t r0;

	if (!map || bpfvm_ringbuf_new(ring, rb_sample, &got, NULL, &cons)) {
		CHECK(0);
		rb_free(map, ring);
		return;
	}
	for (int i = 0; i < 200; i++) {
		int err = run_checked(map, insns, cnt, e, mem, &r0, msg,
				      sizeof(msg));

		if (err || r0 != 0x22) {
			if (!fails++)
				fprintf(stderr, "ringbuf ok %d/%s: %d %#llx %s\n",
					i, engine_names[e], err,
					(unsigned long long)r0, msg);
		}
		bpfvm_ringbuf_consume(cons);
	}
	CHECK_EQ_U64(fails, 0);
	CHECK_EQ_U64(got.n, 200);
	CHECK_EQ_U64(got.bad, 0);
	bpfvm_ringbuf_free(cons);
	rb_free(map, ring);
}

static void test_ringbuf(void)
{
	static const enum rb_case bad[] = { RB_PAST, RB_HEADER, RB_FREE,
					    RB_SUBMITTED, RB_DISCARDED };

	for (int inner = 0; inner < 2; inner++) {
		for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
			rb_ok(e, inner);
			for (size_t c = 0; c < ARRAY_LEN(bad); c++) {
				struct bpf_insn insns[MAX_INSNS];
				struct bpfvm_map *ring,
					*map = rb_ring(inner, &ring);
				size_t cnt = rb_build(insns, bad[c], inner);
				uint8_t mem[32] = { 0 };
				char msg[256];
				uint64_t r0 = 0;
				int err = map ? run_checked(map, insns, cnt, e,
							    mem, &r0, msg,
							    sizeof(msg))
					      : -1;

				if (err != -EFAULT || !strstr(msg, "outside"))
					fprintf(stderr, "ringbuf case %zu/%s: "
						"%d %s\n", c, engine_names[e],
						err, msg);
				CHECK_EQ_U64(err, -EFAULT);
				CHECK(strstr(msg, "outside") != NULL);
				rb_free(map, ring);
			}
		}
	}
}

/* ---- an object as clang writes it (tests/objs/chk_maps.bpf.c) */

/* Ethernet + IPv4 (no options) + 8 bytes; id = ip_id. */
static size_t make_pkt(uint8_t *pkt, const uint8_t saddr[4], uint16_t ip_id)
{
	memset(pkt, 0, 42);
	pkt[12] = 0x08;				/* ETH_P_IP */
	pkt[14] = 0x45;
	pkt[17] = 28;				/* tot_len */
	pkt[18] = (uint8_t)(ip_id >> 8);
	pkt[19] = (uint8_t)ip_id;
	pkt[22] = 64;
	pkt[23] = 17;				/* UDP */
	memcpy(pkt + 26, saddr, 4);
	memcpy(pkt + 30, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	return 42;
}

/* Runs prog once on the packet, checked, on engine e. */
static int xdp_run(struct bpfvm_prog *prog, size_t e, const uint8_t *pkt,
		   size_t len, uint32_t *ret, char *msg, size_t msg_size)
{
	uint8_t out[256];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = pkt, .data_size_in = (uint32_t)len,
		.data_out = out, .data_size_out = sizeof(out),
		.engine = engines[e], .run_flags = BPFVM_RUN_F_CHECKED,
		.err_buf = msg, .err_size = msg_size,
	};
	int err;

	msg[0] = '\0';
	err = bpfvm_prog_test_run(prog, &o);
	*ret = o.retval;
	return err;
}

static struct bpfvm_prog *obj_prog(struct bpfvm_object *obj,
				   const char *name)
{
	struct bpfvm_obj_prog *p = bpfvm_object_find_prog(obj, name);
	struct bpfvm_prog *prog = p ? bpfvm_obj_prog_prog(p) : NULL;

	CHECK(prog != NULL);
	return prog;
}

static struct bpfvm_map *obj_map(struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_obj_map *m = bpfvm_object_find_map(obj, name);
	struct bpfvm_map *map = m ? bpfvm_obj_map_map(m) : NULL;

	CHECK(map != NULL);
	return map;
}

/* Ring records of one size. */
struct rec_count {
	size_t size;
	unsigned n;
};

static int count_sample(void *ctx, void *data, size_t size)
{
	struct rec_count *c = ctx;

	(void)data;
	c->n += size == c->size;
	return 0;
}

static void test_object(void)
{
	static const uint8_t blocked[4] = { 10, 1, 2, 3 };
	static const uint8_t other[4] = { 172, 16, 0, 9 };
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo) };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_ringbuf *cons = NULL;
	struct { uint32_t plen; uint8_t addr[4]; } key = { 8, { 10 } };
	uint32_t rule[2] = { 7, 0 }, ret;
	struct rec_count events = { 16, 0 };
	uint8_t pkt[64];
	char msg[256];
	size_t len;
	int err;

	err = bpfvm_object_open_file(BPFVM_OBJ_DIR "/chk_maps.o", NULL, &obj);
	CHECK_EQ_U64(err, 0);
	if (err || (err = bpfvm_object_load(obj, &lo))) {
		CHECK_EQ_U64(err, 0);
		bpfvm_object_close(obj);
		return;
	}
	put(obj_map(obj, "chk_block"), &key, rule);
	CHECK_EQ_U64(bpfvm_ringbuf_new(obj_map(obj, "chk_events"),
				       count_sample, &events, NULL, &cons), 0);
	for (size_t e = 0; e < ARRAY_LEN(engines); e++) {
		struct bpfvm_prog *fw = obj_prog(obj, "chk_fw");
		struct bpfvm_prog *past = obj_prog(obj, "chk_lpm_past");
		struct bpfvm_prog *after = obj_prog(obj, "chk_ring_after");

		if (!fw || !past || !after)
			break;
		len = make_pkt(pkt, blocked, 7);
		err = xdp_run(fw, e, pkt, len, &ret, msg, sizeof(msg));
		if (err)
			fprintf(stderr, "chk_fw/%s: %s\n", engine_names[e], msg);
		CHECK_EQ_U64(err, 0);
		CHECK_EQ_U64(ret, XDP_DROP);
		len = make_pkt(pkt, other, 7);
		CHECK_EQ_U64(xdp_run(fw, e, pkt, len, &ret, msg, sizeof(msg)),
			     0);
		CHECK_EQ_U64(ret, XDP_PASS);
		/* the value's last byte (hits >> 24), then one past it */
		len = make_pkt(pkt, blocked, 7);
		CHECK_EQ_U64(xdp_run(past, e, pkt, len, &ret, msg,
				     sizeof(msg)), 0);
		CHECK_EQ_U64(ret, 0);
		len = make_pkt(pkt, blocked, 8);
		CHECK_EQ_U64(xdp_run(past, e, pkt, len, &ret, msg,
				     sizeof(msg)), -EFAULT);
		CHECK(strstr(msg, "1-byte load") && strstr(msg, "outside"));
		CHECK_EQ_U64(xdp_run(after, e, pkt, len, &ret, msg,
				     sizeof(msg)), -EFAULT);
		CHECK(strstr(msg, "4-byte store") && strstr(msg, "outside"));
	}
	/* both chk_fw drops counted in the LPM value and sent as events */
	key.plen = 32;
	memcpy(key.addr, blocked, 4);
	CHECK_EQ_U64(bpfvm_map_lookup(obj_map(obj, "chk_block"), &key, rule,
				      0), 0);
	CHECK_EQ_U64(rule[1], 2);
	if (cons)
		bpfvm_ringbuf_consume(cons);
	CHECK_EQ_U64(events.n, 2 + 2); /* and chk_ring_after's records */
	bpfvm_ringbuf_free(cons);
	bpfvm_object_close(obj);
}

/* examples/xdp_firewall.bpf.c (LPM value reads, PERCPU_ARRAY counters,
 * ring buffer events), when the examples are built next to the test
 * objects: a blocklisted source, a built-in rule's, another one. */
#define FW_OBJ BPFVM_OBJ_DIR "/../../examples/xdp_firewall.o"

static void test_firewall_example(void)
{
	static const uint8_t srcs[3][4] = { { 10, 9, 8, 7 },
					    { 198, 51, 100, 5 },
					    { 172, 16, 0, 9 } };
	static const uint32_t want[3] = { XDP_DROP, XDP_DROP, XDP_PASS };
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo) };
	struct { uint32_t plen; uint8_t addr[4]; } key = { 8, { 10 } };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_ringbuf *cons = NULL;
	struct bpfvm_prog *prog;
	uint32_t rule = 42, ret;
	struct rec_count events = { 52, 0 }; /* struct fw_event */
	uint8_t pkt[64];
	char msg[256];
	FILE *f = fopen(FW_OBJ, "rb");

	if (!f) {
		printf("examples/xdp_firewall.o not built: case skipped\n");
		return;
	}
	fclose(f);
	CHECK_EQ_U64(bpfvm_object_open_file(FW_OBJ, NULL, &obj), 0);
	if (!obj || bpfvm_object_load(obj, &lo)) {
		CHECK(0);
		bpfvm_object_close(obj);
		return;
	}
	put(obj_map(obj, "blocklist_v4"), &key, &rule);
	CHECK_EQ_U64(bpfvm_ringbuf_new(obj_map(obj, "fw_events"),
				       count_sample, &events, NULL, &cons), 0);
	prog = obj_prog(obj, "xdp_firewall");
	for (size_t e = 0; prog && e < ARRAY_LEN(engines); e++) {
		for (int i = 0; i < 3; i++) {
			size_t len = make_pkt(pkt, srcs[i], 1);
			int err = xdp_run(prog, e, pkt, len, &ret, msg,
					  sizeof(msg));

			if (err)
				fprintf(stderr, "xdp_firewall/%s: %s\n",
					engine_names[e], msg);
			CHECK_EQ_U64(err, 0);
			CHECK_EQ_U64(ret, want[i]);
		}
	}
	if (cons)
		bpfvm_ringbuf_consume(cons);
	CHECK_EQ_U64(events.n, 2 * 2); /* the drops, on both engines */
	bpfvm_ringbuf_free(cons);
	bpfvm_object_close(obj);
}

int main(void)
{
	test_redirect_maps();
	test_growing();
	test_spin_lock();
	test_firewall_example();
	test_object();
	test_ringbuf();
	test_kinds();
	test_map_in_map();
	return check_report();
}
