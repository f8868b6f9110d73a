/* assemble(disassemble(x)) == x, bit for bit, for every valid encoding
 * family: all 256 opcodes with representative registers, offsets and edge
 * immediates, every lddw pseudo form, every atomic, every byte-swap width. */
#include "check.h"

#include <bpfvm/isa.h>
#include <stdlib.h>

#include "isa/isa.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t regs[] = { 0, 1, 9, 10, 11 };
static const int16_t offs[] = { 0, 1, 8, 16, 32, -1, -8, 32767, -32768 };
static const int32_t imms[] = {
	0, 1, -1, 7, 16, 32, 64, 12345, INT32_MAX, INT32_MIN,
	BPF_ADD | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH, BPF_AND,
	BPF_AND | BPF_FETCH, BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG,
	BPF_CMPXCHG,
};
static const int32_t lddw_imms[] = { 0, 1, -1, 3, INT32_MIN, INT32_MAX,
				     0x55667788 };

static int checked;

static void roundtrip(const struct bpf_insn *p, size_t cnt)
{
	struct bpfvm_asm_opts o = { .sz = sizeof(o),
				    .dialect = BPFVM_ASM_LLVM };
	struct bpf_insn *got = NULL;
	char text[128], log[256];
	size_t n = 0;
	int slots;

	if (!isa_insn_check_flags(p, cnt, 0, ISA_CHECK_LEGACY_LD, NULL))
		return;
	slots = bpfvm_insn_format(p, cnt, 0, text, sizeof(text), NULL);
	CHECK(slots == (int)cnt);
	o.log_buf = log;
	o.log_size = sizeof(log);
	checked++;
	if (bpfvm_asm_assemble(text, &o, &got, &n) == 0 && n == cnt &&
	    memcmp(got, p, cnt * sizeof(*p)) == 0) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%02x %u %u %d %d: '%s' -> %s\n", p->code,
			p->dst_reg, p->src_reg, p->off, p->imm, text,
			n ? "different bits" : log);
	}
	free(got);
}

static void all_opcodes(void)
{
	for (unsigned code = 0; code < 256; code++) {
		if (code == (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		for (size_t d = 0; d < N(regs); d++)
			for (size_t s = 0; s < N(regs); s++)
				for (size_t o = 0; o < N(offs); o++)
					for (size_t i = 0; i < N(imms); i++) {
						struct bpf_insn in = {
							.code = (uint8_t)code,
							.dst_reg = regs[d],
							.src_reg = regs[s],
							.off = offs[o],
							.imm = imms[i],
						};
						roundtrip(&in, 1);
					}
	}
}

static void all_lddw(void)
{
	for (uint8_t src = 0; src <= 7; src++)
		for (size_t d = 0; d < N(regs); d++)
			for (size_t lo = 0; lo < N(lddw_imms); lo++)
				for (size_t hi = 0; hi < N(lddw_imms); hi++) {
					struct bpf_insn p[2] = {
						{ .code = BPF_LD | BPF_DW |
							  BPF_IMM,
						  .dst_reg = regs[d],
						  .src_reg = src,
						  .imm = lddw_imms[lo] },
						{ .imm = lddw_imms[hi] },
					};
					roundtrip(p, 2);
				}
}

int main(void)
{
	int ret;

	all_opcodes();
	all_lddw();
	ret = check_report();
	printf("round-tripped %d valid encodings\n", checked);
	return ret;
}
