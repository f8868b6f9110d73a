/* Helper-calling programs built for the kernel and for bpfvm, run and
 * compared (see hprog.h). */
#include "hprog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engdiff.h"
#include "kernel_oracle.h"
#include "kmap.h"

#define INSN(c, d, s, o, i)                                                   \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),      \
			    .off = (o), .imm = (i) })

void hp_emit(struct hprog *p, struct bpf_insn insn)
{
	if (p->cnt >= HP_MAX_INSNS) {
		p->err = -E2BIG;
		return;
	}
	p->insn[p->cnt++] = insn;
}

void hp_init(struct hprog *p, bool kernel)
{
	memset(p, 0, sizeof(*p));
	p->kernel = kernel;
	hp_emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0));
}

void hp_free(struct hprog *p)
{
	for (size_t i = 0; i < p->str_cnt; i++) {
		if (p->kernel)
			close(p->str_fd[i]);
		else
			free(p->str[i]);
	}
	p->str_cnt = 0;
	for (size_t i = 0; i < p->map_cnt; i++) {
		if (p->kernel)
			close(p->map_fd[i]);
		else
			bpfvm_map_free(p->vm_map[i]);
	}
	p->map_cnt = 0;
}

void hp_mov_imm(struct hprog *p, int reg, int32_t imm)
{
	hp_emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, imm));
}

static void ld64_src(struct hprog *p, int reg, int src, uint32_t lo,
		     uint32_t hi)
{
	hp_emit(p, INSN(BPF_LD | BPF_DW | BPF_IMM, reg, src, 0, (int32_t)lo));
	hp_emit(p, INSN(0, 0, 0, 0, (int32_t)hi));
}

void hp_ld64(struct hprog *p, int reg, uint64_t v)
{
	ld64_src(p, reg, 0, (uint32_t)v, (uint32_t)(v >> 32));
}

void hp_stack_ptr(struct hprog *p, int reg, int off)
{
	hp_emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, reg, 10, 0, 0));
	hp_emit(p, INSN(BPF_ALU64 | BPF_ADD | BPF_K, reg, 0, 0, off));
}

void hp_stack_u64(struct hprog *p, int off, uint64_t v)
{
	hp_ld64(p, 7, v);
	hp_emit(p, INSN(BPF_STX | BPF_DW | BPF_MEM, 10, 7, (int16_t)off, 0));
}

void hp_stack_bytes(struct hprog *p, int off, const void *data, size_t n)
{
	for (size_t k = 0; k < n; k += 8) {
		uint64_t v = 0;

		memcpy(&v, (const uint8_t *)data + k, n - k < 8 ? n - k : 8);
		hp_stack_u64(p, off + (int)k, v);
	}
}

/* A frozen read-only one-element array holding s: what the kernel's
 * ARG_PTR_TO_CONST_STR accepts. */
static int kernel_str_map(const char *s)
{
	size_t len = strlen(s) + 1, size = (len + 7) & ~(size_t)7;
	struct kmap_attr a = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
			       .value_size = (uint32_t)size, .max_entries = 1,
			       .map_flags = BPF_F_RDONLY_PROG };
	char *value = calloc(1, size);
	uint32_t key = 0;
	int fd = value ? kmap_create(&a) : -ENOMEM;

	if (fd >= 0) {
		memcpy(value, s, len);
		if (kmap_update(fd, &key, value, BPF_ANY) || kmap_freeze(fd)) {
			close(fd);
			fd = -EIO;
		}
	}
	free(value);
	return fd;
}

void hp_const_str(struct hprog *p, int reg, const char *s)
{
	size_t i = p->str_cnt;

	if (i >= HP_MAX_STRS) {
		p->err = -E2BIG;
		return;
	}
	if (p->kernel) {
		int fd = kernel_str_map(s);

		if (fd < 0) {
			p->err = fd;
			return;
		}
		p->str_fd[i] = fd;
		ld64_src(p, reg, BPF_PSEUDO_MAP_VALUE, (uint32_t)fd, 0);
	} else {
		p->str[i] = strdup(s);
		hp_ld64(p, reg, (uintptr_t)p->str[i]);
	}
	p->str_cnt++;
}

void hp_map(struct hprog *p, int reg, int kfd, struct bpfvm_map *vm)
{
	if (p->kernel)
		ld64_src(p, reg, BPF_PSEUDO_MAP_FD, (uint32_t)kfd, 0);
	else
		hp_ld64(p, reg, (uintptr_t)vm);
}

int hp_new_map(struct hprog *p, enum bpf_map_type type, uint32_t key_size,
	       uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	struct kmap_attr a = { .type = type, .key_size = key_size,
			       .value_size = value_size,
			       .max_entries = max_entries, .map_flags = flags };
	struct bpfvm_map_opts o = { .sz = sizeof(o), .map_flags = flags };
	size_t i = p->map_cnt;
	int err = 0;

	if (i >= HP_MAX_MAPS)
		err = -E2BIG;
	else if (p->kernel)
		err = p->map_fd[i] = kmap_create(&a);
	else
		err = bpfvm_map_create(type, key_size, value_size, max_entries,
				       &o, &p->vm_map[i]);
	if (err < 0)
		return p->err = err;
	p->map_cnt++;
	return (int)i;
}

void hp_map_update(struct hprog *p, int idx, const void *key,
		   const void *value)
{
	int err;

	if (idx < 0 || (size_t)idx >= p->map_cnt)
		return;
	err = p->kernel ? kmap_update(p->map_fd[idx], key, value, BPF_ANY)
			: bpfvm_map_update(p->vm_map[idx], key, value,
					   BPF_ANY);
	if (err && !p->err)
		p->err = err;
}

void hp_map_ref(struct hprog *p, int reg, int idx)
{
	if (idx < 0 || (size_t)idx >= p->map_cnt)
		return;
	hp_map(p, reg, p->kernel ? p->map_fd[idx] : -1,
	       p->kernel ? NULL : p->vm_map[idx]);
}

void hp_call(struct hprog *p, uint32_t helper)
{
	hp_emit(p, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)helper));
}

void hp_save_r0(struct hprog *p)
{
	hp_emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 9, 0, 0, 0));
}

void hp_copy_out(struct hprog *p, int stack_off, size_t n, size_t mem_off)
{
	for (size_t k = 0; k < n; k += 8) {
		hp_emit(p, INSN(BPF_LDX | BPF_DW | BPF_MEM, 7, 10,
				(int16_t)(stack_off + (int)k), 0));
		hp_store_mem(p, 7, mem_off + k);
	}
}

void hp_store_mem(struct hprog *p, int reg, size_t mem_off)
{
	hp_emit(p, INSN(BPF_STX | BPF_DW | BPF_MEM, 6, reg, (int16_t)mem_off,
			0));
}

void hp_exit_saved(struct hprog *p)
{
	hp_emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 9, 0, 0));
	hp_emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* The verifier's log of the last refused program. */
static char verifier_log[1 << 16];

/* Its last lines, which say why. */
static const char *log_tail(void)
{
	size_t n = strlen(verifier_log);
	int lines = 0;

	while (n > 0 && lines < 4)
		if (verifier_log[--n] == '\n')
			lines++;
	return verifier_log + n;
}

int hp_run_kernel(struct hprog *p, struct hp_result *res)
{
	struct kernel_oracle_opts o = { .sz = sizeof(o), .err_buf = res->why,
					.err_size = sizeof(res->why),
					.log_buf = verifier_log,
					.log_size = sizeof(verifier_log) };

	memset(res->mem, 0, sizeof(res->mem));
	res->why[0] = '\0';
	if (p->err)
		return res->status = p->err;
	res->status = (int)kernel_oracle_run(p->insn, p->cnt, res->mem,
					     HP_MEM, &res->r0, &o);
	return res->status;
}

int hp_run_vm(struct hprog *p, enum bpfvm_engine engine,
	      struct hp_result *res)
{
	struct bpfvm_prog_opts po = { .sz = sizeof(po), .log_buf = res->why,
				      .log_size = sizeof(res->why) };
	struct bpfvm_run_opts ro = { .sz = sizeof(ro), .engine = engine,
				     .err_buf = res->why,
				     .err_size = sizeof(res->why) };
	struct bpfvm_prog *prog;

	memset(res->mem, 0, sizeof(res->mem));
	res->why[0] = '\0';
	res->status = p->err ? p->err
			     : bpfvm_prog_create(p->insn, p->cnt, &po, &prog);
	if (res->status)
		return res->status;
	res->status = bpfvm_prog_run(prog, res->mem, HP_MEM, &res->r0, &ro);
	bpfvm_prog_free(prog);
	return res->status;
}

void hp_require_kernel(void)
{
	char why[256];

	if (!kernel_oracle_available(why, sizeof(why)) ||
	    !kmap_available(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		exit(77);
	}
}

bool hp_jit_available(void)
{
	return engdiff_jit_available(NULL, 0);
}

static bool agree(const char *name, const char *engine,
		  const struct hp_result *k, const struct hp_result *v)
{
	if (v->status) {
		printf("FAIL %s: bpfvm %s: error %d (%s)\n", name, engine,
		       v->status, v->why);
		return false;
	}
	if (k->r0 != v->r0) {
		printf("FAIL %s: r0 kernel %#llx, bpfvm %s %#llx\n", name,
		       (unsigned long long)k->r0, engine,
		       (unsigned long long)v->r0);
		return false;
	}
	for (size_t i = 0; i < HP_MEM; i++) {
		if (k->mem[i] != v->mem[i]) {
			printf("FAIL %s: memory byte %zu: kernel %#x, bpfvm "
			       "%s %#x\n", name, i, k->mem[i], engine,
			       v->mem[i]);
			return false;
		}
	}
	return true;
}

/* Build one side and run it. */
static int build_run(hp_build_fn build, const void *ctx, bool kernel,
		     enum bpfvm_engine engine, struct hp_result *res)
{
	struct hprog *p = malloc(sizeof(*p));
	int st;

	if (!p)
		return res->status = -ENOMEM;
	hp_init(p, kernel);
	build(p, ctx);
	st = kernel ? hp_run_kernel(p, res) : hp_run_vm(p, engine, res);
	hp_free(p);
	free(p);
	return st;
}

bool hp_same(const char *name, hp_build_fn build, const void *ctx)
{
	static struct hp_result k, v;
	bool ok;

	if (build_run(build, ctx, true, 0, &k) != KERNEL_ORACLE_OK) {
		printf("FAIL %s: kernel: status %d: %s\n%s", name, k.status,
		       k.why, k.status == KERNEL_ORACLE_REJECTED ? log_tail()
								 : "");
		return false;
	}
	build_run(build, ctx, false, BPFVM_ENGINE_INTERP, &v);
	ok = agree(name, "interpreter", &k, &v);
	if (ok && hp_jit_available()) {
		build_run(build, ctx, false, BPFVM_ENGINE_JIT, &v);
		ok = agree(name, "JIT", &k, &v);
	}
	return ok;
}

bool hp_same_or_rejected(const char *name, hp_build_fn build,
			 const void *ctx, uint64_t vm_r0)
{
	static struct hp_result k;

	if (build_run(build, ctx, true, 0, &k) == KERNEL_ORACLE_REJECTED)
		return hp_kernel_rejects(name, build, ctx, vm_r0);
	return hp_same(name, build, ctx);
}

bool hp_kernel_rejects(const char *name, hp_build_fn build, const void *ctx,
		       uint64_t vm_r0)
{
	static struct hp_result k, v;

	build_run(build, ctx, true, 0, &k);
	build_run(build, ctx, false, BPFVM_ENGINE_INTERP, &v);
	if (k.status != KERNEL_ORACLE_REJECTED) {
		printf("FAIL %s: the kernel did not refuse it (status %d, r0 "
		       "%#llx)\n", name, k.status, (unsigned long long)k.r0);
		return false;
	}
	if (v.status || v.r0 != vm_r0) {
		printf("FAIL %s: bpfvm: error %d, r0 %#llx, want r0 %#llx\n",
		       name, v.status, (unsigned long long)v.r0,
		       (unsigned long long)vm_r0);
		return false;
	}
	return true;
}
