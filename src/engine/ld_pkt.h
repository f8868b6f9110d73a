/* Legacy packet loads (LD_ABS / LD_IND) and CO-RE poison, shared by the
 * interpreter (inline) and the JIT (the out-of-line entries in ld_pkt.c).
 *
 * Semantics (the kernel's, where it defines them):
 *   r0 = the big-endian 1, 2 or 4 bytes of run->pkt at offset off, where
 *   off = imm (ABS) or (u32)(src + imm) (IND, a 32-bit add), read as a
 *   signed 32-bit int as the kernel's bpf_skb_load_helper_* do. A
 *   negative offset, or one whose bytes do not all lie in the packet,
 *   ends the whole run (from any call depth, callbacks included) with
 *   r0 = 0, as bpfvm_run_stop(run, 0) would. The kernel's SKF_NET_OFF /
 *   SKF_LL_OFF negative offsets need an skb: they fail the same way.
 *   r1-r5 keep their values (the kernel leaves them undefined; both
 *   engines keep them). */
#ifndef BPFVM_ENGINE_LD_PKT_H
#define BPFVM_ENGINE_LD_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"

/* The value at off, or false (the run must end with r0 = 0). */
static inline bool eng_pkt_load(const struct bpfvm_run *run, uint32_t off,
				unsigned size, uint64_t *v)
{
	const uint8_t *b;

	if ((int32_t)off < 0 || run->pkt_len < size ||
	    off > run->pkt_len - size)
		return false;
	b = run->pkt + off;
	switch (size) {
	case 1:
		*v = b[0];
		break;
	case 2:
		*v = (uint32_t)b[0] << 8 | b[1];
		break;
	default:
		*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		     (uint32_t)b[2] << 8 | b[3];
	}
	return true;
}

/* The run ends with r0 = 0 (an out-of-bounds packet load). */
static inline void eng_pkt_stop(struct bpfvm_run *run)
{
	run->stopped = ENG_STOP;
	run->stop_r0 = 0;
}

/* For the JIT: the value, or 0 with the run stopped (eng_pkt_stop). */
uint64_t eng_ld_pkt_b(struct bpfvm_run *run, uint32_t off);
uint64_t eng_ld_pkt_h(struct bpfvm_run *run, uint32_t off);
uint64_t eng_ld_pkt_w(struct bpfvm_run *run, uint32_t off);

/* The run reached a poisoned CO-RE instruction at insn: -EINVAL with
 * "insn N: CO-RE relocation failed: ..." in err_buf. */
int eng_fail_core_poison(const struct bpfvm_run *run, size_t insn);

#endif
