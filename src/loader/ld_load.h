/* Load's steps (ld_load.c drives them): maps (ld_load_maps.c), programs
 * (ld_link.c), and what load made undone (ld_unload). */
#ifndef BPFVM_LOADER_LD_LOAD_H
#define BPFVM_LOADER_LD_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <gelf.h>
#include <bpfvm/map.h>
#include <bpfvm/prog.h>
#include "loader/obj_priv.h"

/* Create every map (reused ones checked and referenced), global data
 * filled and read-only sections frozen: 0 or -errno with "map 'NAME':
 * reason" in log. */
int ld_load_maps(struct bpfvm_object *obj, char *log, size_t log_size);
/* Fill the `.maps` initial slots: of map-in-map definitions (progs
 * false, after the maps) or of PROG_ARRAYs (progs true, after the
 * programs). */
int ld_load_slots(struct bpfvm_object *obj, bool progs, char *log,
		  size_t log_size);

/* Call fn for each symbol of the object (ld_syms.c) until it returns
 * non-zero; returns that, or 0. */
int ld_syms_each(const struct bpfvm_object *obj,
		 int (*fn)(const char *name, const GElf_Sym *sym, void *ctx),
		 void *ctx);

#endif
