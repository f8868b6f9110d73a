#include "insn_scan.h"

bool insn_scan_calls_helper(const struct bpf_insn *insns, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg == 0)
			return true;
	return false;
}
