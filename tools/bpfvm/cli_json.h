/* -j / --json output (bpftool's -j / -p): a streaming JSON writer that
 * every command uses, so their JSON is valid and alike. main() takes -j,
 * --json, -p and --pretty from anywhere on the command line. */
#ifndef BPFVM_CLI_JSON_H
#define BPFVM_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Was -j (or -p: pretty-printed) given? */
bool cli_json_on(void);
void cli_json_enable(bool pretty);

#define CJ_MAX_DEPTH 32

struct cj {
	FILE *out;
	bool pretty;
	int depth;
	bool first[CJ_MAX_DEPTH];
};

/* A writer on out (stdout usually), pretty as -p asked. */
void cj_init(struct cj *j, FILE *out);
/* key: the member name inside an object, NULL inside an array or at the
 * top. Containers: */
void cj_obj_begin(struct cj *j, const char *key);
void cj_obj_end(struct cj *j);
void cj_arr_begin(struct cj *j, const char *key);
void cj_arr_end(struct cj *j);
/* Values: */
void cj_str(struct cj *j, const char *key, const char *s);
void cj_strn(struct cj *j, const char *key, const char *s, size_t n);
void cj_u64(struct cj *j, const char *key, uint64_t v);
void cj_i64(struct cj *j, const char *key, int64_t v);
void cj_double(struct cj *j, const char *key, double v);
void cj_bool(struct cj *j, const char *key, bool v);
void cj_null(struct cj *j, const char *key);
/* Bytes as a string of hex pairs: "0a 1b 2c". */
void cj_hex(struct cj *j, const char *key, const void *p, size_t n);
/* End the top-level value: a newline (one JSON document per line
 * unless pretty), flushed. */
void cj_end(struct cj *j);

#endif
