/* Process-wide object ids, as the kernel's map and program ids: what user
 * space and programs use where the kernel would use a file descriptor. */
#ifndef BPFVM_CORE_IDS_H
#define BPFVM_CORE_IDS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum core_id_kind {
	CORE_ID_MAP = 1,
	CORE_ID_PROG = 2,
	CORE_ID_PERF_EVENT = 3,	/* BPF-output perf event buffers */
};

/* Take a reference if the object is still alive (refcount not yet 0);
 * called with the id table locked. */
typedef bool (*core_id_tryget)(void *obj);

/* The usual core_id_tryget body: increment a nonzero count. */
static inline bool core_ref_tryget(atomic_uint *refcnt)
{
	unsigned n = atomic_load(refcnt);

	while (n && !atomic_compare_exchange_weak(refcnt, &n, n + 1))
		;
	return n != 0;
}

/* A new id (never 0, never reused) for obj; 0 when out of memory. */
uint32_t core_id_alloc(void *obj, enum core_id_kind kind);
/* Forget the id; call before the object is freed. */
void core_id_release(uint32_t id);
/* The object with `id` of `kind`, referenced through tryget; or NULL. */
void *core_id_get(uint32_t id, enum core_id_kind kind, core_id_tryget tryget);

#endif
