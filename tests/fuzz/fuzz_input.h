/* The fuzz targets' input convention: byte 0 picks the memory length
 * (0..mem_max), the rest is the program, 8 bytes per instruction, cut at
 * insn_max. */
#ifndef BPFVM_FUZZ_INPUT_H
#define BPFVM_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* False when the input holds no whole instruction. */
static inline bool fuzz_input_split(const uint8_t *data, size_t size,
				    size_t mem_max, size_t insn_max,
				    size_t *mem_len, size_t *cnt)
{
	if (size < 1 + sizeof(struct bpf_insn))
		return false;
	*mem_len = data[0] % (mem_max + 1);
	*cnt = (size - 1) / sizeof(struct bpf_insn);
	if (*cnt > insn_max)
		*cnt = insn_max;
	return true;
}

#endif
