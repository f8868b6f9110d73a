/* libFuzzer target: the assembler in every dialect must never crash, hang
 * or leak on any text, and whatever it accepts must disassemble (it only
 * emits instructions that pass isa_insn_check). The same bytes read as
 * bytecode must round-trip through the disassembler. */
#include <bpfvm/isa.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_listing(const struct bpf_insn *insns, size_t cnt)
{
	char buf[160];

	for (size_t i = 0; i < cnt;) {
		int n = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					  NULL);

		if (n < 0)
			abort(); /* the assembler produced an invalid insn */
		i += (size_t)n;
	}
}

/* The same bytes as instructions: each valid one must read back from its
 * disassembly bit for bit. */
static void roundtrip(const uint8_t *data, size_t size)
{
	size_t cnt = size / sizeof(struct bpf_insn);
	struct bpf_insn *insns = malloc(cnt * sizeof(*insns) + 1);
	struct bpfvm_asm_opts opts = { .sz = sizeof(opts),
				       .dialect = BPFVM_ASM_LLVM };
	char buf[160];

	if (!insns)
		return;
	memcpy(insns, data, cnt * sizeof(*insns));
	for (size_t i = 0; i < cnt; i++) {
		struct bpf_insn *back;
		size_t n;
		int slots = bpfvm_insn_format(insns, cnt, i, buf, sizeof(buf),
					      NULL);

		if (slots < 0)
			continue;
		if (bpfvm_asm_assemble(buf, &opts, &back, &n) != 0 ||
		    n != (size_t)slots ||
		    memcmp(back, &insns[i], n * sizeof(*back)) != 0)
			abort();
		free(back);
	}
	free(insns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum bpfvm_asm_dialect dialects[] = {
		BPFVM_ASM_AUTO, BPFVM_ASM_LLVM, BPFVM_ASM_UBPF,
	};
	char *text = malloc(size + 1);
	char log[128];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t d = 0; d < 3; d++) {
		struct bpfvm_asm_opts opts = {
			.sz = sizeof(opts),
			.dialect = dialects[d],
			.log_buf = log,
			.log_size = sizeof(log),
		};
		struct bpf_insn *insns = NULL;
		size_t cnt = 0;

		if (bpfvm_asm_assemble(text, &opts, &insns, &cnt) == 0) {
			check_listing(insns, cnt);
			free(insns);
		}
	}
	free(text);
	roundtrip(data, size);
	return 0;
}
