/* The map_*_elem helpers against the running kernel: scripted programs
 * doing lookups (and writes through the returned pointer), updates with
 * each flag, deletes, push / pop / peek and per-CPU lookups on ARRAY,
 * HASH, LRU_HASH, QUEUE, STACK and PERCPU_ARRAY maps give the same result
 * codes and values in bpfvm (both engines, each on fresh maps) as in the
 * kernel; writes to a BPF_F_RDONLY_PROG map, which the kernel's verifier
 * refuses, return -EPERM in bpfvm. Exits 77 (SKIP) without bpf(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hprog.h"
#include "kmap.h"

#define ERR(e) ((uint64_t)(int64_t)(e))
#define KEY_OFF (-8)
#define VAL_OFF (-16)
#define NONE ((uint64_t)-1) /* what a failed lookup stores */

enum op_kind { LOOKUP, LOOKUP_ADD, UPDATE, DELETE, PUSH, POP, PEEK,
	       LOOKUP_PERCPU };

struct op {
	enum op_kind kind;
	uint32_t key;
	uint64_t value;		/* update / push value, add, or cpu */
	uint64_t flags;
};

struct script {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, max_entries, map_flags;
	uint32_t prefill;	/* keys 0..prefill-1 = 10 * (key + 1) */
	struct op ops[24];
	size_t op_cnt;
};

static int failures, cases;

#define INSN(c, d, s, o, i)                                                   \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),      \
			    .off = (o), .imm = (i) })

/* r7 = *(u64 *)r0, or NONE when r0 is NULL; optionally add to it in
 * place first. */
static void emit_deref(struct hprog *p, bool add, uint64_t amount)
{
	hp_emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 2, 0));
	hp_mov_imm(p, 7, -1);
	hp_emit(p, INSN(BPF_JMP | BPF_JA, 0, 0, add ? 4 : 1, 0));
	hp_emit(p, INSN(BPF_LDX | BPF_DW | BPF_MEM, 7, 0, 0, 0));
	if (add) {
		hp_emit(p, INSN(BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0,
				(int32_t)amount));
		hp_emit(p, INSN(BPF_STX | BPF_DW | BPF_MEM, 0, 7, 0, 0));
		hp_emit(p, INSN(BPF_LDX | BPF_DW | BPF_MEM, 7, 0, 0, 0));
	}
}

/* One operation; its result goes to memory slot `slot` (8 bytes; pops
 * and peeks also their value in the next slot). */
static void emit_op(struct hprog *p, int map, const struct op *o,
		    size_t slot)
{
	hp_emit(p, INSN(BPF_ST | BPF_W | BPF_MEM, 10, 0, KEY_OFF,
			(int32_t)o->key));
	hp_stack_u64(p, VAL_OFF, o->kind == PUSH || o->kind == UPDATE
					 ? o->value : 0);
	hp_map_ref(p, 1, map);
	hp_stack_ptr(p, 2, o->kind == PUSH || o->kind == POP ||
				   o->kind == PEEK ? VAL_OFF : KEY_OFF);
	hp_stack_ptr(p, 3, VAL_OFF);
	if (o->kind == PUSH)
		hp_ld64(p, 3, o->flags);
	if (o->kind == LOOKUP_PERCPU)
		hp_ld64(p, 3, o->value);
	hp_ld64(p, 4, o->flags);
	switch (o->kind) {
	case LOOKUP:
	case LOOKUP_ADD:
	case LOOKUP_PERCPU:
		hp_call(p, o->kind == LOOKUP_PERCPU
				   ? BPF_FUNC_map_lookup_percpu_elem
				   : BPF_FUNC_map_lookup_elem);
		emit_deref(p, o->kind == LOOKUP_ADD, o->value);
		hp_store_mem(p, 7, slot * 8);
		return;
	case UPDATE:
		hp_call(p, BPF_FUNC_map_update_elem);
		break;
	case DELETE:
		hp_call(p, BPF_FUNC_map_delete_elem);
		break;
	case PUSH:
		hp_call(p, BPF_FUNC_map_push_elem);
		break;
	case POP:
	case PEEK:
		hp_call(p, o->kind == POP ? BPF_FUNC_map_pop_elem
					  : BPF_FUNC_map_peek_elem);
		hp_store_mem(p, 0, slot * 8);
		hp_copy_out(p, VAL_OFF, 8, (slot + 1) * 8);
		return;
	}
	hp_store_mem(p, 0, slot * 8);
}

static bool is_queue(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK;
}

static void prefill(struct hprog *p, int map, const struct script *s)
{
	unsigned cpus = kmap_possible_cpus();
	uint64_t *values = calloc(cpus, sizeof(*values));

	for (uint32_t k = 0; values && k < s->prefill; k++) {
		for (unsigned c = 0; c < cpus; c++)
			values[c] = 10 * (k + 1) + 1000 * c;
		hp_map_update(p, map, is_queue(s->type) ? NULL : &k, values);
	}
	free(values);
}

static void build_script(struct hprog *p, const void *ctx)
{
	const struct script *s = ctx;
	int map = hp_new_map(p, s->type, is_queue(s->type) ? 0 : s->key_size,
			     8, s->max_entries, s->map_flags);
	size_t slot = 0;

	prefill(p, map, s);
	for (size_t i = 0; i < s->op_cnt; i++) {
		emit_op(p, map, &s->ops[i], slot);
		slot += s->ops[i].kind == POP || s->ops[i].kind == PEEK ? 2 : 1;
	}
	hp_mov_imm(p, 9, (int32_t)slot);
	hp_exit_saved(p);
}

#define L(k) { LOOKUP, k, 0, 0 }
#define LA(k, a) { LOOKUP_ADD, k, a, 0 }
#define U(k, v, f) { UPDATE, k, v, f }
#define D(k) { DELETE, k, 0, 0 }
#define PU(v, f) { PUSH, 0, v, f }
#define PO { POP, 0, 0, 0 }
#define PE { PEEK, 0, 0, 0 }
#define PC(k, cpu) { LOOKUP_PERCPU, k, cpu, 0 }
#define OPS(...) { __VA_ARGS__ }, sizeof((struct op[]){ __VA_ARGS__ }) / \
				  sizeof(struct op)

static const struct script scripts[] = {
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 4, 0, 2,
	  OPS(L(0), L(3), L(4),
	      LA(1, 5), L(1),
	      U(2, 77, BPF_ANY), L(2),
	      U(2, 78, BPF_NOEXIST), U(2, 79, BPF_EXIST),
	      U(4, 1, BPF_ANY), U(0, 1, 7),
	      D(0), D(9), L(2)) },
	{ "hash", BPF_MAP_TYPE_HASH, 4, 4, 0, 2,
	  OPS(L(0), L(5), U(5, 50, BPF_NOEXIST),
	      U(5, 51, BPF_NOEXIST), U(6, 60, BPF_EXIST),
	      U(5, 52, BPF_EXIST), L(5),
	      U(7, 70, BPF_ANY), U(8, 80, BPF_ANY),
	      U(0, 1, 7), D(5), D(5),
	      U(8, 80, BPF_ANY), LA(8, 3),
	      L(8), D(0), L(0)) },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 64, 0, 2,
	  OPS(L(1), U(3, 30, BPF_NOEXIST),
	      U(3, 31, BPF_NOEXIST), L(3), D(3),
	      D(3), U(4, 1, BPF_EXIST)) },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 3, 0, 1,
	  OPS(PE, PU(20, 0), PU(30, 0),
	      PU(40, 0), PU(50, BPF_EXIST), PO,
	      PE, PO, PO, PO, PE,
	      PU(1, 7)) },
	{ "stack", BPF_MAP_TYPE_STACK, 0, 2, 0, 0,
	  OPS(PO, PU(1, 0), PU(2, 0),
	      PU(3, 0), PU(4, BPF_EXIST), PE, PO,
	      PO, PO) },
	{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 0, 3,
	  OPS(PC(1, 0), PC(2, 1),
	      PC(9, 0), PC(1, 100000),
	      PC(1, 0x100000000ull)) },
};

/* Writes to a map programs may only read: refused at load by the kernel,
 * -EPERM at run time in bpfvm. */
static const struct script readonly[] = {
	{ "rdonly update", BPF_MAP_TYPE_ARRAY, 4, 4, BPF_F_RDONLY_PROG, 1,
	  OPS(U(0, 1, BPF_ANY)) },
	{ "rdonly delete", BPF_MAP_TYPE_HASH, 4, 4, BPF_F_RDONLY_PROG, 1,
	  OPS(D(0)) },
	{ "rdonly push", BPF_MAP_TYPE_QUEUE, 0, 4, BPF_F_RDONLY_PROG, 0,
	  OPS(PU(1, 0)) },
	{ "rdonly pop", BPF_MAP_TYPE_STACK, 0, 4, BPF_F_RDONLY_PROG, 1,
	  OPS(PO) },
};

/* The last operation's result, for the read-only cases (r0 is the
 * number of slots, so build a variant returning r0 of the op). */
static void build_readonly(struct hprog *p, const void *ctx)
{
	build_script(p, ctx);
	p->cnt -= 3;	/* mov r9, slots; mov r0, r9; exit */
	hp_emit(p, INSN(BPF_LDX | BPF_DW | BPF_MEM, 0, 6, 0, 0));
	hp_emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

int main(void)
{
	hp_require_kernel();
	for (size_t i = 0; i < sizeof(scripts) / sizeof(*scripts); i++) {
		cases++;
		if (!hp_same(scripts[i].name, build_script, &scripts[i]))
			failures++;
	}
	for (size_t i = 0; i < sizeof(readonly) / sizeof(*readonly); i++) {
		cases++;
		if (!hp_kernel_rejects(readonly[i].name, build_readonly,
				       &readonly[i], ERR(-EPERM)))
			failures++;
	}
	printf("compared with bpfvm's interpreter%s\n",
	       hp_jit_available() ? " and JIT" : " (no JIT here)");
	printf("%d passed, %d failed\n", cases - failures, failures);
	return failures ? 1 : 0;
}
