/* Loads and stores: every size, unaligned, sign-extending loads, stack
 * frames, ST with immediates. */
#include "check.h"
#include "insn_build.h"

static const uint8_t pattern[16] = { 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6,
				     0xe7, 0xf8, 0x09, 0x1a, 0x2b, 0x3c,
				     0x4d, 0x5e, 0x6f, 0x70 };

/* r0 = load(size, mem + off) with or without sign extension */
static uint64_t load(uint8_t mode, uint8_t size, int16_t off)
{
	uint8_t mem[16];
	struct bpf_insn p[] = {
		INSN(BPF_LDX | mode | size, 0, 1, off, 0), EXIT(),
	};
	uint64_t r0 = 0;

	memcpy(mem, pattern, sizeof(mem));
	CHECK(run_insns(p, ARRAY_LEN(p), mem, sizeof(mem), &r0) == 0);
	return r0;
}

static void test_loads(void)
{
	/* little-endian values at offsets 0 (aligned) and 3 (unaligned) */
	CHECK_EQ_U64(load(BPF_MEM, BPF_B, 0), 0x81);
	CHECK_EQ_U64(load(BPF_MEM, BPF_H, 0), 0x9281);
	CHECK_EQ_U64(load(BPF_MEM, BPF_W, 0), 0xb4a39281);
	CHECK_EQ_U64(load(BPF_MEM, BPF_DW, 0), 0xf8e7d6c5b4a39281);
	CHECK_EQ_U64(load(BPF_MEM, BPF_B, 3), 0xb4);
	CHECK_EQ_U64(load(BPF_MEM, BPF_H, 3), 0xc5b4);
	CHECK_EQ_U64(load(BPF_MEM, BPF_W, 3), 0xe7d6c5b4);
	CHECK_EQ_U64(load(BPF_MEM, BPF_DW, 3), 0x2b1a09f8e7d6c5b4);
	CHECK_EQ_U64(load(BPF_MEM, BPF_DW, 8), 0x706f5e4d3c2b1a09);
	/* sign-extending loads: negative and positive */
	CHECK_EQ_U64(load(BPF_MEMSX, BPF_B, 0), 0xffffffffffffff81);
	CHECK_EQ_U64(load(BPF_MEMSX, BPF_H, 1), 0xffffffffffffa392);
	CHECK_EQ_U64(load(BPF_MEMSX, BPF_W, 1), 0xffffffffc5b4a392);
	CHECK_EQ_U64(load(BPF_MEMSX, BPF_B, 8), 0x09);
	CHECK_EQ_U64(load(BPF_MEMSX, BPF_H, 9), 0x2b1a);
	CHECK_EQ_U64(load(BPF_MEMSX, BPF_W, 12), 0x706f5e4d);
}

static void test_stores(void)
{
	uint8_t mem[24] = { 0 };
	const uint8_t want[24] = {
		0x11, 0xaa, 0xbb, 0x01, 0x02, 0x03, 0x04, 0xf0,
		0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0xff,
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	struct bpf_insn p[] = {
		LD_IMM64(2, 0xf004030201bbaa11), /* r2 is clobbered: len */
		STX(BPF_B, 1, 2, 0),
		ALU64_IMM(BPF_RSH, 2, 8),
		STX(BPF_H, 1, 2, 1),		/* unaligned */
		ALU64_IMM(BPF_RSH, 2, 16),
		STX(BPF_W, 1, 2, 3),		/* unaligned */
		ALU64_IMM(BPF_RSH, 2, 32),
		STX(BPF_B, 1, 2, 7),
		LD_IMM64(3, 0xff123456789abcde),
		STX(BPF_DW, 1, 3, 8),
		ST_IMM(BPF_DW, 1, 16, -2),	/* imm sign-extends to 64 */
		MOV64_IMM(0, 0),
		EXIT(),
	};
	uint64_t r0 = 1;

	CHECK(run_insns(p, ARRAY_LEN(p), mem, sizeof(mem), &r0) == 0);
	CHECK(memcmp(mem, want, sizeof(want)) == 0);

	uint8_t m2[8] = { 0 };
	const uint8_t w2[8] = { 0x78, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a, 0 };
	struct bpf_insn q[] = {
		ST_IMM(BPF_W, 1, 3, 0x9abcdef0),
		ST_IMM(BPF_H, 1, 1, 0x1234),
		ST_IMM(BPF_B, 1, 0, 0x5678),	/* truncated to 0x78 */
		MOV64_IMM(0, 0),
		EXIT(),
	};
	CHECK(run_insns(q, ARRAY_LEN(q), m2, sizeof(m2), &r0) == 0);
	CHECK(memcmp(m2, w2, sizeof(w2)) == 0);
}

static void test_stack(void)
{
	uint64_t r0 = 0;
	/* the whole 512-byte frame is usable, r10 is 8-byte aligned */
	struct bpf_insn p[] = {
		ST_IMM(BPF_DW, 10, -512, 0x1234),
		ST_IMM(BPF_B, 10, -1, 0x56),
		LDX(BPF_DW, 0, 10, -512),
		LDX(BPF_B, 3, 10, -1),
		ALU64_REG(BPF_ADD, 0, 3),
		MOV64_REG(4, 10),
		ALU64_IMM(BPF_AND, 4, 7),
		ALU64_REG(BPF_ADD, 0, 4),
		EXIT(),
	};

	CHECK(run_insns(p, ARRAY_LEN(p), NULL, 0, &r0) == 0);
	CHECK_EQ_U64(r0, 0x1234 + 0x56);
	/* same register as base and destination (ldxh-same-reg) */
	uint8_t mem[2] = { 0x22, 0x11 };
	struct bpf_insn q[] = { LDX(BPF_H, 1, 1, 0), MOV64_REG(0, 1), EXIT() };
	CHECK(run_insns(q, ARRAY_LEN(q), mem, 2, &r0) == 0);
	CHECK_EQ_U64(r0, 0x1122);
}

int main(void)
{
	test_loads();
	test_stores();
	test_stack();
	return check_report();
}
