/* Shared by the tracepoint tests: loading the pt_tp_* objects, and
 * catching trace_printk lines. */
#ifndef BPFVM_TESTS_TP_TEST_H
#define BPFVM_TESTS_TP_TEST_H

#include <stdio.h>
#include <string.h>
#include <bpfvm/bpfvm.h>

/* Open and load BPFVM_OBJ_DIR/<name>.o with env; NULL on failure (said
 * on stderr). */
static inline struct bpfvm_object *tp_load(const char *name,
					   struct bpfvm_env *env)
{
	struct bpfvm_object_load_opts lo = { .sz = sizeof(lo), .env = env };
	struct bpfvm_object *obj = NULL;
	char path[512], log[1024] = "";
	int err;

	lo.log_buf = log;
	lo.log_size = sizeof(log);
	snprintf(path, sizeof(path), "%s/%s.o", BPFVM_OBJ_DIR, name);
	err = bpfvm_object_open_file(path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj, &lo);
	if (err) {
		fprintf(stderr, "%s: %d %s\n", path, err, log);
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}

static inline struct bpfvm_prog *tp_prog(struct bpfvm_object *obj,
					 const char *name)
{
	struct bpfvm_obj_prog *p = obj ? bpfvm_object_find_prog(obj, name)
				       : NULL;

	return p ? bpfvm_obj_prog_prog(p) : NULL;
}

/* The u64 value at key of an object's map (0xdead when missing). */
static inline uint64_t tp_map_u64(struct bpfvm_object *obj, const char *map,
				  uint32_t key)
{
	struct bpfvm_obj_map *m = bpfvm_object_find_map(obj, map);
	uint64_t v = 0xdead;

	if (!m || bpfvm_map_lookup(bpfvm_obj_map_map(m), &key, &v, 0))
		return 0xdead;
	return v;
}

/* Lines containing `needle` printed since tp_trace_watch. */
static const char *tp_needle;
static int tp_hits;

static void tp_trace_cb(const char *line, size_t len, void *ctx)
{
	(void)len, (void)ctx;
	if (tp_needle && strstr(line, tp_needle))
		tp_hits++;
}

static inline void tp_trace_watch(const char *needle)
{
	tp_needle = needle;
	tp_hits = 0;
	bpfvm_trace_set_callback(tp_trace_cb, NULL);
}

#endif
