/* x86-64 disassembly for jit-dump; see x86_dis.h. */
#include "x86_dis.h"
#include "cli_json.h"

#ifdef BPFVM_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

/* Each machine instruction of code[start, end) (without a decoder:
 * chunks of up to 16 raw bytes, text NULL). */
typedef void (*dis_fn)(void *ctx, size_t addr, const uint8_t *bytes,
		       size_t n, const char *text);

static void each_raw(const uint8_t *code, size_t start, size_t end,
		     dis_fn fn, void *ctx)
{
	for (size_t at = start; at < end; at += 16)
		fn(ctx, at, code + at, end - at < 16 ? end - at : 16, NULL);
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

static void each(const uint8_t *code, size_t start, size_t end, dis_fn fn,
		 void *ctx)
{
	csh h;
	cs_insn *insn;
	size_t n, done = start;
	char text[192];

	if (start >= end)
		return;
	if (!handle(&h)) {
		each_raw(code, start, end, fn, ctx);
		return;
	}
	n = cs_disasm(h, code + start, end - start, start, 0, &insn);
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s%s%s", insn[i].mnemonic,
			 insn[i].op_str[0] ? " " : "", insn[i].op_str);
		fn(ctx, (size_t)insn[i].address, code + insn[i].address,
		   insn[i].size, text);
		done = (size_t)insn[i].address + insn[i].size;
	}
	if (n)
		cs_free(insn, n);
	/* bytes capstone could not decode (data, or a bug worth seeing) */
	each_raw(code, done, end, fn, ctx);
}

#else

bool x86_dis_available(void)
{
	return false;
}

static void each(const uint8_t *code, size_t start, size_t end, dis_fn fn,
		 void *ctx)
{
	each_raw(code, start, end, fn, ctx);
}

#endif

struct text_ctx {
	FILE *f;
	const char *indent;
};

static void print_one(void *ctx, size_t addr, const uint8_t *bytes, size_t n,
		      const char *text)
{
	struct text_ctx *t = ctx;

	fprintf(t->f, "%s+0x%04zx:  ", t->indent, addr);
	if (text)
		fputs(text, t->f);
	else
		for (size_t i = 0; i < n; i++)
			fprintf(t->f, "%s%02x", i ? " " : "", bytes[i]);
	fputc('\n', t->f);
}

void x86_dis_print(FILE *f, const uint8_t *code, size_t start, size_t end,
		   const char *indent)
{
	struct text_ctx t = { f, indent };

	each(code, start, end, print_one, &t);
}

static void json_one(void *ctx, size_t addr, const uint8_t *bytes, size_t n,
		     const char *text)
{
	struct cj *j = ctx;

	cj_obj_begin(j, NULL);
	cj_u64(j, "addr", addr);
	cj_hex(j, "bytes", bytes, n);
	cj_str(j, "asm", text);	/* null: raw bytes, no decoder */
	cj_obj_end(j);
}

void x86_dis_json(struct cj *j, const char *key, const uint8_t *code,
		  size_t start, size_t end)
{
	cj_arr_begin(j, key);
	each(code, start, end, json_one, j);
	cj_arr_end(j);
}
