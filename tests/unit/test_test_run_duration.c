/* bpfvm_prog_test_run's duration (test_run.c): the mean ns per run of
 * the repeat loop, timed on core_clock_ns, and BPFVM_TEST_RUN_F_NO_DURATION
 * (duration stays 0, the run is the same, the caller's flags come back as
 * given; every type accepts it with its own flags). Not a timing test:
 * only that a loop of 1000 runs of 64 rounds shows a nonzero mean. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "insn_build.h"

/* r0 = 64 rounds of r0 += 3 (a loop), on any ctx: 192 */
static const struct bpf_insn spin[] = {
	MOV64_IMM(0, 0),
	MOV64_IMM(2, 64),
	ALU64_IMM(BPF_ADD, 0, 3),
	ALU64_IMM(BPF_SUB, 2, 1),
	JMP_IMM(BPF_JNE, 2, 0, -3),
	EXIT(),
};

static struct bpfvm_prog *make(enum bpf_prog_type type)
{
	struct bpfvm_prog_opts o = { .sz = sizeof(o), .prog_type = type };
	struct bpfvm_prog *prog = NULL;

	CHECK(bpfvm_prog_create(spin, sizeof(spin) / sizeof(spin[0]), &o,
				&prog) == 0);
	return prog;
}

static void one(enum bpf_prog_type type, uint32_t type_flags,
		enum bpfvm_engine engine)
{
	struct bpfvm_prog *prog = make(type);
	uint8_t pkt[64] = { 0 }, out[128];
	struct bpfvm_test_run_opts o = {
		.sz = sizeof(o), .data_in = pkt, .data_size_in = sizeof(pkt),
		.data_out = out, .data_size_out = sizeof(out),
		.repeat = 1000, .flags = type_flags, .engine = engine,
	};

	if (!prog)
		return;
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK_EQ_U64(o.retval, 192);
	CHECK(o.duration > 0);
	o.flags = type_flags | BPFVM_TEST_RUN_F_NO_DURATION;
	o.data_size_out = sizeof(out);
	o.duration = 77;
	CHECK(bpfvm_prog_test_run(prog, &o) == 0);
	CHECK_EQ_U64(o.retval, 192);
	CHECK_EQ_U64(o.duration, 0);
	CHECK_EQ_U64(o.flags, type_flags | BPFVM_TEST_RUN_F_NO_DURATION);
	/* a bit no one knows is still refused */
	o.flags = type_flags | (1u << 5);
	o.data_size_out = sizeof(out);
	CHECK(bpfvm_prog_test_run(prog, &o) == -EINVAL);
	bpfvm_prog_free(prog);
}

int main(void)
{
	for (int e = 0; e < 2; e++) {
		enum bpfvm_engine engine = e ? BPFVM_ENGINE_JIT
					     : BPFVM_ENGINE_INTERP;

		one(BPF_PROG_TYPE_UNSPEC, 0, engine);
		one(BPF_PROG_TYPE_XDP, 0, engine);
		one(BPF_PROG_TYPE_SCHED_CLS, 0, engine);
		one(BPF_PROG_TYPE_SOCKET_FILTER, BPFVM_TEST_RUN_F_L2, engine);
	}
	return check_report();
}
