/* CO-RE: rewrite the instructions clang marked in .BTF.ext's core_relo
 * records (../shared/specs/llvm_reloc.rst, btf.rst) so field offsets,
 * sizes, existence, signedness, bitfield shifts, type ids / existence /
 * size / matches and enum values are the target's. Standalone: knows
 * nothing of the object (ld_core.c, ld_core_*.c). */
#ifndef BPFVM_LOADER_LD_CORE_H
#define BPFVM_LOADER_LD_CORE_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpfvm/btf.h>
#include "isa/isa.h"

/* Apply `cnt` records to the instructions of one ELF section (`insns`,
 * `insn_cnt`; record insn_off is in bytes from the section's start).
 * local: the object's BTF (record type ids and access strings);
 * target: what the program will run against. As libbpf: a field or type
 * that does not exist in the target makes FIELD_EXISTS / TYPE_EXISTS 0,
 * and any other relocation that cannot be resolved poisons the
 * instruction (call to helper 0xbad2310, which fails at run time with
 * a message) rather than failing the load; a record that is malformed
 * (bad insn_off, type id, access string, kind, or an instruction of the
 * wrong class for its kind) is -EINVAL with "CO-RE relo #N (sec 'S'
 * insn I): reason" in log. */
int ld_core_relocate(const struct bpfvm_btf *local,
		     const struct bpfvm_btf *target, const char *sec_name,
		     const struct bpf_core_relo *relos, size_t cnt,
		     struct bpf_insn *insns, size_t insn_cnt, char *log,
		     size_t log_size);

/* The instruction a poisoned relocation leaves (libbpf's convention):
 * the ISA layer's poison call, which the engines fail on when reached. */
#define LD_CORE_POISON_HELPER ISA_CORE_POISON_ID

#endif
