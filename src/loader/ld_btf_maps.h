/* BTF-defined maps: the `.maps` section, whose variables' BTF types
 * (struct { __uint(type, ...); __type(key, ...); ... }) say what each
 * map is. Standalone: the object hands in the section and its
 * relocations and gets definitions back (ld_btf_maps.c). */
#ifndef BPFVM_LOADER_LD_BTF_MAPS_H
#define BPFVM_LOADER_LD_BTF_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/btf.h>
#include <bpfvm/object.h>

/* A relocation inside the .maps section (initial `values` of PROG_ARRAY
 * and map-in-map definitions): the symbol named at byte `off`. */
struct ld_sym_ref {
	uint64_t off;
	const char *sym;
};

/* An initial slot: values[slot] = the program or map named `sym`. */
struct ld_slot_init {
	uint32_t slot;
	const char *sym;	/* points into the caller's strings */
};

struct ld_btf_map {
	char *name;			/* the variable's name */
	struct bpfvm_map_def def;	/* def.inner points at inner_def */
	struct bpfvm_map_def inner_def;	/* map-in-map template */
	bool has_inner;
	uint64_t sec_off;		/* the variable's offset in .maps */
	struct ld_slot_init *inits;
	size_t init_cnt;
};

/* Parse every variable of the DATASEC named `sec_name` (".maps") in btf.
 * Fields as libbpf: type, max_entries, map_flags, numa_node, map_extra,
 * pinning (as a number), key / value (__type: size from the type, and
 * btf_*_type_id) or key_size / value_size (__uint), values (__array:
 * the inner map's template for map-in-map, initial slots from `refs`).
 * A field named twice with different values, an unknown field, a size
 * that contradicts a type, or values on a map type that has no slots
 * is -EINVAL with "map 'NAME': field 'F': reason" in log. Unknown
 * fields are an error, as libbpf. *out is an array of *cnt entries the
 * caller frees with ld_btf_maps_free. */
int ld_btf_maps_parse(const struct bpfvm_btf *btf, const char *sec_name,
		      const struct ld_sym_ref *refs, size_t ref_cnt,
		      struct ld_btf_map **out, size_t *cnt, char *log,
		      size_t log_size);
void ld_btf_maps_free(struct ld_btf_map *maps, size_t cnt);

#endif
