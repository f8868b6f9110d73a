/* Differential runs between bpfvm's engines; see engdiff.h. */
#include "engdiff.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Every run's memory: one address for all, so the pointer in r1 cannot
 * make two engines differ (a helper may hash it). Tests are
 * single-threaded. */
static _Alignas(64) uint8_t run_mem[ENGDIFF_MAX_MEM];

bool engdiff_jit_available(char *why, size_t size)
{
	static int state; /* 0 unknown, 1 yes, -1 no */
	static char reason[256];
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (state == 0) {
		struct bpfvm_prog_opts po = { .sz = sizeof(po) };
		struct bpfvm_run_opts ro = {
			.sz = sizeof(ro), .engine = BPFVM_ENGINE_JIT,
			.err_buf = reason, .err_size = sizeof(reason),
		};
		struct bpfvm_prog *prog;
		uint64_t r0 = 1;
		int err = bpfvm_prog_create(ret0, 2, &po, &prog);

		if (!err) {
			err = bpfvm_prog_run(prog, NULL, 0, &r0, &ro);
			bpfvm_prog_free(prog);
		}
		/* Any other failure is the JIT's bug, for the tests to see. */
		state = err == -EOPNOTSUPP ? -1 : 1;
		if (state < 0 && !reason[0])
			snprintf(reason, sizeof(reason), "%s", strerror(-err));
	}
	if (state < 0 && why && size)
		snprintf(why, size, "the JIT is not available: %s", reason);
	return state > 0;
}

/* The direct entry: no options, no message; a failure to compile is
 * reported like bpfvm_prog_run's. */
static int run_direct(struct bpfvm_prog *prog, void *mem, size_t mem_len,
		      struct engdiff_result *res)
{
	bpfvm_jit_fn fn;
	int err = bpfvm_prog_jit_fn(prog, &fn);

	res->msg[0] = '\0';
	if (err)
		return err;
	res->r0 = fn(mem, mem_len);
	return 0;
}

int engdiff_run(struct bpfvm_prog *prog, const struct engdiff_cfg *cfg,
		const uint8_t *mem_in, size_t mem_len,
		struct engdiff_result *res)
{
	struct bpfvm_run_opts o = {
		.sz = sizeof(o), .engine = cfg->engine, .flags = cfg->flags,
		.insn_budget = cfg->budget,
		.err_buf = res->msg, .err_size = sizeof(res->msg),
	};

	res->cfg = *cfg;
	res->r0 = 0;
	res->executed = 0;
	if (mem_len > ENGDIFF_MAX_MEM) {
		snprintf(res->msg, sizeof(res->msg), "memory above %u bytes",
			 ENGDIFF_MAX_MEM);
		return res->err = -E2BIG;
	}
	if (mem_in && mem_len) /* memcpy from NULL is UB even for 0 bytes */
		memcpy(run_mem, mem_in, mem_len);
	if (cfg->flags & ENGDIFF_F_DIRECT)
		res->err = run_direct(prog, mem_in ? run_mem : NULL, mem_len,
				      res);
	else
		res->err = bpfvm_prog_run(prog, mem_in ? run_mem : NULL,
					  mem_len, &res->r0, &o);
	res->executed = o.insn_executed;
	if (mem_len)
		memcpy(res->mem, run_mem, mem_len);
	return res->err;
}

static bool counted(const struct engdiff_cfg *cfg)
{
	return cfg->budget || (cfg->flags & BPFVM_RUN_F_COUNT);
}

/* The instruction an error message names ("insn N: ..."), or -1. */
static long msg_insn(const char *msg)
{
	long n;

	return sscanf(msg, "insn %ld:", &n) == 1 ? n : -1;
}

bool engdiff_same(const struct engdiff_result *a,
		  const struct engdiff_result *b, size_t mem_len)
{
	if (a->err != b->err)
		return false;
	if (a->err && msg_insn(a->msg) != msg_insn(b->msg))
		return false;
	if (!a->err && a->r0 != b->r0)
		return false;
	if (counted(&a->cfg) && counted(&b->cfg) && a->executed != b->executed)
		return false;
	return memcmp(a->mem, b->mem, mem_len) == 0;
}

bool engdiff_same_direct(const struct engdiff_result *a,
			 const struct engdiff_result *b, size_t mem_len)
{
	if (b->err)
		return false;
	if (a->err ? b->r0 != (uint64_t)(int64_t)a->err : a->r0 != b->r0)
		return false;
	return memcmp(a->mem, b->mem, mem_len) == 0;
}

const char *engdiff_cfg_name(const struct engdiff_cfg *cfg, char *buf,
			     size_t size)
{
	int n = snprintf(buf, size, "%s%s%s%s",
			 cfg->engine == BPFVM_ENGINE_JIT ? "jit" : "interp",
			 cfg->flags & ENGDIFF_F_DIRECT ? " direct" : "",
			 cfg->flags & BPFVM_RUN_F_CHECKED ? " checked" : "",
			 cfg->flags & BPFVM_RUN_F_COUNT ? " counted" : "");

	if (cfg->budget && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " budget=%" PRIu64,
			 cfg->budget);
	return buf;
}

static void report_one(FILE *f, const struct engdiff_result *r)
{
	char name[96];

	fprintf(f, "  %-32s ", engdiff_cfg_name(&r->cfg, name, sizeof(name)));
	if (r->err)
		fprintf(f, "error %d (%s): %s", r->err, strerror(-r->err),
			r->msg);
	else
		fprintf(f, "r0 = 0x%016" PRIx64, r->r0);
	if (counted(&r->cfg))
		fprintf(f, ", %" PRIu64 " insns executed", r->executed);
	fputc('\n', f);
}

void engdiff_report(FILE *f, const struct engdiff_result *a,
		    const struct engdiff_result *b, const uint8_t *mem_in,
		    size_t mem_len)
{
	report_one(f, a);
	report_one(f, b);
	for (size_t i = 0; i < mem_len; i++)
		if (a->mem[i] != b->mem[i])
			fprintf(f, "  mem[%zu]: 0x%02x vs 0x%02x (was 0x%02x)\n",
				i, a->mem[i], b->mem[i],
				mem_in ? mem_in[i] : 0);
}

void engdiff_disasm(FILE *f, const struct bpf_insn *insns, size_t cnt)
{
	char buf[256];
	size_t i = 0;

	while (i < cnt) {
		int n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					  NULL);

		fprintf(f, "  %4zu: %s\n", i, buf);
		i += n > 0 ? (size_t)n : 1;
	}
}
