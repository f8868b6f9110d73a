/* Fused slots (src/engine/fuse.c): the fast variant runs common runs of
 * instructions as one handler, the counted and checked ones run every
 * instruction alone. Each program here has a fusable run, and must give
 * the same r0 in all three, and the expected one. */
#include "check.h"
#include "insn_build.h"

/* r0 in the fast variant, checked against the counted and checked ones. */
static uint64_t run3(const struct bpf_insn *p, size_t cnt, void *mem,
		     size_t len)
{
	static const uint32_t flags[] = { 0, BPFVM_RUN_F_COUNT,
					  BPFVM_RUN_F_CHECKED };
	uint64_t r0[3] = { 0 };

	for (size_t i = 0; i < ARRAY_LEN(flags); i++) {
		struct bpfvm_run_opts ro = { .sz = sizeof(ro),
					     .flags = flags[i] };

		CHECK(run_insns_env(p, cnt, NULL, mem, len, &r0[i], &ro, NULL,
				    0) == 0);
	}
	CHECK_EQ_U64(r0[1], r0[0]);
	CHECK_EQ_U64(r0[2], r0[0]);
	return r0[0];
}

/* mov d, a; add d, b, with b == d not fused (d would be read twice). */
static void test_add3(void)
{
	struct bpf_insn sum[] = {
		MOV64_IMM(1, 40), MOV64_IMM(2, 2),
		MOV64_REG(0, 1), ALU64_REG(BPF_ADD, 0, 2), EXIT(),
	};
	struct bpf_insn self[] = {
		MOV64_IMM(1, 40), MOV64_IMM(2, 2),
		MOV64_REG(0, 1), ALU64_REG(BPF_ADD, 0, 0), EXIT(),
	};
	struct bpf_insn same[] = {
		MOV64_IMM(0, 40), MOV64_IMM(2, 2),
		MOV64_REG(0, 0), ALU64_REG(BPF_ADD, 0, 2), EXIT(),
	};

	CHECK_EQ_U64(run3(sum, ARRAY_LEN(sum), NULL, 0), 42);
	CHECK_EQ_U64(run3(self, ARRAY_LEN(self), NULL, 0), 80);
	CHECK_EQ_U64(run3(same, ARRAY_LEN(same), NULL, 0), 42);
}

/* mov d, a; add d, b; ldx x, [d + off]: every width, signed and not, into
 * d itself and into another register (then d must hold the address). */
static void test_add3_ldx(void)
{
	static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	uint8_t mem[32];

	for (size_t i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)(0x81 + 3 * i);
	for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
		for (int sx = 0; sx < 2; sx++) {
			struct bpf_insn into_d[] = {
				MOV64_IMM(2, 4),
				MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2),
				sx ? LDXSX(sizes[s], 3, 3, 8) :
				     LDX(sizes[s], 3, 3, 8),
				MOV64_REG(0, 3), EXIT(),
			};
			struct bpf_insn keep_d[] = {
				MOV64_IMM(2, 4),
				MOV64_REG(3, 1), ALU64_REG(BPF_ADD, 3, 2),
				sx ? LDXSX(sizes[s], 0, 3, -2) :
				     LDX(sizes[s], 0, 3, -2),
				ALU64_REG(BPF_SUB, 3, 1), ALU64_REG(BPF_XOR, 0, 3),
				EXIT(),
			};

			if (sx && sizes[s] == BPF_DW)
				continue;
			run3(into_d, ARRAY_LEN(into_d), mem, sizeof(mem));
			run3(keep_d, ARRAY_LEN(keep_d), mem, sizeof(mem));
		}
	}
}

/* add d, K; j<op> d, K2: over an exit, so the jump is not predicated. */
static void test_addk_jmp(void)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE,
				       BPF_JLT, BPF_JLE, BPF_JSET, BPF_JSGT,
				       BPF_JSGE, BPF_JSLT, BPF_JSLE };
	static const int32_t v[] = { -2, -1, 0, 1, 2 };

	for (size_t o = 0; o < ARRAY_LEN(ops); o++) {
		for (size_t a = 0; a < ARRAY_LEN(v); a++) {
			struct bpf_insn p[] = {
				MOV64_IMM(0, 1), MOV64_IMM(1, v[a]),
				ALU64_IMM(BPF_ADD, 1, 1),
				JMP_IMM(ops[o], 1, 1, 1), EXIT(),
				MOV64_IMM(0, 2), EXIT(),
			};

			run3(p, ARRAY_LEN(p), NULL, 0);
		}
	}

	/* a counting loop: r0 = 0..9 */
	struct bpf_insn loop[] = {
		MOV64_IMM(0, 0), MOV64_IMM(1, 0),
		ALU64_REG(BPF_ADD, 1, 0), ALU64_IMM(BPF_ADD, 0, 1),
		JMP_IMM(BPF_JNE, 0, 10, -3), MOV64_REG(0, 1), EXIT(),
	};
	CHECK_EQ_U64(run3(loop, ARRAY_LEN(loop), NULL, 0), 45);
}

/* A jump over a run of up to 4 ALU instructions, taken and not: every
 * predicable operation, 64/32, K/X. */
static void test_skip_runs(void)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR,
				       BPF_AND, BPF_LSH, BPF_RSH, BPF_ARSH,
				       BPF_XOR, BPF_MOV };
	static const uint8_t cls[] = { BPF_ALU64, BPF_ALU };

	for (size_t o = 0; o < ARRAY_LEN(ops); o++) {
		for (size_t c = 0; c < ARRAY_LEN(cls); c++) {
			for (int r1 = 0; r1 < 2; r1++) {
				struct bpf_insn p[] = {
					LD_IMM64(0, 0x8765432112345678),
					MOV64_IMM(2, 37), MOV64_IMM(1, r1),
					JMP_IMM(BPF_JEQ, 1, 0, 4),
					INSN(cls[c] | ops[o] | BPF_K, 0, 0, 0, 5),
					INSN(cls[c] | ops[o] | BPF_X, 0, 2, 0, 0),
					INSN(cls[c] | ops[o] | BPF_K, 2, 0, 0, -3),
					INSN(cls[c] | ops[o] | BPF_X, 0, 2, 0, 0),
					EXIT(),
				};
				uint64_t want = r1 ? 0 : 0x8765432112345678;
				uint64_t got = run3(p, ARRAY_LEN(p), NULL, 0);

				if (r1 == 0)
					CHECK_EQ_U64(got, want);
			}
		}
	}
}

/* Both ways meet at a JA after the run: if (r1 > 1) r0 = 9, else 7. */
static void test_skip_run_to_ja(void)
{
	for (uint64_t r1 = 0; r1 < 4; r1++) {
		struct bpf_insn p[] = {
			MOV64_IMM(1, (int32_t)r1), MOV64_IMM(0, 9),
			JMP_IMM(BPF_JGT, 1, 1, 3),
			MOV64_IMM(0, 3), ALU64_IMM(BPF_ADD, 0, 4), JA(0),
			EXIT(),
		};

		CHECK_EQ_U64(run3(p, ARRAY_LEN(p), NULL, 0), r1 > 1 ? 9 : 7);
	}
}

/* Jumps into what would be a skipped run or the middle of a fused one. */
static void test_jump_into_runs(void)
{
	static const uint64_t want_skip[] = { 7, 4, 0 };

	for (int r1 = 0; r1 < 3; r1++) {
		struct bpf_insn skip[] = {
			MOV64_IMM(1, r1), MOV64_IMM(0, 0),
			JMP_IMM(BPF_JEQ, 1, 1, 3),	/* into the run */
			JMP_IMM(BPF_JEQ, 1, 2, 3),	/* over the run */
			ALU64_IMM(BPF_ADD, 0, 1), ALU64_IMM(BPF_ADD, 0, 2),
			ALU64_IMM(BPF_ADD, 0, 4), EXIT(),
		};
		struct bpf_insn add3[] = {
			MOV64_IMM(1, r1), MOV64_IMM(3, 10), MOV64_IMM(2, 5),
			JMP_IMM(BPF_JEQ, 1, 0, 4),
			MOV64_REG(3, 2), ALU64_REG(BPF_ADD, 3, 2), /* target */
			MOV64_REG(0, 3), EXIT(),
			MOV64_IMM(3, 1), JA(-5),
		};

		CHECK_EQ_U64(run3(skip, ARRAY_LEN(skip), NULL, 0), want_skip[r1]);
		CHECK_EQ_U64(run3(add3, ARRAY_LEN(add3), NULL, 0),
			     r1 == 0 ? 6 : 10);
	}
}

/* The counted variant still counts every instruction of a fused run. */
static void test_count(void)
{
	struct bpf_insn p[] = {
		MOV64_IMM(0, 0), MOV64_IMM(1, 0),
		JMP_IMM(BPF_JGT, 0, 2, 1),	/* predicated over one insn */
		ALU64_IMM(BPF_ADD, 1, 1),
		ALU64_IMM(BPF_ADD, 0, 1),	/* fused with the jump */
		JMP_IMM(BPF_JNE, 0, 5, -4),
		ALU64_REG(BPF_ADD, 0, 1), EXIT(),
	};
	struct bpfvm_run_opts ro = { .sz = sizeof(ro),
				     .flags = BPFVM_RUN_F_COUNT };
	uint64_t r0 = 0;

	CHECK(run_insns_env(p, ARRAY_LEN(p), NULL, NULL, 0, &r0, &ro, NULL,
			    0) == 0);
	CHECK_EQ_U64(r0, 8);
	CHECK_EQ_U64(ro.insn_executed, 2 + 3 * 4 + 2 * 3 + 2);
	CHECK_EQ_U64(run3(p, ARRAY_LEN(p), NULL, 0), 8);
}

int main(void)
{
	test_add3();
	test_add3_ldx();
	test_addk_jmp();
	test_skip_runs();
	test_skip_run_to_ja();
	test_jump_into_runs();
	test_count();
	return check_report();
}
