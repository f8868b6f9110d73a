/* The assembler: both dialects, labels, every conformance file, and the
 * messages for bad input. */
#include "check.h"

#include <bpfvm/env.h>
#include <bpfvm/isa.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "isa/isa.h" /* BPF_MEMSX on older headers */

#define I(c, d, s, o, i)                                                    \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s),     \
			    .off = (o), .imm = (i) })

static char log_buf[256];

static int assemble(const char *text, enum bpfvm_asm_dialect d,
		    struct bpf_insn **insns, size_t *cnt)
{
	struct bpfvm_asm_opts o = { .sz = sizeof(o), .dialect = d,
				    .log_buf = log_buf,
				    .log_size = sizeof(log_buf) };

	return bpfvm_asm_assemble(text, &o, insns, cnt);
}

/* text must assemble to exactly want[0..n). */
static void expect(const char *text, enum bpfvm_asm_dialect d,
		   const struct bpf_insn *want, size_t n)
{
	struct bpf_insn *got = NULL;
	size_t cnt = 0;
	int ret = assemble(text, d, &got, &cnt);

	CHECK(ret == 0);
	if (ret) {
		fprintf(stderr, "  '%s': %s\n", text, log_buf);
		return;
	}
	CHECK(cnt == n);
	if (cnt == n && memcmp(got, want, n * sizeof(*got)) != 0) {
		check_failed++;
		fprintf(stderr, "  '%s' assembled differently\n", text);
	}
	free(got);
}

#define EXPECT(text, d, ...)                                                \
	do {                                                                \
		const struct bpf_insn w_[] = { __VA_ARGS__ };               \
		expect(text, d, w_, sizeof(w_) / sizeof(w_[0]));            \
	} while (0)
#define LLVM(text, ...) EXPECT(text, BPFVM_ASM_LLVM, __VA_ARGS__)
#define UBPF(text, ...) EXPECT(text, BPFVM_ASM_UBPF, __VA_ARGS__)

static void error_is(const char *text, enum bpfvm_asm_dialect d,
		     const char *msg)
{
	struct bpf_insn *got = NULL;
	size_t cnt = 0;

	CHECK(assemble(text, d, &got, &cnt) == -EINVAL);
	CHECK(got == NULL);
	CHECK_STREQ(log_buf, msg);
}

static void test_llvm(void)
{
	LLVM("r0 = 1", I(0xb7, 0, 0, 0, 1));
	LLVM("w0 += w1", I(0x0c, 0, 1, 0, 0));
	LLVM("r1 = 0xffffffff", I(0xb7, 1, 0, 0, -1));
	LLVM("r1 = -0x80000000", I(0xb7, 1, 0, 0, INT32_MIN));
	LLVM("r0 s/= 3\nr0 s%= r1\nr0 s>>= 2",
	     I(0x37, 0, 0, 1, 3), I(0x9f, 0, 1, 1, 0), I(0xc7, 0, 0, 0, 2));
	LLVM("r0 = -r0\nw0 = (s8)w1\nr0 = (s32)r1", I(0x87, 0, 0, 0, 0),
	     I(0xbc, 0, 1, 8, 0), I(0xbf, 0, 1, 32, 0));
	LLVM("r0 = be16 r0\nr0 = le64 r0\nr0 = bswap32 r0",
	     I(0xdc, 0, 0, 0, 16), I(0xd4, 0, 0, 0, 64), I(0xd7, 0, 0, 0, 32));
	LLVM("r0 = *(u32 *)(r1 + 4)\nw0 = *(s8 *)(r1 - 1)",
	     I(0x61, 0, 1, 4, 0), I(0x91, 0, 1, -1, 0));
	LLVM("*(u64 *)(r10 - 8) = r1\n*(u16 *)(r1 + 0x10) = -2",
	     I(0x7b, 10, 1, -8, 0), I(0x6a, 1, 0, 16, -2));
	LLVM("r1 = 0x1122334455667788 ll", I(0x18, 1, 0, 0, 0x55667788),
	     I(0, 0, 0, 0, 0x11223344));
	LLVM("r1 = map[fd:3][0]+16", I(0x18, 1, 2, 0, 3), I(0, 0, 0, 0, 16));
	LLVM("r1 = map[idx:1]", I(0x18, 1, 5, 0, 1), I(0, 0, 0, 0, 0));
	LLVM("r2 = btf[id:7][fd:4]", I(0x18, 2, 3, 0, 7), I(0, 0, 0, 0, 4));
	LLVM("r1 = func[f]\nexit\nf: exit", I(0x18, 1, 4, 0, 2),
	     I(0, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0));
	LLVM("lock *(u64 *)(r10 - 8) += r1\nw2 = atomic_fetch_xor((u32 *)(r3 + 0), w2)",
	     I(0xdb, 10, 1, -8, BPF_ADD), I(0xc3, 3, 2, 0, BPF_XOR | BPF_FETCH));
	LLVM("r0 = cmpxchg_64(r10 - 8, r0, r1)\nw1 = xchg32_32(r2 + 4, w1)",
	     I(0xdb, 10, 1, -8, BPF_CMPXCHG), I(0xc3, 2, 1, 4, BPF_XCHG));
	LLVM("r0 = *(u8 *)skb[12]\nr0 = *(u32 *)skb[r3 - 4]",
	     I(0x30, 0, 0, 0, 12), I(0x40, 0, 3, 0, -4));
	/* jumps: relative, labels (before and after), 32-bit, gotol */
	LLVM("if r1 > 0x5 goto +3", I(0x25, 1, 0, 3, 5));
	LLVM("top: if w1 s< w2 goto top\ngoto end\ngotol top\nend: exit",
	     I(0xce, 1, 2, -1, 0), I(0x05, 0, 0, 1, 0), I(0x06, 0, 0, 0, -3),
	     I(0x95, 0, 0, 0, 0));
	LLVM("call bpf_map_lookup_elem#1\ncall map_update_elem\ncall 7",
	     I(0x85, 0, 0, 0, 1), I(0x85, 0, 0, 0, 2), I(0x85, 0, 0, 0, 7));
	LLVM("call pc+1\ncall sub\nexit\nsub: exit\ncallx r2\ncall kfunc[id:9][btf:1]",
	     I(0x85, 0, 1, 0, 1), I(0x85, 0, 1, 0, 1), I(0x95, 0, 0, 0, 0),
	     I(0x95, 0, 0, 0, 0), I(0x8d, 2, 0, 0, 0), I(0x85, 0, 2, 1, 9));
	/* comments and a disassembly listing read back */
	LLVM("  0: r0 = 1 # one\n; nothing\n   1: b7 00 00 00 02 00 00 00 r0 = 2 // two",
	     I(0xb7, 0, 0, 0, 1), I(0xb7, 0, 0, 0, 2));
}

static void test_ubpf(void)
{
	UBPF("mov32 %r0, 1\nmov %r1, -1\nadd64 %r1, %r0",
	     I(0xb4, 0, 0, 0, 1), I(0xb7, 1, 0, 0, -1), I(0x0f, 1, 0, 0, 0));
	UBPF("ldxw %r0, [%r1+2]\nstxdw [%r10-8], %r0\nstw [%r1], 7",
	     I(0x61, 0, 1, 2, 0), I(0x7b, 10, 0, -8, 0), I(0x62, 1, 0, 0, 7));
	UBPF("ldxsb %r0, [%r10-1]\nldxsw %r0, [%r1]",
	     I(0x91, 0, 10, -1, 0), I(0x81, 0, 1, 0, 0));
	UBPF("jeq %r1, 5, l\nja32 l\nl: ja +0\njsgt32 %r1, %r2, -3",
	     I(0x15, 1, 0, 1, 5), I(0x06, 0, 0, 0, 0), I(0x05, 0, 0, 0, 0),
	     I(0x6e, 1, 2, -3, 0));
	UBPF("lddw %r0, 0x123456789abcdef0", I(0x18, 0, 0, 0, (int32_t)0x9abcdef0),
	     I(0, 0, 0, 0, 0x12345678));
	UBPF("be16 %r0\nle64 %r1\nbswap32 %r2\nswap64 %r3",
	     I(0xdc, 0, 0, 0, 16), I(0xd4, 1, 0, 0, 64), I(0xd7, 2, 0, 0, 32),
	     I(0xd7, 3, 0, 0, 64));
	UBPF("movsx832 %r0, %r1\nmovsx3264 %r0, %r1\nsdiv %r0, 3\nsmod32 %r0, %r1",
	     I(0xbc, 0, 1, 8, 0), I(0xbf, 0, 1, 32, 0), I(0x37, 0, 0, 1, 3),
	     I(0x9c, 0, 1, 1, 0));
	UBPF("lock fetch add [%r10-8], %r1\nlock cmpxchg32 [%r1], %r2\n"
	     "lock xchg [%r1+4], %r3\nlock or32 [%r1], %r2",
	     I(0xdb, 10, 1, -8, BPF_ADD | BPF_FETCH),
	     I(0xc3, 1, 2, 0, BPF_CMPXCHG), I(0xdb, 1, 3, 4, BPF_XCHG),
	     I(0xc3, 1, 2, 0, BPF_OR));
	UBPF("call 5\ncall local f\ncall %r2\nneg %r0\nneg32 %r1\nf:\nexit",
	     I(0x85, 0, 0, 0, 5), I(0x85, 0, 1, 0, 3), I(0x8d, 2, 0, 0, 0),
	     I(0x87, 0, 0, 0, 0), I(0x84, 1, 0, 0, 0), I(0x95, 0, 0, 0, 0));
	/* the first exit is the implicit label "exit" */
	UBPF("jne %r0, 0, exit\nmov %r0, 1\nexit\nexit",
	     I(0x55, 0, 0, 1, 0), I(0xb7, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0),
	     I(0x95, 0, 0, 0, 0));
	UBPF("ldabsb 12\nldindh %r3, 4", I(0x30, 0, 0, 0, 12),
	     I(0x48, 0, 3, 0, 4));
	/* AUTO decides per file */
	EXPECT("# c\nexit\nmov %r0, 2", BPFVM_ASM_AUTO, I(0x95, 0, 0, 0, 0),
	       I(0xb7, 0, 0, 0, 2));
	EXPECT("exit\nr0 = 2", BPFVM_ASM_AUTO, I(0x95, 0, 0, 0, 0),
	       I(0xb7, 0, 0, 0, 2));
}

static void test_errors(void)
{
	error_is("r0 = 1\n\nr11 = 1", BPFVM_ASM_LLVM,
		 "line 3: unknown register 'r11'");
	error_is("mov %r12, 1", BPFVM_ASM_UBPF,
		 "line 1: unknown register '%r12'");
	error_is("exit\nexit\ngoto foo", BPFVM_ASM_LLVM,
		 "line 3: jump target 'foo' is not a label");
	error_is("jeq %r1, 1, nowhere\nexit", BPFVM_ASM_UBPF,
		 "line 1: jump target 'nowhere' is not a label");
	error_is("exit\nr1 = 2\nr0 = 0x1ffffffff", BPFVM_ASM_LLVM,
		 "line 3: immediate 0x1ffffffff does not fit in 32 bits");
	error_is("mov32 %r0, -2147483649", BPFVM_ASM_UBPF,
		 "line 1: immediate -2147483649 does not fit in 32 bits");
	error_is("r0 = *(u32 *)(r1 + 40000)", BPFVM_ASM_LLVM,
		 "line 1: offset 40000 does not fit in 16 bits");
	error_is("frob %r0", BPFVM_ASM_UBPF,
		 "line 1: unknown instruction 'frob'");
	error_is("r0 = 1 2", BPFVM_ASM_LLVM,
		 "line 1: unexpected '2' at the end of the instruction");
	error_is("w0 += r1", BPFVM_ASM_LLVM,
		 "line 1: mixed 32-bit (w) and 64-bit (r) registers");
	error_is("r10 = 1", BPFVM_ASM_LLVM, "line 1: r10 is read-only");
	error_is("a:\na: exit", BPFVM_ASM_LLVM,
		 "line 2: label 'a' is defined twice");
	error_is("call nosuch", BPFVM_ASM_LLVM,
		 "line 1: call target 'nosuch' is neither a helper nor a label");
	error_is("ldxw %r0, [%r1+2", BPFVM_ASM_UBPF,
		 "line 1: expected ']' at the end of the line");
	error_is("# nothing\n", BPFVM_ASM_AUTO, "line 1: no instructions");
	error_is("r0 = 99999999999999999999", BPFVM_ASM_LLVM,
		 "line 1: number '99999999999999999999' is too large");
}

static uint64_t my_helper(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			  uint64_t e, struct bpfvm_run *run)
{
	(void)b, (void)c, (void)d, (void)e, (void)run;
	return a;
}

/* Host helpers: "call my_helper" resolves through the env, and the
 * disassembler prints the env's name. */
static void test_env(void)
{
	struct bpfvm_env *env = NULL;
	struct bpf_insn *got = NULL;
	size_t cnt = 0;
	char text[64];

	if (bpfvm_env_create(&env) != 0) {
		check_failed++;
		return;
	}
	CHECK(bpfvm_helper_register(env, 1000, "my_helper", my_helper) == 0);
	struct bpfvm_asm_opts o = { .sz = sizeof(o), .env = env,
				    .log_buf = log_buf,
				    .log_size = sizeof(log_buf) };
	struct bpfvm_disasm_opts d = { .sz = sizeof(d), .env = env };

	CHECK(bpfvm_asm_assemble("call my_helper\ncall bpf_trace_printk",
				 &o, &got, &cnt) == 0);
	CHECK(cnt == 2 && got[0].imm == 1000 && got[1].imm == 6);
	if (cnt == 2) {
		CHECK(bpfvm_insn_format(got, cnt, 0, text, sizeof(text),
					&d) == 1);
		CHECK_STREQ(text, "call my_helper#1000");
	}
	free(got);
	bpfvm_env_free(env);
}

/* Every bpf_conformance file's "-- asm" section assembles. */
static void test_conformance(void)
{
	char dir[512], path[1024];
	const char *slash = strrchr(__FILE__, '/');
	struct dirent *e;
	int files = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s/../../../shared/conformance/tests",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	d = opendir(dir);
	if (!d) {
		printf("SKIP conformance files: %s not found\n", dir);
		return;
	}
	while ((e = readdir(d))) {
		static char text[1 << 16];
		struct bpf_insn *insns;
		size_t cnt, n;
		char *asm_text, *end;
		FILE *f;

		if (!strstr(e->d_name, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		asm_text = strstr(text, "-- asm\n");
		if (!asm_text)
			continue;
		asm_text += 7;
		end = strstr(asm_text, "\n--");
		if (end)
			end[1] = '\0';
		files++;
		if (assemble(asm_text, BPFVM_ASM_UBPF, &insns, &cnt) == 0) {
			check_passed++;
			free(insns);
		} else {
			check_failed++;
			fprintf(stderr, "%s: %s\n", e->d_name, log_buf);
		}
	}
	closedir(d);
	printf("conformance files assembled: %d\n", files);
}

int main(void)
{
	test_llvm();
	test_ubpf();
	test_errors();
	test_env();
	test_conformance();
	return check_report();
}
