/* Out-of-line packet loads for JIT code, and the CO-RE poison failure
 * (ld_pkt.h). */
#include <errno.h>

#include "core/log.h"
#include "engine/ld_pkt.h"

static uint64_t ld_pkt(struct bpfvm_run *run, uint32_t off, unsigned size)
{
	uint64_t v;

	if (eng_pkt_load(run, off, size, &v))
		return v;
	eng_pkt_stop(run);
	return 0;
}

uint64_t eng_ld_pkt_b(struct bpfvm_run *run, uint32_t off)
{
	return ld_pkt(run, off, 1);
}

uint64_t eng_ld_pkt_h(struct bpfvm_run *run, uint32_t off)
{
	return ld_pkt(run, off, 2);
}

uint64_t eng_ld_pkt_w(struct bpfvm_run *run, uint32_t off)
{
	return ld_pkt(run, off, 4);
}

int eng_fail_core_poison(const struct bpfvm_run *run, size_t insn)
{
	return core_logf(run->err_buf, run->err_size, -EINVAL,
			 "insn %zu: CO-RE relocation failed: the field or "
			 "type this instruction uses is missing in the "
			 "target BTF", insn);
}
