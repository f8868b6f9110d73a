/* The maps of an object after a run, as text or JSON: every map (global
 * data included: programs often count in .bss), its entries with key and
 * value as hex (and as a number when 1, 2, 4 or 8 bytes), per-CPU values
 * summed and per CPU, large maps cut after max_entries. */
#ifndef BPFVM_CLI_MAP_PRINT_H
#define BPFVM_CLI_MAP_PRINT_H

#include <stddef.h>
#include <stdio.h>

struct bpfvm_object;
struct cj;

void map_print_text(FILE *out, struct bpfvm_object *obj, size_t max_entries);
/* A "maps" array member of the current JSON object. */
void map_print_json(struct cj *j, struct bpfvm_object *obj,
		    size_t max_entries);

#endif
