/* The x86-64 encoder, byte for byte, against GNU as: every instruction
 * form the JIT uses, with the REX cases (r8-r15, spl/bpl/sil/dil as byte
 * registers) and the rsp/rbp/r12/r13 addressing special cases. The
 * expected bytes were produced by `as` + `objdump -d`. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "engine/jit/x86_enc.h"

static void check_bytes(const char *what, const uint8_t *got, size_t n,
			const uint8_t *want, size_t wn)
{
	if (n == wn && memcmp(got, want, n) == 0) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", got[i]);
	fprintf(stderr, ", want");
	for (size_t i = 0; i < wn; i++)
		fprintf(stderr, " %02x", want[i]);
	fprintf(stderr, "\n");
}

#define CASE(expr, text, ...)                                               \
	do {                                                                \
		static const uint8_t want_[] = { __VA_ARGS__ };             \
		uint8_t buf_[32];                                           \
		uint8_t *p = buf_;                                          \
		uint8_t *end_ = (expr);                                     \
		check_bytes(text, buf_, (size_t)(end_ - buf_), want_,       \
			    sizeof(want_));                                 \
	} while (0)

static void test_forms(void)
{
	CASE(x86_mov_rr(p, true, X86_RAX, X86_RDI),
	     "mov %rdi,%rax", 0x48, 0x89, 0xf8);
	CASE(x86_mov_rr(p, false, X86_R13, X86_RSI),
	     "mov %esi,%r13d", 0x41, 0x89, 0xf5);
	CASE(x86_mov_rr(p, true, X86_R11, X86_RSP),
	     "mov %rsp,%r11", 0x49, 0x89, 0xe3);
	CASE(x86_mov_ri32(p, X86_RDX, 0x12345678),
	     "mov $0x12345678,%edx", 0xba, 0x78, 0x56, 0x34, 0x12);
	CASE(x86_mov_ri32(p, X86_R15, 0xffffffff),
	     "mov $0xffffffff,%r15d", 0x41, 0xbf, 0xff, 0xff, 0xff, 0xff);
	CASE(x86_mov_ri_sx(p, X86_RBX, -2),
	     "movq $-2,%rbx", 0x48, 0xc7, 0xc3, 0xfe, 0xff, 0xff, 0xff);
	CASE(x86_mov_ri_sx(p, X86_R9, -0x12345678),
	     "movq $-0x12345678,%r9", 0x49, 0xc7, 0xc1, 0x88, 0xa9, 0xcb, 0xed);
	CASE(x86_movabs(p, X86_RCX, 0x123456789abcdef0ull),
	     "movabs $0x123456789abcdef0,%rcx", 0x48, 0xb9, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12);
	CASE(x86_movabs(p, X86_R14, 0x8000000000000000ull),
	     "movabs $0x8000000000000000,%r14", 0x49, 0xbe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80);
	CASE(x86_zero(p, X86_R8),
	     "xor %r8d,%r8d", 0x45, 0x31, 0xc0);
	CASE(x86_zero(p, X86_RAX),
	     "xor %eax,%eax", 0x31, 0xc0);
	CASE(x86_mov_imm64(p, X86_RSI, 0xffffffffull),
	     "mov $0xffffffff,%esi", 0xbe, 0xff, 0xff, 0xff, 0xff);
	CASE(x86_mov_imm64(p, X86_RSI, (uint64_t)-1),
	     "movq $-1,%rsi", 0x48, 0xc7, 0xc6, 0xff, 0xff, 0xff, 0xff);
	CASE(x86_alu_rr(p, X86_ADD, true, X86_RAX, X86_R15),
	     "add %r15,%rax", 0x4c, 0x01, 0xf8);
	CASE(x86_alu_rr(p, X86_SUB, false, X86_R12, X86_RBP),
	     "sub %ebp,%r12d", 0x41, 0x29, 0xec);
	CASE(x86_alu_rr(p, X86_OR, true, X86_RBP, X86_RSP),
	     "or %rsp,%rbp", 0x48, 0x09, 0xe5);
	CASE(x86_alu_rr(p, X86_AND, true, X86_R13, X86_R8),
	     "and %r8,%r13", 0x4d, 0x21, 0xc5);
	CASE(x86_alu_rr(p, X86_XOR, false, X86_RDI, X86_RSI),
	     "xor %esi,%edi", 0x31, 0xf7);
	CASE(x86_alu_rr(p, X86_CMP, true, X86_R10, X86_R11),
	     "cmp %r11,%r10", 0x4d, 0x39, 0xda);
	CASE(x86_alu_ri(p, X86_ADD, true, X86_RAX, 5),
	     "add $5,%rax", 0x48, 0x83, 0xc0, 0x05);
	CASE(x86_alu_ri(p, X86_ADD, true, X86_RAX, 500),
	     "add $500,%rax", 0x48, 0x05, 0xf4, 0x01, 0x00, 0x00);
	CASE(x86_alu_ri(p, X86_ADD, false, X86_RAX, 500),
	     "add $500,%eax", 0x05, 0xf4, 0x01, 0x00, 0x00);
	CASE(x86_alu_ri(p, X86_SUB, true, X86_RSP, 8),
	     "sub $8,%rsp", 0x48, 0x83, 0xec, 0x08);
	CASE(x86_alu_ri(p, X86_SUB, true, X86_RBP, 512),
	     "sub $512,%rbp", 0x48, 0x81, 0xed, 0x00, 0x02, 0x00, 0x00);
	CASE(x86_alu_ri(p, X86_AND, false, X86_R12, -128),
	     "and $-128,%r12d", 0x41, 0x83, 0xe4, 0x80);
	CASE(x86_alu_ri(p, X86_XOR, true, X86_R15, 0x7fffffff),
	     "xor $0x7fffffff,%r15", 0x49, 0x81, 0xf7, 0xff, 0xff, 0xff, 0x7f);
	CASE(x86_alu_ri(p, X86_CMP, true, X86_R11, -1),
	     "cmp $-1,%r11", 0x49, 0x83, 0xfb, 0xff);
	CASE(x86_alu_ri(p, X86_OR, false, X86_RDX, 128),
	     "or $128,%edx", 0x81, 0xca, 0x80, 0x00, 0x00, 0x00);
	CASE(x86_test_rr(p, true, X86_RAX, X86_RAX),
	     "test %rax,%rax", 0x48, 0x85, 0xc0);
	CASE(x86_test_rr(p, false, X86_R11, X86_R11),
	     "test %r11d,%r11d", 0x45, 0x85, 0xdb);
	CASE(x86_test_ri(p, true, X86_RAX, 0x10),
	     "test $0x10,%al", 0xa8, 0x10);
	CASE(x86_test_ri(p, true, X86_RSI, 0x80),
	     "test $0x80,%sil", 0x40, 0xf6, 0xc6, 0x80);
	CASE(x86_test_ri(p, false, X86_R10, 7),
	     "test $7,%r10b", 0x41, 0xf6, 0xc2, 0x07);
	CASE(x86_test_ri(p, true, X86_RBX, 0x1000),
	     "test $0x1000,%rbx", 0x48, 0xf7, 0xc3, 0x00, 0x10, 0x00, 0x00);
	CASE(x86_test_ri(p, true, X86_RAX, -2),
	     "test $-2,%rax", 0x48, 0xa9, 0xfe, 0xff, 0xff, 0xff);
	CASE(x86_test_ri(p, false, X86_R14, 0x12345),
	     "test $0x12345,%r14d", 0x41, 0xf7, 0xc6, 0x45, 0x23, 0x01, 0x00);
	CASE(x86_cmov(p, X86_CC_B, X86_RAX, X86_R10),
	     "cmovb %r10,%rax", 0x49, 0x0f, 0x42, 0xc2);
	CASE(x86_cmov(p, X86_CC_LE, X86_R14, X86_RBX),
	     "cmovle %rbx,%r14", 0x4c, 0x0f, 0x4e, 0xf3);
	CASE(x86_imul_rr(p, true, X86_RAX, X86_R13),
	     "imul %r13,%rax", 0x49, 0x0f, 0xaf, 0xc5);
	CASE(x86_imul_rr(p, false, X86_R12, X86_RCX),
	     "imul %ecx,%r12d", 0x44, 0x0f, 0xaf, 0xe1);
	CASE(x86_imul_rri(p, true, X86_RBX, X86_RBX, 3),
	     "imul $3,%rbx,%rbx", 0x48, 0x6b, 0xdb, 0x03);
	CASE(x86_imul_rri(p, false, X86_R13, X86_R13, 100000),
	     "imul $100000,%r13d,%r13d", 0x45, 0x69, 0xed, 0xa0, 0x86, 0x01, 0x00);
	CASE(x86_div(p, true, false, X86_R11),
	     "div %r11", 0x49, 0xf7, 0xf3);
	CASE(x86_div(p, false, true, X86_R11),
	     "idiv %r11d", 0x41, 0xf7, 0xfb);
	CASE(x86_div(p, true, true, X86_RCX),
	     "idiv %rcx", 0x48, 0xf7, 0xf9);
	CASE(x86_cqo(p, true),
	     "cqo", 0x48, 0x99);
	CASE(x86_cqo(p, false),
	     "cltd", 0x99);
	CASE(x86_neg(p, true, X86_R8),
	     "neg %r8", 0x49, 0xf7, 0xd8);
	CASE(x86_neg(p, false, X86_RBP),
	     "neg %ebp", 0xf7, 0xdd);
	CASE(x86_shift_ri(p, X86_SHL, true, X86_RAX, 1),
	     "shl $1,%rax", 0x48, 0xd1, 0xe0);
	CASE(x86_shift_ri(p, X86_SHR, false, X86_R13, 31),
	     "shr $31,%r13d", 0x41, 0xc1, 0xed, 0x1f);
	CASE(x86_shift_ri(p, X86_SAR, true, X86_RDI, 63),
	     "sar $63,%rdi", 0x48, 0xc1, 0xff, 0x3f);
	CASE(x86_shift_cl(p, X86_SHL, false, X86_R11),
	     "shl %cl,%r11d", 0x41, 0xd3, 0xe3);
	CASE(x86_shift_cl(p, X86_SAR, true, X86_RBX),
	     "sar %cl,%rbx", 0x48, 0xd3, 0xfb);
	CASE(x86_shift_cl(p, X86_SHR, true, X86_RCX),
	     "shr %cl,%rcx", 0x48, 0xd3, 0xe9);
	CASE(x86_movzx_rr(p, X86_RAX, X86_RSI, 1),
	     "movzbl %sil,%eax", 0x40, 0x0f, 0xb6, 0xc6);
	CASE(x86_movzx_rr(p, X86_R8, X86_RBX, 1),
	     "movzbl %bl,%r8d", 0x44, 0x0f, 0xb6, 0xc3);
	CASE(x86_movzx_rr(p, X86_RDI, X86_RDI, 2),
	     "movzwl %di,%edi", 0x0f, 0xb7, 0xff);
	CASE(x86_movzx_rr(p, X86_R13, X86_R13, 2),
	     "movzwl %r13w,%r13d", 0x45, 0x0f, 0xb7, 0xed);
	CASE(x86_movsx_rr(p, true, X86_RAX, X86_RDI, 1),
	     "movsbq %dil,%rax", 0x48, 0x0f, 0xbe, 0xc7);
	CASE(x86_movsx_rr(p, false, X86_RBP, X86_RBP, 1),
	     "movsbl %bpl,%ebp", 0x40, 0x0f, 0xbe, 0xed);
	CASE(x86_movsx_rr(p, true, X86_R14, X86_RCX, 2),
	     "movswq %cx,%r14", 0x4c, 0x0f, 0xbf, 0xf1);
	CASE(x86_movsx_rr(p, false, X86_RDX, X86_R15, 2),
	     "movswl %r15w,%edx", 0x41, 0x0f, 0xbf, 0xd7);
	CASE(x86_movsx_rr(p, true, X86_RSI, X86_R8, 4),
	     "movslq %r8d,%rsi", 0x49, 0x63, 0xf0);
	CASE(x86_bswap(p, true, X86_RAX),
	     "bswap %rax", 0x48, 0x0f, 0xc8);
	CASE(x86_bswap(p, false, X86_R13),
	     "bswap %r13d", 0x41, 0x0f, 0xcd);
	CASE(x86_rol16_8(p, X86_RBX),
	     "rol $8,%bx", 0x66, 0xc1, 0xc3, 0x08);
	CASE(x86_rol16_8(p, X86_R8),
	     "rol $8,%r8w", 0x66, 0x41, 0xc1, 0xc0, 0x08);
	CASE(x86_load(p, X86_LD_U8, X86_RAX, X86_RDI, 0),
	     "movzbl (%rdi),%eax", 0x0f, 0xb6, 0x07);
	CASE(x86_load(p, X86_LD_U16, X86_RSI, X86_RBP, -8),
	     "movzwl -8(%rbp),%esi", 0x0f, 0xb7, 0x75, 0xf8);
	CASE(x86_load(p, X86_LD_U32, X86_R13, X86_R13, 0),
	     "mov 0x0(%r13),%r13d", 0x45, 0x8b, 0x6d, 0x00);
	CASE(x86_load(p, X86_LD_U64, X86_RCX, X86_RSP, 16),
	     "mov 16(%rsp),%rcx", 0x48, 0x8b, 0x4c, 0x24, 0x10);
	CASE(x86_load(p, X86_LD_U64, X86_R11, X86_R12, 0),
	     "mov (%r12),%r11", 0x4d, 0x8b, 0x1c, 0x24);
	CASE(x86_load(p, X86_LD_U64, X86_RDX, X86_R12, 300),
	     "mov 300(%r12),%rdx", 0x49, 0x8b, 0x94, 0x24, 0x2c, 0x01, 0x00, 0x00);
	CASE(x86_load(p, X86_LD_S8, X86_RBX, X86_R8, -200),
	     "movsbq -200(%r8),%rbx", 0x49, 0x0f, 0xbe, 0x98, 0x38, 0xff, 0xff, 0xff);
	CASE(x86_load(p, X86_LD_S16, X86_R15, X86_RAX, 127),
	     "movswq 127(%rax),%r15", 0x4c, 0x0f, 0xbf, 0x78, 0x7f);
	CASE(x86_load(p, X86_LD_S32, X86_RAX, X86_RBP, -512),
	     "movslq -512(%rbp),%rax", 0x48, 0x63, 0x85, 0x00, 0xfe, 0xff, 0xff);
	CASE(x86_load(p, X86_LD_U64, X86_RSP, X86_R12, 8),
	     "mov 8(%r12),%rsp", 0x49, 0x8b, 0x64, 0x24, 0x08);
	CASE(x86_store(p, 1, X86_RBP, -1, X86_RSI),
	     "mov %sil,-1(%rbp)", 0x40, 0x88, 0x75, 0xff);
	CASE(x86_store(p, 1, X86_RDI, 0, X86_RBP),
	     "mov %bpl,(%rdi)", 0x40, 0x88, 0x2f);
	CASE(x86_store(p, 1, X86_RAX, 0, X86_RDX),
	     "mov %dl,(%rax)", 0x88, 0x10);
	CASE(x86_store(p, 2, X86_R13, 2, X86_R14),
	     "mov %r14w,2(%r13)", 0x66, 0x45, 0x89, 0x75, 0x02);
	CASE(x86_store(p, 4, X86_RSP, 0, X86_RAX),
	     "mov %eax,(%rsp)", 0x89, 0x04, 0x24);
	CASE(x86_store(p, 8, X86_R12, 8, X86_RSP),
	     "mov %rsp,8(%r12)", 0x49, 0x89, 0x64, 0x24, 0x08);
	CASE(x86_store(p, 8, X86_R10, 0, X86_R11),
	     "mov %r11,(%r10)", 0x4d, 0x89, 0x1a);
	CASE(x86_store_imm(p, 1, X86_RBP, -3, 0x7f),
	     "movb $0x7f,-3(%rbp)", 0xc6, 0x45, 0xfd, 0x7f);
	CASE(x86_store_imm(p, 2, X86_RDI, 4, -2),
	     "movw $-2,4(%rdi)", 0x66, 0xc7, 0x47, 0x04, 0xfe, 0xff);
	CASE(x86_store_imm(p, 4, X86_R12, 0, 0x12345678),
	     "movl $0x12345678,(%r12)", 0x41, 0xc7, 0x04, 0x24, 0x78, 0x56, 0x34, 0x12);
	CASE(x86_store_imm(p, 8, X86_R13, 1000, -1),
	     "movq $-1,1000(%r13)", 0x49, 0xc7, 0x85, 0xe8, 0x03, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff);
	CASE(x86_lea(p, X86_R10, X86_RBP, -512),
	     "lea -512(%rbp),%r10", 0x4c, 0x8d, 0x95, 0x00, 0xfe, 0xff, 0xff);
	CASE(x86_lea(p, X86_R11, X86_R10, 8),
	     "lea 8(%r10),%r11", 0x4d, 0x8d, 0x5a, 0x08);
	CASE(x86_lea(p, X86_RCX, X86_RSP, 0),
	     "lea (%rsp),%rcx", 0x48, 0x8d, 0x0c, 0x24);
	CASE(x86_lock_alu(p, X86_ADD, true, X86_RBP, 8, X86_RAX),
	     "lock add %rax,8(%rbp)", 0xf0, 0x48, 0x01, 0x45, 0x08);
	CASE(x86_lock_alu(p, X86_OR, false, X86_R12, 0, X86_R13),
	     "lock or %r13d,(%r12)", 0xf0, 0x45, 0x09, 0x2c, 0x24);
	CASE(x86_lock_alu(p, X86_AND, true, X86_RDI, -4, X86_RSI),
	     "lock and %rsi,-4(%rdi)", 0xf0, 0x48, 0x21, 0x77, 0xfc);
	CASE(x86_lock_alu(p, X86_XOR, false, X86_R13, 0, X86_RBX),
	     "lock xor %ebx,0x0(%r13)", 0xf0, 0x41, 0x31, 0x5d, 0x00);
	CASE(x86_lock_xadd(p, true, X86_RBP, 8, X86_RAX),
	     "lock xadd %rax,8(%rbp)", 0xf0, 0x48, 0x0f, 0xc1, 0x45, 0x08);
	CASE(x86_lock_xadd(p, false, X86_R10, 0, X86_R15),
	     "lock xadd %r15d,(%r10)", 0xf0, 0x45, 0x0f, 0xc1, 0x3a);
	CASE(x86_xchg(p, true, X86_RSP, 8, X86_RCX),
	     "xchg %rcx,8(%rsp)", 0x48, 0x87, 0x4c, 0x24, 0x08);
	CASE(x86_xchg(p, false, X86_R8, 0, X86_RDI),
	     "xchg %edi,(%r8)", 0x41, 0x87, 0x38);
	CASE(x86_lock_cmpxchg(p, true, X86_RDI, 16, X86_R11),
	     "lock cmpxchg %r11,16(%rdi)", 0xf0, 0x4c, 0x0f, 0xb1, 0x5f, 0x10);
	CASE(x86_lock_cmpxchg(p, false, X86_RBP, -8, X86_RDX),
	     "lock cmpxchg %edx,-8(%rbp)", 0xf0, 0x0f, 0xb1, 0x55, 0xf8);
	CASE(x86_alu_rm(p, X86_CMP, X86_R10, X86_R12, 56),
	     "cmp 56(%r12),%r10", 0x4d, 0x3b, 0x54, 0x24, 0x38);
	CASE(x86_alu_rm(p, X86_CMP, X86_RBP, X86_R12, 24),
	     "cmp 24(%r12),%rbp", 0x49, 0x3b, 0x6c, 0x24, 0x18);
	CASE(x86_alu_mi(p, X86_SUB, X86_R12, 48, 3),
	     "subq $3,48(%r12)", 0x49, 0x83, 0x6c, 0x24, 0x30, 0x03);
	CASE(x86_alu_mi(p, X86_SUB, X86_R12, 48, 1000),
	     "subq $1000,48(%r12)", 0x49, 0x81, 0x6c, 0x24, 0x30, 0xe8, 0x03, 0x00, 0x00);
	CASE(x86_cmp_m8i(p, X86_R11, 16, 0),
	     "cmpb $0,16(%r11)", 0x41, 0x80, 0x7b, 0x10, 0x00);
	CASE(x86_cmp_m8i(p, X86_RAX, 0, 1),
	     "cmpb $1,(%rax)", 0x80, 0x38, 0x01);
	CASE(x86_call_r(p, X86_R11),
	     "call *%r11", 0x41, 0xff, 0xd3);
	CASE(x86_call_r(p, X86_RAX),
	     "call *%rax", 0xff, 0xd0);
	CASE(x86_push(p, X86_RBX),
	     "push %rbx", 0x53);
	CASE(x86_push(p, X86_R15),
	     "push %r15", 0x41, 0x57);
	CASE(x86_pop(p, X86_RBP),
	     "pop %rbp", 0x5d);
	CASE(x86_pop(p, X86_R12),
	     "pop %r12", 0x41, 0x5c);
	CASE(x86_ret(p),
	     "ret", 0xc3);
}

/* Branches and calls: displacements are relative to the next insn. */
static void test_control(void)
{
	CASE(x86_jcc8(p, X86_CC_E, -2), "je .", 0x74, 0xfe);
	CASE(x86_jcc8(p, X86_CC_G, 0x10), "jg .+0x12", 0x7f, 0x10);
	CASE(x86_jcc32(p, X86_CC_BE, 0x100), "jbe .+0x106", 0x0f, 0x86, 0x00,
	     0x01, 0x00, 0x00);
	CASE(x86_jcc32(p, X86_CC_L, -6), "jl .", 0x0f, 0x8c, 0xfa, 0xff, 0xff,
	     0xff);
	CASE(x86_jmp8(p, 0), "jmp .+2", 0xeb, 0x00);
	CASE(x86_jmp32(p, -5), "jmp .", 0xe9, 0xfb, 0xff, 0xff, 0xff);
	CASE(x86_call32(p, 0x1234), "call .+0x1239", 0xe8, 0x34, 0x12, 0x00,
	     0x00);
}

/* Multi-byte NOPs: exactly n bytes, decoding as NOPs (0f 1f /0 forms). */
static void test_nops(void)
{
	for (unsigned n = 0; n <= 20; n++) {
		uint8_t buf[32];
		uint8_t *e = x86_nops(buf, n);

		CHECK(e == buf + n);
	}
	CASE(x86_nops(p, 1), "nop", 0x90);
	CASE(x86_nops(p, 3), "nopl (%rax)", 0x0f, 0x1f, 0x00);
	CASE(x86_nops(p, 9), "nopw 0x0(%rax,%rax,1)", 0x66, 0x0f, 0x1f, 0x84,
	     0x00, 0x00, 0x00, 0x00, 0x00);
	CASE(x86_nops(p, 10), "nopw 0x0(%rax,%rax,1); nop", 0x66, 0x0f, 0x1f,
	     0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90);
}

int main(void)
{
	test_forms();
	test_control();
	test_nops();
	return check_report();
}
