/* x86-64 disassembly for jit-dump: capstone when the build found it,
 * raw bytes otherwise. */
#ifndef BPFVM_CLI_X86_DIS_H
#define BPFVM_CLI_X86_DIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Is real disassembly available (capstone)? */
bool x86_dis_available(void);

/* Print code[start, end) one machine instruction per line (raw: up to 16
 * bytes per line), each line "indent +0xOFFS: text". Addresses are
 * offsets into code, so jump targets read as offsets too. */
void x86_dis_print(FILE *f, const uint8_t *code, size_t start, size_t end,
		   const char *indent);

/* The same as a JSON array named key (NULL: no name) of
 * {"addr": offset, "bytes": "hex", "asm": text, or null without a
 * decoder}. */
struct cj;
void x86_dis_json(struct cj *j, const char *key, const uint8_t *code,
		  size_t start, size_t end);

#endif
