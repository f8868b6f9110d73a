/* x86-64 disassembly for jit-dump; see x86_dis.h. */
#include "x86_dis.h"

#ifdef BPFVM_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

static void print_raw(FILE *f, const uint8_t *code, size_t start, size_t end,
		      const char *indent)
{
	for (size_t at = start; at < end; at += 16) {
		fprintf(f, "%s+0x%04zx:  ", indent, at);
		for (size_t i = at; i < end && i < at + 16; i++)
			fprintf(f, "%s%02x", i > at ? " " : "", code[i]);
		fputc('\n', f);
	}
}

#ifdef BPFVM_HAVE_CAPSTONE

bool x86_dis_available(void)
{
	return true;
}

/* One handle for the process: jit-dump calls this once per BPF insn. */
static bool handle(csh *h)
{
	static csh cs;
	static int state; /* 0 unopened, 1 open, -1 failed */

	if (state == 0)
		state = cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK ? 1
									   : -1;
	*h = cs;
	return state > 0;
}

void x86_dis_print(FILE *f, const uint8_t *code, size_t start, size_t end,
		   const char *indent)
{
	csh h;
	cs_insn *insn;
	size_t n, done = start;

	if (start >= end)
		return;
	if (!handle(&h)) {
		print_raw(f, code, start, end, indent);
		return;
	}
	n = cs_disasm(h, code + start, end - start, start, 0, &insn);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s+0x%04zx:  %s%s%s\n", indent,
			(size_t)insn[i].address, insn[i].mnemonic,
			insn[i].op_str[0] ? " " : "", insn[i].op_str);
		done = (size_t)insn[i].address + insn[i].size;
	}
	if (n)
		cs_free(insn, n);
	/* bytes capstone could not decode (data, or a bug worth seeing) */
	print_raw(f, code, done, end, indent);
}

#else

bool x86_dis_available(void)
{
	return false;
}

void x86_dis_print(FILE *f, const uint8_t *code, size_t start, size_t end,
		   const char *indent)
{
	print_raw(f, code, start, end, indent);
}

#endif
