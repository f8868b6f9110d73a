/* The bpfvm CLI: one file per command, shared helpers in cli_util.c. */
#ifndef BPFVM_CLI_H
#define BPFVM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* Each command gets argv with argv[0] = the command's name; returns the
 * process exit status (0 ok, 1 failure, 2 usage error). */
int cmd_asm(int argc, char **argv);
int cmd_btf(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_jit_dump(int argc, char **argv);
int cmd_prog(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test_run(int argc, char **argv);
int cmd_trace_pipe(int argc, char **argv);

/* Print "bpfvm: " + message to stderr; with -j, {"error":"message"} on
 * stdout instead (bpftool's p_err), one JSON document: call it before a
 * command's output starts, or in place of it. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "bpfvm: " + message to stderr, -j or not: what does not stop the
 * command (its JSON output on stdout stays one document). */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A whole unsigned number (decimal, 0x hex or 0 octal), no sign, no
 * trailing text; 0, or -1 without printing. */
int cli_parse_u64(const char *s, uint64_t *v);

/* Read a whole file ("-" = stdin), NUL-terminated; *len excludes the NUL.
 * Returns NULL after printing why. */
char *cli_read_file(const char *path, size_t *len);

/* Parse whitespace-separated hex bytes ("b7 00 00 00 ..." or "b7000000...",
 * optional 0x prefixes). Returns 0 or prints "what: byte N: reason" and
 * returns -1. *out is malloc'ed. */
int cli_parse_hex(const char *text, const char *what, uint8_t **out,
		  size_t *len);

/* A program file: raw little-endian bytecode (size a multiple of 8),
 * hex text, or assembly text (either dialect). Returns 0 or prints why and
 * returns -1. *insns is malloc'ed. */
int cli_load_program(const char *path, struct bpf_insn **insns, size_t *cnt);

#endif
