/* Printing an object's maps (map_print.h). */
#include "cli_json.h"
#include "map_print.h"

#include <bpfvm/btf.h>
#include <bpfvm/map.h>
#include <bpfvm/object.h>
#include <linux/btf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Text shows at most this many bytes of a value (global data sections
 * can be large); JSON shows all. */
#define TEXT_VALUE_MAX 64

struct map_entry {
	const uint8_t *key;
	const uint8_t *value;	/* per-CPU maps: the sum over CPUs */
	bool has_sum;		/* per-CPU values could be summed */
	const uint8_t *percpu;	/* per CPU values (stride), or NULL */
	size_t stride;
	unsigned ncpu;
	int err;		/* the lookup's error, or 0 */
};

struct map_walk {
	struct bpfvm_map *map;
	uint32_t key_size, value_size;
	size_t max;
	void (*entry)(void *arg, const struct map_walk *w,
		      const struct map_entry *e);
	void *arg;
	/* out */
	size_t shown, more;
	int err;		/* listing the keys failed */
};

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Maps whose elements have no keys to list. */
static bool is_keyless(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK ||
	       t == BPF_MAP_TYPE_RINGBUF || t == BPF_MAP_TYPE_USER_RINGBUF ||
	       t == BPF_MAP_TYPE_BLOOM_FILTER;
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void store_le(uint8_t *p, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The sum over CPUs, word by word (counters are u64 or u32, structs of
 * them too); false for sizes that are neither. */
static bool sum_percpu(const struct map_entry *e, size_t value_size,
		       uint8_t *sum)
{
	size_t w = value_size % 8 == 0 ? 8 : value_size % 4 == 0 ? 4 : 0;

	if (!w)
		return false;
	for (size_t off = 0; off < value_size; off += w) {
		uint64_t s = 0;
		for (unsigned c = 0; c < e->ncpu; c++)
			s += load_le(e->percpu + c * e->stride + off, w);
		store_le(sum + off, w, s);
	}
	return true;
}

/* False when the key has no value (nothing shown). */
static bool one_entry(struct map_walk *w, const uint8_t *key, uint8_t *buf,
		      uint8_t *sum)
{
	struct map_entry e = { .key = key, .value = buf };

	e.err = bpfvm_map_lookup(w->map, key, buf, 0);
	if (e.err == -ENOENT)
		return false; /* an empty slot (DEVMAP, PROG_ARRAY, ...) */
	if (!e.err && is_percpu(bpfvm_map_type(w->map))) {
		e.percpu = buf;
		e.ncpu = bpfvm_num_possible_cpus();
		e.stride = (w->value_size + 7) & ~(size_t)7;
		e.has_sum = sum_percpu(&e, w->value_size, sum);
		e.value = e.has_sum ? sum : NULL;
	}
	w->entry(w->arg, w, &e);
	return true;
}

/* Every key in the map's order: the first w->max shown, the rest
 * counted. Bounded by max_entries + 1 steps: never loops. */
static void walk(struct map_walk *w)
{
	size_t ks = w->key_size ? w->key_size : 1;
	uint8_t *key = calloc(2, ks), *next = key ? key + ks : NULL;
	uint8_t *buf = malloc(bpfvm_map_user_value_size(w->map) + 8);
	uint8_t *sum = malloc(w->value_size + 8);
	uint64_t limit = (uint64_t)bpfvm_map_max_entries(w->map) + 1;
	int err;

	if (!key || !buf || !sum) {
		w->err = -ENOMEM;
		goto out;
	}
	for (err = bpfvm_map_get_next_key(w->map, NULL, next);
	     !err && limit--;
	     err = bpfvm_map_get_next_key(w->map, key, next)) {
		memcpy(key, next, ks);
		if (w->shown < w->max)
			w->shown += one_entry(w, key, buf, sum);
		else
			w->more++;
	}
	if (err && err != -ENOENT)
		w->err = err;
out:
	free(key);
	free(buf);
	free(sum);
}

/* Global data: each variable of the section (its BTF DATASEC) with its
 * bytes in the live value, as skeletons name them. */
typedef void (*var_fn)(void *arg, const char *name, const uint8_t *v,
		       uint32_t size);

static const char *datasec_name(struct bpfvm_obj_map *om)
{
	const char *name = bpfvm_obj_map_name(om);

	switch (bpfvm_obj_map_kind(om)) {
	case BPFVM_OBJ_MAP_KCONFIG:
		return ".kconfig";
	case BPFVM_OBJ_MAP_DEF:
		return NULL;
	default:	/* "<obj>.bss", or a custom ".data.x" as it is */
		return name[0] == '.' ? name : strchr(name, '.');
	}
}

/* The variable's bytes come from bpfvm_object_global: the object's BTF
 * may leave DATASEC offsets 0 (libbpf fixes them from the symbols). */
static void each_var(struct bpfvm_object *obj, struct bpfvm_obj_map *om,
		     var_fn fn, void *arg)
{
	const struct bpfvm_btf *btf = bpfvm_object_btf(obj);
	const char *sec = datasec_name(om);
	const struct btf_var_secinfo *vs;
	const struct btf_type *t;
	int id;

	if (!btf || !bpfvm_obj_map_map(om) || !sec ||
	    (id = bpfvm_btf_find(btf, sec, BTF_KIND_DATASEC)) < 0 ||
	    !(t = bpfvm_btf_type(btf, (uint32_t)id)))
		return;
	vs = (const struct btf_var_secinfo *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const char *name = bpfvm_btf_type_name(btf, vs[i].type);
		size_t size = 0;
		const uint8_t *v = name ? bpfvm_object_global(obj, name, &size)
					: NULL;

		if (v)
			fn(arg, name, v, (uint32_t)size);
	}
}

/* --- text --- */

static void text_hex(FILE *out, const uint8_t *p, size_t n)
{
	size_t shown = n > TEXT_VALUE_MAX ? TEXT_VALUE_MAX : n;

	for (size_t i = 0; i < shown; i++)
		fprintf(out, i ? " %02x" : "%02x", p[i]);
	if (shown < n)
		fprintf(out, " ... (%zu bytes)", n);
	if (n == 1 || n == 2 || n == 4 || n == 8)
		fprintf(out, " (%llu)", (unsigned long long)load_le(p, n));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void text_entry(void *arg, const struct map_walk *w,
		       const struct map_entry *e)
{
	FILE *out = arg;

	fprintf(out, "    key ");
	text_hex(out, e->key, w->key_size);
	if (e->err) {
		fprintf(out, "  lookup: %s\n", strerror(-e->err));
		return;
	}
	if (e->value) {
		fprintf(out, e->percpu ? "  sum " : "  value ");
		text_hex(out, e->value, w->value_size);
	}
	fputc('\n', out);
	for (unsigned c = 0; e->percpu && c < e->ncpu; c++) {
		const uint8_t *v = e->percpu + c * e->stride;
		if (all_zero(v, w->value_size))
			continue;
		fprintf(out, "      cpu%u ", c);
		text_hex(out, v, w->value_size);
		fputc('\n', out);
	}
}

static void text_var(void *arg, const char *name, const uint8_t *v,
		     uint32_t size)
{
	fprintf(arg, "    var %s = ", name);
	text_hex(arg, v, size);
	fputc('\n', arg);
}

static void text_map(FILE *out, struct bpfvm_object *obj,
		     struct bpfvm_obj_map *om, size_t max)
{
	struct bpfvm_map *m = bpfvm_obj_map_map(om);
	enum bpf_map_type t;
	struct map_walk w = { .map = m, .max = max, .entry = text_entry,
			      .arg = out };

	fprintf(out, "  %s", bpfvm_obj_map_name(om));
	if (!m) {
		fprintf(out, " (not created)\n");
		return;
	}
	t = bpfvm_map_type(m);
	w.key_size = bpfvm_map_key_size(m);
	w.value_size = bpfvm_map_value_size(m);
	fprintf(out, " (%s, key %u, value %u, max_entries %u%s)",
		bpfvm_map_type_name(t) ?: "?", w.key_size, w.value_size,
		bpfvm_map_max_entries(m), is_percpu(t) ? ", per CPU" : "");
	if (is_keyless(t)) {
		fprintf(out, ": no keys to list\n");
		return;
	}
	fprintf(out, ":\n");
	walk(&w);
	if (w.more)
		fprintf(out, "    ... %zu more\n", w.more);
	if (w.err)
		fprintf(out, "    (listing stopped: %s)\n", strerror(-w.err));
	else if (!w.shown)
		fprintf(out, "    (empty)\n");
	each_var(obj, om, text_var, out);
}

void map_print_text(FILE *out, struct bpfvm_object *obj, size_t max_entries)
{
	size_t n = bpfvm_object_map_cnt(obj);

	fprintf(out, "maps       %zu\n", n);
	for (size_t i = 0; i < n; i++)
		text_map(out, obj, bpfvm_object_map(obj, i), max_entries);
}

/* --- JSON --- */

static void json_entry(void *arg, const struct map_walk *w,
		       const struct map_entry *e)
{
	struct cj *j = arg;

	cj_obj_begin(j, NULL);
	cj_hex(j, "key", e->key, w->key_size);
	if (e->err) {
		cj_str(j, "error", strerror(-e->err));
	} else if (e->value) {
		cj_hex(j, "value", e->value, w->value_size);
	} else {
		cj_null(j, "value");
	}
	if (e->percpu) {
		cj_arr_begin(j, "values");
		for (unsigned c = 0; c < e->ncpu; c++) {
			cj_obj_begin(j, NULL);
			cj_u64(j, "cpu", c);
			cj_hex(j, "value", e->percpu + c * e->stride,
			       w->value_size);
			cj_obj_end(j);
		}
		cj_arr_end(j);
	}
	cj_obj_end(j);
}

static void json_var(void *arg, const char *name, const uint8_t *v,
		     uint32_t size)
{
	cj_obj_begin(arg, NULL);
	cj_str(arg, "name", name);
	cj_hex(arg, "value", v, size);
	cj_obj_end(arg);
}

static void json_map(struct cj *j, struct bpfvm_object *obj,
		     struct bpfvm_obj_map *om, size_t max)
{
	struct bpfvm_map *m = bpfvm_obj_map_map(om);
	struct map_walk w = { .map = m, .max = max, .entry = json_entry,
			      .arg = j };
	enum bpf_map_type t;

	cj_obj_begin(j, NULL);
	cj_str(j, "name", bpfvm_obj_map_name(om));
	if (!m) {
		cj_null(j, "type");
		cj_obj_end(j);
		return;
	}
	t = bpfvm_map_type(m);
	w.key_size = bpfvm_map_key_size(m);
	w.value_size = bpfvm_map_value_size(m);
	cj_str(j, "type", bpfvm_map_type_name(t));
	cj_u64(j, "key_size", w.key_size);
	cj_u64(j, "value_size", w.value_size);
	cj_u64(j, "max_entries", bpfvm_map_max_entries(m));
	cj_bool(j, "percpu", is_percpu(t));
	cj_arr_begin(j, "entries");
	if (!is_keyless(t))
		walk(&w);
	cj_arr_end(j);
	cj_u64(j, "more", w.more);
	if (w.err)
		cj_str(j, "error", strerror(-w.err));
	if (datasec_name(om)) {
		cj_arr_begin(j, "variables");
		each_var(obj, om, json_var, j);
		cj_arr_end(j);
	}
	cj_obj_end(j);
}

void map_print_json(struct cj *j, struct bpfvm_object *obj,
		    size_t max_entries)
{
	cj_arr_begin(j, "maps");
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++)
		json_map(j, obj, bpfvm_object_map(obj, i), max_entries);
	cj_arr_end(j);
}
