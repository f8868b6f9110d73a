/* One bpf_conformance *.data file (format: ../shared/conformance/README.md). */
#ifndef BPFVM_TESTS_CONF_FILE_H
#define BPFVM_TESTS_CONF_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct conf_test {
	char *asm_text;		/* "-- asm" section, NULL if absent */
	struct bpf_insn *raw;	/* "-- raw" section, NULL if absent */
	size_t raw_cnt;
	uint8_t *mem;		/* "-- mem", NULL if absent */
	size_t mem_len;
	bool has_result;
	uint64_t result;	/* "-- result" */
	char *error;		/* "-- error", NULL if absent */
	char *skip_reason;	/* set when an unknown section forces a skip */
};

/* Parse the text of a .data file. Returns 0, or -1 with a reason in err. */
int conf_test_parse(const char *text, struct conf_test *t, char *err,
		    size_t err_size);
/* The program: the raw section if present, else the asm section assembled
 * in the uBPF dialect. Returns 0 or -1 with a reason in err. */
int conf_test_program(const struct conf_test *t, struct bpf_insn **insns,
		      size_t *cnt, char *err, size_t err_size);
void conf_test_free(struct conf_test *t);

/* A whole file, NUL-terminated, or NULL (errno says why). */
char *conf_read_file(const char *path);
/* The names (not paths) of the *.data files in dir, sorted; *names is
 * malloc'ed, each name too. Returns how many. */
size_t conf_list_dir(const char *dir, char ***names);

#endif
