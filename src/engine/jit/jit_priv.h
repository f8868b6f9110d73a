/* Inside the JIT: the run-time context JIT code sees, the compile state
 * shared by the translator files, and the image's private tail.
 *
 * Machine state while BPF code runs:
 *   BPF r0-r10 in rax rdi rsi rdx rcx r8 rbx r13 r14 r15 rbp, so helper
 *   calls need no shuffling (r1-r5 are the C argument registers);
 *   r12 = struct jit_ctx * (callee-saved: survives helper calls);
 *   r9, r10, r11 = scratch (r9 carries the run to helpers);
 *   rsp 16-byte aligned, so helpers and slow paths are called directly.
 * Layout of an image: [head: entry, epilogue, shared thunks]
 *   [main: one block of code per BPF instruction, in order] [cold stubs]. */
#ifndef BPFVM_ENGINE_JIT_JIT_PRIV_H
#define BPFVM_ENGINE_JIT_JIT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/jit/jit.h"
#include "engine/jit/x86_enc.h"

#define JIT_CTX X86_R12
#define JIT_TMP X86_R11	 /* immediates, compare scratch */
#define JIT_ADDR X86_R10 /* checked mode: the address being accessed */
#define JIT_TMP2 X86_R9

extern const uint8_t jit_reg[11]; /* BPF register -> x86 register */

/* What JIT code reads and writes at [r12 + offset] during one run. */
struct jit_ctx {
	struct bpfvm_run *run;
	uint64_t saved_rsp;	/* the entry's rsp: errors unwind to it */
	uint64_t stack_hi;	/* top of the main frame */
	uint64_t min_rbp;	/* a call from below this would be too deep */
	uint64_t r1, r2;	/* initial r1 (the memory) and r2 (its size) */
	uint64_t mem;		/* checked: the run's memory (~0 when none) */
	uint64_t mem_lim[4];	/* checked: last start of a 1, 2, 4, 8-byte
				 * access in it (0 if none fits) */
	uint64_t stack_lim[4];	/* checked: stack_hi - 1, 2, 4, 8 */
	uint64_t left;		/* counted: instructions still allowed */
	uint64_t r0;		/* result of a successful run */
	const struct jit_image *img;
	/* A callback's start (jit_cb.c): its function, frame and r1-r5. */
	struct {
		uint64_t fn, r10, args[5];
	} cb;
};

#define JIT_CTX_OFF(field) ((int32_t)offsetof(struct jit_ctx, field))

/* Where a position is: in insn i's code (i < cnt), or in a segment. */
#define JIT_LOC_HEAD 0xfffffff0u
#define JIT_LOC_COLD 0xfffffff1u
#define JIT_LOC_ABS 0xfffffff2u	/* an absolute address (fixup target) */

enum jit_fix_kind {
	JIT_FIX_REL32,	/* 32-bit displacement to the target */
	JIT_FIX_ABS64,	/* 64-bit absolute address of the target */
};

/* A field to fill once the final layout is known. */
struct jit_fixup {
	uint32_t at_loc, at_delta;	/* the field's position */
	uint32_t kind;
	uint32_t tgt_loc;		/* JIT_LOC_* or an insn index */
	union {
		uint64_t abs;		/* JIT_LOC_ABS */
		uint32_t tgt_delta;	/* within the target insn / segment */
	};
};

/* A growable byte buffer. */
struct jit_buf {
	uint8_t *p;
	size_t len, cap;
};

/* The branch that ends a BPF jump's code, sized at layout time. */
enum jit_br { JIT_BR_NONE, JIT_BR_JMP, JIT_BR_JCC };

/* Head labels: offsets into the head segment. */
enum jit_head_label {
	JIT_H_ENTRY,
	JIT_H_RET_MAIN,	/* after the main frame's call: store r0, leave */
	JIT_H_UNWIND,	/* eax = error: restore rsp, leave */
	JIT_H_STOP,	/* a helper called bpfvm_run_stop */
	JIT_H_CHECK,	/* thunk: r10 = addr, r11d = what, r9 = refund */
	JIT_H_CALLX,	/* thunk: r11 = value, r10d = insn */
	JIT_H_DEPTH,	/* esi = insn */
	JIT_H_BUDGET,	/* esi = block start, edx = block count */
	JIT_H_PENDING,	/* after a helper: stopped or aborted (jit_cb.c) */
	JIT_H_CB_ENTRY,	/* C entry of a callback (jit_cb.c) */
	JIT_H_COUNT
};

/* The callee-saved registers an entry saves, in push order: r12, rbp,
 * those of BPF r6-r9 the program names, one more to make the count even. */
struct jit_saved {
	uint8_t reg[6];
	int n;
};

struct jit_layout;
struct jit_switch;

/* Compile state, shared by the translator files.
 *
 * Translators must not depend on the order instructions are translated
 * in: insn i's code may only depend on insn i, the instructions it reads
 * (lddw's second half, select's skipped insn), the analysis (cc->info)
 * and the flags, never on state left by the previous translation. The
 * grouped pass relies on it; test_jit_pass checks it byte for byte. */
struct jit_cc {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct bpfvm_env *env;
	uint32_t flags;
	bool far_calls;		/* C calls through a register */
	uint64_t img_addr;	/* the struct jit_image being made */
	char *log;
	size_t log_size;

	/* Analysis (jit_analyse.c): per insn flags, and the program's. */
	uint8_t *info;
	uint16_t regs_named;	/* BPF registers named as dst or src (a
				 * pseudo src of lddw or call may add one) */
	bool has_calls;		/* any call insn */
	bool subprogs;		/* function entries besides insn 0 */
	uint32_t *fuse_cand;	/* the insns a fused run may start at: */
	size_t n_fuse_cand;	/* moves, adds to pointers, conditions */
	/* Pass 1 output. Insn i's code is main[off1[i], off1[i] + len[i]):
	 * instructions are translated grouped by opcode (jit_pass.c), so
	 * their code is not in program order in main. */
	struct jit_buf head, main, cold;
	uint32_t head_label[JIT_H_COUNT];
	uint32_t *off1;		/* cnt + 1: start of insn i in main; becomes
				 * the image's insn_off (jit_mem_scratch) */
	uint16_t *len;		/* cnt + 1: bytes of insn i's code */
	uint8_t *br;		/* enum jit_br | cc << 4 */
	uint32_t *br_tgt;
	uint32_t *scratch;	/* cnt + 1 */
	void *arena;		/* the per insn arrays' memory */
	struct jit_layout *lo;	/* filled during pass 1 (jit_layout.h) */
	struct jit_fixup *fix;
	size_t fix_cnt, fix_cap;
	uint64_t call_lo, call_hi; /* range of absolute call targets */
	/* Current instruction while translating. */
	size_t i;
	uint32_t block_left;	/* counted: insns after i in its block */
	uint64_t rng;		/* blinding keys */
	uint8_t *fuse;		/* fusion plan (jit_fuse.h); NULL: none */
	struct jit_switch *sw;	/* switch tables (jit_switch.h); NULL: none */
	uint16_t leaf;		/* direct variant: JIT_LEAF_ON and how a
				 * leaf enters and leaves (jit_direct.c) */
	int err;
};

#define JIT_LEAF_ON 0x8000u

/* A 256-entry table initialiser, M(c) for c = 0..255: what a pass needs
 * to know of an opcode (or a register byte) without branching on it. */
#define JIT_T4_(M, c) M(c), M((c) + 1), M((c) + 2), M((c) + 3)
#define JIT_T16_(M, c)                                                      \
	JIT_T4_(M, c), JIT_T4_(M, (c) + 4), JIT_T4_(M, (c) + 8),            \
		JIT_T4_(M, (c) + 12)
#define JIT_T64_(M, c)                                                      \
	JIT_T16_(M, c), JIT_T16_(M, (c) + 16), JIT_T16_(M, (c) + 32),       \
		JIT_T16_(M, (c) + 48)
#define JIT_TABLE256(M)                                                     \
	JIT_T64_(M, 0), JIT_T64_(M, 64), JIT_T64_(M, 128), JIT_T64_(M, 192)	/* cc->leaf: the entry falls into insn 0 */

/* Per insn analysis bits (cc->info). */
#define JIT_I_LEADER 0x01	/* starts a basic block */
#define JIT_I_LOOP 0x02		/* target of a backward jump: aligned */
#define JIT_I_FUNC 0x04		/* a function entry (call / lddw func) */
#define JIT_I_LDDW_HI 0x08
#define JIT_I_TARGET 0x20	/* a jump or call lands here */

/* Compile state for insns[0..cnt) (validated), analysed; 0 or -ENOMEM
 * (jit_translate.c). jit_cc_free frees what it holds, also after a failed
 * init of a zeroed cc. */
int jit_cc_init(struct jit_cc *cc, const struct bpf_insn *insns, size_t cnt,
		const struct bpfvm_env *env, uint32_t flags, char *log,
		size_t log_size);
void jit_cc_free(struct jit_cc *cc);
/* The analysis (jit_analyse.c): cc->info, regs_named, has_calls,
 * subprogs, fuse_cand. */
void jit_analyse(struct jit_cc *cc);
/* Pass 1 (jit_pass.c): every instruction's code into cc->main (off1,
 * len), branches recorded in br/br_tgt, fixups and cold stubs made. */
int jit_translate(struct jit_cc *cc);

/* The image with what its slow paths need. */
struct jit_image_priv {
	struct jit_image pub;
	uint32_t *funcs;	/* sorted code offsets of function entries */
	size_t func_cnt;
	uint8_t *lddw_bits;	/* counted: bit i set for an lddw at insn i */
	const struct bpfvm_env *env;
	const struct bpfvm_prog *prog;	/* set by jit_prog_image */
	uint32_t cb_entry;	/* JIT_H_CB_ENTRY's offset; 0: none */
};

/* Emission helpers (jit_translate.c). */
uint8_t *jit_reserve(struct jit_cc *cc, struct jit_buf *b, size_t n);
void jit_buf_free(struct jit_buf *b);
void jit_fix(struct jit_cc *cc, uint32_t at_loc, uint32_t at_delta,
	     enum jit_fix_kind kind, uint32_t tgt_loc, uint64_t tgt);
int jit_fail(struct jit_cc *cc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* In main code: p is the position after a rel32 field pointing at a head
 * label, a cold offset or an absolute address. */
void jit_fix_main(struct jit_cc *cc, uint8_t *p, uint32_t tgt_loc,
		  uint64_t tgt);
/* Emit a call to C function fn at p (main or head segment buffer b). */
uint8_t *jit_emit_ccall(struct jit_cc *cc, struct jit_buf *b, uint32_t loc,
			uint8_t *p, const void *fn);
/* dst = imm (sign-extended to 64 bits when sx), blinded if asked. */
uint8_t *jit_emit_imm(struct jit_cc *cc, uint8_t *p, int dst, int64_t imm);
/* After a C call that may end the run (a helper's bpfvm_run_stop, a
 * failed packet load): leave through the pending-stop path if it did. */
uint8_t *jit_emit_stop_check(struct jit_cc *cc, uint8_t *p);
/* A cold stub that jumps back to nowhere (the caller ends it). Returns its
 * offset in cold; *p set to where to write. */
uint8_t *jit_cold_begin(struct jit_cc *cc, uint32_t *off);

/* The branch that ends jump insn cc->i (to insn i + 1 + delta), sized by
 * the layout. To the next insn: none. */
static inline void jit_branch(struct jit_cc *cc, enum jit_br kind,
			      unsigned x86cc, int64_t delta)
{
	if (delta == 0)
		return;
	cc->br[cc->i] = (uint8_t)(kind | x86cc << 4);
	cc->br_tgt[cc->i] = (uint32_t)((int64_t)cc->i + 1 + delta);
}

/* The grouped pass (jit_pass.c) translates a chunk of JIT_CHUNK insns at
 * a time, grouped by opcode, each insn's code at the start of a
 * JIT_SLOT-byte slot of cc->main (more when it takes more). */
#define JIT_CHUNK 4096
#define JIT_SLOT 32
#define JIT_SLOT_NONE 0xffff
#define JIT_INSN_MAX 192	/* the most bytes one insn's main code takes */

struct jit_slots {
	const uint16_t *link;	/* the chains of insns of one opcode */
	size_t c0;		/* the chunk's first insn */
	size_t pos;		/* where the next slot starts in cc->main */
	size_t next;		/* the first insn after the chunk's last one's
				 * code (past an lddw or select at its end) */
};

/* Insn i at the next slot through the general translators; false on
 * failure (cc->err). */
bool jit_slot_general(struct jit_cc *cc, size_t i, struct jit_slots *s);
/* After an insn of n bytes that does not fit a slot: the next slot, and
 * room for the chunk's others; false on failure. */
bool jit_slot_long(struct jit_cc *cc, struct jit_slots *s, size_t n);

/* Fast paths of the translators by opcode, for images without checks,
 * counting or blinding (jit_fast.c); NULL: none. One translates the
 * chain of insns of its opcode from link index j on (the general
 * translators take those it declines and those in a fused run); false
 * on failure (cc->err). */
typedef bool (*jit_fast_fn)(struct jit_cc *cc, unsigned j,
			    struct jit_slots *s);
extern const jit_fast_fn jit_fast[256];

/* The fusion plan (jit_fuse.c): cc->fuse, left NULL when nothing fuses;
 * 0 or -ENOMEM. */
int jit_fuse_plan(struct jit_cc *cc);

/* Translators: emit insn cc->i at p, return the new p (NULL: cc->err). */
/* An insn with a role in the fusion plan (cc->fuse[cc->i] != 0). */
uint8_t *jit_tr_fused(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in);
uint8_t *jit_tr_alu(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in);
uint8_t *jit_tr_ldst(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in);
uint8_t *jit_tr_jmp(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in);
uint8_t *jit_tr_lddw(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in);
/* LD_ABS / LD_IND, and the CO-RE poison call (jit_ldpkt.c). */
uint8_t *jit_tr_ldpkt(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in);
uint8_t *jit_tr_core_poison(struct jit_cc *cc, uint8_t *p);
/* The flags for conditional jump `in` comparing x86 registers d and s
 * (jit_jmp.c), and the x86 condition that is true when it jumps. */
uint8_t *jit_emit_cond(struct jit_cc *cc, uint8_t *p,
		       const struct bpf_insn *in, int d, int s);
enum x86_cc jit_cond_cc(const struct bpf_insn *in);
/* "if cond skip one ALU insn" at cc->i as a cmov, when it is one
 * (jit_select.c). Returns NULL (nothing emitted) when it is not. */
uint8_t *jit_tr_select(struct jit_cc *cc, uint8_t *p);
/* Counted variant, at a block's leader: the block's charge and its cold
 * instruction-by-instruction copy (jit_budget.c). */
uint8_t *jit_tr_budget(struct jit_cc *cc, uint8_t *p);
/* jcc rel32 (in insn cc->i's main code) to a new cold stub
 * "mov esi, insn; [mov edx, count;] jmp label" (jit_jmp.c). */
uint8_t *jit_fail_jcc(struct jit_cc *cc, uint8_t *p, enum x86_cc c,
		      enum jit_head_label label, uint32_t edx);
/* The head segment (jit_head.c). */
int jit_emit_head(struct jit_cc *cc);
uint8_t *jit_head_jmp(struct jit_cc *cc, uint8_t *p, enum jit_head_label l);
/* The direct variant's entry and exits (jit_direct.c): the labels
 * JIT_H_ENTRY, JIT_H_RET_MAIN, JIT_H_UNWIND and JIT_H_STOP. */
uint8_t *jit_emit_direct_entry(struct jit_cc *cc, uint8_t *p,
			       const struct jit_saved *sv);

/* Executable memory (jit_mem.c). */
void *jit_mem_alloc(size_t size, size_t *map_size, uint64_t near_lo,
		    uint64_t near_hi);
int jit_mem_seal(void *mem, size_t map_size);
void jit_mem_free(void *mem, size_t map_size);
/* Scratch memory for a compile, not zeroed (jit_mem.c): large blocks are
 * kept for the next compiles. Grow keeps the first size bytes. */
void *jit_mem_scratch(size_t size);
void *jit_mem_scratch_grow(void *p, size_t size, size_t new_size);
void jit_mem_scratch_free(void *p);

/* Run-time slow paths called from JIT code (jit_slow.c). */
struct jit_callx_res {
	uint64_t addr;	/* 0: failed, kind holds the error */
	int64_t kind;	/* 1: a function of the program, 0: a helper */
};
int jit_slow_check(struct jit_ctx *ctx, uint64_t addr, uint32_t what,
		   uint64_t frame_lo, uint64_t refund);
struct jit_callx_res jit_slow_callx(struct jit_ctx *ctx, uint64_t value,
				    uint32_t insn);
int jit_slow_depth(struct jit_ctx *ctx, uint32_t insn);
int jit_slow_budget(struct jit_ctx *ctx, uint32_t start, uint32_t count);

/* jit_slow_check's `what`: insn << 8 | size << 2 | write << 1 | atomic. */
#define JIT_WHAT(insn, size, write, atomic)                                 \
	((uint32_t)(insn) << 8 | (size) << 2 | (write) << 1 | (atomic))

#endif
