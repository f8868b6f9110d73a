/* Objects: the ELF files `clang -O2 -g -target bpf` writes, opened with
 * libbpf's conventions (and the older ones real projects still ship),
 * adjusted, then loaded into maps and programs ready to run.
 *
 *   open (parse ELF, BTF, SEC() names, map definitions, relocations)
 *     -> inspect / adjust (program types, map sizes, .rodata values)
 *     -> load (create maps, relocate incl. CO-RE, create programs)
 *     -> find a program or map by name, run. */
#ifndef BPFVM_OBJECT_H
#define BPFVM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <bpfvm/btf.h>
#include <bpfvm/env.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_object;
struct bpfvm_obj_prog;	/* a program of an object */
struct bpfvm_obj_map;	/* a map an object defines */
struct bpfvm_prog;
struct bpfvm_map;

struct bpfvm_object_open_opts {
	size_t sz;		/* sizeof(struct bpfvm_object_open_opts) */
	/* The object's name; NULL: the file name without directory and
	 * ".o" / ".bpf.o" (from memory: "mem"). */
	const char *name;
	char *log_buf;		/* why open failed, NUL-terminated */
	size_t log_size;
	/* The CO-RE target: target_btf, else the BTF in btf_custom_path,
	 * else /sys/kernel/btf/vmlinux where readable, else bpfvm's own
	 * (bpfvm_btf_builtin). */
	const struct bpfvm_btf *target_btf;
	const char *btf_custom_path;
	/* The LINUX_KERNEL_VERSION extern; 0: the running kernel's. */
	uint32_t kernel_version;
	/* Values of __kconfig externs, "CONFIG_X=y\nCONFIG_N=5\n" as in a
	 * kernel .config; NULL: /proc/config.gz / /boot/config-$(uname -r)
	 * are NOT read — unknown non-weak kconfig externs fail the load. */
	const char *kconfig;
};

/* Parse the object: sections, programs (every executable section,
 * several per section, subprograms), license and version, maps (legacy
 * `maps`, BTF-defined `.maps`, global data), BTF and .BTF.ext, and every
 * relocation (checked here, applied at load). Nothing is created yet.
 * Returns 0 or -errno with "<file>: section 'S' [symbol 'X'] [offset N]:
 * reason" in opts->log_buf: -ENOEXEC not a BPF ELF object, -EINVAL
 * malformed, -ENOTSUP an unknown relocation type, -ENOENT an undefined
 * symbol, -ENOMEM. */
int bpfvm_object_open_file(const char *path,
			   const struct bpfvm_object_open_opts *opts,
			   struct bpfvm_object **out);
/* The same from memory (copied: buf may go after the call). */
int bpfvm_object_open_mem(const void *buf, size_t size,
			  const struct bpfvm_object_open_opts *opts,
			  struct bpfvm_object **out);
/* Frees the object, its programs and maps (the loaded bpfvm_prog and
 * bpfvm_map live on while other references hold them). NULL is fine. */
void bpfvm_object_close(struct bpfvm_object *obj);

struct bpfvm_object_load_opts {
	size_t sz;		/* sizeof(struct bpfvm_object_load_opts) */
	struct bpfvm_env *env;	/* helpers; NULL: a default env */
	char *log_buf;		/* why load failed: program, insn, reason */
	size_t log_size;
	uint32_t prog_flags;	/* BPFVM_PROG_F_* for every program */
};

/* Create the maps (global data filled with its initial values; .rodata
 * and .kconfig frozen), apply the relocations (map references, global
 * data, calls into subprograms appended to each program that uses them,
 * externs, CO-RE against the target BTF), fill PROG_ARRAY and map-in-map
 * slots declared in `.maps`, then create each program whose autoload is
 * on. Once only: a second call returns -EBUSY. On error everything
 * created is released and the object stays opened. */
int bpfvm_object_load(struct bpfvm_object *obj,
		      const struct bpfvm_object_load_opts *opts);

const char *bpfvm_object_name(const struct bpfvm_object *obj);
/* The license section's string ("" when absent). */
const char *bpfvm_object_license(const struct bpfvm_object *obj);
/* The version section's value (0 when absent). */
uint32_t bpfvm_object_kversion(const struct bpfvm_object *obj);
/* .BTF / .BTF.ext, or NULL when the object has none. */
const struct bpfvm_btf *bpfvm_object_btf(const struct bpfvm_object *obj);
const struct bpfvm_btf_ext *
bpfvm_object_btf_ext(const struct bpfvm_object *obj);
/* A global variable (of .data, .rodata, .bss, .data.*, .rodata.*, or
 * .kconfig) by name, as libbpf skeletons offer them: before load the
 * bytes that will be loaded (writable: adjust .rodata here), after load
 * the live value the programs share (do not write a frozen map's).
 * NULL when no variable has that name (needs BTF) or it is an extern
 * not yet resolved. */
void *bpfvm_object_global(struct bpfvm_object *obj, const char *name,
			  size_t *size);

/* Programs: entry functions in executable sections (not .text's
 * subprograms), in section then offset order. */
size_t bpfvm_object_prog_cnt(const struct bpfvm_object *obj);
struct bpfvm_obj_prog *bpfvm_object_prog(const struct bpfvm_object *obj,
					 size_t i);
struct bpfvm_obj_prog *bpfvm_object_find_prog(const struct bpfvm_object *obj,
					      const char *name);

const char *bpfvm_obj_prog_name(const struct bpfvm_obj_prog *p);
const char *bpfvm_obj_prog_section(const struct bpfvm_obj_prog *p);
enum bpf_prog_type bpfvm_obj_prog_type(const struct bpfvm_obj_prog *p);
enum bpf_attach_type bpfvm_obj_prog_attach_type(const struct bpfvm_obj_prog *p);
/* Override what the section name said; -EBUSY after load. */
int bpfvm_obj_prog_set_type(struct bpfvm_obj_prog *p, enum bpf_prog_type type,
			    enum bpf_attach_type attach_type);
bool bpfvm_obj_prog_autoload(const struct bpfvm_obj_prog *p);
int bpfvm_obj_prog_set_autoload(struct bpfvm_obj_prog *p, bool autoload);
/* Before load: the entry function's instructions as in the ELF. After
 * load: what was handed to bpfvm_prog_create (relocated, subprograms
 * appended). */
const struct bpf_insn *bpfvm_obj_prog_insns(const struct bpfvm_obj_prog *p,
					    size_t *cnt);
/* After load: func_info / line_info with insn_off in instructions from
 * the start of bpfvm_obj_prog_insns (the kernel's convention); names
 * and source lines are strings of bpfvm_object_btf. Before load or
 * without .BTF.ext: NULL and 0. */
const struct bpf_func_info *
bpfvm_obj_prog_func_info(const struct bpfvm_obj_prog *p, size_t *cnt);
const struct bpf_line_info *
bpfvm_obj_prog_line_info(const struct bpfvm_obj_prog *p, size_t *cnt);
/* The loaded program (the object holds it; take bpfvm_prog_get_by_id
 * for a reference of your own), or NULL before load / autoload off. */
struct bpfvm_prog *bpfvm_obj_prog_prog(const struct bpfvm_obj_prog *p);

/* Maps: in order of definition — `maps` / `.maps` entries, then global
 * data sections, then .kconfig. Inner map templates of map-in-map
 * definitions are not listed (see bpfvm_map_def.inner). */
size_t bpfvm_object_map_cnt(const struct bpfvm_object *obj);
struct bpfvm_obj_map *bpfvm_object_map(const struct bpfvm_object *obj,
				       size_t i);
struct bpfvm_obj_map *bpfvm_object_find_map(const struct bpfvm_object *obj,
					    const char *name);

enum bpfvm_obj_map_kind {
	BPFVM_OBJ_MAP_DEF = 0,	/* from `maps` or `.maps` */
	BPFVM_OBJ_MAP_DATA,	/* .data, .data.* */
	BPFVM_OBJ_MAP_RODATA,	/* .rodata, .rodata.* (frozen at load) */
	BPFVM_OBJ_MAP_BSS,	/* .bss (zeroes) */
	BPFVM_OBJ_MAP_KCONFIG,	/* extern values (frozen at load) */
};

/* What the object declares (after adjustments), as the kernel's
 * BPF_MAP_CREATE attributes plus libbpf's extras. */
struct bpfvm_map_def {
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	uint32_t pinning;	/* LIBBPF_PIN_* / iproute2's PIN_* values */
	uint32_t btf_key_type_id;	/* 0 when not known */
	uint32_t btf_value_type_id;
	/* map-in-map: the template inner maps must match (not listed
	 * among the object's maps); NULL otherwise. */
	const struct bpfvm_map_def *inner;
};

const char *bpfvm_obj_map_name(const struct bpfvm_obj_map *m);
enum bpfvm_obj_map_kind bpfvm_obj_map_kind(const struct bpfvm_obj_map *m);
const struct bpfvm_map_def *bpfvm_obj_map_def(const struct bpfvm_obj_map *m);
/* Replace the definition before load (e.g. max_entries); -EBUSY after,
 * -EINVAL for global data whose size no longer fits its contents. */
int bpfvm_obj_map_set_def(struct bpfvm_obj_map *m,
			  const struct bpfvm_map_def *def);
/* Global data: the section's bytes (writable before load; after load the
 * live value, as bpfvm_object_global). NULL for other maps. */
void *bpfvm_obj_map_initial_value(struct bpfvm_obj_map *m, size_t *size);
/* Use an existing map instead of creating one (libbpf's reuse_fd): it
 * must match the definition's type, sizes and flags (-EINVAL). Takes a
 * reference. -EBUSY after load. */
int bpfvm_obj_map_reuse(struct bpfvm_obj_map *m, struct bpfvm_map *map);
/* The loaded map (held by the object), or NULL before load. */
struct bpfvm_map *bpfvm_obj_map_map(const struct bpfvm_obj_map *m);

/* libbpf's SEC() name conventions (../shared/specs/
 * libbpf_program_types.rst): the program and expected attach type of a
 * section name ("xdp", "tracepoint/syscalls/sys_enter_execve",
 * "socket", "tc", "classifier/x", ...). -ESRCH when no convention
 * matches. */
int bpfvm_section_type(const char *sec_name, enum bpf_prog_type *type,
		       enum bpf_attach_type *attach_type);
/* "xdp", "socket_filter", ... as bpftool prints them; NULL if unknown. */
const char *bpfvm_prog_type_name(enum bpf_prog_type type);
const char *bpfvm_map_type_name(enum bpf_map_type type);

#ifdef __cplusplus
}
#endif
#endif
