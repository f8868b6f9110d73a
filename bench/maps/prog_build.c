/* Program-side rows: maps on both sides, the program skeleton, loading
 * (see prog_bench.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfvm/map.h>
#include <bpfvm/prog.h>

#include "bench_maps.h"
#include "kmap.h"
#include "kprog.h"
#include "prog_bench.h"
#include "../../tests/unit/insn_build.h"

#define LD_MAP_IDX(d, i) LD_IMM64_RAW(d, 5 /* BPF_PSEUDO_MAP_IDX */, i, 0)
#define LD_MAP_IDX_VALUE(d, i, off) LD_IMM64_RAW(d, 6, i, off)

static int fail(struct prog_bench *pb, int err, const char *what)
{
	if (!pb->err) {
		pb->err = err;
		snprintf(pb->err_msg, sizeof(pb->err_msg), "%s: %s", what,
			 strerror(-err));
	}
	return err;
}

static void no_kernel(struct prog_bench *pb, const char *what, int err)
{
	if (!pb->kernel)
		return;
	pb->kernel = false;
	snprintf(pb->kernel_why, sizeof(pb->kernel_why), "%s: %s", what,
		 strerror(-err));
}

int pb_map_add(struct prog_bench *pb, enum bpf_map_type type,
	       uint32_t key_size, uint32_t value_size, uint32_t max_entries,
	       uint32_t map_flags)
{
	struct pb_map *m = &pb->map[pb->map_cnt];
	int err;

	if (pb->map_cnt == PB_MAX_MAPS)
		return fail(pb, -E2BIG, "too many maps");
	m->kfd = -1;
	err = map_bench_twin(type, key_size, value_size, max_entries,
			     map_flags, &m->vm, pb->kernel ? &m->kfd : NULL);
	if (err)
		return fail(pb, err, "bpfvm map create");
	if (m->kfd < 0)
		no_kernel(pb, "kernel map create", m->kfd);
	return (int)pb->map_cnt++;
}

/* value repeated for every CPU of a per-CPU map (each rounded up to 8
 * bytes), or once; NULL when out of memory. */
static void *user_value(enum bpf_map_type type, const void *value,
			uint32_t size, unsigned cpus)
{
	bool percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		      type == BPF_MAP_TYPE_PERCPU_HASH ||
		      type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t step = percpu ? (size + 7u) / 8 * 8 : size;
	uint8_t *buf = calloc(percpu ? cpus : 1, step);

	for (unsigned c = 0; buf && c < (percpu ? cpus : 1); c++)
		memcpy(buf + c * step, value, size);
	return buf;
}

int pb_map_set(struct prog_bench *pb, int idx, const void *key,
	       const void *value)
{
	struct pb_map *m = &pb->map[idx];
	enum bpf_map_type type = bpfvm_map_type(m->vm);
	uint32_t vs = bpfvm_map_value_size(m->vm);
	void *v = user_value(type, value, vs, bpfvm_num_possible_cpus());
	int err = v ? bpfvm_map_update(m->vm, key, v, BPF_ANY) : -ENOMEM;

	free(v);
	if (err)
		return fail(pb, err, "bpfvm map update");
	if (pb->kernel && m->kfd >= 0) {
		v = user_value(type, value, vs, kmap_possible_cpus());
		err = v ? kmap_update(m->kfd, key, v, BPF_ANY) : -ENOMEM;
		free(v);
		if (err)
			no_kernel(pb, "kernel map update", err);
	}
	return 0;
}

void pb_emit(struct prog_bench *pb, struct bpf_insn in)
{
	if (pb->cnt < PB_MAX_INSNS)
		pb->insn[pb->cnt] = in;
	else
		fail(pb, -E2BIG, "program too long");
	pb->cnt++;
}

static void emit_n(struct prog_bench *pb, const struct bpf_insn *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_emit(pb, in[i]);
}

#define EMIT(...)                                                             \
	do {                                                                  \
		const struct bpf_insn in_[] = { __VA_ARGS__ };                \
		emit_n(pb, in_, ARRAY_LEN(in_));                              \
	} while (0)

/* r2 = r10 + PB_KEY_OFF */
static void key_ptr(struct prog_bench *pb)
{
	EMIT(MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, PB_KEY_OFF));
}

void pb_key_u32_mask(struct prog_bench *pb, uint32_t mask)
{
	EMIT(MOV64_REG(1, 6), ALU64_IMM(BPF_AND, 1, (int32_t)mask),
	     STX(BPF_W, 10, 1, PB_KEY_OFF));
	key_ptr(pb);
}

void pb_key_u64(struct prog_bench *pb)
{
	EMIT(MOV64_REG(1, 6), ALU64_IMM(BPF_MUL, 1, PB_KEY_IMM),
	     STX(BPF_DW, 10, 1, PB_KEY_OFF));
	key_ptr(pb);
}

void pb_key_64b(struct prog_bench *pb)
{
	EMIT(MOV64_REG(1, 6), ALU64_IMM(BPF_MUL, 1, PB_KEY_IMM),
	     STX(BPF_DW, 10, 1, PB_KEY_OFF));
	for (int k = 1; k < 8; k++)
		EMIT(ALU64_IMM(BPF_ADD, 1, 1),
		     STX(BPF_DW, 10, 1, PB_KEY_OFF + 8 * k));
	key_ptr(pb);
}

void pb_key_lpm32(struct prog_bench *pb)
{
	EMIT(ST_IMM(BPF_W, 10, PB_KEY_OFF, 32), MOV64_REG(1, 6),
	     ALU32_IMM(BPF_MUL, 1, PB_KEY_IMM),
	     STX(BPF_W, 10, 1, PB_KEY_OFF + 4));
	key_ptr(pb);
}

/* The operation on map 1 (lddw right before the call, as clang emits it:
 * the JIT inlines ARRAY lookups when it sees the map in r1). */
static void emit_op(struct prog_bench *pb, enum pb_op op, uint32_t key_size)
{
	switch (op) {
	case PB_LOOKUP:
		EMIT(LD_MAP_IDX(1, 1), CALL_HELPER(BPF_FUNC_map_lookup_elem),
		     JMP_IMM(BPF_JEQ, 0, 0, 2), LDX(BPF_DW, 0, 0, 0),
		     ALU64_REG(BPF_ADD, 7, 0));
		return;
	case PB_UPDATE:
		EMIT(MOV64_REG(3, 6), ALU64_IMM(BPF_ADD, 3, 1),
		     STX(BPF_DW, 10, 3, PB_VALUE_OFF), MOV64_REG(3, 10),
		     ALU64_IMM(BPF_ADD, 3, PB_VALUE_OFF), MOV64_IMM(4, BPF_ANY),
		     LD_MAP_IDX(1, 1), CALL_HELPER(BPF_FUNC_map_update_elem),
		     ALU64_REG(BPF_ADD, 7, 0));
		return;
	case PB_OUTPUT:
		EMIT(MOV64_IMM(3, (int32_t)key_size), MOV64_IMM(4, 0),
		     LD_MAP_IDX(1, 1), CALL_HELPER(BPF_FUNC_ringbuf_output),
		     ALU64_REG(BPF_ADD, 7, 0));
		return;
	}
}

void pb_build(struct prog_bench *pb, enum pb_op op, pb_key_fn key,
	      uint32_t key_size, uint32_t wrap)
{
	size_t loop;

	if (pb_map_add(pb, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0) != 0)
		return;
	pb->ops = PB_OPS;
	pb->warm_runs = wrap / PB_OPS;
	/* r6 = the start index; the next run starts PB_OPS further on */
	EMIT(LD_MAP_IDX_VALUE(1, 0, 0), LDX(BPF_DW, 6, 1, 0),
	     MOV64_REG(2, 6), ALU64_IMM(BPF_ADD, 2, PB_OPS),
	     JMP_IMM(BPF_JLT, 2, (int32_t)wrap, 1), MOV64_IMM(2, 0),
	     STX(BPF_DW, 1, 2, 0),
	     MOV64_IMM(7, 0), /* the sum */
	     MOV64_IMM(8, PB_OPS)); /* operations left */
	loop = pb->cnt;
	key(pb);
	emit_op(pb, op, key_size);
	EMIT(ALU64_IMM(BPF_ADD, 6, 1), ALU64_IMM(BPF_ADD, 8, -1));
	pb_emit(pb, JMP_IMM(BPF_JNE, 8, 0, (int)loop - (int)pb->cnt - 1));
	EMIT(MOV64_REG(0, 7), EXIT());
}

int pb_reset(struct prog_bench *pb)
{
	uint32_t k = 0;
	uint64_t zero = 0;

	return pb_map_set(pb, 0, &k, &zero);
}

static void kernel_load(struct prog_bench *pb, struct pb_progs *out)
{
	int fds[PB_MAX_MAPS];
	static char log[1 << 20];
	size_t end;
	int fd;

	for (size_t i = 0; i < pb->map_cnt; i++)
		fds[i] = pb->map[i].kfd;
	/* without a log first: a log too small for the verifier's trace of
	 * 1000 turns of the loop would fail the load */
	out->kfd = kprog_load_xdp(pb->insn, pb->cnt, fds, NULL, 0);
	if (out->kfd >= 0)
		return;
	no_kernel(pb, "kernel verifier", out->kfd);
	fd = kprog_load_xdp(pb->insn, pb->cnt, fds, log, sizeof(log));
	if (fd >= 0) { /* accepted the second time: say nothing more */
		close(fd);
		return;
	}
	end = strlen(log);
	while (end && log[end - 1] == '\n')
		log[--end] = '\0';
	while (end && log[end - 1] != '\n')
		end--;
	snprintf(pb->kernel_why + strlen(pb->kernel_why),
		 sizeof(pb->kernel_why) - strlen(pb->kernel_why), " (%s)",
		 log + end);
}

int pb_load(struct prog_bench *pb, struct pb_progs *out)
{
	struct bpfvm_map *maps[PB_MAX_MAPS];
	char log[256] = "";
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .name = "map_bench",
				     .log_buf = log, .log_size = sizeof(log),
				     .maps = maps, .map_cnt = pb->map_cnt };
	int err;

	out->vm = NULL;
	out->kfd = -1;
	if (pb->err)
		return pb->err;
	for (size_t i = 0; i < pb->map_cnt; i++)
		maps[i] = pb->map[i].vm;
	err = bpfvm_prog_create(pb->insn, pb->cnt, &o, &out->vm);
	if (err) {
		fail(pb, err, "bpfvm_prog_create");
		snprintf(pb->err_msg, sizeof(pb->err_msg), "%s", log);
		return err;
	}
	if (pb->kernel)
		kernel_load(pb, out);
	return 0;
}

void pb_progs_free(struct pb_progs *p)
{
	bpfvm_prog_free(p->vm);
	if (p->kfd >= 0)
		close(p->kfd);
}

void pb_free(struct prog_bench *pb)
{
	for (size_t i = 0; i < pb->map_cnt; i++) {
		bpfvm_map_free(pb->map[i].vm);
		if (pb->map[i].kfd >= 0)
			close(pb->map[i].kfd);
	}
	if (pb->priv_free)
		pb->priv_free(pb->priv);
}
