/* Tail calls: PROG_ARRAY from user space (ids, errors, the env rule,
 * references), bpf_tail_call in every engine configuration (chains, the
 * 33-call limit counted as the kernel counts, index past the end, empty
 * slots, from a subprogram, budget and checked mode across the call, bad
 * arguments), and slots replaced while other threads tail-call. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "prog_map_test.h"

#define MEM_LEN 64
#define TAIL_CALL CALL_HELPER(BPF_FUNC_tail_call)

static struct bpfvm_map *pa;	/* 4 slots */
static uint32_t pa_id;

/* mem[0] += 1; tail call slot mem[16] (a u32); r0 = 7 if it returns. */
static struct bpfvm_prog *prog_a(uint32_t flags)
{
	struct bpf_insn p[] = {
		LDX(BPF_DW, 6, 1, 0), ALU64_IMM(BPF_ADD, 6, 1),
		STX(BPF_DW, 1, 6, 0), LDX(BPF_W, 3, 1, 16), LD_MAP(2, pa_id),
		MOV64_IMM(0, 7), TAIL_CALL, EXIT(),
	};

	return mk_prog_env(p, ARRAY_LEN(p), NULL, NULL, 0, flags);
}

/* mem[8] = 2 through r1 (the context it was given); r0 = 2. No CHECK:
 * the churn thread makes these too. */
static struct bpfvm_prog *prog_b(void)
{
	static const struct bpf_insn p[] = { ST_IMM(BPF_B, 1, 8, 2),
					     MOV64_IMM(0, 2), EXIT() };
	struct bpfvm_prog *b = NULL;

	bpfvm_prog_create(p, ARRAY_LEN(p), NULL, &b);
	return b;
}

static int set_slot(uint32_t slot, struct bpfvm_prog *p)
{
	uint32_t id = bpfvm_prog_id(p);

	return bpfvm_map_update(pa, &slot, &id, BPF_ANY);
}

static void del_slot(uint32_t slot)
{
	bpfvm_map_delete(pa, &slot);
}

static void prog_array_api(void)
{
	struct bpfvm_prog *b = prog_b();
	uint32_t k = 1, v = 0, bad = 0x7ffffff0, next;
	struct bpfvm_map *m = NULL;
	struct bpfvm_map_opts o = { .sz = sizeof(o) };

	CHECK(bpfvm_map_lookup(pa, &k, &v, 0) == -ENOENT);
	CHECK(set_slot(1, b) == 0);
	CHECK(bpfvm_map_lookup(pa, &k, &v, 0) == 0);
	CHECK(v == bpfvm_prog_id(b));
	v = bpfvm_prog_id(b);
	CHECK(bpfvm_map_update(pa, &k, &v, BPF_NOEXIST) == -EINVAL);
	CHECK(bpfvm_map_update(pa, &k, &bad, BPF_ANY) == -EBADF);
	k = 4;
	CHECK(bpfvm_map_update(pa, &k, &v, BPF_ANY) == -E2BIG);
	CHECK(bpfvm_map_delete(pa, &k) == -E2BIG);
	CHECK(bpfvm_map_lookup(pa, &k, &v, 0) == -ENOENT);
	k = 1;
	CHECK(bpfvm_map_delete(pa, &k) == 0);
	CHECK(bpfvm_map_delete(pa, &k) == -ENOENT);
	CHECK(bpfvm_map_get_next_key(pa, NULL, &next) == 0 && next == 0);
	k = 3;
	CHECK(bpfvm_map_get_next_key(pa, &k, &next) == -ENOENT);
	/* the kernel's attribute checks */
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, &o, &m) ==
	      -EINVAL);
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_PROG_ARRAY, 8, 4, 4, &o, &m) ==
	      -EINVAL);
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0, &o, &m) ==
	      -EINVAL);
	o.map_flags = BPF_F_RDONLY_PROG;
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, &o, &m) ==
	      -EINVAL);
	o.map_flags = BPF_F_MMAPABLE;
	CHECK(bpfvm_map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, &o, &m) ==
	      -EINVAL);
	bpfvm_prog_free(b);
}

/* One configuration: run A with index idx on fresh memory. */
static struct outcome run_a(struct bpfvm_prog *a, struct bpfvm_prog *ab,
			    const struct cfg *c, uint32_t idx, uint8_t *mem,
			    uint64_t budget)
{
	memset(mem, 0, MEM_LEN);
	memcpy(mem + 16, &idx, 4);
	return run_cfg(a, ab, c, mem, MEM_LEN, budget);
}

static void chains(void)
{
	struct bpfvm_prog *a = prog_a(0), *ab = prog_a(BPFVM_PROG_F_JIT_BLIND);
	struct bpfvm_prog *b = prog_b();
	uint8_t mem[MEM_LEN];
	uint64_t n;

	CHECK(set_slot(0, a) == 0);
	CHECK(set_slot(1, b) == 0);
	for (size_t k = 0; a && ab && b && k < NCFG; k++) {
		const struct cfg *c = &cfgs[k];
		struct outcome o;

		o = run_a(a, ab, c, 1, mem, 0); /* A -> B */
		CHECK(o.err == 0 && o.r0 == 2 && mem[0] == 1 && mem[8] == 2);
		if (c->flags & BPFVM_RUN_F_COUNT)
			CHECK_EQ_U64(o.executed, 7 + 3);
		o = run_a(a, ab, c, 2, mem, 0); /* empty: falls through */
		CHECK(o.err == 0 && o.r0 == 7 && mem[0] == 1 && mem[8] == 0);
		o = run_a(a, ab, c, 4, mem, 0); /* past the end */
		CHECK(o.err == 0 && o.r0 == 7 && mem[0] == 1);
		o = run_a(a, ab, c, 0, mem, 0); /* itself: 1 + 33 runs */
		memcpy(&n, mem, 8);
		CHECK(o.err == 0 && o.r0 == 7);
		CHECK_EQ_U64(n, 34);
		if (c->flags & BPFVM_RUN_F_COUNT)
			CHECK_EQ_U64(o.executed, 34 * 7 + 1);
		if (c->direct)
			continue;
		/* a budget ends the chain at the same instruction */
		o = run_a(a, ab, c, 0, mem, 100);
		memcpy(&n, mem, 8);
		CHECK(o.err == -ETIME);
		CHECK(strstr(o.msg, "insn 2: instruction budget of 100") != NULL);
		CHECK_EQ_U64(o.executed, 100);
		CHECK_EQ_U64(n, 14); /* the 15th run stops before its store */
	}
	del_slot(0); /* A's slot holds A: a cycle until deleted */
	del_slot(1);
	bpfvm_prog_free(a);
	bpfvm_prog_free(ab);
	bpfvm_prog_free(b);
}

/* A tail call to an empty slot does not count (the kernel's JIT counts
 * only calls that happen): mem[0] += 1; tail call 2 (empty); tail call 0
 * (itself): 1 + 33 runs. */
static void empty_slots_count(void)
{
	struct bpf_insn p[] = {
		LDX(BPF_DW, 6, 1, 0), ALU64_IMM(BPF_ADD, 6, 1),
		STX(BPF_DW, 1, 6, 0), MOV64_REG(7, 1), MOV64_IMM(3, 2),
		LD_MAP(2, pa_id), TAIL_CALL, MOV64_REG(1, 7), MOV64_IMM(3, 0),
		LD_MAP(2, pa_id), TAIL_CALL, MOV64_IMM(0, 0), EXIT(),
	};
	struct bpfvm_prog *c = mk_prog_env(p, ARRAY_LEN(p), NULL, NULL, 0, 0);
	uint8_t mem[MEM_LEN];
	uint64_t n;

	CHECK(set_slot(0, c) == 0);
	for (size_t k = 0; c && k < NCFG; k++) {
		struct outcome o;

		memset(mem, 0, sizeof(mem));
		o = run_cfg(c, c, &cfgs[k], mem, MEM_LEN, 0);
		memcpy(&n, mem, 8);
		CHECK(o.err == 0);
		CHECK_EQ_U64(n, 34);
	}
	del_slot(0);
	bpfvm_prog_free(c);
}

/* From a subprogram: only its frame is replaced; main's r6 and its code
 * after the call go on. main: r6 = 100; call sub; r0 += r6. sub: tail
 * call slot 1 (B: r0 = 2); r0 = 55 if it returns. */
static void from_subprogram(void)
{
	struct bpf_insn p[] = {
		MOV64_IMM(6, 100), CALL_LOCAL(2), ALU64_REG(BPF_ADD, 0, 6),
		EXIT(), MOV64_IMM(6, 1), LD_MAP(2, pa_id), MOV64_IMM(3, 1),
		TAIL_CALL, MOV64_IMM(0, 55), EXIT(),
	};
	struct bpfvm_prog *m = mk_prog_env(p, ARRAY_LEN(p), NULL, NULL, 0, 0);
	struct bpfvm_prog *b = prog_b();
	uint8_t mem[MEM_LEN] = { 0 };

	CHECK(set_slot(1, b) == 0);
	for (size_t k = 0; m && b && k < NCFG; k++) {
		struct outcome o = run_cfg(m, m, &cfgs[k], mem, MEM_LEN, 0);

		CHECK(o.err == 0);
		CHECK_EQ_U64(o.r0, 102);
		CHECK(mem[8] == 2);
		mem[8] = 0;
	}
	del_slot(1);
	bpfvm_prog_free(m);
	bpfvm_prog_free(b);
}

/* From a bpf_loop callback: B replaces the callback's frame, so its r0
 * (2, nonzero) stops the loop after one iteration. main: r6 = ctx;
 * r0 = loop(5, cb, ctx) * 10. cb(i, ctx): tail call 1 (B); r0 = 0. */
static void from_callback(void)
{
	struct bpf_insn p[] = {
		MOV64_REG(3, 1), MOV64_IMM(1, 5), LD_FUNC(2, 5),
		MOV64_IMM(4, 0), CALL_HELPER(BPF_FUNC_loop),
		ALU64_IMM(BPF_MUL, 0, 10), EXIT(),
		/* 8: cb */ MOV64_REG(1, 2), LD_MAP(2, pa_id), MOV64_IMM(3, 1),
		TAIL_CALL, MOV64_IMM(0, 0), EXIT(),
	};
	struct bpfvm_prog *m = mk_prog_env(p, ARRAY_LEN(p), NULL, NULL, 0, 0);
	struct bpfvm_prog *b = prog_b();
	uint8_t mem[MEM_LEN] = { 0 };

	CHECK(set_slot(1, b) == 0);
	for (size_t k = 0; m && b && k < NCFG; k++) {
		struct outcome o = run_cfg(m, m, &cfgs[k], mem, MEM_LEN, 0);

		CHECK(o.err == 0);
		CHECK_EQ_U64(o.r0, 10);
		CHECK(mem[8] == 2);
		mem[8] = 0;
	}
	del_slot(1);
	bpfvm_prog_free(m);
	bpfvm_prog_free(b);
}

/* Run-time errors: a stray access in the target (checked runs), a map
 * that is not a PROG_ARRAY of the program, bpf_tail_call through callx. */
static void errors(void)
{
	struct bpf_insn stray[] = { ST_IMM(BPF_DW, 1, MEM_LEN, 1),
				    MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn bad_map[] = { MOV64_IMM(2, 12345), MOV64_IMM(3, 0),
				      TAIL_CALL, EXIT() };
	struct bpf_insn by_callx[] = { LD_MAP(2, pa_id), MOV64_IMM(3, 1),
				       MOV64_IMM(5, BPF_FUNC_tail_call),
				       CALLX(5), EXIT() };
	struct bpfvm_prog *s = mk_prog_env(stray, 3, NULL, NULL, 0, 0);
	struct bpfvm_prog *a = prog_a(0);
	struct bpfvm_prog *bm = mk_prog_env(bad_map, 4, NULL, NULL, 0, 0);
	struct bpfvm_prog *cx = mk_prog_env(by_callx, 6, NULL, NULL, 0, 0);
	uint8_t mem[MEM_LEN];

	CHECK(set_slot(3, s) == 0);
	for (size_t k = 0; s && a && bm && cx && k < NCFG; k++) {
		const struct cfg *c = &cfgs[k];
		struct outcome o;

		if (c->direct)
			continue;
		if (c->flags & BPFVM_RUN_F_CHECKED) {
			o = run_a(a, a, c, 3, mem, 0);
			CHECK(o.err == -EFAULT);
			CHECK(strstr(o.msg, "insn 0: 8-byte store to") != NULL);
		}
		o = run_cfg(bm, bm, c, mem, MEM_LEN, 0);
		CHECK(o.err == -EINVAL);
		CHECK(strstr(o.msg, "insn 2: bpf_tail_call: r2 (0x3039) is not "
				    "a PROG_ARRAY this program uses") != NULL);
		o = run_cfg(cx, cx, c, mem, MEM_LEN, 0);
		CHECK(o.err == -EOPNOTSUPP);
		CHECK(strstr(o.msg, "insn 4: bpf_tail_call works only as call "
				    "12") != NULL);
	}
	del_slot(3);
	bpfvm_prog_free(s);
	bpfvm_prog_free(a);
	bpfvm_prog_free(bm);
	bpfvm_prog_free(cx);
}

/* Programs in one array share an env (the first one fixes it). */
static void env_rule(void)
{
	struct bpfvm_env *env;
	struct bpfvm_map *other = mk_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0);
	struct bpf_insn uses[] = { LD_MAP(2, bpfvm_map_id(other)),
				   MOV64_IMM(0, 0), EXIT() };
	struct bpf_insn ret[] = { MOV64_IMM(0, 0), EXIT() };
	struct bpfvm_prog *mine, *dflt;
	char log[256] = "";
	uint32_t k = 0, id;

	CHECK(bpfvm_env_create(&env) == 0);
	mine = mk_prog_env(ret, 2, env, NULL, 0, 0);
	dflt = mk_prog_env(ret, 2, NULL, NULL, 0, 0);
	id = bpfvm_prog_id(mine);
	CHECK(bpfvm_map_update(other, &k, &id, BPF_ANY) == 0); /* env wins */
	id = bpfvm_prog_id(dflt);
	CHECK(bpfvm_map_update(other, &k, &id, BPF_ANY) == -EINVAL);
	CHECK(create_err(uses, 4, NULL, 0, log, sizeof(log)) == -EINVAL);
	CHECK(strstr(log, "is a PROG_ARRAY for programs of another env"));
	id = bpfvm_prog_id(dflt); /* pa: default env programs */
	CHECK(bpfvm_map_update(pa, &k, &id, BPF_ANY) == 0);
	id = bpfvm_prog_id(mine);
	CHECK(bpfvm_map_update(pa, &k, &id, BPF_ANY) == -EINVAL);
	del_slot(0);
	bpfvm_prog_free(mine);
	bpfvm_prog_free(dflt);
	bpfvm_map_free(other);
	bpfvm_env_free(env);
}

/* A slot's reference keeps a program its creator freed; deleting the
 * slot frees it. */
static void slot_references(void)
{
	struct bpfvm_prog *a = prog_a(0), *b = prog_b(), *again;
	uint32_t bid = bpfvm_prog_id(b);
	uint8_t mem[MEM_LEN];
	struct outcome o;

	CHECK(set_slot(1, b) == 0);
	bpfvm_prog_free(b);
	again = bpfvm_prog_get_by_id(bid);
	CHECK(again == b);
	bpfvm_prog_free(again);
	o = run_a(a, a, &cfgs[4], 1, mem, 0);
	CHECK(o.err == 0 && o.r0 == 2);
	del_slot(1);
	CHECK(bpfvm_prog_get_by_id(bid) == NULL);
	bpfvm_prog_free(a);
}

/* The cycle: a program that tail-calls through an array sits in one of
 * its slots (the array holds the program, the program the array). Its
 * references are not user references, so once user space frees both
 * handles the array clears its slots (the kernel's map_release_uref) and
 * everything goes: neither id finds anything, ASan sees no leak. Also
 * through a handle from bpfvm_map_get_by_id, which is a user's: the slots
 * stay while it lasts. */
static void cycle_freed(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0);
	uint32_t mid = m ? bpfvm_map_id(m) : 0, pid, key = 1, v = 0;
	struct bpf_insn p[] = {
		LD_MAP(2, mid), MOV64_IMM(3, 1), TAIL_CALL,
		MOV64_IMM(0, 5), EXIT(),
	};
	struct bpfvm_prog *prog;
	struct bpfvm_map *again;
	uint64_t r0 = 0;

	if (!m)
		return;
	prog = mk_prog_env(p, ARRAY_LEN(p), NULL, NULL, 0, 0);
	if (!prog)
		return;
	pid = bpfvm_prog_id(prog);
	v = pid;
	CHECK(bpfvm_map_update(m, &key, &v, BPF_ANY) == 0);
	again = bpfvm_map_get_by_id(mid);	/* a second user */
	CHECK(again == m);
	bpfvm_map_free(m);
	bpfvm_prog_free(prog);
	/* the second user keeps the slot: the program is still there */
	prog = bpfvm_prog_get_by_id(pid);
	CHECK(prog != NULL);
	CHECK(bpfvm_map_lookup(again, &key, &v, 0) == 0 && v == pid);
	if (prog) {
		/* 33 tail calls into itself, then falls through */
		CHECK(bpfvm_prog_run(prog, NULL, 0, &r0, NULL) == 0 && r0 == 5);
		bpfvm_prog_free(prog);
	}
	bpfvm_map_free(again);
	CHECK(bpfvm_prog_get_by_id(pid) == NULL);
	CHECK(bpfvm_map_get_by_id(mid) == NULL);
}

/* Users may come back while programs hold the array: a handle taken
 * after the slots were cleared sees them empty and may fill them again. */
static void uref_again(void)
{
	struct bpfvm_map *m = mk_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0);
	uint32_t mid = m ? bpfvm_map_id(m) : 0, key = 0, v;
	struct bpf_insn p[] = {
		LD_MAP(2, mid), MOV64_IMM(3, 0), TAIL_CALL,
		MOV64_IMM(0, 5), EXIT(),
	};
	struct bpfvm_prog *user = m ? mk_prog_env(p, ARRAY_LEN(p), NULL,
						  NULL, 0, 0) : NULL;
	struct bpfvm_prog *b = prog_b();
	uint8_t mem[MEM_LEN] = { 0 };
	uint64_t r0 = 0;

	if (!user || !b)
		return;
	v = bpfvm_prog_id(b);
	CHECK(bpfvm_map_update(m, &key, &v, BPF_ANY) == 0);
	CHECK(bpfvm_prog_run(user, mem, MEM_LEN, &r0, NULL) == 0 && r0 == 2);
	bpfvm_map_free(m);	/* the program still holds the array */
	m = bpfvm_map_get_by_id(mid);
	CHECK(m != NULL);
	if (m) {
		CHECK(bpfvm_map_lookup(m, &key, &v, 0) == -ENOENT);
		CHECK(bpfvm_prog_run(user, mem, MEM_LEN, &r0, NULL) == 0 &&
		      r0 == 5);
		v = bpfvm_prog_id(b);
		CHECK(bpfvm_map_update(m, &key, &v, BPF_ANY) == 0);
		CHECK(bpfvm_prog_run(user, mem, MEM_LEN, &r0, NULL) == 0 &&
		      r0 == 2);
		bpfvm_map_free(m);
	}
	bpfvm_prog_free(user);
	bpfvm_prog_free(b);
	CHECK(bpfvm_map_get_by_id(mid) == NULL);
}

/* One thread tail-calls while another replaces and empties the slot:
 * a run keeps the program it entered (ASan would see a use after free). */
static atomic_bool churn_stop;

static void *churn(void *arg)
{
	struct bpfvm_prog *b0 = arg;

	while (!atomic_load(&churn_stop)) {
		struct bpfvm_prog *b = prog_b();

		if (!b)
			continue;
		set_slot(1, b);
		bpfvm_prog_free(b); /* the slot's reference only */
		set_slot(1, b0);
		del_slot(1);
	}
	return NULL;
}

static void concurrent_slots(void)
{
	struct bpfvm_prog *a = prog_a(0), *b0 = prog_b();
	uint8_t mem[MEM_LEN];
	pthread_t t;
	int bad = 0;

	if (!a || !b0 || pthread_create(&t, NULL, churn, b0))
		return;
	for (int i = 0; i < 4000; i++) {
		struct outcome o = run_a(a, a, &cfgs[i % 2 ? 4 : 0], 1, mem, 0);

		bad += o.err || (o.r0 != 2 && o.r0 != 7);
	}
	atomic_store(&churn_stop, true);
	pthread_join(t, NULL);
	CHECK(bad == 0);
	bpfvm_prog_free(a);
	bpfvm_prog_free(b0);
}

int main(void)
{
	pa = mk_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	if (!pa)
		return check_report();
	pa_id = bpfvm_map_id(pa);
	prog_array_api();
	chains();
	empty_slots_count();
	from_subprogram();
	from_callback();
	errors();
	env_rule();
	slot_references();
	concurrent_slots();
	cycle_freed();
	uref_again();
	bpfvm_map_free(pa);
	return check_report();
}
