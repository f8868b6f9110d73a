/* Embedding bpfvm: assemble a program, register a host helper, run it on a
 * buffer. The README shows this file; CTest runs it (examples/embed). */
#include <bpfvm/bpfvm.h>
#include <stdio.h>
#include <stdlib.h>

/* A host helper under a new id: returns the sum of its two arguments. */
static uint64_t host_add(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			 uint64_t e, struct bpfvm_run *run)
{
	(void)c, (void)d, (void)e, (void)run;
	return a + b;
}

#define HOST_ADD_ID 1000

static const char source[] =
	"	r6 = r1\n"
	"	r1 = *(u32 *)(r6 + 0)\n"	/* first u32 of the buffer */
	"	r2 = *(u32 *)(r6 + 4)\n"	/* second u32 */
	"	call host_add\n"
	"	*(u64 *)(r6 + 8) = r0\n"	/* result back into the buffer */
	"	exit\n";

int main(void)
{
	char log[256] = "";
	struct bpfvm_env *env;
	struct bpfvm_prog *prog = NULL;
	struct bpf_insn *insns = NULL;
	size_t cnt;
	uint32_t buf[4] = { 40, 2, 0, 0 };
	uint64_t r0 = 0;
	int err;

	if (bpfvm_env_create(&env))
		return 1;
	err = bpfvm_helper_register(env, HOST_ADD_ID, "host_add", host_add);
	struct bpfvm_asm_opts aopts = {
		.sz = sizeof(aopts), .env = env,
		.log_buf = log, .log_size = sizeof(log),
	};
	if (!err)
		err = bpfvm_asm_assemble(source, &aopts, &insns, &cnt);
	struct bpfvm_prog_opts popts = {
		.sz = sizeof(popts), .env = env,
		.log_buf = log, .log_size = sizeof(log),
	};
	if (!err)
		err = bpfvm_prog_create(insns, cnt, &popts, &prog);
	struct bpfvm_run_opts ropts = {
		.sz = sizeof(ropts), .flags = BPFVM_RUN_F_CHECKED,
		.err_buf = log, .err_size = sizeof(log),
	};
	if (!err)
		err = bpfvm_prog_run(prog, buf, sizeof(buf), &r0, &ropts);
	if (err)
		fprintf(stderr, "embed: %s\n", log);
	else
		printf("r0 = %llu, buf[2..3] = %u %u\n", (unsigned long long)r0,
		       buf[2], buf[3]);
	bpfvm_prog_free(prog);
	free(insns);
	bpfvm_env_free(env);
	return err || r0 != 42 || buf[2] != 42 ? 1 : 0;
}
